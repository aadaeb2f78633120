"""The store contract, run unchanged against every backend (storage_backends.py):
SQLite, the Mongo store through pymongo's real client over the wire on SecantusDB
(``mongo[secantusdb-standin]``: a stand-in, not MongoDB, see docs/storage.md), and the Mongo store
on a real MongoDB when ``MONGO_URL`` is set (``mongo[server]``).

Idempotent batch insert on (device, boot, seq), half-open range queries, presence and latest
values, quarantine, export pages, retention. History has its own module
(test_storage_contract_history.py).
"""

from __future__ import annotations

import asyncio
import dataclasses
from dataclasses import dataclass
from pathlib import Path

import pytest
from storage_backends import DAY, HOUR, MINUTE, SECOND, T0, Backend, everything, keys, reading

import contract
from contract import codec
from contract.models import Reading, Status
from storage.base import DeviceSummary, InsertResult, QuarantinedMessage, Store
from storage.history import HistoryQuery
from storage.retention import RetentionPolicy

GOLDEN = Path(contract.__file__).resolve().parent / "golden"
FULL = codec.decode_reading((GOLDEN / "reading.json").read_bytes(), rx_ms=1_795_336_200_262)
MINIMAL = codec.decode_reading((GOLDEN / "reading-minimal.json").read_bytes(), rx_ms=1_795_336_200_011)


def r(seq: int, *, device: str = "dev-a", boot: str = "boot-1", ts_ms: int | None = None) -> Reading:
    """A reading taken ``seq`` seconds after T0 unless ``ts_ms`` says otherwise."""
    ts = T0 + seq * SECOND if ts_ms is None else ts_ms
    return reading(seq, ts, device=device, boot=boot, temperature=20.0 + seq)


# --- idempotent insert -----------------------------------------------------------------


async def test_same_key_twice_across_calls_is_stored_once_and_counted_duplicate(store: Store) -> None:
    batch = [r(1), r(2), r(3)]

    first = await store.insert_readings(batch)
    again = await store.insert_readings(batch)
    overlap = await store.insert_readings([r(3), r(4)])

    assert (first, again, overlap) == (
        InsertResult(stored=3, duplicates=0),
        InsertResult(stored=0, duplicates=3),
        InsertResult(stored=1, duplicates=1),
    )
    assert keys(await everything(store)) == [("dev-a", "boot-1", seq) for seq in (1, 2, 3, 4)]


async def test_same_key_twice_within_one_batch_is_stored_once(store: Store) -> None:
    result = await store.insert_readings([r(1), r(2), r(1), r(2), r(2)])

    assert result == InsertResult(stored=2, duplicates=3)
    assert keys(await everything(store)) == [("dev-a", "boot-1", 1), ("dev-a", "boot-1", 2)]


async def test_a_redelivered_key_keeps_the_first_stored_values(store: Store) -> None:
    await store.insert_readings([r(1)])
    changed = dataclasses.replace(r(1), values={"temperature": -5.0}, rx_ms=1)

    assert await store.insert_readings([changed]) == InsertResult(stored=0, duplicates=1)
    assert await everything(store) == [r(1)]


async def test_same_seq_in_another_boot_or_device_is_another_reading(store: Store) -> None:
    result = await store.insert_readings([r(1, boot="boot-a"), r(1, boot="boot-b", ts_ms=T0 + 5000), r(1, device="b")])

    assert result == InsertResult(stored=3, duplicates=0)
    assert keys(await everything(store)) == [("dev-a", "boot-a", 1), ("dev-a", "boot-b", 1)]
    assert keys(await everything(store, "b")) == [("b", "boot-1", 1)]


async def test_empty_insert_stores_nothing(store: Store) -> None:
    assert await store.insert_readings([]) == InsertResult(stored=0, duplicates=0)
    assert await store.devices() == []


