"""History contract: every store answers exactly what the pure reference computes from raw readings.

The stores push the work down (SQL ``GROUP BY``, Mongo ``$group``) and read per-minute and
per-hour rollups where whole rows fit; :func:`storage.history.history_from_readings` buckets the
raw readings directly. Equal answers (means to float rounding) prove the rollups count every
stored reading exactly once and that the plan covers each range exactly.

One dataset per backend, written the awkward way: shuffled, with duplicates inside and across
batches, in two rounds with the maintenance job (Mongo's rollup recomputation) run between them,
so the Mongo store answers from fresh rollups, stale-marked rollups and raw readings at once.
"""

from __future__ import annotations

import math
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import pytest_asyncio
from storage_backends import HOUR, MINUTE, SECOND, T0, backend_params, make_backend, mongo_url_for, reading

from contract.models import Reading
from storage.base import Store
from storage.history import History, HistoryQuery, history_from_readings
from storage.retention import RetentionPolicy

pytestmark = pytest.mark.asyncio(loop_scope="module")

NOW = T0 + 2 * 86_400_000
RETENTION = RetentionPolicy()


def dataset() -> list[Reading]:
    """~260 readings of ``dev-a`` over 5.5 hours: a reboot after an offline hour, a spike, a sparse tail."""
    out: list[Reading] = []
    for i in range(120):  # boot-1: every 20 s from 00:05:07; humidity missing on every 7th
        values = {"temperature": 20.0 + (i % 13) * 0.37, "pressure": 1000.0 + i * 0.1}
        if i % 7:
            values["humidity"] = 40.0 + (i % 5)
        out.append(reading(i + 1, T0 + 307 * SECOND + i * 20 * SECOND, **values))
    for i in range(100):  # offline ~50 min, then boot-2 every 30 s from 01:35:03, one spike
        temperature = 80.0 if i == 37 else 21.0 + (i % 11) * 0.21
        out.append(
            reading(
                i + 1,
                T0 + 95 * MINUTE + 3 * SECOND + i * 30 * SECOND,
                boot="boot-2",
                temperature=temperature,
                humidity=50.0 - (i % 9),
            )
        )
    for i in range(36):  # sparse: one reading every 5 minutes for 3 hours
        out.append(reading(101 + i, T0 + 146 * MINUTE + i * 5 * MINUTE, boot="boot-2", temperature=19.0 + i * 0.05))
    return out


OTHER_DEVICE = [reading(i, T0 + i * 11 * SECOND, device="dev-b", temperature=99.0) for i in range(1, 30)]


@dataclass(frozen=True)
class Case:
    id: str
    since: int
    until: int
    points: int
    channels: tuple[str, ...] = ("temperature", "humidity", "pressure")


END = T0 + 6 * HOUR
CASES = [
    Case("few-readings-answer-raw", T0, END, 1000),
    Case("month-style-minute-rollups", T0, END, 100),
    Case("hour-rollups", T0, END, 5),
    Case("one-point", T0, END, 1),
    Case("ragged-edges-every-source", T0 + 123_456, T0 + 5 * HOUR + 7 * SECOND, 7),
    Case("one-hour-in-6-minute-buckets", T0 + HOUR + 17 * SECOND, T0 + 2 * HOUR + 17 * SECOND, 10),
    Case("sub-minute-buckets-from-raw", T0 + 10 * MINUTE, T0 + 30 * MINUTE, 30),
    Case("spike-survives", T0 + 90 * MINUTE, T0 + 150 * MINUTE, 3),
    Case("only-humidity", T0, END, 50, ("humidity",)),
    Case("pressure-only-in-the-first-boot", T0, END, 12, ("pressure", "temperature")),
    Case("channel-never-sent", T0, END, 12, ("gyro_x",)),
    Case("range-inside-the-offline-hour", T0 + 50 * MINUTE, T0 + 90 * MINUTE, 10),
    Case("range-ending-in-the-offline-hour", T0, T0 + 80 * MINUTE, 20),
    Case("before-any-data", T0 - 6 * HOUR, T0, 10),
    Case("raw-with-exactly-points-readings", T0 + 307 * SECOND, T0 + 307 * SECOND + 10 * 20 * SECOND, 10),
    Case("one-more-than-points-is-bucketed", T0 + 307 * SECOND, T0 + 307 * SECOND + 11 * 20 * SECOND, 10),
]


