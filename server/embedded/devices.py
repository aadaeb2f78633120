"""Simulated Sense HATs for the embedded mode: real edge agents, in this process."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from edge.agent import Agent
from edge.config import SourceKind, load_config
from edge.sources import make_source

PREFIX = "sim"


def simulated_device_ids(count: int) -> list[str]:
    """The ids the simulated devices get: ``sim-1`` .. ``sim-<count>``."""
    return [f"{PREFIX}-{i}" for i in range(1, count + 1)]


@dataclass
class SimulatedDevices:
    """Running agents; ``stop`` publishes each one's ``offline`` status."""

    agents: list[Agent]

    def stop(self) -> None:
        """Stop every agent (blocking, a few seconds at most)."""
        for agent in self.agents:
            agent.stop()


def start_simulated_devices(
    mqtt_url: str, protocol: str, *, count: int, rate_hz: float, seed: int, data_dir: Path
) -> SimulatedDevices:
    """Start ``count`` simulated devices publishing to ``mqtt_url`` (blocking; call from a thread)."""
    if count == 0:
        return SimulatedDevices(agents=[])
    config = load_config(
        argv=[],
        environ={
            "MQTT_URL": mqtt_url,
            "MQTT_PROTOCOL": protocol,
            "EDGE_DEVICE_ID": PREFIX,
            "EDGE_SIMULATE": str(count),
            "EDGE_RATE_HZ": str(rate_hz),
            "EDGE_SEED": str(seed),
            "EDGE_OUTBOX_DIR": str(data_dir),
        },
    )
    agents = [
        Agent(config, make_source(SourceKind.SIMULATOR, seed=seed, index=index), device=device)
        for index, device in enumerate(config.devices)
    ]
    for agent in agents:
        agent.start()
    return SimulatedDevices(agents=agents)