async def test_concurrent_overlapping_inserts_store_each_key_once(store: Store) -> None:
    # Five tasks, each writing 30 readings that overlap the next task's by 20.
    batches = [[r(seq) for seq in range(start, start + 30)] for start in range(0, 50, 10)]

    results = await asyncio.gather(*(store.insert_readings(batch) for batch in batches))

    assert sum(result.stored for result in results) == 70
    assert sum(result.stored + result.duplicates for result in results) == sum(len(b) for b in batches)
    assert keys(await everything(store)) == [("dev-a", "boot-1", seq) for seq in range(70)]


async def test_two_writers_on_the_same_data_store_each_key_once_and_count_it_once(
    backend: Backend, store: Store
) -> None:
    other = await backend.open(None)
    try:
        batches = [[r(seq) for seq in range(start, start + 40)] for start in range(0, 100, 20)]
        writers = [store, other, store, other, store]

        results = await asyncio.gather(*(w.insert_readings(b) for w, b in zip(writers, batches, strict=True)))
        await store.maintain(now_ms=T0)
        await other.maintain(now_ms=T0)

        assert sum(result.stored for result in results) == 120
        assert keys(await everything(other)) == [("dev-a", "boot-1", seq) for seq in range(120)]
        # Rollups count each reading once: a whole-range history built from them says 120.
        history = await store.history(HistoryQuery("dev-a", T0, T0 + HOUR, ("temperature",), points=1), now_ms=T0 + DAY)
        assert history.bucket_ms == HOUR
        assert [(b.n, b.stats["temperature"].n, b.stats["temperature"].max) for b in history.buckets] == [
            (120, 120, 139.0)
        ]
    finally:
        await other.close()


# --- range queries ---------------------------------------------------------------------


@dataclass(frozen=True)
class RangeCase:
    id: str
    since_s: int
    until_s: int
    limit: int
    seqs: list[int]
    truncated: bool


# Readings seq 1..5 taken at T0 + 1 s .. T0 + 5 s; the case gives since/until in seconds after T0.
RANGE_CASES = [
    RangeCase("everything", 0, 10, 100, [1, 2, 3, 4, 5], truncated=False),
    RangeCase("since-is-inclusive", 2, 10, 100, [2, 3, 4, 5], truncated=False),
    RangeCase("until-is-exclusive", 0, 5, 100, [1, 2, 3, 4], truncated=False),
    RangeCase("half-open-middle", 2, 4, 100, [2, 3], truncated=False),
    RangeCase("empty-when-since-equals-until", 3, 3, 100, [], truncated=False),
    RangeCase("empty-before-the-data", -10, 1, 100, [], truncated=False),
    RangeCase("limit-cuts-and-says-so", 0, 10, 2, [1, 2], truncated=True),
    RangeCase("limit-equal-to-count-is-not-truncated", 0, 10, 5, [1, 2, 3, 4, 5], truncated=False),
    RangeCase("limit-in-a-window", 2, 5, 2, [2, 3], truncated=True),
]


@pytest.mark.parametrize("case", RANGE_CASES, ids=lambda c: c.id)
async def test_readings_in_half_open_range_oldest_first(store: Store, case: RangeCase) -> None:
    # Inserted newest first, in two calls: the order must come from the device time.
    await store.insert_readings([r(5), r(4), r(3)])
    await store.insert_readings([r(2), r(1), r(9, device="garage", ts_ms=T0 + 2500)])

    page = await store.readings(
        "dev-a", since_ms=T0 + case.since_s * 1000, until_ms=T0 + case.until_s * 1000, limit=case.limit
    )

    assert [x.seq for x in page.readings] == case.seqs
    assert page.truncated is case.truncated


async def test_readings_of_several_boots_come_in_device_time_order(store: Store) -> None:
    await store.insert_readings([r(7, boot="old", ts_ms=T0 + 1), r(1, boot="new", ts_ms=T0 + 3)])
    await store.insert_readings([r(8, boot="old", ts_ms=T0 + 2)])

    assert keys(await everything(store)) == [("dev-a", "old", 7), ("dev-a", "old", 8), ("dev-a", "new", 1)]


