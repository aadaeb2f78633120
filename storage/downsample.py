"""Downsampling and gap detection: pure functions, no I/O.

A :class:`Bucket` summarises the readings of one device in ``[t, t + bucket_ms)``:
how many there were, the first and last reading time, and per channel the true
minimum, maximum, sum and count (so spikes survive and means can be merged).
Buckets are aligned to multiples of ``bucket_ms`` since the epoch, so the same
reading always lands in the same bucket and stored rollups (per minute, per hour)
merge exactly into coarser buckets.

Gaps follow docs/api.md: a stretch between consecutive readings longer than
``max(5 s, 3 x the median reading interval)``. The median is taken over *spans*:
a raw reading is a span of one; a bucket of ``n`` readings contributes ``n - 1``
intervals of its mean spacing ``(last - first) / (n - 1)``, and each step from one
span to the next is one interval. For raw readings that is exactly the median of
the intervals; for buckets it is the same estimate whichever rollup built them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import NamedTuple

from contract.models import Reading

MIN_GAP_MS = 5_000
GAP_FACTOR = 3


class Stats(NamedTuple):
    """One channel in one bucket (a named tuple: history answers build thousands of them).

    Attributes:
        min: Smallest value.
        max: Largest value.
        total: Sum of the values (the mean is ``total / n``).
        n: How many readings had a value for the channel (at least 1).
    """

    min: float
    max: float
    total: float
    n: int

    @property
    def mean(self) -> float:
        """Arithmetic mean of the values."""
        return self.total / self.n

    def merge(self, other: Stats) -> Stats:
        """The stats of both value sets together."""
        return Stats(min(self.min, other.min), max(self.max, other.max), self.total + other.total, self.n + other.n)


@dataclass(frozen=True, slots=True)
class Bucket:
    """Readings of one device in ``[t, t + bucket_ms)``, summarised.

    Attributes:
        t: Bucket start (epoch ms, a multiple of the bucket size).
        n: Readings in the bucket (at least 1: empty buckets do not exist).
        first_ts: Device time of the earliest reading.
        last_ts: Device time of the latest reading.
        stats: Channel -> stats, only channels with at least one value.
    """

    t: int
    n: int
    first_ts: int
    last_ts: int
    stats: Mapping[str, Stats]

    def merge(self, other: Bucket) -> Bucket:
        """Both parts of the same bucket together (``other.t`` must equal ``t``)."""
        stats = dict(self.stats)
        for name, more in other.stats.items():
            have = stats.get(name)
            stats[name] = more if have is None else have.merge(more)
        return Bucket(
            t=self.t,
            n=self.n + other.n,
            first_ts=min(self.first_ts, other.first_ts),
            last_ts=max(self.last_ts, other.last_ts),
            stats=stats,
        )


def bucket_start(ts_ms: int, bucket_ms: int) -> int:
    """Start of the epoch-aligned bucket holding ``ts_ms`` (floor, also before 1970)."""
    return ts_ms - ts_ms % bucket_ms


def bucketize(readings: Iterable[Reading], *, bucket_ms: int, channels: Sequence[str]) -> list[Bucket]:
    """Summarise readings (any order) into epoch-aligned buckets, oldest first.

    Only ``channels`` are summarised; empty buckets are omitted.
    """
    if bucket_ms <= 0:
        raise ValueError(f"bucket_ms must be positive, not {bucket_ms}")
    acc: dict[int, Bucket] = {}
    for reading in readings:
        t = bucket_start(reading.ts_ms, bucket_ms)
        single = Bucket(
            t=t,
            n=1,
            first_ts=reading.ts_ms,
            last_ts=reading.ts_ms,
            stats={
                name: Stats(value, value, value, 1)
                for name in channels
                if (value := reading.values.get(name)) is not None
            },
        )
        have = acc.get(t)
        acc[t] = single if have is None else have.merge(single)
    return [acc[t] for t in sorted(acc)]


def merge_buckets(parts: Iterable[Bucket]) -> list[Bucket]:
    """Merge partial buckets with the same start, oldest first."""
    acc: dict[int, Bucket] = {}
    for part in parts:
        have = acc.get(part.t)
        acc[part.t] = part if have is None else have.merge(part)
    return [acc[t] for t in sorted(acc)]


Span = tuple[int, int, int]
"""``(first_ts, last_ts, n)``: readings without a reading between them; a raw reading is ``(ts, ts, 1)``."""


def weighted_median(items: Iterable[tuple[float, int]]) -> float | None:
    """Median of values repeated ``weight`` times (the mean of the two middle ones for an even total).

    ``None`` if the total weight is zero.
    """
    ordered = sorted((value, weight) for value, weight in items if weight > 0)
    total = sum(weight for _, weight in ordered)
    if total == 0:
        return None
    lo_pos, hi_pos = (total - 1) // 2, total // 2
    lo = hi = None
    seen = 0
    for value, weight in ordered:
        seen += weight
        if lo is None and seen > lo_pos:
            lo = value
        if seen > hi_pos:
            hi = value
            break
    assert lo is not None
    assert hi is not None
    return (lo + hi) / 2


def typical_interval(spans: Sequence[Span]) -> float | None:
    """The median reading interval over time-ordered spans (see the module docstring)."""
    inner = (((last - first) / (n - 1), n - 1) for first, last, n in spans if n > 1)
    steps = ((float(b[0] - a[1]), 1) for a, b in pairwise(spans))
    return weighted_median([*inner, *steps])


def gap_threshold_ms(spans: Sequence[Span]) -> float:
    """Longest stretch without readings that is still not a gap."""
    median = typical_interval(spans)
    return max(float(MIN_GAP_MS), GAP_FACTOR * median) if median is not None else float(MIN_GAP_MS)


def find_gaps(spans: Sequence[Span], *, min_gap_ms: int = 0) -> list[tuple[int, int]]:
    """``[from, to]`` stretches between consecutive spans that are gaps, oldest first.

    Args:
        spans: Time-ordered spans (raw readings or buckets) of one device.
        min_gap_ms: Shorter gaps are not reported (one bucket for bucketed answers).
    """
    if len(spans) < 2:
        return []
    threshold = gap_threshold_ms(spans)
    return [(a[1], b[0]) for a, b in pairwise(spans) if b[0] - a[1] > threshold and b[0] - a[1] >= min_gap_ms]


def reading_spans(readings: Iterable[Reading]) -> list[Span]:
    """Each reading as a span of one, in the given (time) order."""
    return [(r.ts_ms, r.ts_ms, 1) for r in readings]


def bucket_spans(buckets: Iterable[Bucket]) -> list[Span]:
    """Each bucket as a span, in the given (time) order."""
    return [(b.first_ts, b.last_ts, b.n) for b in buckets]
