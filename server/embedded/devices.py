"""Simulated Sense HATs for the embedded mode: real edge agents, in this process."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from edge.agent import Agent
from edge.config import load_config
from edge.runner import build_agents, start_all, stop_all

PREFIX = "sim"


def simulated_device_ids(count: int) -> list[str]:
    """The ids the simulated devices get: ``sim-1`` .. ``sim-<count>`` (the edge's own rule)."""
    return [f"{PREFIX}-{i}" for i in range(1, count + 1)]


@dataclass
class SimulatedDevices:
    """Running agents; ``stop`` publishes each one's ``offline`` status."""

    agents: list[Agent]

    def stop(self) -> None:
        """Stop every agent (blocking, a few seconds at most)."""
        stop_all(self.agents)


def start_simulated_devices(
    mqtt_url: str, protocol: str, *, count: int, rate_hz: float, seed: int, data_dir: Path
) -> SimulatedDevices:
    """Start ``count`` simulated devices publishing to ``mqtt_url`` (blocking; call from a thread).

    Raises:
        edge.errors.EdgeError: an outbox cannot be opened.
    """
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
    agents = build_agents(config)
    start_all(agents)
    return SimulatedDevices(agents=agents)