async def test_unknown_device_has_no_readings(store: Store) -> None:
    await store.insert_readings([r(1)])

    page = await store.readings("nobody", since_ms=0, until_ms=2**53, limit=10)

    assert (page.readings, page.truncated) == ([], False)


async def test_values_round_trip_and_missing_channels_stay_missing(store: Store) -> None:
    await store.insert_readings([FULL, MINIMAL])

    assert await everything(store, FULL.device) == [FULL]
    stored_minimal = await everything(store, MINIMAL.device)
    assert stored_minimal == [MINIMAL]
    assert dict(stored_minimal[0].values) == {"temperature": 4.0}
    assert len(FULL.values) == 16


# --- devices and latest values ----------------------------------------------------------


async def test_no_devices_in_a_new_store(store: Store) -> None:
    assert await store.devices() == []
    assert await store.has_device("dev-a") is False


async def test_devices_from_readings_have_last_seen_and_latest_values(store: Store) -> None:
    await store.insert_readings([r(5), r(1, device="garage")])
    await store.insert_readings([r(3)])  # older than what is stored: last_seen and latest do not go back

    assert await store.devices() == [
        DeviceSummary("dev-a", False, None, None, None, None, r(5).ts_ms, r(5)),
        DeviceSummary("garage", False, None, None, None, None, r(1).ts_ms, r(1, device="garage")),
    ]
    assert await store.has_device("garage") is True
    assert await store.has_device("dev-a") is True
    assert await store.has_device("nobody") is False


async def test_device_known_only_by_status(store: Store) -> None:
    await store.record_statuses([(Status(device="garage", online=True, boot="b7", pending=2, dropped=1), 1234)])

    assert await store.devices() == [DeviceSummary("garage", True, "b7", 1234, 2, 1, None, None)]
    assert await store.has_device("garage") is True


async def test_status_updates_presence_and_none_keeps_the_old_counters(store: Store) -> None:
    await store.insert_readings([r(1)])
    birth = Status(device="dev-a", online=True, boot="boot-1", ts_ms=T0, pending=3, dropped=0)
    will = Status(device="dev-a", online=False, boot="boot-1")

    await store.record_statuses([(birth, T0 + 10)])
    [online] = await store.devices()
    await store.record_statuses([(will, T0 + 20)])
    [offline] = await store.devices()

    assert (online.online, online.boot, online.status_ts_ms, online.pending, online.dropped) == (
        True,
        "boot-1",
        T0 + 10,
        3,
        0,
    )
    assert (offline.online, offline.status_ts_ms, offline.pending, offline.dropped) == (False, T0 + 20, 3, 0)
    assert (offline.latest, offline.last_seen_ms) == (r(1), r(1).ts_ms)


async def test_statuses_in_one_call_apply_in_order(store: Store) -> None:
    await store.record_statuses(
        [
            (Status(device="dev-a", online=True, boot="first", pending=5), 1),
            (Status(device="dev-a", online=False, boot="first"), 2),
            (Status(device="dev-a", online=True, boot="second", pending=0, dropped=4), 3),
        ]
    )

    [summary] = await store.devices()
    assert (summary.online, summary.boot, summary.status_ts_ms, summary.pending, summary.dropped) == (
        True,
        "second",
        3,
        0,
        4,
    )


# --- quarantine ------------------------------------------------------------------------


def quarantined(n: int, **changes: object) -> QuarantinedMessage:
    message = QuarantinedMessage(
        rx_ms=T0 + n,
        topic="sensebridge/v1/dev-a/reading",
        reason="malformed_json",
        detail=f"message {n} is not valid JSON",
        device="dev-a",
        excerpt='{"v":1,',
    )
    return dataclasses.replace(message, **changes)  # type: ignore[arg-type]


