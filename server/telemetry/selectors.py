"""Reads for the REST API (HackSoft-style selectors: keyword-only, no side effects)."""

from __future__ import annotations

from typing import Any

from contract.live import reading_row
from server.telemetry.store_access import get_store


async def device_list() -> list[dict[str, Any]]:
    """Every known device with presence, last-seen time and latest values."""
    store = await get_store()
    return [
        {
            "device": d.device,
            "online": d.online,
            "boot": d.boot,
            "status_ts": d.status_ts_ms,
            "pending": d.pending,
            "dropped": d.dropped,
            "last_seen": d.last_seen_ms,
            "latest": reading_row(d.latest) if d.latest else None,
        }
        for d in await store.devices()
    ]


async def device_readings(*, device: str, since_ms: int, until_ms: int, limit: int) -> dict[str, Any]:
    """Raw readings of ``device`` with ``since_ms <= ts < until_ms``, oldest first."""
    store = await get_store()
    page = await store.readings(device, since_ms=since_ms, until_ms=until_ms, limit=limit)
    return {
        "device": device,
        "since": since_ms,
        "until": until_ms,
        "readings": [reading_row(r) for r in page.readings],
        "truncated": page.truncated,
    }
