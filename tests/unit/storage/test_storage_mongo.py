"""Mongo store specifics: indexes at start-up, write concern, error classification, the rollup job.

Runs through pymongo's real ``AsyncMongoClient`` over the wire against SecantusDB (the
``mongo_wire`` fixture), a STAND-IN for MongoDB, not MongoDB: single node; replica sets and
failover, time-series bucketing, TTL timing and performance are unverified here (docs/storage.md).
The write concern the collections carry and the error an unreachable server gives are checked
with real pymongo objects and no server.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from storage_backends import HOUR, MINUTE, SECOND, T0, reading

from devstack import ServerHandle
from storage.base import InsertResult, StoreError
from storage.factory import open_store
from storage.history import HistoryQuery
from storage.mongo import DURABLE, MongoStore, stored_count
from storage.mongo_api import Collection, Document
from storage.retention import RetentionPolicy

DAY_S = 86_400


Database = AsyncDatabase[dict[str, Any]]


@pytest.fixture
async def database(mongo_wire: ServerHandle, unique_id: str) -> AsyncIterator[Database]:
    """A fresh database on the SecantusDB stand-in, dropped afterwards."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_wire.url, tz_aware=True)
    try:
        yield client.get_database(unique_id)
    finally:
        await client.drop_database(unique_id)
        await client.close()


async def documents(collection: Collection, projection: dict[str, int] | None = None) -> list[Document]:
    """Every document of ``collection``, in ``_id`` order."""
    return await collection.find({}, projection, sort=[("_id", 1)]).to_list()


async def test_indexes_are_created_at_start_up_with_ttl_per_resolution(database: Database) -> None:
    store = await MongoStore.open(database, retention=RetentionPolicy(30, 400, 0))

    readings = await store.readings_coll.index_information()
    minute = await store.rollups[MINUTE].index_information()
    hour = await store.rollups[HOUR].index_information()

    assert readings["device_boot_seq"]["unique"] is True
    assert readings["device_boot_seq"]["key"] == [("device", 1), ("boot", 1), ("seq", 1)]
    assert readings["device_ts"]["key"] == [("device", 1), ("ts", 1)]
    assert (readings["at_ttl"]["key"], readings["at_ttl"]["expireAfterSeconds"]) == ([("at", 1)], 30 * DAY_S)
    assert minute["device_t"]["unique"] is True
    assert minute["at_ttl"]["expireAfterSeconds"] == 400 * DAY_S
    assert "at_ttl" not in hour  # kept forever
    assert "size_id" in await store.marks.index_information()


async def test_a_changed_retention_rebuilds_the_ttl_index_at_the_next_start(database: Database) -> None:
    await MongoStore.open(database, retention=RetentionPolicy(30, 400, 0))

    reopened = await MongoStore.open(database, retention=RetentionPolicy(7, 0, 0))

    assert (await reopened.readings_coll.index_information())["at_ttl"]["expireAfterSeconds"] == 7 * DAY_S
    assert "at_ttl" not in await reopened.rollups[MINUTE].index_information()


async def test_opening_twice_is_idempotent(database: Database) -> None:
    first = await MongoStore.open(database)
    second = await MongoStore.open(database)

    assert await first.readings_coll.index_information() == await second.readings_coll.index_information()


async def test_every_collection_writes_with_majority_and_journal() -> None:
    # A real pymongo client: no server is contacted until an operation runs.
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient("mongodb://127.0.0.1:1/x", connect=False)
    try:
        store = MongoStore(client.get_database("x"), RetentionPolicy())
        collections = [store.readings_coll, *store.rollups.values(), store.marks, store.devices_coll]
        collections.append(store.quarantine_coll)

        assert DURABLE.document == {"w": "majority", "j": True}
        assert all(c.write_concern == DURABLE for c in collections)  # type: ignore[attr-defined]
    finally:
        await client.close()


@pytest.mark.filterwarnings("ignore::ResourceWarning")
async def test_an_unreachable_server_is_a_store_error_at_start_up() -> None:
    with pytest.raises(StoreError, match="MongoDB creating indexes"):
        await open_store("mongodb://127.0.0.1:1/sensebridge?serverSelectionTimeoutMS=300&connectTimeoutMS=300")
    # pymongo's async connect leaves a refused socket to the garbage collector (its PYTHON-3923):
    # collect it here, where its ResourceWarning is expected, not in whichever test runs next.
    gc.collect()


def test_readings_are_documents_with_channels_as_fields_and_a_date_for_ttl() -> None:
    from storage.mongo import reading_doc  # noqa: PLC0415

    doc = reading_doc(reading(5, T0 + 1500, temperature=21.5, humidity=40.0))

    assert doc == {
        "device": "dev-a",
        "boot": "boot-1",
        "seq": 5,
        "ts": T0 + 1500,
        "rx": T0 + 1509,
        "at": datetime(2026, 11, 22, 8, 0, 1, 500_000, tzinfo=UTC),
        "temperature": 21.5,
        "humidity": 40.0,
    }