@pytest_asyncio.fixture(scope="module", loop_scope="module", params=backend_params())
async def loaded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Store]:
    """A store holding :func:`dataset` (written in two rounds, see the module docstring)."""
    rows = dataset()
    shuffled = rows[:]
    random.Random(7).shuffle(shuffled)
    first, second = shuffled[:170], shuffled[170:]
    async with make_backend(request.param, tmp_path_factory.mktemp("history"), mongo_url_for(request)) as backend:
        store = await backend.open(RETENTION)
        try:
            await store.insert_readings(first[:90] + first[:10])
            await store.insert_readings(first[80:] + OTHER_DEVICE)
            await store.maintain(now_ms=NOW)
            await store.insert_readings(second[:40] + first[:5])
            await store.insert_readings(second + first[-3:])
            yield store
        finally:
            await store.close()


def assert_same_history(got: History, want: History) -> None:
    assert (got.query, got.bucket_ms, got.gaps) == (want.query, want.bucket_ms, want.gaps)
    assert got.readings == want.readings
    assert [(b.t, b.n, b.first_ts, b.last_ts, sorted(b.stats)) for b in got.buckets] == [
        (b.t, b.n, b.first_ts, b.last_ts, sorted(b.stats)) for b in want.buckets
    ]
    for mine, theirs in zip(got.buckets, want.buckets, strict=True):
        for name, stats in theirs.stats.items():
            have = mine.stats[name]
            assert (have.min, have.max, have.n) == (stats.min, stats.max, stats.n), (mine.t, name)
            assert math.isclose(have.total, stats.total, rel_tol=1e-12), (mine.t, name)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
async def test_history_equals_the_pure_reference(loaded: Store, case: Case) -> None:
    query = HistoryQuery("dev-a", case.since, case.until, case.channels, case.points)

    got = await loaded.history(query, now_ms=NOW)

    assert_same_history(got, history_from_readings(dataset(), query, retention=RETENTION, now_ms=NOW))
    assert len(got.buckets) <= case.points
    assert len(got.readings) <= case.points


async def test_the_dataset_exercises_raw_bucketed_gaps_and_spikes(loaded: Store) -> None:
    """Guards the cases above against a dataset that no longer tests what it claims to."""
    raw = await loaded.history(HistoryQuery("dev-a", T0, END, ("temperature",), 1000), now_ms=NOW)
    hourly = await loaded.history(HistoryQuery("dev-a", T0, END, ("temperature",), 5), now_ms=NOW)
    spike = await loaded.history(
        HistoryQuery("dev-a", T0 + 90 * MINUTE, T0 + 150 * MINUTE, ("temperature",), 3), now_ms=NOW
    )

    assert (raw.bucket_ms, len(raw.readings)) == (0, 256)
    # The offline hour, then each 5-minute step of the sparse tail (over 3 x the range's median of 20-30 s).
    assert raw.gaps[0] == (T0 + 307 * SECOND + 119 * 20 * SECOND, T0 + 95 * MINUTE + 3 * SECOND)
    assert len(raw.gaps) == 1 + 35
    assert hourly.bucket_ms == 2 * HOUR
    assert sum(b.n for b in hourly.buckets) == 256
    assert max(b.stats["temperature"].max for b in spike.buckets) == 80.0


async def test_zooming_in_gets_finer_down_to_raw(loaded: Store) -> None:
    sizes = []
    for span in (6 * HOUR, HOUR, 10 * MINUTE):
        answer = await loaded.history(
            HistoryQuery("dev-a", T0 + 100 * MINUTE, T0 + 100 * MINUTE + span, ("temperature",), 20), now_ms=NOW
        )
        sizes.append(answer.bucket_ms)

    assert sizes[0] > sizes[1] > sizes[2] == 0


async def test_answers_stay_the_same_after_the_maintenance_job_catches_up(loaded: Store) -> None:
    chosen = ("month-style-minute-rollups", "hour-rollups", "ragged-edges-every-source", "spike-survives")
    queries = [HistoryQuery("dev-a", c.since, c.until, c.channels, c.points) for c in CASES if c.id in chosen]
    before = [await loaded.history(q, now_ms=NOW) for q in queries]

    await loaded.maintain(now_ms=NOW)
    after = [await loaded.history(q, now_ms=NOW) for q in queries]

    for got, want in zip(after, before, strict=True):
        assert_same_history(got, want)