async def test_quarantine_round_trip_newest_first(store: Store) -> None:
    odd = quarantined(3, device=None, topic="not/a/topic", reason="bad_topic", excerpt="\ufffd\x00 caf\u00e9")
    await store.quarantine([quarantined(1), quarantined(2)])
    await store.quarantine([odd])
    await store.quarantine([])

    assert await store.quarantined(limit=10) == [odd, quarantined(2), quarantined(1)]
    assert await store.quarantined(limit=2) == [odd, quarantined(2)]


# --- export ----------------------------------------------------------------------------


async def test_export_pages_list_exactly_the_range_in_order_across_page_boundaries(store: Store) -> None:
    # Two boots share timestamps: the page cursor is (ts, boot, seq), not ts alone.
    same_time = [r(seq, boot=boot, ts_ms=T0 + (seq // 2) * SECOND) for seq in range(12) for boot in ("a", "b")]
    await store.insert_readings([*same_time, r(99, device="other")])
    expected = [x for x in await everything(store) if T0 + SECOND <= x.ts_ms < T0 + 5 * SECOND]
    assert len(expected) == 16

    for page_size in (1, 3, 4, 16, 17, 1000):
        pages = [
            page
            async for page in store.export("dev-a", since_ms=T0 + SECOND, until_ms=T0 + 5 * SECOND, page_size=page_size)
        ]

        assert [x for page in pages for x in page] == expected, page_size
        assert all(0 < len(page) <= page_size for page in pages)


async def test_export_of_an_empty_range_or_unknown_device_has_no_pages(store: Store) -> None:
    await store.insert_readings([r(1)])

    assert [p async for p in store.export("dev-a", since_ms=T0 + 2 * SECOND, until_ms=T0 + HOUR)] == []
    assert [p async for p in store.export("nobody", since_ms=0, until_ms=2**53)] == []


# --- retention -------------------------------------------------------------------------

NOW = T0 + 400 * DAY
POLICY = RetentionPolicy(raw_days=30, minute_days=60, hour_days=0)


async def test_retention_purges_each_resolution_at_its_own_age_and_history_falls_back_to_rollups(
    backend: Backend,
) -> None:
    store = await backend.open(POLICY)
    try:
        old, middle, recent = NOW - 100 * DAY, NOW - 50 * DAY, NOW - DAY
        batch = [
            reading(1, old + 5 * SECOND, temperature=10.0),
            reading(2, old + 7 * SECOND, temperature=12.0),
            reading(3, middle + 20 * SECOND, temperature=30.0),
            reading(4, recent + 30 * SECOND, temperature=40.0),
        ]
        await store.insert_readings(batch)

        report = await store.maintain(now_ms=NOW)

        assert report.purged["raw"] == 3
        assert report.purged["minute"] == 1
        assert "hour" not in report.purged  # kept forever
        assert [x.seq for x in await everything(store)] == [4]
        # Older than raw retention: answered from the minute rollup, in whole minutes.
        month = await store.history(
            HistoryQuery("dev-a", middle - HOUR, middle + HOUR, ("temperature",), points=1000), now_ms=NOW
        )
        assert month.bucket_ms == MINUTE
        assert [(b.t, b.n, b.stats["temperature"].max) for b in month.buckets] == [(middle, 1, 30.0)]
        # Older than minute retention: from the hour rollup.
        year = await store.history(HistoryQuery("dev-a", old - DAY, NOW, ("temperature",), points=1000), now_ms=NOW)
        assert year.bucket_ms % HOUR == 0
        assert [(b.n, b.stats["temperature"].min, b.stats["temperature"].max) for b in year.buckets] == [
            (2, 10.0, 12.0),
            (1, 30.0, 30.0),
            (1, 40.0, 40.0),
        ]
        again = await store.maintain(now_ms=NOW)
        assert sum(again.purged.values()) == 0
    finally:
        await store.close()


async def test_default_retention_keeps_recent_data(store: Store) -> None:
    await store.insert_readings([r(1), r(2)])

    report = await store.maintain(now_ms=T0 + DAY)

    assert sum(report.purged.values()) == 0
    assert len(await everything(store)) == 2
