"""Start-line for the load programs: announce readiness, wait for the coordinator's start time.

Python programs take a second or more to start on a busy machine, so the coordinator
never guesses: each load program connects, writes its ready file, and waits for the go
file holding the epoch second at which every program starts together.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

POLL_S = 0.01


def ready_and_wait(ready: str, go: str, *, timeout: float = 120.0) -> float:
    """Write ``ready``, then wait for ``go``; returns the start time it holds (epoch seconds).

    Raises:
        TimeoutError: no go file within ``timeout``.
    """
    Path(ready).write_text("ready")
    deadline = time.monotonic() + timeout
    path = Path(go)
    while True:
        try:
            start: float = json.loads(path.read_text())["start"]
        except (FileNotFoundError, json.JSONDecodeError, KeyError):
            if time.monotonic() > deadline:
                raise TimeoutError(f"no go file {go} within {timeout:g} s") from None
            time.sleep(POLL_S)
        else:
            return start


def release(go: Path, start: float) -> None:
    """Tell every waiting program to start at ``start`` (atomically: write, then rename)."""
    partial = go.with_suffix(".partial")
    partial.write_text(json.dumps({"start": start}))
    partial.rename(go)
