"""Downsampling and gap detection, the pure core of history answers (storage.downsample)."""

from __future__ import annotations

import itertools
import random
import statistics

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contract.models import Reading
from storage.downsample import (
    MIN_GAP_MS,
    Bucket,
    Stats,
    bucket_spans,
    bucket_start,
    bucketize,
    find_gaps,
    merge_buckets,
    reading_spans,
    typical_interval,
    weighted_median,
)

T0 = 1_795_334_400_000


def at(ts: int, **values: float) -> Reading:
    return Reading(device="d", boot="b", seq=ts, ts_ms=ts, values=values)


# --- buckets ---------------------------------------------------------------------------


def test_each_bucket_has_min_max_sum_count_and_first_last_time() -> None:
    readings = [at(T0 + 100, temperature=20.0), at(T0 + 900, temperature=26.0), at(T0 + 500, temperature=21.0)]

    assert bucketize(readings, bucket_ms=1000, channels=["temperature"]) == [
        Bucket(t=T0, n=3, first_ts=T0 + 100, last_ts=T0 + 900, stats={"temperature": Stats(20.0, 26.0, 67.0, 3)})
    ]


def test_a_spike_is_never_averaged_away() -> None:
    readings = [at(T0 + i * 10, temperature=80.0 if i == 57 else 21.0) for i in range(100)]

    [bucket] = bucketize(readings, bucket_ms=1000, channels=["temperature"])

    assert bucket.stats["temperature"].max == 80.0
    assert bucket.stats["temperature"].min == 21.0
    assert bucket.stats["temperature"].mean == pytest.approx(21.59)


def test_empty_buckets_are_omitted_and_buckets_come_oldest_first() -> None:
    readings = [at(T0 + 5_500, x=1.0), at(T0 + 500, x=2.0), at(T0 + 5_100, x=3.0)]

    buckets = bucketize(readings, bucket_ms=1000, channels=["x"])

    assert [(b.t, b.n) for b in buckets] == [(T0, 1), (T0 + 5000, 2)]


@pytest.mark.parametrize(
    ("ts", "start"),
    [
        pytest.param(T0, T0, id="on-a-boundary-belongs-to-the-bucket-it-starts"),
        pytest.param(T0 + 999, T0, id="last-ms-of-a-bucket"),
        pytest.param(T0 + 1000, T0 + 1000, id="next-boundary-starts-the-next"),
        pytest.param(-1, -1000, id="before-1970-floors-down"),
        pytest.param(-1000, -1000, id="negative-boundary"),
        pytest.param(0, 0, id="epoch"),
    ],
)
def test_buckets_are_half_open_and_epoch_aligned(ts: int, start: int) -> None:
    assert bucket_start(ts, 1000) == start
    [bucket] = bucketize([at(ts, x=1.0)], bucket_ms=1000, channels=["x"])
    assert bucket.t == start


def test_a_channel_missing_from_some_readings_counts_only_where_present() -> None:
    readings = [at(T0, temperature=1.0, humidity=50.0), at(T0 + 1, temperature=3.0), at(T0 + 2, pressure=1000.0)]

    [bucket] = bucketize(readings, bucket_ms=1000, channels=["temperature", "humidity", "gyro_x"])

    assert bucket.n == 3
    assert bucket.stats == {"temperature": Stats(1.0, 3.0, 4.0, 2), "humidity": Stats(50.0, 50.0, 50.0, 1)}


def test_unrequested_channels_are_not_summarised() -> None:
    [bucket] = bucketize([at(T0, temperature=1.0, humidity=2.0)], bucket_ms=1000, channels=["humidity"])

    assert set(bucket.stats) == {"humidity"}


def test_bucket_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="bucket_ms"):
        bucketize([], bucket_ms=0, channels=["x"])


readings_strategy = st.lists(
    st.builds(
        lambda ts, v, w: at(ts, x=v, **({"y": w} if w is not None else {})),
        st.integers(min_value=-5_000_000, max_value=5_000_000),
        st.floats(min_value=-100, max_value=100, allow_nan=False),
        st.none() | st.floats(min_value=0, max_value=1, allow_nan=False),
    ),
    max_size=60,
)


@given(readings_strategy, st.sampled_from([1, 7, 1000, 60_000, 3_600_000]), st.integers(min_value=0, max_value=5))
def test_merging_buckets_of_any_split_equals_bucketing_everything_at_once(
    readings: list[Reading], bucket_ms: int, seed: int
) -> None:
    shuffled = readings[:]
    random.Random(seed).shuffle(shuffled)
    cut = len(shuffled) // 3
    pieces = [shuffled[:cut], shuffled[cut : 2 * cut], shuffled[2 * cut :]]
    partials = [b for piece in pieces for b in bucketize(piece, bucket_ms=bucket_ms, channels=["x", "y"])]

    merged = merge_buckets(partials)
    whole = bucketize(readings, bucket_ms=bucket_ms, channels=["x", "y"])

    assert [(b.t, b.n, b.first_ts, b.last_ts, set(b.stats)) for b in merged] == [
        (b.t, b.n, b.first_ts, b.last_ts, set(b.stats)) for b in whole
    ]
    for mine, theirs in zip(merged, whole, strict=True):
        for name, stats in theirs.stats.items():
            assert (mine.stats[name].min, mine.stats[name].max, mine.stats[name].n) == (
                stats.min,
                stats.max,
                stats.n,
            )
            assert mine.stats[name].total == pytest.approx(stats.total)
    assert sum(b.n for b in whole) == len(readings)


