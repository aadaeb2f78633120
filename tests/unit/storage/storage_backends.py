"""The backends the storage contract suite runs against, and the readings it uses.

* ``sqlite``: an SQLite file under the test's temporary folder, written by the store's writer
  process (the default).
* ``sqlite[thread]``: the same, written from a thread of the test's process (``writer="thread"``).
* ``mongo[secantusdb-standin]``: the Mongo store through pymongo's real ``AsyncMongoClient``, over
  the wire, on SecantusDB (the session's ``mongo_wire_session`` fixture). SecantusDB is a STAND-IN,
  not MongoDB: no MongoDB server can run on the CI machines; what it leaves unverified (replica
  sets, time-series bucketing, TTL timing, performance) is listed in docs/storage.md.
* ``mongo[server]``: the Mongo store on a real MongoDB, only when ``MONGO_URL`` is set, e.g.
  ``MONGO_URL=mongodb://127.0.0.1:27017 .venv/bin/python -m pytest tests/unit/storage``.

Each Mongo test gets a fresh database ``sensebridge_test_<random>``, dropped afterwards.
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
from pymongo import AsyncMongoClient

from contract.models import Reading
from devstack import ServerHandle
from storage.base import Store
from storage.mongo import MongoStore
from storage.retention import RetentionPolicy
from storage.sqlite import SqliteStore, WriterKind

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


STANDIN = "secantusdb-standin"


def backend_params() -> list[Any]:
    params = [
        pytest.param("sqlite", id="sqlite"),
        pytest.param("sqlite-thread", id="sqlite[thread]"),
        pytest.param(STANDIN, id=f"mongo[{STANDIN}]"),
    ]
    if os.environ.get("MONGO_URL"):
        params.append(pytest.param("server", id="mongo[server]"))
    return params


def mongo_url_for(request: pytest.FixtureRequest) -> str | None:
    """The Mongo server a backend parameter needs: the session's stand-in, ``MONGO_URL``, or none (SQLite)."""
    if request.param == STANDIN:
        server: ServerHandle = request.getfixturevalue("mongo_wire_session")
        server.recover()
        return server.url
    if request.param == "server":
        return os.environ["MONGO_URL"]
    return None


@asynccontextmanager
async def make_backend(kind: str, folder: Path, mongo_url: str | None = None) -> AsyncIterator[Backend]:
    """A fresh, empty backend of ``kind``, removed afterwards (``mongo_url``: see :func:`mongo_url_for`)."""
    if kind in ("sqlite", "sqlite-thread"):
        path = folder / "contract.sqlite3"
        writer: WriterKind = "thread" if kind == "sqlite-thread" else "process"

        async def open_sqlite(retention: RetentionPolicy | None) -> Store:
            return await SqliteStore.open(path, retention=retention, writer=writer)

        yield Backend(kind, open_sqlite)
        return
    assert mongo_url is not None, f"backend {kind} needs a Mongo server"
    name = f"sensebridge_test_{uuid.uuid4().hex[:12]}"

    async def open_mongo(retention: RetentionPolicy | None) -> Store:
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url, tz_aware=True)
        return await MongoStore.open(client.get_database(name), retention=retention, on_close=client.close)

    try:
        yield Backend(f"mongo[{kind}]", open_mongo)
    finally:
        admin: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url)
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
