"""Reads for the REST API (HackSoft-style selectors: keyword-only, no side effects)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

from contract import rest
from contract.models import Reading
from server.telemetry.store_access import get_store
from storage.history import History, HistoryQuery


async def device_list() -> dict[str, Any]:
    """Every known device with presence, when the bridge last heard from it and latest values."""
    store = await get_store()
    return rest.device_list(
        rest.device_entry(
            device=d.device,
            online=d.online,
            boot=d.boot,
            status_received_ts=d.status_ts_ms,
            pending=d.pending,
            dropped=d.dropped,
            latest=d.latest,
        )
        for d in await store.devices()
    )


async def device_exists(*, device: str) -> bool:
    """Whether the store knows ``device`` (from a status or a reading)."""
    store = await get_store()
    return await store.has_device(device)


async def device_readings(*, device: str, since_ms: int, until_ms: int, limit: int) -> dict[str, Any]:
    """Raw readings of ``device`` with ``since_ms <= ts < until_ms``, oldest first."""
    store = await get_store()
    page = await store.readings(device, since_ms=since_ms, until_ms=until_ms, limit=limit)
    return rest.readings_page(
        device=device,
        since_device_ts=since_ms,
        until_device_ts=until_ms,
        readings=page.readings,
        truncated=page.truncated,
    )


def history_body(history: History) -> dict[str, Any]:
    """A history answer in the columnar shape of docs/api.md (``contract.spec.rest.HISTORY``)."""
    query = history.query
    series: dict[str, dict[str, list[float | None]]] = {}
    raw: tuple[list[int], list[str]] | None = None
    if history.bucket_ms == 0:
        readings = history.readings
        device_ts, n = [r.ts_ms for r in readings], [1] * len(readings)
        raw = ([r.seq for r in readings], [r.boot for r in readings])
        for name in query.channels:
            values = [r.values.get(name) for r in readings]
            series[name] = {"min": values, "max": values, "mean": values}
    else:
        buckets = history.buckets
        device_ts, n = [b.t for b in buckets], [b.n for b in buckets]
        for name in query.channels:
            stats = [b.stats.get(name) for b in buckets]
            series[name] = {
                "min": [s.min if s else None for s in stats],
                "max": [s.max if s else None for s in stats],
                "mean": [s.mean if s else None for s in stats],
            }
    return rest.history_answer(
        device=query.device,
        since_device_ts=query.since_ms,
        until_device_ts=query.until_ms,
        bucket_ms=history.bucket_ms,
        channels=query.channels,
        device_ts=device_ts,
        n=n,
        series=series,
        gaps_device_ts=history.gaps,
        raw=raw,
    )


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
