"""Bucket size and the per-source plan of a history answer (storage.plan), and retention (storage.retention)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

import config
from config import Process
from storage.plan import (
    HOUR_MS,
    MINUTE_MS,
    RAW,
    Part,
    bucket_count,
    ceil_to,
    choose_bucket_ms,
    floor_to,
    plan_parts,
    usable_sources,
)
from storage.retention import DAY_MS, RetentionPolicy, retention_policy

T0 = 1_795_334_400_000  # a whole hour
DAY = DAY_MS


# --- bucket size -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("span", "points", "bucket"),
    [
        pytest.param(HOUR_MS, 600, 6_000, id="an-hour-in-600-points-is-6s"),
        pytest.param(HOUR_MS, 7, 540_000, id="rounded-up-to-whole-minutes-from-a-minute-on"),
        pytest.param(DAY, 1000, 120_000, id="a-day-in-1000-points-uses-2-minute-buckets"),
        pytest.param(30 * DAY, 1000, HOUR_MS, id="a-month-in-1000-points-hours-not-44-minutes"),
        pytest.param(20 * DAY, 1000, 1_740_000, id="20-days-in-1000-points-29-minutes"),
        pytest.param(8 * HOUR_MS, 1000, 29_000, id="8-hours-in-1000-points-29-seconds"),
        pytest.param(16 * HOUR_MS, 1000, MINUTE_MS, id="16-hours-in-1000-points-minutes-not-58-seconds"),
        pytest.param(365 * DAY, 1000, 32_400_000, id="a-year-in-1000-points-9-hours"),
        pytest.param(10_000, 3, 4_000, id="whole-seconds"),
        pytest.param(500, 10, 1_000, id="never-below-a-second"),
        pytest.param(59_000, 59, 1_000, id="just-under-a-minute-stays-in-seconds"),
    ],
)
def test_bucket_size_for_aligned_ranges(span: int, points: int, bucket: int) -> None:
    assert choose_bucket_ms(since_ms=T0, until_ms=T0 + span, points=points) == bucket


def test_an_unaligned_range_never_touches_more_than_points_buckets() -> None:
    # 10 s in 10 points would be 1 s buckets, but starting mid-second it touches 11 of them.
    since = T0 + 500
    bucket = choose_bucket_ms(since_ms=since, until_ms=since + 10_000, points=10)

    assert bucket == 2_000
    assert bucket_count(since, since + 10_000, bucket) <= 10


@pytest.mark.parametrize(
    ("since", "span"),
    [(T0 + 30_000, 59_000), (T0 + 1, 10 * DAY), (T0 + 59_999, 2), (7, 3)],
)
def test_one_point_is_one_bucket(since: int, span: int) -> None:
    bucket = choose_bucket_ms(since_ms=since, until_ms=since + span, points=1)

    assert bucket_count(since, since + span, bucket) == 1


def test_one_point_across_1970_is_two_buckets_since_every_bucket_starts_there() -> None:
    bucket = choose_bucket_ms(since_ms=-5_000, until_ms=5_000, points=1)

    assert bucket_count(-5_000, 5_000, bucket) == 2


def test_retention_sets_the_finest_bucket() -> None:
    assert choose_bucket_ms(since_ms=T0, until_ms=T0 + 10_000, points=100, finest_ms=MINUTE_MS) == MINUTE_MS
    assert choose_bucket_ms(since_ms=T0, until_ms=T0 + DAY, points=1000, finest_ms=HOUR_MS) == HOUR_MS


@pytest.mark.parametrize(("since", "until", "points"), [(T0, T0, 10), (T0 + 1, T0, 10), (T0, T0 + 1, 0)])
def test_impossible_queries_are_refused(since: int, until: int, points: int) -> None:
    with pytest.raises(ValueError, match="since"):
        choose_bucket_ms(since_ms=since, until_ms=until, points=points)


@given(
    st.integers(min_value=0, max_value=10**13),
    st.integers(min_value=1, max_value=400 * DAY),
    st.integers(min_value=1, max_value=10_000),
)
def test_bucket_size_fits_the_points_and_the_rollups(since: int, span: int, points: int) -> None:
    bucket = choose_bucket_ms(since_ms=since, until_ms=since + span, points=points)

    assert bucket_count(since, since + span, bucket) <= points
    assert bucket % 1000 == 0
    assert bucket * points >= span
    wanted = span / points
    if wanted > HOUR_MS / 2:  # the hour rollup's size, or whole hours
        assert bucket % HOUR_MS == 0
    elif wanted > MINUTE_MS / 2:
        assert bucket % MINUTE_MS == 0


def test_rounding_helpers() -> None:
    assert (floor_to(-1, 1000), ceil_to(-1, 1000), floor_to(1001, 1000), ceil_to(1001, 1000)) == (
        -1000,
        0,
        1000,
        2000,
    )
    assert (ceil_to(2000, 1000), floor_to(2000, 1000)) == (2000, 2000)


# --- plan --------------------------------------------------------------------------------


def test_usable_sources_are_the_rollups_that_divide_the_bucket() -> None:
    assert usable_sources(6_000) == ()
    assert usable_sources(120_000) == (MINUTE_MS,)
    assert usable_sources(2 * HOUR_MS) == (HOUR_MS, MINUTE_MS)
    assert usable_sources(90 * MINUTE_MS) == (MINUTE_MS,)


def test_whole_hours_from_hour_rows_whole_minutes_around_them_raw_at_the_edges() -> None:
    since, until = T0 + 90_500, T0 + 3 * HOUR_MS + 125_000

    assert plan_parts(since_ms=since, until_ms=until, bucket_ms=HOUR_MS) == [
        Part(RAW, since, T0 + 2 * MINUTE_MS),
        Part(MINUTE_MS, T0 + 2 * MINUTE_MS, T0 + HOUR_MS),
        Part(HOUR_MS, T0 + HOUR_MS, T0 + 3 * HOUR_MS),
        Part(MINUTE_MS, T0 + 3 * HOUR_MS, T0 + 3 * HOUR_MS + 2 * MINUTE_MS),
        Part(RAW, T0 + 3 * HOUR_MS + 2 * MINUTE_MS, until),
    ]


def test_sub_minute_buckets_read_raw_readings_only() -> None:
    assert plan_parts(since_ms=T0, until_ms=T0 + HOUR_MS, bucket_ms=6_000) == [Part(RAW, T0, T0 + HOUR_MS)]


def test_a_range_inside_one_minute_is_raw() -> None:
    assert plan_parts(since_ms=T0 + 10, until_ms=T0 + 50_000, bucket_ms=HOUR_MS) == [Part(RAW, T0 + 10, T0 + 50_000)]


def test_stale_rows_are_read_from_the_finer_source() -> None:
    stale = {MINUTE_MS: [T0 + HOUR_MS + 5 * MINUTE_MS], HOUR_MS: [T0 + 2 * HOUR_MS]}

    parts = plan_parts(since_ms=T0, until_ms=T0 + 3 * HOUR_MS, bucket_ms=HOUR_MS, stale=stale)

    assert parts == [
        Part(HOUR_MS, T0, T0 + HOUR_MS),
        Part(MINUTE_MS, T0 + HOUR_MS, T0 + HOUR_MS + 5 * MINUTE_MS),  # the stale minute's hour: minutes...
        Part(RAW, T0 + HOUR_MS + 5 * MINUTE_MS, T0 + HOUR_MS + 6 * MINUTE_MS),  # ...and raw for that minute
        Part(MINUTE_MS, T0 + HOUR_MS + 6 * MINUTE_MS, T0 + 3 * HOUR_MS),  # the stale hour: its minutes
    ]


stale_strategy = st.dictionaries(
    st.sampled_from([MINUTE_MS, HOUR_MS]),
    st.lists(st.integers(min_value=-30, max_value=300).map(lambda k: T0 + k * MINUTE_MS), max_size=8),
)


@given(
    st.integers(min_value=-3 * HOUR_MS, max_value=3 * HOUR_MS),
    st.integers(min_value=1, max_value=8 * HOUR_MS),
    st.sampled_from([1_000, 6_000, MINUTE_MS, 2 * MINUTE_MS, HOUR_MS, 2 * HOUR_MS, 90 * MINUTE_MS]),
    stale_strategy,
)
def test_a_plan_covers_the_range_exactly_with_whole_clean_rows(
    offset: int, span: int, bucket: int, stale: dict[int, list[int]]
) -> None:
    since, until = T0 + offset, T0 + offset + span

    parts = plan_parts(since_ms=since, until_ms=until, bucket_ms=bucket, stale=stale)

    assert parts[0].since_ms == since
    assert parts[-1].until_ms == until
    for a, b in itertools.pairwise(parts):
        assert a.until_ms == b.since_ms
        assert a.source_ms != b.source_ms  # adjacent parts of one source are merged
    stale_minutes = set(stale.get(MINUTE_MS, []))
    stale_hours = {floor_to(t, HOUR_MS) for t in [*stale.get(HOUR_MS, []), *stale_minutes]}
    for part in parts:
        assert part.since_ms < part.until_ms
        if part.source_ms == RAW:
            continue
        assert bucket % part.source_ms == 0
        assert part.since_ms % part.source_ms == 0
        assert part.until_ms % part.source_ms == 0
        rows = range(part.since_ms, part.until_ms, part.source_ms)
        forbidden = stale_minutes if part.source_ms == MINUTE_MS else stale_hours
        assert not forbidden.intersection(rows)


# --- retention ---------------------------------------------------------------------------


def test_cutoffs_count_back_from_now_and_zero_keeps_forever() -> None:
    policy = RetentionPolicy(raw_days=30, minute_days=400, hour_days=0)
    now = T0 + 1000 * DAY

    assert policy.cutoff_ms(RAW, now_ms=now) == now - 30 * DAY
    assert policy.cutoff_ms(MINUTE_MS, now_ms=now) == now - 400 * DAY
    assert policy.cutoff_ms(HOUR_MS, now_ms=now) is None


@pytest.mark.parametrize(
    ("age_days", "finest"),
    [(0, RAW), (29, RAW), (30, RAW), (31, MINUTE_MS), (400, MINUTE_MS), (401, HOUR_MS), (5000, HOUR_MS)],
)
def test_the_finest_source_still_kept_at_an_age(age_days: int, finest: int) -> None:
    policy = RetentionPolicy(raw_days=30, minute_days=400, hour_days=0)
    now = T0 + 10_000 * DAY

    assert policy.finest_ms(since_ms=now - age_days * DAY, now_ms=now) == finest


def test_older_than_every_retention_reads_the_hour_rollup() -> None:
    policy = RetentionPolicy(raw_days=1, minute_days=2, hour_days=3)

    assert policy.finest_ms(since_ms=T0 - 10 * DAY, now_ms=T0) == HOUR_MS


def read_retention(env: dict[str, str], problems: list[str]) -> RetentionPolicy:
    """The retention policy of ``env`` as the bridge reads it; its problems go to ``problems``."""
    values = config.read(Process.BRIDGE, env)
    policy = retention_policy(values)
    problems += [str(problem) for problem in values.problems]
    return policy


def test_retention_settings_defaults_and_values() -> None:
    problems: list[str] = []

    assert read_retention({}, problems) == RetentionPolicy(raw_days=90, minute_days=730, hour_days=0)
    assert read_retention(
        {"RETENTION_RAW_DAYS": " 7 ", "RETENTION_MINUTE_DAYS": "0", "RETENTION_HOUR_DAYS": "0"}, problems
    ) == RetentionPolicy(7, 0, 0)
    assert problems == []


def test_every_retention_problem_is_listed() -> None:
    problems: list[str] = []

    read_retention({"RETENTION_RAW_DAYS": "week", "RETENTION_MINUTE_DAYS": "-1", "RETENTION_HOUR_DAYS": "10"}, problems)

    assert len(problems) == 3
    assert "RETENTION_RAW_DAYS" in problems[0]
    assert "RETENTION_MINUTE_DAYS" in problems[1]
    assert "RETENTION_HOUR_DAYS" in problems[2]  # default minute retention (730 d) outlives 10 d of hours


def test_a_finer_resolution_kept_longer_than_a_coarser_one_is_a_problem() -> None:
    problems: list[str] = []

    read_retention({"RETENTION_RAW_DAYS": "0", "RETENTION_MINUTE_DAYS": "30"}, problems)

    assert problems == [
        "RETENTION_RAW_DAYS=0 keeps data longer than RETENTION_MINUTE_DAYS=30 (0 = forever): "
        "a coarser resolution must be kept at least as long as a finer one"
    ]
