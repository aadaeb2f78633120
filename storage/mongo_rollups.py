"""MongoDB rollups: ``$group`` pipelines, and the job that recomputes marked rollup rows.

Rollups are *derived* data, recomputed rather than incremented, so a crash or a partly
failed ``insert_many`` can never leave them counting a reading twice or never:

1. Ingest inserts the readings, then one *mark* ``{device, size: 60000, t}`` per minute the
   batch touched (duplicates included: a re-send re-marks what a crash may have missed).
2. :func:`refresh_rollups` takes marks, recomputes each marked minute from the raw readings,
   writes it, marks its hour, and only then deletes the marks it took (by ``_id``: a mark
   added meanwhile stays for the next run). Hours are recomputed from minute rows the same way.
3. A row is replaced only by a recomputation with at least as many readings
   (``n: {$lte: new n}``): while a bucket's readings are kept they are only ever added, so more
   readings means a later snapshot and concurrent jobs on several bridges cannot put an older one
   back; once retention has purged some of them, a recomputation counts fewer and is refused.
4. History reads a marked row from the finer source instead (:func:`storage.plan.plan_parts`),
   so answers are exact even before the job has run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.errors import DuplicateKeyError

from contract.channels import CHANNEL_NAMES
from storage.downsample import Bucket, Stats
from storage.mongo_api import Collection, Document
from storage.plan import HOUR_MS, MINUTE_MS, RAW, floor_to

MARK_BATCH = 2_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def as_date(ts_ms: int) -> datetime:
    """Epoch milliseconds as a BSON date (what TTL indexes read)."""
    return _EPOCH + timedelta(milliseconds=ts_ms)


def floor_expr(field: str, size: int) -> dict[str, Any]:
    """Aggregation expression for the start of the ``size`` bucket holding ``$field``.

    ``$mod`` keeps the dividend's sign, so the remainder is made non-negative before subtracting.
    """
    value = f"${field}"
    return {"$subtract": [value, {"$mod": [{"$add": [{"$mod": [value, size]}, size]}, size]}]}


def group_pipeline(
    source_ms: int,
    *,
    device: str,
    ranges: Sequence[tuple[int, int]],
    bucket_ms: int,
    channels: Sequence[str],
) -> list[dict[str, Any]]:
    """Partial buckets of ``bucket_ms`` from raw readings (``source_ms`` 0) or a rollup collection.

    ``ranges`` are disjoint ``[since, until)`` ranges of the source to read: one pipeline per source
    whatever the number of parts the plan has.
    """
    if source_ms == RAW:
        time = "ts"
        group: dict[str, Any] = {"n": {"$sum": 1}, "first_ts": {"$min": "$ts"}, "last_ts": {"$max": "$ts"}}
        for c in channels:
            present = {"$cond": [{"$eq": [{"$ifNull": [f"${c}", None]}, None]}, 0, 1]}
            group |= {
                f"{c}_min": {"$min": f"${c}"},
                f"{c}_max": {"$max": f"${c}"},
                f"{c}_sum": {"$sum": f"${c}"},
                f"{c}_n": {"$sum": present},
            }
    else:
        time = "t"
        group = {"n": {"$sum": "$n"}, "first_ts": {"$min": "$first_ts"}, "last_ts": {"$max": "$last_ts"}}
        for c in channels:
            group |= {
                f"{c}_min": {"$min": f"${c}_min"},
                f"{c}_max": {"$max": f"${c}_max"},
                f"{c}_sum": {"$sum": f"${c}_sum"},
                f"{c}_n": {"$sum": f"${c}_n"},
            }
    windows = [{time: {"$gte": lo, "$lt": hi}} for lo, hi in ranges]
    match = {"device": device, **windows[0]} if len(windows) == 1 else {"device": device, "$or": windows}
    return [{"$match": match}, {"$group": {"_id": floor_expr(time, bucket_ms), **group}}]


def group_to_bucket(doc: Document, channels: Sequence[str]) -> Bucket:
    """A ``$group`` result of :func:`group_pipeline` as a (partial) bucket."""
    stats = {
        c: Stats(float(doc[f"{c}_min"]), float(doc[f"{c}_max"]), float(doc[f"{c}_sum"]), int(doc[f"{c}_n"]))
        for c in channels
        if doc.get(f"{c}_n")
    }
    return Bucket(
        t=int(doc["_id"]), n=int(doc["n"]), first_ts=int(doc["first_ts"]), last_ts=int(doc["last_ts"]), stats=stats
    )


def rollup_doc(device: str, bucket: Bucket) -> Document:
    """A rollup row: counts, extremes and sums per channel that had values."""
    doc: Document = {
        "device": device,
        "t": bucket.t,
        "at": as_date(bucket.t),
        "n": bucket.n,
        "first_ts": bucket.first_ts,
        "last_ts": bucket.last_ts,
    }
    for name, s in bucket.stats.items():
        doc |= {f"{name}_min": s.min, f"{name}_max": s.max, f"{name}_sum": s.total, f"{name}_n": s.n}
    return doc


def mark_docs(device_times: Iterable[tuple[str, int]], size: int) -> list[Document]:
    """One mark per distinct ``(device, bucket of size)``."""
    return [{"device": d, "size": size, "t": t} for d, t in sorted({(d, floor_to(ts, size)) for d, ts in device_times})]


def contiguous_runs(starts: Iterable[int], size: int) -> list[tuple[int, int]]:
    """Sorted ``[lo, hi)`` runs of adjacent buckets of ``size``."""
    runs: list[tuple[int, int]] = []
    for t in sorted(set(starts)):
        if runs and runs[-1][1] == t:
            runs[-1] = (runs[-1][0], t + size)
        else:
            runs.append((t, t + size))
    return runs


async def put_rollup(rollups: Collection, device: str, bucket: Bucket) -> None:
    """Write a recomputed row unless the stored one counts more readings (a later snapshot)."""
    doc = rollup_doc(device, bucket)
    for _attempt in range(2):  # a first duplicate-key error may be two upserts racing on a new row
        try:
            await rollups.replace_one({"device": device, "t": bucket.t, "n": {"$lte": bucket.n}}, doc, upsert=True)
        except DuplicateKeyError:
            continue
        return


async def refresh_rollups(
    *, readings: Collection, rollups: dict[int, Collection], marks: Collection, limit: int = MARK_BATCH
) -> tuple[int, int]:
    """Recompute marked minute rows, then marked hour rows (at most ``limit`` marks of each).

    Returns:
        ``(marks taken, rows written)``; fewer than ``limit`` marks taken of each size means none were left.

    Raises:
        pymongo.errors.PyMongoError: the marks taken stay, for the next run.
    """
    written = taken_total = 0
    for size, source in ((MINUTE_MS, RAW), (HOUR_MS, MINUTE_MS)):
        taken = await marks.find({"size": size}, {"device": 1, "t": 1}, sort=[("_id", 1)], limit=limit).to_list()
        if not taken:
            continue
        taken_total = max(taken_total, len(taken))
        by_device: dict[str, set[int]] = {}
        for mark in taken:
            by_device.setdefault(mark["device"], set()).add(int(mark["t"]))
        for device, starts in sorted(by_device.items()):
            source_coll = readings if source == RAW else rollups[source]
            pipeline = group_pipeline(
                source, device=device, ranges=contiguous_runs(starts, size), bucket_ms=size, channels=CHANNEL_NAMES
            )
            cursor = await source_coll.aggregate(pipeline)
            fresh = [group_to_bucket(doc, CHANNEL_NAMES) for doc in await cursor.to_list()]
            await asyncio.gather(*(put_rollup(rollups[size], device, b) for b in fresh))
            written += len(fresh)
            if size == MINUTE_MS:
                await marks.insert_many(mark_docs(((device, t) for t in starts), HOUR_MS), ordered=False)
        await marks.delete_many({"_id": {"$in": [mark["_id"] for mark in taken]}})
    return taken_total, written
