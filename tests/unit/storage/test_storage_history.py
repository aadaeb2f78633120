"""The reference history answer, straight from raw readings (storage.history.history_from_readings).

Every store is held to this function by the contract suite; here it is held to docs/api.md.
"""

from __future__ import annotations

import pytest

from contract.models import Reading
from storage.history import MAX_POINTS, HistoryQuery, history_from_readings
from storage.plan import HOUR_MS, MINUTE_MS
from storage.retention import DAY_MS, RetentionPolicy

T0 = 1_795_334_400_000
NOW = T0 + DAY_MS
POLICY = RetentionPolicy(raw_days=30, minute_days=60, hour_days=0)


def r(seq: int, ts: int, *, device: str = "d", boot: str = "b", **values: float) -> Reading:
    return Reading(device=device, boot=boot, seq=seq, ts_ms=ts, values=values or {"temperature": float(seq)})


def test_no_more_readings_than_points_is_a_raw_answer_oldest_first() -> None:
    readings = [r(3, T0 + 3000), r(1, T0 + 1000), r(2, T0 + 2000)]

    history = history_from_readings(
        readings, HistoryQuery("d", T0, T0 + HOUR_MS, ("temperature",), 3), retention=POLICY, now_ms=NOW
    )

    assert history.bucket_ms == 0
    assert [x.seq for x in history.readings] == [1, 2, 3]
    assert history.buckets == []


def test_one_more_reading_than_points_is_bucketed() -> None:
    readings = [r(i, T0 + i * 1000) for i in range(4)]

    history = history_from_readings(
        readings, HistoryQuery("d", T0, T0 + 4000, ("temperature",), 3), retention=POLICY, now_ms=NOW
    )

    assert history.bucket_ms == 2000
    assert [(b.t, b.n) for b in history.buckets] == [(T0, 2), (T0 + 2000, 2)]
    assert history.readings == []


def test_the_range_is_half_open_and_other_devices_never_count() -> None:
    readings = [r(1, T0), r(2, T0 + 500), r(3, T0 + 1000), r(9, T0 + 200, device="other")]

    history = history_from_readings(
        readings, HistoryQuery("d", T0, T0 + 1000, ("temperature",), 10), retention=POLICY, now_ms=NOW
    )

    assert [x.seq for x in history.readings] == [1, 2]


def test_readings_at_one_time_from_two_boots_are_ordered_by_boot_then_seq() -> None:
    readings = [r(1, T0, boot="z"), r(7, T0, boot="a"), r(6, T0, boot="a")]

    history = history_from_readings(
        readings, HistoryQuery("d", T0, T0 + 1, ("temperature",), 10), retention=POLICY, now_ms=NOW
    )

    assert [(x.boot, x.seq) for x in history.readings] == [("a", 6), ("a", 7), ("z", 1)]


def test_past_raw_retention_the_answer_is_bucketed_in_at_least_minutes_even_for_few_readings() -> None:
    old = NOW - 40 * DAY_MS
    history = history_from_readings(
        [r(1, old + 5)], HistoryQuery("d", old, old + 10_000, ("temperature",), 100), retention=POLICY, now_ms=NOW
    )

    assert history.bucket_ms == MINUTE_MS
    assert [b.n for b in history.buckets] == [1]


def test_past_minute_retention_buckets_are_whole_hours() -> None:
    old = NOW - 90 * DAY_MS
    history = history_from_readings(
        [r(1, old + 5)], HistoryQuery("d", old, old + 10_000, ("temperature",), 100), retention=POLICY, now_ms=NOW
    )

    assert history.bucket_ms == HOUR_MS


def test_bucketed_gaps_come_from_the_buckets() -> None:
    readings = [r(i, T0 + i * 1000) for i in range(600)] + [r(1000 + i, T0 + 1_200_000 + i * 1000) for i in range(600)]

    history = history_from_readings(
        readings, HistoryQuery("d", T0, T0 + 1_800_000, ("temperature",), 60), retention=POLICY, now_ms=NOW
    )

    assert history.bucket_ms == MINUTE_MS  # wanted 30 s: the minute rollup is at most twice that
    assert history.gaps == [(T0 + 599_000, T0 + 1_200_000)]


@pytest.mark.parametrize(
    ("since", "until", "points", "channels"),
    [
        (T0, T0, 10, ("temperature",)),
        (T0 + 1, T0, 10, ("temperature",)),
        (T0, T0 + 1, 0, ("temperature",)),
        (T0, T0 + 1, MAX_POINTS + 1, ("temperature",)),
        (T0, T0 + 1, 10, ()),
    ],
)
def test_queries_no_store_can_answer_are_refused(
    since: int, until: int, points: int, channels: tuple[str, ...]
) -> None:
    with pytest.raises(ValueError, match=r"since|points|channel"):
        HistoryQuery("d", since, until, channels, points)