# --- insert_many error classification ----------------------------------------------------


def test_duplicate_keys_are_success() -> None:
    details = {
        "writeErrors": [{"index": 1, "code": 11000, "errmsg": "E11000 duplicate key"}] * 3,
        "writeConcernErrors": [],
        "nInserted": 7,
    }

    assert stored_count(details, 10) == 7


@pytest.mark.parametrize(
    "details",
    [
        pytest.param(
            {"writeErrors": [{"index": 0, "code": 11000}, {"index": 1, "code": 121, "errmsg": "validation"}]},
            id="another-write-error-among-duplicates",
        ),
        pytest.param(
            {"writeErrors": [], "writeConcernErrors": [{"code": 64, "errmsg": "waiting for replication timed out"}]},
            id="write-concern-not-satisfied",
        ),
        pytest.param({"writeErrors": [{"index": 3, "code": 10334, "errmsg": "BSONObj size"}]}, id="too-large"),
    ],
)
def test_any_other_insert_error_fails_the_batch(details: dict[str, Any]) -> None:
    with pytest.raises(StoreError, match="MongoDB insert failed"):
        stored_count({"nInserted": 5, **details}, 10)


# --- the rollup job ----------------------------------------------------------------------


async def test_ingest_marks_each_touched_minute_once_per_batch_duplicates_included(database: Database) -> None:
    store = await MongoStore.open(database)
    batch = [reading(i, T0 + i * 20 * SECOND, temperature=1.0) for i in range(6)]  # minutes 0 and 1

    await store.insert_readings(batch)
    await store.insert_readings(batch[:2])  # all duplicates: still marked

    marks = sorted((m["size"], m["t"]) for m in await documents(store.marks, {"_id": 0, "device": 0}))
    assert marks == [(MINUTE, T0), (MINUTE, T0), (MINUTE, T0 + MINUTE)]


async def test_the_job_writes_minute_then_hour_rows_and_removes_only_the_marks_it_took(database: Database) -> None:
    store = await MongoStore.open(database)
    await store.insert_readings([reading(i, T0 + i * 20 * SECOND, temperature=float(i)) for i in range(6)])

    report = await store.maintain(now_ms=T0 + HOUR)

    assert report.refreshed == 3  # two minute rows, one hour row
    assert await documents(store.marks) == []
    rows = sorted(await documents(store.rollups[MINUTE], {"_id": 0, "device": 0, "at": 0}), key=lambda row: row["t"])
    assert [
        (row["t"], row["n"], row["temperature_min"], row["temperature_max"], row["temperature_n"]) for row in rows
    ] == [
        (T0, 3, 0.0, 2.0, 3),
        (T0 + MINUTE, 3, 3.0, 5.0, 3),
    ]
    [hour] = await documents(store.rollups[HOUR])
    assert (hour["t"], hour["n"], hour["temperature_sum"], hour["first_ts"], hour["last_ts"]) == (
        T0,
        6,
        15.0,
        T0,
        T0 + 100 * SECOND,
    )


async def test_a_recomputation_over_fewer_readings_never_replaces_a_fuller_row(database: Database) -> None:
    store = await MongoStore.open(database)
    await store.insert_readings([reading(i, T0 + i * SECOND, temperature=1.0) for i in range(10)])
    await store.maintain(now_ms=T0 + HOUR)
    # Retention has purged most of the minute's raw readings; a late duplicate re-marks the minute.
    await store.readings_coll.delete_many({"seq": {"$lt": 8}})
    assert await store.insert_readings([reading(9, T0 + 9 * SECOND, temperature=1.0)]) == InsertResult(0, 1)

    await store.maintain(now_ms=T0 + HOUR)

    [row] = await documents(store.rollups[MINUTE])
    assert row["n"] == 10
    history = await store.history(HistoryQuery("dev-a", T0, T0 + HOUR, ("temperature",), 1), now_ms=T0 + HOUR)
    assert [b.n for b in history.buckets] == [10]


async def test_history_reads_raw_readings_for_minutes_still_marked(database: Database) -> None:
    store = await MongoStore.open(database)
    await store.insert_readings([reading(i, T0 + i * 10 * SECOND, temperature=1.0) for i in range(12)])
    await store.maintain(now_ms=T0 + HOUR)
    await store.insert_readings([reading(100, T0 + 61 * SECOND, temperature=9.0)])  # marks minute 1 again

    history = await store.history(HistoryQuery("dev-a", T0, T0 + HOUR, ("temperature",), 1), now_ms=T0 + HOUR)

    assert [(b.n, b.stats["temperature"].max) for b in history.buckets] == [(13, 9.0)]
    assert len(await documents(store.marks)) == 1  # nothing was written by the query


async def test_store_handles_share_one_database(database: Database) -> None:
    writer = await MongoStore.open(database)
    reader = await MongoStore.open(database)

    await writer.insert_readings([reading(1, T0, temperature=1.0)])

    assert await reader.has_device("dev-a") is True
