"""Which bucket size a history answer uses and where each part of it is read from (pure).

Sources, finest first: raw readings (``RAW``), per-minute rollups and per-hour rollups.
A rollup of size ``r`` can build a bucket of size ``B`` exactly when ``B`` is a multiple of
``r`` (buckets are epoch-aligned, so every rollup row falls wholly inside one bucket).

:func:`choose_bucket_ms` picks ``B``: at least ``(until - since) / points`` rounded up to
whole seconds ("wanted"). A stored rollup's own size is used when it is no more than twice
that (the answer then reads at most ``points`` rollup rows: a month in 1,000 points is 720
hour rows instead of 43,200 minute rows); otherwise wanted is rounded up to a multiple of the
coarsest rollup not larger than it (a day in 1,000 points: 2-minute buckets from minute rows).
Never more than ``points`` aligned buckets touch the range.

:func:`plan_parts` covers ``[since, until)`` with the coarsest usable source: hour rows in
the whole hours, minute rows in the whole minutes around them, raw readings at the ragged
edges, and a finer source for any rollup row known to be stale (Mongo recomputes rollups
asynchronously and marks the buckets still to do).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

RAW = 0
SECOND_MS = 1_000
MINUTE_MS = 60_000
HOUR_MS = 3_600_000
ROLLUP_SIZES = (MINUTE_MS, HOUR_MS)
SOURCE_NAMES = {RAW: "raw", MINUTE_MS: "minute", HOUR_MS: "hour"}
_POINT_SEARCH = 10_000


@dataclass(frozen=True, slots=True)
class Part:
    """Read ``[since_ms, until_ms)`` from ``source_ms`` (``RAW``, ``MINUTE_MS`` or ``HOUR_MS``)."""

    source_ms: int
    since_ms: int
    until_ms: int


def floor_to(value: int, size: int) -> int:
    """Largest multiple of ``size`` not above ``value``."""
    return value - value % size


def ceil_to(value: int, size: int) -> int:
    """Smallest multiple of ``size`` not below ``value``."""
    return -floor_to(-value, size)


def bucket_count(since_ms: int, until_ms: int, bucket_ms: int) -> int:
    """Aligned buckets of ``bucket_ms`` that ``[since_ms, until_ms)`` touches (``until > since``)."""
    return (until_ms - 1) // bucket_ms - since_ms // bucket_ms + 1


def choose_bucket_ms(*, since_ms: int, until_ms: int, points: int, finest_ms: int = RAW) -> int:
    """The bucket size of a downsampled answer.

    Args:
        since_ms: Range start (inclusive).
        until_ms: Range end (exclusive), after ``since_ms``.
        points: Most buckets wanted, at least 1.
        finest_ms: Finest source still kept for the range (retention): the bucket is at least that.

    Returns:
        A whole number of seconds, a multiple of the coarsest rollup it is not smaller than, such
        that at most ``points`` aligned buckets touch the range (for ``points == 1`` a range that
        contains 1970-01-01T00:00:00Z, a boundary of every bucket, gets two).
    """
    if until_ms <= since_ms or points < 1:
        raise ValueError(f"need since < until and points >= 1, got {since_ms}, {until_ms}, {points}")
    span = until_ms - since_ms
    wanted = ceil_to(max(-(-span // points), finest_ms, 1), SECOND_MS)
    cheap = [size for size in ROLLUP_SIZES if wanted <= size <= 2 * wanted]
    unit = max((size for size in ROLLUP_SIZES if size <= wanted), default=SECOND_MS)
    bucket = cheap[0] if cheap else ceil_to(wanted, unit)
    unit = max((size for size in ROLLUP_SIZES if size <= bucket), default=SECOND_MS)
    # A range touches at most ceil(span / bucket) + 1 aligned buckets, so span / (points - 1) always fits.
    enough = ceil_to(-(-span // (points - 1)), unit) if points > 1 else bucket + _POINT_SEARCH * unit
    while bucket < enough and bucket_count(since_ms, until_ms, bucket) > points:
        bucket += unit
    if bucket_count(since_ms, until_ms, bucket) <= points:
        return bucket
    # points == 1: a bucket starting at the epoch and reaching past both ends.
    return ceil_to(max(until_ms, -since_ms) + 1, unit)


def usable_sources(bucket_ms: int) -> tuple[int, ...]:
    """Rollup sizes that build ``bucket_ms`` buckets exactly, coarsest first."""
    return tuple(size for size in reversed(ROLLUP_SIZES) if bucket_ms % size == 0)


def _stale_by_size(stale: Mapping[int, Collection[int]]) -> dict[int, set[int]]:
    """Row starts per size (aligned defensively); a stale minute also makes its hour stale."""
    minutes = {floor_to(t, MINUTE_MS) for t in stale.get(MINUTE_MS, ())}
    hours = {floor_to(t, HOUR_MS) for t in (*stale.get(HOUR_MS, ()), *minutes)}
    return {MINUTE_MS: minutes, HOUR_MS: hours}


def plan_parts(
    *, since_ms: int, until_ms: int, bucket_ms: int, stale: Mapping[int, Collection[int]] | None = None
) -> list[Part]:
    """Cover ``[since_ms, until_ms)`` with the coarsest sources that build ``bucket_ms`` buckets.

    Args:
        since_ms: Range start (inclusive).
        until_ms: Range end (exclusive).
        bucket_ms: Answer bucket size.
        stale: Rollup size -> starts of rollup rows that may be out of date (read finer there).

    Returns:
        Adjacent, non-overlapping parts in time order, together exactly the range.
    """
    stale_rows = _stale_by_size(stale or {})

    def cover(lo: int, hi: int, sizes: tuple[int, ...]) -> list[Part]:
        if lo >= hi:
            return []
        if not sizes:
            return [Part(RAW, lo, hi)]
        size, finer = sizes[0], sizes[1:]
        start, end = ceil_to(lo, size), floor_to(hi, size)
        if start >= end:
            return cover(lo, hi, finer)
        parts = cover(lo, start, finer)
        cursor = start
        for row in sorted(t for t in stale_rows[size] if start <= t < end):
            if cursor < row:
                parts.append(Part(size, cursor, row))
            parts += cover(row, row + size, finer)
            cursor = row + size
        if cursor < end:
            parts.append(Part(size, cursor, end))
        return parts + cover(end, hi, finer)

    merged: list[Part] = []
    for part in cover(since_ms, until_ms, usable_sources(bucket_ms)):
        if merged and merged[-1].source_ms == part.source_ms and merged[-1].until_ms == part.since_ms:
            merged[-1] = Part(part.source_ms, merged[-1].since_ms, part.until_ms)
        else:
            merged.append(part)
    return merged
