"""Simulated Sense HATs for the embedded mode: real edge agents, in this process."""

from __future__ import annotations

from dataclasses import dataclass

from edge.agent import Agent
from edge.config import DEFAULT_SIMULATION_PREFIX, EdgeConfig, simulated_ids
from edge.runner import build_agents, start_all, stop_all


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


def start_simulated_devices(config: EdgeConfig) -> SimulatedDevices:
    """Start an agent for each device of ``config`` (blocking; call from a thread).

    Raises:
        edge.errors.EdgeError: an outbox cannot be opened.
    """
    agents = build_agents(config)
    start_all(agents)
    return SimulatedDevices(agents=agents)
