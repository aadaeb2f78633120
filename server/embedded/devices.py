"""Simulated Sense HATs for the embedded mode: real edge agents, in this process."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from contract.broker import BrokerAddress
from edge.agent import Agent
from edge.config import DEFAULT_SIMULATION_PREFIX, EdgeConfig, simulated_ids
from edge.runner import start_all, stop_all
from edge.sources import make_source


def simulated_device_ids(count: int) -> list[str]:
    """The ids the simulated devices get: ``sim-1`` .. ``sim-<count>`` (the edge's own rule)."""
    return list(simulated_ids(DEFAULT_SIMULATION_PREFIX, count))


@dataclass
class SimulatedDevices:
    """Running agents; ``stop`` publishes each one's ``offline`` status."""

    agents: list[Agent]

    def stop(self) -> None:
        """Stop every agent (blocking, a few seconds at most)."""
        stop_all(self.agents)


def start_simulated_devices(config: EdgeConfig, brokers: Mapping[str, BrokerAddress]) -> SimulatedDevices:
    """Start an agent for each device of ``config`` (blocking; call from a thread).

    Args:
        config: The devices' shared settings (their order gives each its simulator index).
        brokers: Device id -> the broker address with that device's own account: each agent
            logs in as itself, so the broker's ACL holds it to its own topics.

    Raises:
        edge.errors.EdgeError: an outbox cannot be opened.
        KeyError: a device has no credentials.
    """
    # Same settings, each its own login; the simulator index comes from the shared device list,
    # as edge.runner.build_agents gives it.
    agents = [
        Agent(
            dataclasses.replace(config, broker=brokers[device]),
            make_source(config.source, seed=config.seed, index=index),
            device=device,
        )
        for index, device in enumerate(config.devices)
    ]
    start_all(agents)
    return SimulatedDevices(agents=agents)
