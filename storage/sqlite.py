"""SQLite store: the embedded mode's default.

WAL journal so the server reads while the bridge writes; ``synchronous=FULL`` because
a storage ack promises the device its reading survives a power cut, and the device
deletes it on that promise. All writes go through one thread (SQLite has one writer
anyway); reads use a small pool of their own connections.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from contract.channels import CHANNEL_NAMES
from contract.models import Reading, Status
from storage.base import DeviceSummary, InsertResult, QuarantinedMessage, ReadingPage, StoreError

T = TypeVar("T")

_COLUMNS = ", ".join(CHANNEL_NAMES)
_READING_COLUMNS = f"device, boot, seq, ts, rx, {_COLUMNS}"
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS readings (
    device TEXT NOT NULL,
    boot TEXT NOT NULL,
    seq INTEGER NOT NULL,
    ts INTEGER NOT NULL,
    rx INTEGER NOT NULL,
    {", ".join(f"{name} REAL" for name in CHANNEL_NAMES)},
    PRIMARY KEY (device, boot, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS readings_device_ts ON readings (device, ts);
CREATE TABLE IF NOT EXISTS devices (
    device TEXT PRIMARY KEY,
    online INTEGER NOT NULL DEFAULT 0,
    boot TEXT,
    status_rx INTEGER,
    pending INTEGER,
    dropped INTEGER,
    last_seen INTEGER
);
CREATE TABLE IF NOT EXISTS quarantine (
    id INTEGER PRIMARY KEY,
    rx INTEGER NOT NULL,
    topic TEXT NOT NULL,
    reason TEXT NOT NULL,
    detail TEXT NOT NULL,
    device TEXT,
    excerpt TEXT NOT NULL
);
"""
_INSERT = (
    f"INSERT OR IGNORE INTO readings ({_READING_COLUMNS}) "  # noqa: S608 - column names are constants
    f"VALUES ({', '.join('?' * (5 + len(CHANNEL_NAMES)))})"
)
_TOUCH_DEVICE = (
    "INSERT INTO devices (device, last_seen) VALUES (?, ?) "
    "ON CONFLICT (device) DO UPDATE SET last_seen = max(coalesce(last_seen, 0), excluded.last_seen)"
)
_STATUS = (
    "INSERT INTO devices (device, online, boot, status_rx, pending, dropped) VALUES (?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (device) DO UPDATE SET online = excluded.online, boot = excluded.boot, "
    "status_rx = excluded.status_rx, pending = coalesce(excluded.pending, pending), "
    "dropped = coalesce(excluded.dropped, dropped)"
)


def _connect(path: Path) -> sqlite3.Connection:
    # Each connection is used by one executor thread only; check_same_thread is off so
    # close() can run from the shutdown thread once the executors have finished.
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA busy_timeout=10000")
    return conn


def _row_to_reading(device: str, row: Sequence[object]) -> Reading:
    boot, seq, ts, rx, *values = row
    return Reading(
        device=device,
        boot=str(boot),
        seq=int(seq),  # type: ignore[call-overload]
        ts_ms=int(ts),  # type: ignore[call-overload]
        rx_ms=int(rx),  # type: ignore[call-overload]
        values={name: float(v) for name, v in zip(CHANNEL_NAMES, values, strict=True) if v is not None},  # type: ignore[arg-type]
    )


