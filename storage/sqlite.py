"""SQLite store: the embedded mode's default.

WAL journal so the server reads while the bridge writes; ``synchronous=FULL`` because
a storage ack promises the device its reading survives a power cut, and the device
deletes it on that promise. All writes go through one writer (SQLite has one anyway):
by default a child process (:mod:`storage.sqlite_writer`, so the writes do not compete
with the caller's event loop for the GIL), or a thread (``writer="thread"``). Reads use
a small pool of threads with their own connections. Rollups are kept in the insert
transaction (:mod:`storage.sqlite_sql`); retention is a chunked purge run by
:meth:`SqliteStore.maintain`.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Literal, TypeVar

from contract.models import Reading, Status
from storage import sqlite_ops
from storage import sqlite_sql as sql
from storage.base import (
    EXPORT_PAGE,
    DeviceSummary,
    InsertResult,
    MaintenanceReport,
    QuarantinedMessage,
    ReadingKey,
    ReadingPage,
    StoreError,
    keyset_pages,
)
from storage.downsample import Bucket
from storage.history import History, HistoryQuery, answer_history
from storage.plan import HOUR_MS, MINUTE_MS, RAW, SOURCE_NAMES, Part
from storage.retention import RetentionPolicy
from storage.sqlite_writer import WriterProcess

T = TypeVar("T")
WriterKind = Literal["process", "thread"]

PURGE_CHUNK = 20_000
_SELECT_READING = f"SELECT boot, seq, ts, rx, {sql.COLUMNS} FROM readings "  # noqa: S608 - constant columns


class SqliteStore:
    """:class:`storage.base.Store` on one SQLite file."""

    def __init__(self, path: Path, retention: RetentionPolicy | None = None, writer: WriterKind = "process") -> None:
        """Use :meth:`open` instead: it creates the schema off the event loop."""
        self._path = path
        self._retention = retention or RetentionPolicy()
        self._process = WriterProcess(path) if writer == "process" else None
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-writer")
        self._readers = ThreadPoolExecutor(max_workers=2, thread_name_prefix="sqlite-reader")
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    @classmethod
    async def open(
        cls, path: Path, *, retention: RetentionPolicy | None = None, writer: WriterKind = "process"
    ) -> SqliteStore:
        """Open ``path``, creating the file, its folder and the schema if needed.

        Args:
            path: The database file.
            retention: How long each resolution is kept.
            writer: Where writes run: a child process (the default; started on the first write)
                or a thread of this process (the benchmark's "before").

        Raises:
            StoreError: the file cannot be opened or is not an sensebridge database.
        """
        store = cls(path, retention, writer)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            await store._write(sqlite_ops.migrate)
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

    @property
    def retention(self) -> RetentionPolicy:
        """How long each resolution is kept."""
        return self._retention

    @property
    def writer_pid(self) -> int | None:
        """The writer process's id while one runs (None with a writer thread)."""
        return self._process.pid if self._process is not None else None

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite_ops.connect(self._path)
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

    async def _call(self, op: str, *args: Any) -> Any:
        """Run the write ``storage.sqlite_ops.WRITES[op]`` on the writer (process or thread)."""
        if self._process is not None:
            return await asyncio.get_running_loop().run_in_executor(self._writer, self._process.call, op, *args)
        return await self._write(lambda conn: sqlite_ops.WRITES[op](conn, *args))

    async def _read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._readers, self._run, fn)

    # --- writes -------------------------------------------------------------------

    async def insert_readings(self, readings: Sequence[Reading]) -> InsertResult:
        """See :meth:`storage.base.Store.insert_readings`."""
        if not readings:
            return InsertResult(stored=0, duplicates=0)
        rows = [sql.reading_row(r) for r in readings]
        newest: dict[str, int] = {}
        for r in readings:
            if r.ts_ms > newest.get(r.device, -(2**63)):
                newest[r.device] = r.ts_ms
        stored = int(await self._call("insert", rows, list(newest.items())))
        return InsertResult(stored=stored, duplicates=len(readings) - stored)

    async def record_statuses(self, statuses: Sequence[tuple[Status, int]]) -> None:
        """See :meth:`storage.base.Store.record_statuses`."""
        rows = [(s.device, int(s.online), s.boot, rx, s.pending, s.dropped) for s, rx in statuses]
        if rows:
            await self._call("record_statuses", rows)

    async def quarantine(self, messages: Sequence[QuarantinedMessage]) -> None:
        """See :meth:`storage.base.Store.quarantine`."""
        rows = [(m.rx_ms, m.topic, m.reason, m.detail, m.device, m.excerpt) for m in messages]
        if rows:
            await self._call("quarantine", rows)

    async def maintain(self, *, now_ms: int) -> MaintenanceReport:
        """See :meth:`storage.base.Store.maintain`: purge what retention no longer keeps, in chunks.

        Each chunk is its own transaction, so the bridge's inserts go on between them.
        """
        devices = await self._read(lambda conn: [d for (d,) in conn.execute("SELECT device FROM devices")])
        purged: dict[str, int] = {}
        for source in (RAW, MINUTE_MS, HOUR_MS):
            cutoff = self._retention.cutoff_ms(source, now_ms=now_ms)
            if cutoff is None:
                continue
            total = 0
            for device in devices:
                more = True
                while more:
                    deleted, more = await self._call("purge_chunk", source, device, cutoff, PURGE_CHUNK)
                    total += deleted
            purged[SOURCE_NAMES[source]] = total
        return MaintenanceReport(purged=purged)

    # --- reads --------------------------------------------------------------------

    async def readings(self, device: str, *, since_ms: int, until_ms: int, limit: int) -> ReadingPage:
        """See :meth:`storage.base.Store.readings`."""
        page = await self._readings_after(device, None, since_ms=since_ms, until_ms=until_ms, limit=limit + 1)
        return ReadingPage(readings=page[:limit], truncated=len(page) > limit)

    async def _readings_after(
        self, device: str, after: ReadingKey | None, *, since_ms: int, until_ms: int, limit: int
    ) -> list[Reading]:
        where, args = "WHERE device = ? AND ts >= ? AND ts < ?", [device, since_ms, until_ms]
        if after is not None:
            a_ts, a_boot, a_seq = after
            where += " AND ts >= ? AND (ts > ? OR boot > ? OR (boot = ? AND seq > ?))"
            args += [a_ts, a_ts, a_boot, a_boot, a_seq]

        def query(conn: sqlite3.Connection) -> list[Reading]:
            rows = conn.execute(f"{_SELECT_READING}{where} ORDER BY ts, boot, seq LIMIT ?", (*args, limit)).fetchall()
            return [sql.row_to_reading(device, row) for row in rows]

        return await self._read(query)

    def export(
        self, device: str, *, since_ms: int, until_ms: int, page_size: int = EXPORT_PAGE
    ) -> AsyncIterator[list[Reading]]:
        """See :meth:`storage.base.Store.export`."""
        return keyset_pages(self._readings_after, device, since_ms=since_ms, until_ms=until_ms, page_size=page_size)

    async def devices(self) -> list[DeviceSummary]:
        """See :meth:`storage.base.Store.devices`."""

        def query(conn: sqlite3.Connection) -> list[DeviceSummary]:
            summaries = []
            for device, online, boot, status_rx, pending, dropped, last_seen in conn.execute(
                "SELECT device, online, boot, status_rx, pending, dropped, last_seen FROM devices ORDER BY device"
            ).fetchall():
                row = conn.execute(f"{_SELECT_READING}WHERE device = ? ORDER BY ts DESC LIMIT 1", (device,)).fetchone()
                summaries.append(
                    DeviceSummary(
                        device=device,
                        online=bool(online),
                        boot=boot,
                        status_ts_ms=status_rx,
                        pending=pending,
                        dropped=dropped,
                        last_seen_ms=last_seen,
                        latest=sql.row_to_reading(device, row) if row else None,
                    )
                )
            return summaries

        return await self._read(query)

    async def has_device(self, device: str) -> bool:
        """See :meth:`storage.base.Store.has_device`."""
        return await self._read(
            lambda conn: conn.execute("SELECT 1 FROM devices WHERE device = ?", (device,)).fetchone() is not None
        )

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

    # --- history (storage.history.HistorySource) ----------------------------------

    async def history(self, query: HistoryQuery, *, now_ms: int) -> History:
        """See :meth:`storage.base.Store.history`."""
        return await answer_history(self, query, retention=self._retention, now_ms=now_ms)

    async def count_readings(self, device: str, *, since_ms: int, until_ms: int, cap: int) -> int:
        """Raw readings in the range, counting at most ``cap`` (an index-only scan)."""
        return await self._read(
            lambda conn: conn.execute(
                "SELECT count(*) FROM (SELECT 1 FROM readings WHERE device = ? AND ts >= ? AND ts < ? LIMIT ?)",
                (device, since_ms, until_ms, cap),
            ).fetchone()[0]
        )

    async def history_readings(self, device: str, *, since_ms: int, until_ms: int, limit: int) -> list[Reading]:
        """Raw readings in the range, oldest first, at most ``limit``."""
        return await self._readings_after(device, None, since_ms=since_ms, until_ms=until_ms, limit=limit)

    async def stale_rollups(self, device: str, *, since_ms: int, until_ms: int) -> Mapping[int, Sequence[int]]:
        """Never any: rollups change in the same transaction as the readings."""
        return {}

    async def aggregate(
        self, device: str, parts: Sequence[Part], *, bucket_ms: int, channels: Sequence[str]
    ) -> list[Bucket]:
        """Partial buckets per part, grouped in SQL."""
        statements = [(sql.aggregate_sql(p.source_ms, bucket_ms=bucket_ms, channels=channels), p) for p in parts]

        def query(conn: sqlite3.Connection) -> list[Bucket]:
            buckets = []
            for statement, part in statements:
                for row in conn.execute(statement, (device, part.since_ms, part.until_ms)):
                    buckets.append(sql.row_to_bucket(row, channels))
            return buckets

        return await self._read(query)

    # --- lifecycle ----------------------------------------------------------------

    async def close(self) -> None:
        """See :meth:`storage.base.Store.close`."""
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, self._shutdown)

    def _shutdown(self) -> None:
        self._writer.shutdown(wait=True)
        if self._process is not None:
            self._process.close()
        self._readers.shutdown(wait=True)
        with self._lock:
            connections, self._connections = self._connections, []
        for conn in connections:
            conn.close()
