"""History answers: downsampled, honest about gaps; one orchestration for every store.

:func:`answer_history` decides raw vs bucketed, the bucket size and the plan, then asks a
:class:`HistorySource` (a store) only for what it must read: a bounded count, raw readings,
stale rollup rows, and partial buckets per planned part (aggregated in SQL or ``$group``).
:func:`history_from_readings` computes the same answer from raw readings alone; the contract
tests hold every store to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from contract.models import Reading
from storage.downsample import Bucket, bucket_spans, bucketize, find_gaps, merge_buckets, reading_spans
from storage.plan import MINUTE_MS, RAW, Part, choose_bucket_ms, plan_parts
from storage.retention import RetentionPolicy

MAX_POINTS = 10_000


@dataclass(frozen=True, slots=True)
class HistoryQuery:
    """Device ``device``, channels ``channels``, ``since_ms <= ts < until_ms``, at most ``points`` points."""

    device: str
    since_ms: int
    until_ms: int
    channels: tuple[str, ...]
    points: int

    def __post_init__(self) -> None:
        """Reject queries no store can answer (the REST layer checks first, with field names)."""
        if self.until_ms <= self.since_ms:
            raise ValueError("since must be before until")
        if not 1 <= self.points <= MAX_POINTS:
            raise ValueError(f"points must be 1..{MAX_POINTS}")
        if not self.channels:
            raise ValueError("at least one channel")


@dataclass(frozen=True, slots=True)
class History:
    """The answer to a :class:`HistoryQuery`.

    Attributes:
        query: What was asked.
        bucket_ms: Bucket size; 0 for a raw answer.
        buckets: Bucketed answers: non-empty buckets, oldest first (empty for raw answers).
        readings: Raw answers: the readings, oldest first (empty for bucketed answers).
        gaps: ``(from, to)`` stretches without readings that are gaps (docs/api.md).
    """

    query: HistoryQuery
    bucket_ms: int
    buckets: list[Bucket]
    readings: list[Reading]
    gaps: list[tuple[int, int]]


class HistorySource(Protocol):
    """What a store provides so :func:`answer_history` can answer for it."""

    async def count_readings(self, device: str, *, since_ms: int, until_ms: int, cap: int) -> int:
        """Raw readings in the range, counting at most ``cap``."""
        ...

    async def history_readings(self, device: str, *, since_ms: int, until_ms: int, limit: int) -> list[Reading]:
        """Raw readings in the range, oldest first, at most ``limit``."""
        ...

    async def stale_rollups(self, device: str, *, since_ms: int, until_ms: int) -> Mapping[int, Sequence[int]]:
        """Rollup size -> starts of rows in the range that may not include every stored reading."""
        ...

    async def aggregate(
        self, device: str, parts: Sequence[Part], *, bucket_ms: int, channels: Sequence[str]
    ) -> list[Bucket]:
        """Partial buckets of each part (several per bucket start are fine: they are merged)."""
        ...


def _in_range(readings: Iterable[Reading], query: HistoryQuery) -> list[Reading]:
    chosen = [r for r in readings if r.device == query.device and query.since_ms <= r.ts_ms < query.until_ms]
    return sorted(chosen, key=lambda r: (r.ts_ms, r.boot, r.seq))


def raw_history(query: HistoryQuery, readings: list[Reading]) -> History:
    """A raw answer: the readings themselves, gaps between them."""
    return History(query=query, bucket_ms=0, buckets=[], readings=readings, gaps=find_gaps(reading_spans(readings)))


def bucketed_history(query: HistoryQuery, bucket_ms: int, buckets: list[Bucket]) -> History:
    """A bucketed answer: gaps between buckets, none shorter than one bucket."""
    gaps = find_gaps(bucket_spans(buckets), min_gap_ms=bucket_ms)
    return History(query=query, bucket_ms=bucket_ms, buckets=buckets, readings=[], gaps=gaps)


def history_from_readings(
    readings: Iterable[Reading], query: HistoryQuery, *, retention: RetentionPolicy, now_ms: int
) -> History:
    """The reference answer, straight from raw readings (what every store must return)."""
    chosen = _in_range(readings, query)
    finest = retention.finest_ms(since_ms=query.since_ms, now_ms=now_ms)
    if finest == RAW and len(chosen) <= query.points:
        return raw_history(query, chosen)
    bucket_ms = choose_bucket_ms(
        since_ms=query.since_ms, until_ms=query.until_ms, points=query.points, finest_ms=finest
    )
    return bucketed_history(query, bucket_ms, bucketize(chosen, bucket_ms=bucket_ms, channels=query.channels))


async def answer_history(
    source: HistorySource, query: HistoryQuery, *, retention: RetentionPolicy, now_ms: int
) -> History:
    """Answer ``query`` from ``source`` (see the module docstring)."""
    device, since, until = query.device, query.since_ms, query.until_ms
    finest = retention.finest_ms(since_ms=since, now_ms=now_ms)
    if finest == RAW:
        count = await source.count_readings(device, since_ms=since, until_ms=until, cap=query.points + 1)
        if count <= query.points:
            readings = await source.history_readings(device, since_ms=since, until_ms=until, limit=query.points)
            return raw_history(query, readings)
    bucket_ms = choose_bucket_ms(since_ms=since, until_ms=until, points=query.points, finest_ms=finest)
    stale: Mapping[int, Sequence[int]] = {}
    if bucket_ms % MINUTE_MS == 0:
        stale = await source.stale_rollups(device, since_ms=since, until_ms=until)
    parts = plan_parts(since_ms=since, until_ms=until, bucket_ms=bucket_ms, stale=stale)
    partials = await source.aggregate(device, parts, bucket_ms=bucket_ms, channels=query.channels)
    return bucketed_history(query, bucket_ms, merge_buckets(partials))