class SqliteStore:
    """:class:`storage.base.Store` on one SQLite file."""

    def __init__(self, path: Path) -> None:
        """Use :meth:`open` instead: it creates the schema off the event loop."""
        self._path = path
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-writer")
        self._readers = ThreadPoolExecutor(max_workers=2, thread_name_prefix="sqlite-reader")
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    @classmethod
    async def open(cls, path: Path) -> SqliteStore:
        """Open ``path``, creating the file, its folder and the schema if needed.

        Raises:
            StoreError: the file cannot be opened or is not an sensebridge database.
        """
        store = cls(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            await store._write(lambda conn: conn.executescript(_SCHEMA))
        except OSError as exc:
            await store.close()
            raise StoreError(f"cannot open SQLite store {path}: {exc}") from exc
        except StoreError:
            await store.close()
            raise
        return store

    @property
    def path(self) -> Path:
        """The database file."""
        return self._path

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = _connect(self._path)
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    def _run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        try:
            return fn(self._conn())
        except sqlite3.Error as exc:
            raise StoreError(f"SQLite {self._path}: {exc}") from exc

    async def _write(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._writer, self._run, fn)

    async def _read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._readers, self._run, fn)

    async def insert_readings(self, readings: Sequence[Reading]) -> InsertResult:
        """See :meth:`storage.base.Store.insert_readings`."""
        if not readings:
            return InsertResult(stored=0, duplicates=0)
        rows = [
            (r.device, r.boot, r.seq, r.ts_ms, r.rx_ms, *(r.values.get(name) for name in CHANNEL_NAMES))
            for r in readings
        ]
        newest: dict[str, int] = {}
        for r in readings:
            if r.ts_ms > newest.get(r.device, -1):
                newest[r.device] = r.ts_ms

        def insert(conn: sqlite3.Connection) -> int:
            before = conn.total_changes
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.executemany(_INSERT, rows)
                stored = conn.total_changes - before
                conn.executemany(_TOUCH_DEVICE, list(newest.items()))
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            return stored

        stored = await self._write(insert)
        return InsertResult(stored=stored, duplicates=len(readings) - stored)

    async def record_statuses(self, statuses: Sequence[tuple[Status, int]]) -> None:
        """See :meth:`storage.base.Store.record_statuses`."""
        rows = [(s.device, int(s.online), s.boot, rx, s.pending, s.dropped) for s, rx in statuses]
        if rows:
            await self._write(lambda conn: conn.executemany(_STATUS, rows))

    async def quarantine(self, messages: Sequence[QuarantinedMessage]) -> None:
        """See :meth:`storage.base.Store.quarantine`."""
        rows = [(m.rx_ms, m.topic, m.reason, m.detail, m.device, m.excerpt) for m in messages]
        if rows:
            await self._write(
                lambda conn: conn.executemany(
                    "INSERT INTO quarantine (rx, topic, reason, detail, device, excerpt) VALUES (?, ?, ?, ?, ?, ?)",
                    rows,
                )
            )

    async def readings(self, device: str, *, since_ms: int, until_ms: int, limit: int) -> ReadingPage:
        """See :meth:`storage.base.Store.readings`."""

        def query(conn: sqlite3.Connection) -> ReadingPage:
            rows = conn.execute(
                f"SELECT boot, seq, ts, rx, {_COLUMNS} FROM readings "  # noqa: S608 - constant columns
                "WHERE device = ? AND ts >= ? AND ts < ? ORDER BY ts, boot, seq LIMIT ?",
                (device, since_ms, until_ms, limit + 1),
            ).fetchall()
            return ReadingPage(
                readings=[_row_to_reading(device, row) for row in rows[:limit]], truncated=len(rows) > limit
            )

        return await self._read(query)

    async def devices(self) -> list[DeviceSummary]:
        """See :meth:`storage.base.Store.devices`."""

        def query(conn: sqlite3.Connection) -> list[DeviceSummary]:
            summaries = []
            for device, online, boot, status_rx, pending, dropped, last_seen in conn.execute(
                "SELECT device, online, boot, status_rx, pending, dropped, last_seen FROM devices ORDER BY device"
            ).fetchall():
                row = conn.execute(
                    f"SELECT boot, seq, ts, rx, {_COLUMNS} FROM readings "  # noqa: S608 - constant columns
                    "WHERE device = ? ORDER BY ts DESC LIMIT 1",
                    (device,),
                ).fetchone()
                summaries.append(
                    DeviceSummary(
                        device=device,
                        online=bool(online),
                        boot=boot,
                        status_ts_ms=status_rx,
                        pending=pending,
                        dropped=dropped,
                        last_seen_ms=last_seen,
                        latest=_row_to_reading(device, row) if row else None,
                    )
                )
            return summaries

        return await self._read(query)

    async def quarantined(self, *, limit: int) -> list[QuarantinedMessage]:
        """See :meth:`storage.base.Store.quarantined`."""

        def query(conn: sqlite3.Connection) -> list[QuarantinedMessage]:
            return [
                QuarantinedMessage(rx_ms=rx, topic=topic, reason=reason, detail=detail, device=device, excerpt=ex)
                for rx, topic, reason, detail, device, ex in conn.execute(
                    "SELECT rx, topic, reason, detail, device, excerpt FROM quarantine ORDER BY id DESC LIMIT ?",
                    (limit,),
                ).fetchall()
            ]

        return await self._read(query)

    async def close(self) -> None:
        """See :meth:`storage.base.Store.close`."""
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, self._shutdown)

    def _shutdown(self) -> None:
        self._writer.shutdown(wait=True)
        self._readers.shutdown(wait=True)
        with self._lock:
            connections, self._connections = self._connections, []
        for conn in connections:
            conn.close()