@given(readings_strategy, st.sampled_from([1000, 60_000]))
def test_minute_rollups_merged_into_hours_equal_hour_buckets(readings: list[Reading], size: int) -> None:
    minutes = bucketize(readings, bucket_ms=size, channels=["x"])
    hour = 3_600_000
    rebucketed = merge_buckets(Bucket(bucket_start(b.t, hour), b.n, b.first_ts, b.last_ts, b.stats) for b in minutes)
    assert [(b.t, b.n, b.first_ts, b.last_ts) for b in rebucketed] == [
        (b.t, b.n, b.first_ts, b.last_ts) for b in bucketize(readings, bucket_ms=hour, channels=["x"])
    ]


# --- median interval ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("items", "median"),
    [
        pytest.param([], None, id="nothing"),
        pytest.param([(5.0, 0)], None, id="zero-weight"),
        pytest.param([(5.0, 1)], 5.0, id="one"),
        pytest.param([(1.0, 1), (9.0, 1)], 5.0, id="even-count-averages-the-middle-two"),
        pytest.param([(1.0, 1), (2.0, 1), (9.0, 1)], 2.0, id="odd-count"),
        pytest.param([(1.0, 3), (100.0, 1)], 1.0, id="weights-count-as-repeats"),
        pytest.param([(1.0, 2), (3.0, 2)], 2.0, id="even-total-across-values"),
        pytest.param([(9.0, 1), (1.0, 1), (5.0, 1)], 5.0, id="order-does-not-matter"),
    ],
)
def test_weighted_median(items: list[tuple[float, int]], median: float | None) -> None:
    assert weighted_median(items) == median


@given(st.lists(st.integers(min_value=0, max_value=10_000), min_size=2, max_size=40))
def test_for_raw_readings_the_typical_interval_is_the_median_interval(times: list[int]) -> None:
    ordered = sorted(times)
    intervals = [b - a for a, b in itertools.pairwise(ordered)]

    assert typical_interval(reading_spans(at(t) for t in ordered)) == statistics.median(intervals)


def test_a_bucket_contributes_its_mean_spacing_once_per_interval_inside_it() -> None:
    # 11 readings 1 s apart in one bucket, then a single reading 60 s later: ten 1 s intervals and one 60 s step.
    spans = [(0, 10_000, 11), (70_000, 70_000, 1)]

    assert typical_interval(spans) == 1000.0


# --- gaps --------------------------------------------------------------------------------


def test_no_gaps_when_readings_come_regularly() -> None:
    assert find_gaps(reading_spans(at(T0 + i * 1000) for i in range(100))) == []


def test_an_offline_stretch_is_one_gap_between_the_readings_around_it() -> None:
    times = [T0 + i * 1000 for i in range(50)] + [T0 + 600_000 + i * 1000 for i in range(50)]

    assert find_gaps(reading_spans(at(t) for t in times)) == [(T0 + 49_000, T0 + 600_000)]


@pytest.mark.parametrize(
    ("step_ms", "missing", "is_gap"),
    [
        pytest.param(1000, 4, False, id="1Hz-5s-silence-is-not-over-5s"),
        pytest.param(1000, 5, True, id="1Hz-6s-silence-is-a-gap"),
        pytest.param(10_000, 2, False, id="0.1Hz-30s-silence-is-3x-median"),
        pytest.param(10_000, 3, True, id="0.1Hz-40s-silence-is-over-3x-median"),
        pytest.param(100, 49, False, id="10Hz-but-5s-floor"),
        pytest.param(100, 50, True, id="10Hz-over-the-5s-floor"),
    ],
)
def test_the_gap_threshold_is_max_of_5s_and_3x_the_median_interval(step_ms: int, missing: int, is_gap: bool) -> None:
    times = [T0 + i * step_ms for i in range(30)]
    times += [times[-1] + (missing + 1) * step_ms + i * step_ms for i in range(30)]

    gaps = find_gaps(reading_spans(at(t) for t in times))

    assert gaps == ([(times[29], times[30])] if is_gap else [])


def test_fewer_than_two_readings_have_no_gaps() -> None:
    assert find_gaps([]) == []
    assert find_gaps([(T0, T0, 1)]) == []


def test_bucketed_gaps_shorter_than_one_bucket_are_not_reported() -> None:
    # 1 Hz with a 20 s and a 200 s silence, in 60 s buckets: only the 200 s one is reported.
    times = [T0 + i * 1000 for i in range(120)]
    times += [times[-1] + 21_000 + i * 1000 for i in range(120)]
    times += [times[-1] + 201_000 + i * 1000 for i in range(120)]
    buckets = bucketize([at(t, x=1.0) for t in times], bucket_ms=60_000, channels=["x"])

    assert find_gaps(bucket_spans(buckets), min_gap_ms=60_000) == [(times[239], times[240])]
    assert len(find_gaps(reading_spans(at(t) for t in times))) == 2


def test_gap_floor_is_five_seconds() -> None:
    assert MIN_GAP_MS == 5000
