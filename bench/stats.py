"""Numbers from samples: latency percentiles, rates, ratios and delivery checks. No I/O."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

NAGLE_MS = 40.0
NAGLE_SHARE = 0.01


def percentile(ordered: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of already sorted samples (``q`` in 0..100).

    Raises:
        ValueError: no samples, or ``q`` outside 0..100.
    """
    if not ordered:
        raise ValueError("percentile of no samples")
    if not 0 <= q <= 100:
        raise ValueError(f"q={q} outside 0..100")
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True, slots=True)
class Latency:
    """A latency distribution in milliseconds.

    Attributes:
        count: Samples.
        p50: Median.
        p99: 99th percentile.
        max: Largest sample.
        over_nagle: Share of samples above 40 ms (a delayed-ACK stall shows up here).
        tail_seconds: Share of the run's seconds (by sample timestamp) in which more than
            :data:`NAGLE_SHARE` of the samples are above 40 ms. Nagle's algorithm waiting for a
            delayed ACK holds back a steady share of small writes, so its tail is in nearly
            every second; a scheduling stall on a busy machine is confined to a few.
    """

    count: int
    p50: float
    p99: float
    max: float
    over_nagle: float
    tail_seconds: float = 0.0

    @classmethod
    def of(cls, samples: Iterable[float], *, stamps_ms: Iterable[float] = ()) -> Latency | None:
        """Summarize ``samples``; None if there are none.

        Args:
            samples: Latencies, milliseconds.
            stamps_ms: Each sample's timestamp (epoch milliseconds), for :attr:`tail_seconds`;
                without them it is 0.
        """
        values = list(samples)
        ordered = sorted(values)
        if not ordered:
            return None
        over = len(ordered) - _count_at_most(ordered, NAGLE_MS)
        return cls(
            count=len(ordered),
            p50=percentile(ordered, 50),
            p99=percentile(ordered, 99),
            max=ordered[-1],
            over_nagle=over / len(ordered),
            tail_seconds=_tail_seconds(values, stamps_ms),
        )


def _tail_seconds(samples: Sequence[float], stamps_ms: Iterable[float]) -> float:
    per_second: dict[int, list[int]] = {}
    for latency, stamp in zip(samples, stamps_ms, strict=False):
        counts = per_second.setdefault(int(stamp // 1000), [0, 0])
        counts[0] += 1
        counts[1] += latency > NAGLE_MS
    if not per_second:
        return 0.0
    tailed = sum(1 for n, over in per_second.values() if over > NAGLE_SHARE * n)
    return tailed / len(per_second)


def _count_at_most(ordered: Sequence[float], limit: float) -> int:
    lo, hi = 0, len(ordered)
    while lo < hi:
        mid = (lo + hi) // 2
        if ordered[mid] <= limit:
            lo = mid + 1
        else:
            hi = mid
    return lo


def ratio(value: float | None, reference: float | None) -> float | None:
    """``value / reference``, or None when either is missing or the reference is zero."""
    if value is None or reference is None or reference == 0:
        return None
    return value / reference


@dataclass(frozen=True, slots=True)
class Delivery:
    """What one receiver got of a sequence of numbered items.

    Attributes:
        expected: Items that should have arrived.
        received: Distinct items that arrived.
        duplicates: Items that arrived more than once (counting each extra copy).
    """

    expected: int
    received: int
    duplicates: int

    @property
    def lost(self) -> int:
        """Items that never arrived."""
        return self.expected - self.received

    def __add__(self, other: Delivery) -> Delivery:
        return Delivery(
            self.expected + other.expected, self.received + other.received, self.duplicates + other.duplicates
        )


class SeqTracker:
    """Counts distinct and duplicate sequence numbers of one stream, in O(gaps) memory.

    Streams here arrive almost in order, so the numbers seen are kept as sorted,
    non-overlapping inclusive ranges that merge as gaps fill.
    """

    __slots__ = ("_ranges", "distinct", "duplicates")

    def __init__(self) -> None:
        self._ranges: list[list[int]] = []
        self.distinct = 0
        self.duplicates = 0

    def add_range(self, first: int, last: int) -> None:
        """Record the numbers ``first..last`` (inclusive)."""
        ranges = self._ranges
        if not ranges or first > ranges[-1][1] + 1:  # past everything seen: a new range
            ranges.append([first, last])
            self.distinct += last - first + 1
        elif first == ranges[-1][1] + 1:  # the common case: right after the newest
            ranges[-1][1] = last
            self.distinct += last - first + 1
        else:
            for seq in range(first, last + 1):
                self.add(seq)

    def add(self, seq: int) -> None:
        """Record one number."""
        ranges = self._ranges
        if ranges and ranges[-1][1] + 1 == seq:  # the common case: the next number
            ranges[-1][1] = seq
            self.distinct += 1
            return
        lo, hi = 0, len(ranges)
        while lo < hi:  # first range whose end is >= seq - 1
            mid = (lo + hi) // 2
            if ranges[mid][1] < seq - 1:
                lo = mid + 1
            else:
                hi = mid
        if lo < len(ranges) and ranges[lo][0] <= seq <= ranges[lo][1]:
            self.duplicates += 1
            return
        self.distinct += 1
        if lo < len(ranges) and ranges[lo][1] == seq - 1:
            ranges[lo][1] = seq
            if lo + 1 < len(ranges) and ranges[lo + 1][0] == seq + 1:
                ranges[lo][1] = ranges[lo + 1][1]
                del ranges[lo + 1]
        elif lo < len(ranges) and ranges[lo][0] == seq + 1:
            ranges[lo][0] = seq
        else:
            ranges.insert(lo, [seq, seq])

    @property
    def ranges(self) -> list[tuple[int, int]]:
        """The numbers seen, as inclusive ranges."""
        return [(a, b) for a, b in self._ranges]

    def delivery(self, first: int, last: int) -> Delivery:
        """How completely ``first..last`` arrived (numbers outside it are ignored)."""
        received = sum(max(0, min(b, last) - max(a, first) + 1) for a, b in self._ranges)
        return Delivery(expected=max(0, last - first + 1), received=received, duplicates=self.duplicates)
