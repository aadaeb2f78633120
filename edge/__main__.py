"""``python -m edge`` / ``sensebridge-edge``: run the agents of the configured devices.

Exit status: 0 after a clean stop (SIGINT or SIGTERM), 2 on invalid configuration (every
problem listed on stderr), 1 when a source or an outbox cannot be opened.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from config import ConfigError
from edge.config import load_config
from edge.errors import OutboxError, SourceError
from edge.runner import build_agents, start_all, stop_all

logger = logging.getLogger("edge")


def main(argv: Sequence[str] | None = None) -> int:
    """Run until SIGINT/SIGTERM; see the module docstring for the exit status.

    Args:
        argv: Command-line arguments without the program name (default ``sys.argv[1:]``).
    """
    try:
        config = load_config(argv)
    except ConfigError as exc:
        print(f"sensebridge-edge: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=config.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        logger.info("%s received, stopping", signal.Signals(signum).name)
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    agents = []
    try:
        agents = build_agents(config)
        logger.info(
            "sensebridge-edge: %d device(s) %s, source %s", len(agents), ", ".join(config.devices), config.source.value
        )
        start_all(agents)
        while not stop.wait(1.0):
            pass
    except (SourceError, OutboxError) as exc:
        logger.error("cannot start: %s", exc)  # noqa: TRY400 - the message says it all
        return 1
    finally:
        stop_all(agents)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


if __name__ == "__main__":
    sys.exit(main())
