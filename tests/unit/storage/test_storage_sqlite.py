"""SQLite store specifics: durability across reopen, opening, schema migration, chunked purge.

What every store must do is in the contract suite (test_storage_contract*.py), which runs on
SQLite too. "Durable" here means the data is there after the store is closed and the file
opened again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from storage_backends import DAY, HOUR, MINUTE, SECOND, T0, everything, reading

import contract
from contract import codec
from contract.models import Status
from storage import sqlite as sqlite_module
from storage.base import InsertResult, QuarantinedMessage, StoreError
from storage.factory import open_store
from storage.history import HistoryQuery, history_from_readings
from storage.retention import RetentionPolicy
from storage.sqlite import SqliteStore

GOLDEN = Path(contract.__file__).resolve().parent / "golden"
FULL = codec.decode_reading((GOLDEN / "reading.json").read_bytes(), rx_ms=1_795_336_200_262)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "nested" / "store.sqlite3"


@pytest.fixture
async def store(db_path: Path) -> AsyncIterator[SqliteStore]:
    opened = await SqliteStore.open(db_path)
    yield opened
    await opened.close()


QUARANTINED = QuarantinedMessage(
    rx_ms=T0, topic="sensebridge/v1/x/reading", reason="malformed_json", detail="no", device="x", excerpt="{"
)


async def test_data_survives_close_and_reopen(db_path: Path) -> None:
    first = await SqliteStore.open(db_path)
    await first.insert_readings([FULL, reading(1, FULL.ts_ms + 750, device=FULL.device, boot=FULL.boot)])
    await first.record_statuses([(Status(device=FULL.device, online=True, boot=FULL.boot, pending=1), 99)])
    await first.quarantine([QUARANTINED])
    await first.close()

    second = await SqliteStore.open(db_path)
    try:
        assert [r.seq for r in await everything(second, FULL.device)] == [FULL.seq, 1]
        assert await second.insert_readings([FULL]) == InsertResult(stored=0, duplicates=1)
        [device] = await second.devices()
        assert (device.online, device.pending, device.status_ts_ms) == (True, 1, 99)
        assert await second.quarantined(limit=5) == [QUARANTINED]
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


async def test_a_file_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "newer.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 99")

    with pytest.raises(StoreError, match="schema version 99"):
        await SqliteStore.open(path)


async def test_open_store_from_url_with_retention(tmp_path: Path) -> None:
    store = await open_store(f"sqlite:///{tmp_path}/from-url.sqlite3", retention=RetentionPolicy(3, 4, 5))
    try:
        assert isinstance(store, SqliteStore)
        assert store.path == tmp_path / "from-url.sqlite3"
        assert store.retention == RetentionPolicy(3, 4, 5)
        assert await store.insert_readings([reading(1, T0)]) == InsertResult(stored=1, duplicates=0)
    finally:
        await store.close()


async def test_a_file_from_before_the_rollups_gets_them_built_from_its_readings(tmp_path: Path) -> None:
    path = tmp_path / "v0.sqlite3"
    old = [reading(i, T0 + i * 7 * SECOND, temperature=float(i % 10)) for i in range(2000)]
    store = await SqliteStore.open(path)
    await store.insert_readings(old)
    await store.close()
    with sqlite3.connect(path) as conn:  # what a version-0 file looked like: readings, no rollups
        conn.executescript("DROP TABLE rollup_minute; DROP TABLE rollup_hour; PRAGMA user_version = 0;")

    reopened = await SqliteStore.open(path)
    try:
        query = HistoryQuery("dev-a", T0, T0 + 4 * HOUR, ("temperature",), 4)
        got = await reopened.history(query, now_ms=T0 + DAY)
        want = history_from_readings(old, query, retention=RetentionPolicy(), now_ms=T0 + DAY)
        assert got.bucket_ms == HOUR
        assert [(b.t, b.n, b.stats["temperature"].max) for b in got.buckets] == [
            (b.t, b.n, b.stats["temperature"].max) for b in want.buckets
        ]
    finally:
        await reopened.close()


async def test_purge_runs_in_chunks_and_keeps_what_is_recent(
    store: SqliteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_module, "PURGE_CHUNK", 7)
    now = T0 + 200 * DAY
    old = [reading(i, now - 100 * DAY + i * MINUTE, temperature=1.0) for i in range(50)]
    old += [reading(100 + i, now - 100 * DAY + 10 * MINUTE, boot="b2", temperature=1.0) for i in range(20)]
    recent = [reading(1000 + i, now - DAY + i * SECOND, temperature=2.0) for i in range(5)]
    await store.insert_readings(old + recent)
    store_with_policy = await SqliteStore.open(store.path, retention=RetentionPolicy(30, 60, 0))
    try:
        report = await store_with_policy.maintain(now_ms=now)

        assert report.purged == {"raw": 70, "minute": 50}
        assert [r.seq for r in await everything(store)] == [1000, 1001, 1002, 1003, 1004]
    finally:
        await store_with_policy.close()
