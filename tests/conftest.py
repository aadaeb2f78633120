"""Fixtures for every test: real Mosquitto, Redis, PostgreSQL and a MongoDB stand-in on free ports, and unique ids.

The servers come from :mod:`devstack`: Mosquitto (with the repository's own ``mosquitto/conf.d``:
anonymous clients are refused; the handle's URL carries the test-only ``devstack`` account, and
``access`` adds device, bridge and integration accounts for the security tests),
Redis, PostgreSQL (Debian's binaries, a throwaway cluster) and SecantusDB (a MongoDB
wire-protocol STAND-IN, not MongoDB) are started at most once per session, when a test first
asks for them, on 127.0.0.1 and free ports, never the machine's 1883/6379/5432/27017. The
function-scoped ``mosquitto``, ``redis_server``, ``postgres`` and ``mongo_wire`` fixtures hand
them to a test and, after it, undo what it did to the process (resume, restart), so a test
may stop, kill or pause them. Redis is flushed before and after every test. The others are
not reset: isolate with topics, databases and collections named from ``unique_id`` (and never
expect a wildcard across devices to see only your messages: retained state of earlier tests
survives), or start a private server with a ``*_factory``. When a test fails, the log tails
of the servers it used join its report.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Generator, Iterator
from typing import Any

import pytest

from devstack import (
    ServerFactory,
    ServerHandle,
    redis_command,
    start_mosquitto,
    start_postgres,
    start_redis,
    start_secantusdb,
)
from devstack.mosquitto import BrokerHandle

_USED_SERVERS = pytest.StashKey[list[ServerHandle]]()


def _use(request: pytest.FixtureRequest, server: ServerHandle) -> None:
    used = request.node.stash.setdefault(_USED_SERVERS, [])
    if server not in used:
        used.append(server)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Attach the log tails of the servers a failing test used to its report."""
    report = yield
    if report.failed:
        for server in item.stash.get(_USED_SERVERS, []):
            report.sections.append((f"{server.name} log ({server.process.log_path})", server.log_tail()))
    return report


@pytest.fixture(scope="session")
def mosquitto_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrokerHandle]:
    """The session's broker; tests should take ``mosquitto``, which restores it after them."""
    server = start_mosquitto(tmp_path_factory.mktemp("mosquitto"))
    yield server
    server.stop()


@pytest.fixture
def mosquitto(mosquitto_session: BrokerHandle, request: pytest.FixtureRequest) -> Iterator[BrokerHandle]:
    """A running Mosquitto broker: ``host``, ``port``, ``url`` (``mqtt://devstack:<password>@127.0.0.1:<port>``,
    the test-only all-topics account), ``access`` (add, rotate, revoke accounts; the broker reloads),
    ``process`` and ``restart()``/``kill()``/``stop()``/``start()``/``pause()``/``resume()``.
    Persistence is on, so a restart keeps retained messages and sessions.
    """
    mosquitto_session.recover()
    _use(request, mosquitto_session)
    yield mosquitto_session
    mosquitto_session.recover()


@pytest.fixture
def mosquitto_factory(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[ServerFactory]:
    """Start private brokers: ``make(port=None, persistence=True, extra_config="")``, stopped after the test.

    Each has its own ``access`` (the ``devstack`` account in its ``url``, more added by the test).
    """
    started: list[BrokerHandle] = []

    def make(*, port: int | None = None, persistence: bool = True, extra_config: str = "") -> BrokerHandle:
        workdir = tmp_path_factory.mktemp("mosquitto-private")
        server = start_mosquitto(workdir, port=port, persistence=persistence, extra_config=extra_config)
        started.append(server)
        _use(request, server)
        return server

    yield make
    for server in started:
        server.stop()


def _flush(server: ServerHandle) -> None:
    redis_command(server.host, server.port, "FLUSHALL")


@pytest.fixture(scope="session")
def redis_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerHandle]:
    """The session's Redis; tests should take ``redis_server``, which empties and restores it."""
    server = start_redis(tmp_path_factory.mktemp("redis"))
    yield server
    server.stop()


@pytest.fixture
def redis_server(redis_session: ServerHandle, request: pytest.FixtureRequest) -> Iterator[ServerHandle]:
    """An empty running Redis: ``host``, ``port``, ``url`` (``redis://127.0.0.1:<port>/0``),
    ``process`` and the same fault controls as ``mosquitto``. Flushed before and after the test.
    """
    redis_session.recover()
    _flush(redis_session)
    _use(request, redis_session)
    yield redis_session
    redis_session.recover()
    _flush(redis_session)


@pytest.fixture
def redis_factory(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[ServerFactory]:
    """Start private Redis servers: ``make(port=None)``, stopped after the test."""
    started: list[ServerHandle] = []

    def make(*, port: int | None = None) -> ServerHandle:
        server = start_redis(tmp_path_factory.mktemp("redis-private"), port=port)
        started.append(server)
        _use(request, server)
        return server

    yield make
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def postgres_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerHandle]:
    """The session's PostgreSQL; tests should take ``postgres``, which restores it after them."""
    server = start_postgres(tmp_path_factory.mktemp("postgres"))
    yield server
    server.stop()


@pytest.fixture
def postgres(postgres_session: ServerHandle, request: pytest.FixtureRequest) -> Iterator[ServerHandle]:
    """A running PostgreSQL: ``url`` (``postgresql://sensebridge@127.0.0.1:<port>/sensebridge``, the
    superuser, no password), ``host``, ``port``, ``process`` and the same fault controls as ``mosquitto``.
    The database is shared by the session: create your own (``CREATE DATABASE``) to start empty.
    """
    postgres_session.recover()
    _use(request, postgres_session)
    yield postgres_session
    postgres_session.recover()


@pytest.fixture
def postgres_factory(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[ServerFactory]:
    """Start private PostgreSQL clusters: ``make(port=None, user=..., database=...)``, stopped after the test."""
    started: list[ServerHandle] = []

    def make(**options: Any) -> ServerHandle:
        server = start_postgres(tmp_path_factory.mktemp("postgres-private"), **options)
        started.append(server)
        _use(request, server)
        return server

    yield make
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def mongo_wire_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerHandle]:
    """The session's MongoDB stand-in; tests should take ``mongo_wire``, which restores it after them."""
    server = start_secantusdb(tmp_path_factory.mktemp("secantusdb"))
    yield server
    server.stop()


@pytest.fixture
def mongo_wire(mongo_wire_session: ServerHandle, request: pytest.FixtureRequest) -> Iterator[ServerHandle]:
    """A MongoDB wire-protocol server for pymongo: SecantusDB, a STAND-IN, not MongoDB (single node;
    replica sets, time-series bucketing and performance unverified; never benchmark on it).

    ``url`` is ``mongodb://127.0.0.1:<port>``: add a database named from ``unique_id``
    (``f"{mongo_wire.url}/{unique_id}"``), as the server is shared by the session.
    """
    mongo_wire_session.recover()
    _use(request, mongo_wire_session)
    yield mongo_wire_session
    mongo_wire_session.recover()


_NOT_ID_CHARS = re.compile(r"[^a-z0-9]+")


@pytest.fixture
def unique_id(request: pytest.FixtureRequest) -> str:
    """A short id unique to this test, valid as a device id (``^[a-z0-9][a-z0-9_-]{0,63}$``).

    Readable in broker logs: part of the test's name, then 8 random hex digits.
    """
    stem = _NOT_ID_CHARS.sub("-", request.node.name.lower().removeprefix("test_"))[:24].strip("-")
    suffix = uuid.uuid4().hex[:8]
    return f"{stem}-{suffix}" if stem else suffix
