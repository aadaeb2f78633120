"""Reads for the REST API (HackSoft-style selectors: keyword-only, no side effects)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

from contract.live import reading_row
from contract.models import Reading
from server.telemetry.store_access import get_store
from storage.history import History, HistoryQuery


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


async def device_exists(*, device: str) -> bool:
    """Whether the store knows ``device`` (from a status or a reading)."""
    store = await get_store()
    return await store.has_device(device)


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


def history_body(history: History) -> dict[str, Any]:
    """A history answer in the columnar shape of docs/api.md."""
    query = history.query
    series: dict[str, dict[str, list[float | None]]] = {}
    body: dict[str, Any] = {
        "device": query.device,
        "since": query.since_ms,
        "until": query.until_ms,
        "bucket_ms": history.bucket_ms,
        "channels": list(query.channels),
    }
    if history.bucket_ms == 0:
        readings = history.readings
        body |= {"t": [r.ts_ms for r in readings], "n": [1] * len(readings)}
        body |= {"seq": [r.seq for r in readings], "boot": [r.boot for r in readings]}
        for name in query.channels:
            values = [r.values.get(name) for r in readings]
            series[name] = {"min": values, "max": values, "mean": values}
    else:
        buckets = history.buckets
        body |= {"t": [b.t for b in buckets], "n": [b.n for b in buckets]}
        for name in query.channels:
            stats = [b.stats.get(name) for b in buckets]
            series[name] = {
                "min": [s.min if s else None for s in stats],
                "max": [s.max if s else None for s in stats],
                "mean": [s.mean if s else None for s in stats],
            }
    body["series"] = series
    body["gaps"] = [[start, end] for start, end in history.gaps]
    return body


async def device_history(*, query: HistoryQuery, now_ms: int | None = None) -> dict[str, Any]:
    """The downsampled history of ``query`` with gap markers (docs/api.md)."""
    store = await get_store()
    now = time.time_ns() // 1_000_000 if now_ms is None else now_ms
    return history_body(await store.history(query, now_ms=now))


async def device_export(*, device: str, since_ms: int, until_ms: int) -> AsyncIterator[list[Reading]]:
    """Every reading of ``device`` in the range, oldest first, in pages."""
    store = await get_store()
    async for page in store.export(device, since_ms=since_ms, until_ms=until_ms):
        yield page
