"""Run the agents of one configuration together: ``python -m edge`` and embedding programs."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

from edge.agent import Agent
from edge.config import EdgeConfig
from edge.sources import make_source


def build_agents(config: EdgeConfig, *, clock: Callable[[], float] = time.time) -> list[Agent]:
    """One agent per configured device, each with its own source.

    Simulated devices get their position in ``config.devices`` as simulator index, so
    they differ from each other but not from run to run.

    Raises:
        SourceError: the configured hardware source is unavailable.
    """
    return [
        Agent(
            config, make_source(config.source, seed=config.seed, index=index, clock=clock), device=device, clock=clock
        )
        for index, device in enumerate(config.devices)
    ]


def start_all(agents: Sequence[Agent]) -> None:
    """Start every agent; if one cannot start, stop those already started and re-raise.

    Raises:
        OutboxError: an agent's outbox cannot be opened.
    """
    started: list[Agent] = []
    try:
        for agent in agents:
            agent.start()
            started.append(agent)
    except BaseException:
        stop_all(started)
        raise


def stop_all(agents: Sequence[Agent], timeout: float = 5.0) -> None:
    """Stop every agent (``offline`` status each), in parallel, within about ``timeout`` seconds.

    In parallel because an agent waiting to reconnect may take up to a second to notice.
    """
    stoppers = [
        threading.Thread(target=agent.stop, args=(timeout,), name=f"edge-stop-{agent.device}", daemon=True)
        for agent in agents
    ]
    for stopper in stoppers:
        stopper.start()
    deadline = time.monotonic() + timeout + 1.0
    for stopper in stoppers:
        stopper.join(max(0.0, deadline - time.monotonic()))
