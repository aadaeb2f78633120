"""The SQLite store: idempotent on (device, boot, seq), half-open ranges, presence, quarantine.

Each test opens a fresh database file under ``tmp_path``; "durable" means the data is
there after the store is closed and the file opened again.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import contract
from contract import codec
from contract.models import Reading, Status
from storage.base import DeviceSummary, InsertResult, QuarantinedMessage, StoreError
from storage.factory import open_store
from storage.sqlite import SqliteStore

GOLDEN = Path(contract.__file__).resolve().parent / "golden"
FULL = codec.decode_reading((GOLDEN / "reading.json").read_bytes(), rx_ms=1_795_336_200_262)
MINIMAL = codec.decode_reading((GOLDEN / "reading-minimal.json").read_bytes(), rx_ms=1_795_336_200_011)
DEVICE = FULL.device
BOOT = FULL.boot
T0 = 1_795_336_200_000


def reading(seq: int, *, device: str = DEVICE, boot: str = BOOT, ts_ms: int | None = None) -> Reading:
    """A reading taken ``seq`` seconds after T0 unless ``ts_ms`` says otherwise."""
    ts = T0 + seq * 1000 if ts_ms is None else ts_ms
    return Reading(device=device, boot=boot, seq=seq, ts_ms=ts, rx_ms=ts + 7, values={"temperature": 20.0 + seq})


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "nested" / "store.sqlite3"


@pytest.fixture
async def store(db_path: Path) -> AsyncIterator[SqliteStore]:
    opened = await SqliteStore.open(db_path)
    yield opened
    await opened.close()


async def all_readings(store: SqliteStore, device: str = DEVICE) -> list[Reading]:
    page = await store.readings(device, since_ms=0, until_ms=2**62, limit=100_000)
    assert not page.truncated
    return page.readings


def keys(readings: list[Reading]) -> list[tuple[str, str, int]]:
    return [(r.device, r.boot, r.seq) for r in readings]


# --- idempotent insert -----------------------------------------------------------------


async def test_same_key_twice_across_calls_is_stored_once_and_counted_duplicate(store: SqliteStore) -> None:
    batch = [reading(1), reading(2), reading(3)]

    first = await store.insert_readings(batch)
    again = await store.insert_readings(batch)
    overlap = await store.insert_readings([reading(3), reading(4)])

    assert (first, again, overlap) == (
        InsertResult(stored=3, duplicates=0),
        InsertResult(stored=0, duplicates=3),
        InsertResult(stored=1, duplicates=1),
    )
    assert keys(await all_readings(store)) == [(DEVICE, BOOT, seq) for seq in (1, 2, 3, 4)]


async def test_same_key_twice_within_one_batch_is_stored_once(store: SqliteStore) -> None:
    result = await store.insert_readings([reading(1), reading(2), reading(1), reading(2), reading(2)])

    assert result == InsertResult(stored=2, duplicates=3)
    assert keys(await all_readings(store)) == [(DEVICE, BOOT, 1), (DEVICE, BOOT, 2)]


async def test_a_redelivered_key_keeps_the_first_stored_values(store: SqliteStore) -> None:
    await store.insert_readings([reading(1)])
    changed = dataclasses.replace(reading(1), values={"temperature": -5.0}, rx_ms=1)

    assert await store.insert_readings([changed]) == InsertResult(stored=0, duplicates=1)
    assert await all_readings(store) == [reading(1)]


async def test_same_seq_in_another_boot_is_another_reading(store: SqliteStore) -> None:
    result = await store.insert_readings([reading(1, boot="boot-a"), reading(1, boot="boot-b", ts_ms=T0 + 5000)])

    assert result == InsertResult(stored=2, duplicates=0)
    assert keys(await all_readings(store)) == [(DEVICE, "boot-a", 1), (DEVICE, "boot-b", 1)]


async def test_same_key_of_another_device_is_another_reading(store: SqliteStore) -> None:
    result = await store.insert_readings([reading(1), reading(1, device="garage")])

    assert result == InsertResult(stored=2, duplicates=0)
    assert keys(await all_readings(store, "garage")) == [("garage", BOOT, 1)]


async def test_empty_insert_stores_nothing(store: SqliteStore) -> None:
    assert await store.insert_readings([]) == InsertResult(stored=0, duplicates=0)
    assert await store.devices() == []


async def test_concurrent_overlapping_inserts_store_each_key_once(store: SqliteStore) -> None:
    # Five tasks, each writing 30 readings that overlap the next task's by 20.
    batches = [[reading(seq) for seq in range(start, start + 30)] for start in range(0, 50, 10)]

    results = await asyncio.gather(*(store.insert_readings(batch) for batch in batches))

    submitted = sum(len(b) for b in batches)
    assert sum(r.stored for r in results) == 70
    assert sum(r.stored + r.duplicates for r in results) == submitted
    assert keys(await all_readings(store)) == [(DEVICE, BOOT, seq) for seq in range(70)]


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
async def test_readings_in_half_open_range_oldest_first(store: SqliteStore, case: RangeCase) -> None:
    # Inserted newest first, in two calls: the order must come from the device time.
    await store.insert_readings([reading(5), reading(4), reading(3)])
    await store.insert_readings([reading(2), reading(1), reading(9, device="garage", ts_ms=T0 + 2500)])

    page = await store.readings(
        DEVICE, since_ms=T0 + case.since_s * 1000, until_ms=T0 + case.until_s * 1000, limit=case.limit
    )

    assert [r.seq for r in page.readings] == case.seqs
    assert page.truncated is case.truncated


async def test_readings_of_several_boots_come_in_device_time_order(store: SqliteStore) -> None:
    await store.insert_readings([reading(7, boot="old", ts_ms=T0 + 1), reading(1, boot="new", ts_ms=T0 + 3)])
    await store.insert_readings([reading(8, boot="old", ts_ms=T0 + 2)])

    assert keys(await all_readings(store)) == [(DEVICE, "old", 7), (DEVICE, "old", 8), (DEVICE, "new", 1)]


async def test_unknown_device_has_no_readings(store: SqliteStore) -> None:
    await store.insert_readings([reading(1)])

    page = await store.readings("nobody", since_ms=0, until_ms=2**62, limit=10)

    assert (page.readings, page.truncated) == ([], False)


async def test_values_round_trip_and_missing_channels_stay_missing(store: SqliteStore) -> None:
    await store.insert_readings([FULL, MINIMAL])

    assert await all_readings(store, FULL.device) == [FULL]
    stored_minimal = await all_readings(store, MINIMAL.device)
    assert stored_minimal == [MINIMAL]
    assert dict(stored_minimal[0].values) == {"temperature": 4.0}
    assert len(FULL.values) == 16


# --- devices ---------------------------------------------------------------------------


async def test_no_devices_in_a_new_store(store: SqliteStore) -> None:
    assert await store.devices() == []


async def test_devices_from_readings_have_last_seen_and_latest(store: SqliteStore) -> None:
    await store.insert_readings([reading(5), reading(1, device="garage")])
    await store.insert_readings([reading(3)])  # older than what is stored: last_seen does not go back

    assert await store.devices() == [
        DeviceSummary(
            device="garage",
            online=False,
            boot=None,
            status_ts_ms=None,
            pending=None,
            dropped=None,
            last_seen_ms=reading(1).ts_ms,
            latest=reading(1, device="garage"),
        ),
        DeviceSummary(
            device=DEVICE,
            online=False,
            boot=None,
            status_ts_ms=None,
            pending=None,
            dropped=None,
            last_seen_ms=reading(5).ts_ms,
            latest=reading(5),
        ),
    ]


async def test_device_known_only_by_status(store: SqliteStore) -> None:
    await store.record_statuses([(Status(device="garage", online=True, boot="b7", pending=2, dropped=1), 1234)])

    assert await store.devices() == [
        DeviceSummary(
            device="garage",
            online=True,
            boot="b7",
            status_ts_ms=1234,
            pending=2,
            dropped=1,
            last_seen_ms=None,
            latest=None,
        )
    ]


async def test_status_updates_presence_and_none_keeps_the_old_counters(store: SqliteStore) -> None:
    await store.insert_readings([reading(1)])
    birth = Status(device=DEVICE, online=True, boot=BOOT, ts_ms=T0, pending=3, dropped=0)
    will = Status(device=DEVICE, online=False, boot=BOOT)

    await store.record_statuses([(birth, T0 + 10)])
    [online] = await store.devices()
    await store.record_statuses([(will, T0 + 20)])
    [offline] = await store.devices()

    assert (online.online, online.boot, online.status_ts_ms, online.pending, online.dropped) == (
        True,
        BOOT,
        T0 + 10,
        3,
        0,
    )
    assert (offline.online, offline.boot, offline.status_ts_ms, offline.pending, offline.dropped) == (
        False,
        BOOT,
        T0 + 20,
        3,
        0,
    )
    assert offline.latest == reading(1)
    assert offline.last_seen_ms == reading(1).ts_ms


async def test_statuses_in_one_call_apply_in_order(store: SqliteStore) -> None:
    await store.record_statuses(
        [
            (Status(device=DEVICE, online=True, boot="first", pending=5), 1),
            (Status(device=DEVICE, online=False, boot="first"), 2),
            (Status(device=DEVICE, online=True, boot="second", pending=0, dropped=4), 3),
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
        topic=f"sensebridge/v1/{DEVICE}/reading",
        reason="malformed_json",
        detail=f"message {n} is not valid JSON",
        device=DEVICE,
        excerpt='{"v":1,',
    )
    return dataclasses.replace(message, **changes)  # type: ignore[arg-type]


async def test_quarantine_round_trip_newest_first(store: SqliteStore) -> None:
    odd = quarantined(3, device=None, topic="not/a/topic", reason="bad_topic", excerpt="\ufffd\x00 caf\u00e9")
    await store.quarantine([quarantined(1), quarantined(2)])
    await store.quarantine([odd])

    assert await store.quarantined(limit=10) == [odd, quarantined(2), quarantined(1)]
    assert await store.quarantined(limit=2) == [odd, quarantined(2)]


async def test_empty_quarantine(store: SqliteStore) -> None:
    await store.quarantine([])

    assert await store.quarantined(limit=10) == []


# --- durability and opening ------------------------------------------------------------


async def test_data_survives_close_and_reopen(db_path: Path) -> None:
    first = await SqliteStore.open(db_path)
    await first.insert_readings([FULL, reading(1)])
    await first.record_statuses([(Status(device=DEVICE, online=True, boot=BOOT, pending=1), 99)])
    await first.quarantine([quarantined(1)])
    await first.close()

    second = await SqliteStore.open(db_path)
    try:
        assert await all_readings(second) == [FULL, reading(1)]  # FULL was taken 750 ms before reading(1)
        assert await second.insert_readings([FULL]) == InsertResult(stored=0, duplicates=1)
        [device] = await second.devices()
        assert (device.online, device.pending, device.status_ts_ms, device.latest) == (True, 1, 99, reading(1))
        assert await second.quarantined(limit=5) == [quarantined(1)]
    finally:
        await second.close()


async def test_open_creates_missing_folders(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "c.sqlite3"

    store = await SqliteStore.open(path)
    await store.close()

    assert path.is_file()
    assert store.path == path


async def test_open_a_file_that_is_not_a_database_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "garbage.sqlite3"
    path.write_bytes(b"this is not an SQLite file" * 100)

    with pytest.raises(StoreError, match=r"garbage\.sqlite3"):
        await SqliteStore.open(path)


async def test_open_store_from_url(tmp_path: Path) -> None:
    store = await open_store(f"sqlite:///{tmp_path}/from-url.sqlite3")
    try:
        assert isinstance(store, SqliteStore)
        assert store.path == tmp_path / "from-url.sqlite3"
        assert await store.insert_readings([reading(1)]) == InsertResult(stored=1, duplicates=0)
    finally:
        await store.close()
