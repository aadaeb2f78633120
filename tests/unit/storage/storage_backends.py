"""The backends the storage contract suite runs against, and the readings it uses.

* ``sqlite``: an SQLite file under the test's temporary folder, written by the store's writer
  process (the default).
* ``sqlite[thread]``: the same, written from a thread of the test's process (``writer="thread"``).
* ``mongo[mongomock]``: the Mongo store on mongomock, an in-memory FAKE of MongoDB (no MongoDB
  server can run on the CI machines); see tests/support/mongomock_async.py and the list of what it
  cannot verify in docs/storage.md.
* ``mongo[server]``: the Mongo store on a real MongoDB, only when ``MONGO_URL`` is set, e.g.
  ``MONGO_URL=mongodb://127.0.0.1:27017 .venv/bin/python -m pytest tests/unit/storage``. Each
  test gets a fresh database ``sensebridge_test_<random>``, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from contract.models import Reading
from storage.base import Store
from storage.mongo import MongoStore
from storage.retention import RetentionPolicy
from storage.sqlite import SqliteStore, WriterKind
from tests.support.mongomock_async import mongomock_database

T0 = 1_795_334_400_000  # 2026-11-22T08:00:00Z, a whole hour
SECOND = 1_000
MINUTE = 60_000
HOUR = 3_600_000
DAY = 86_400_000


@dataclass
class Backend:
    """A place to keep data; ``open()`` gives a new store handle on the same data (a second writer)."""

    name: str
    open: Callable[[RetentionPolicy | None], Awaitable[Store]]

    @property
    def is_mongo(self) -> bool:
        return self.name.startswith("mongo")


def backend_params() -> list[Any]:
    params = [
        pytest.param("sqlite", id="sqlite"),
        pytest.param("sqlite-thread", id="sqlite[thread]"),
        pytest.param("mongomock", id="mongo[mongomock]"),
    ]
    if os.environ.get("MONGO_URL"):
        params.append(pytest.param("server", id="mongo[server]"))
    return params


@asynccontextmanager
async def make_backend(kind: str, folder: Path) -> AsyncIterator[Backend]:
    """A fresh, empty backend of ``kind``, removed afterwards."""
    if kind in ("sqlite", "sqlite-thread"):
        path = folder / "contract.sqlite3"
        writer: WriterKind = "thread" if kind == "sqlite-thread" else "process"

        async def open_sqlite(retention: RetentionPolicy | None) -> Store:
            return await SqliteStore.open(path, retention=retention, writer=writer)

        yield Backend(kind, open_sqlite)
    elif kind == "mongomock":
        database = mongomock_database()

        async def open_mongomock(retention: RetentionPolicy | None) -> Store:
            return await MongoStore.open(database, retention=retention)

        yield Backend("mongo[mongomock]", open_mongomock)
    else:
        from pymongo import AsyncMongoClient  # noqa: PLC0415 - only with a real server

        url = os.environ["MONGO_URL"]
        name = f"sensebridge_test_{uuid.uuid4().hex[:12]}"

        async def open_server(retention: RetentionPolicy | None) -> Store:
            client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(url, tz_aware=True)
            return await MongoStore.open(client.get_database(name), retention=retention, on_close=client.close)

        try:
            yield Backend("mongo[server]", open_server)
        finally:
            admin: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(url)
            await admin.drop_database(name)
            await admin.close()


def reading(
    seq: int,
    ts_ms: int,
    *,
    device: str = "dev-a",
    boot: str = "boot-1",
    rx_ms: int | None = None,
    **values: float,
) -> Reading:
    return Reading(
        device=device, boot=boot, seq=seq, ts_ms=ts_ms, rx_ms=ts_ms + 9 if rx_ms is None else rx_ms, values=values
    )


def keys(readings: list[Reading]) -> list[tuple[str, str, int]]:
    return [(r.device, r.boot, r.seq) for r in readings]


async def everything(store: Store, device: str = "dev-a") -> list[Reading]:
    page = await store.readings(device, since_ms=-(2**53), until_ms=2**53, limit=100_000)
    assert not page.truncated
    return page.readings
