"""The periodic maintenance task: retention purge and rollup upkeep (:meth:`Store.maintain`).

The bridge runs one next to its ingest loops (every bridge replica may: the stores make it safe
to run concurrently). SQLite needs it for retention; MongoDB's TTL indexes purge on their own,
and the task recomputes the rollup rows ingest has marked.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from storage.base import Store

log = logging.getLogger("sensebridge.storage")

MAINTENANCE_INTERVAL_S = 10.0


def wall_clock_ms() -> int:
    """Milliseconds since the epoch, now."""
    return time.time_ns() // 1_000_000


async def run_maintenance(
    store: Store, *, interval_s: float = MAINTENANCE_INTERVAL_S, clock: Callable[[], int] = wall_clock_ms
) -> None:
    """Call ``store.maintain`` every ``interval_s`` seconds until cancelled; failures are logged and retried."""
    while True:
        try:
            report = await store.maintain(now_ms=clock())
        except Exception as exc:  # supervisor boundary: retention must not stop the bridge
            log.warning("store maintenance failed, retrying in %.0f s: %r", interval_s, exc)
        else:
            if any(report.purged.values()):
                log.info("retention purged %s", ", ".join(f"{n} {name}" for name, n in report.purged.items() if n))
        await asyncio.sleep(interval_s)
