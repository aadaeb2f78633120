"""The SQLite store's writes, as functions of a connection.

They run on the store's one writer: the writer process (:mod:`storage.sqlite_writer`, the
default) or the writer thread. Every argument and result is a JSON-able value, so the same
function serves both: :data:`WRITES` names them for the writer process's requests.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from storage import sqlite_sql as sql
from storage.plan import HOUR_MS, MINUTE_MS, RAW

_PURGED = {RAW: ("readings", "ts"), MINUTE_MS: ("rollup_minute", "t"), HOUR_MS: ("rollup_hour", "t")}
_QUARANTINE = "INSERT INTO quarantine (rx, topic, reason, detail, device, excerpt) VALUES (?, ?, ?, ?, ?, ?)"


def connect(path: Path | str) -> sqlite3.Connection:
    """A connection with the store's pragmas (WAL, ``synchronous=FULL``, a busy timeout)."""
    # Each connection is used by one thread only; check_same_thread is off so close() can run
    # from the shutdown thread once the executors have finished.
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA busy_timeout=10000")
    conn.execute("PRAGMA temp_store=MEMORY")  # the insert path's staging tables
    return conn


def migrate(conn: sqlite3.Connection) -> None:
    """Create the schema, or bring an older file up to :data:`storage.sqlite_sql.SCHEMA_VERSION`."""
    (version,) = conn.execute("PRAGMA user_version").fetchone()
    if version > sql.SCHEMA_VERSION:
        raise sqlite3.DatabaseError(f"schema version {version} is newer than this program's {sql.SCHEMA_VERSION}")
    conn.executescript(sql.SCHEMA)
    conn.executescript(sql.STAGING)
    conn.execute("BEGIN IMMEDIATE")
    try:
        (version,) = conn.execute("PRAGMA user_version").fetchone()
        if version == 0:
            # Files from before the rollups: build them once from the stored readings.
            conn.execute("DELETE FROM temp.delta")
            conn.execute(sql.delta_insert(source="main.readings"))
            for size in sql.ROLLUP_TABLES:
                conn.execute(sql.rollup_merge(size))
            conn.execute("DELETE FROM temp.delta")
            conn.execute(f"PRAGMA user_version = {sql.SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def insert(conn: sqlite3.Connection, rows: Sequence[Sequence[object]], newest: Sequence[Sequence[object]]) -> int:
    """Insert reading rows (:func:`storage.sqlite_sql.reading_row`) and their rollups in one transaction.

    Args:
        conn: The writer connection.
        rows: The readings; keys already stored, or repeated in ``rows``, are skipped.
        newest: ``(device, ts)`` of each device's newest reading in ``rows`` (its last-seen time).

    Returns:
        How many rows were new.
    """
    conn.executescript(sql.STAGING)  # the temp tables and trigger of this connection (no-op once made)
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("DELETE FROM temp.incoming")
        conn.executemany(sql.INSERT, rows)  # OR IGNORE: stored keys and repeats within the batch are skipped
        (stored,) = conn.execute(sql.COUNT_NEW).fetchone()
        if stored:
            conn.execute("DELETE FROM temp.delta")
            conn.execute(sql.delta_insert(source="temp.incoming"))
            for size in sql.ROLLUP_TABLES:
                conn.execute(sql.rollup_merge(size))
        conn.executemany(sql.TOUCH_DEVICE, newest)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return int(stored)


def record_statuses(conn: sqlite3.Connection, rows: Sequence[Sequence[object]]) -> None:
    """Upsert ``(device, online, boot, rx, pending, dropped)`` status rows."""
    conn.executemany(sql.STATUS, rows)


def quarantine(conn: sqlite3.Connection, rows: Sequence[Sequence[object]]) -> None:
    """Keep ``(rx, topic, reason, detail, device, excerpt)`` rows of rejected messages."""
    conn.executemany(_QUARANTINE, rows)


def purge_chunk(conn: sqlite3.Connection, source: int, device: str, cutoff: int, chunk: int) -> tuple[int, bool]:
    """Delete up to about ``chunk`` rows of ``source`` older than ``cutoff``; also says whether more remain."""
    table, column = _PURGED[source]
    row = conn.execute(
        f"SELECT {column} FROM {table} WHERE device = ? AND {column} < ? ORDER BY {column} LIMIT 1 OFFSET ?",  # noqa: S608
        (device, cutoff, chunk),
    ).fetchone()
    if row is None:
        cursor = conn.execute(f"DELETE FROM {table} WHERE device = ? AND {column} < ?", (device, cutoff))  # noqa: S608
        return cursor.rowcount, False
    cursor = conn.execute(f"DELETE FROM {table} WHERE device = ? AND {column} <= ?", (device, row[0]))  # noqa: S608
    return cursor.rowcount, True


WRITES: dict[str, Callable[..., Any]] = {
    "insert": insert,
    "record_statuses": record_statuses,
    "quarantine": quarantine,
    "purge_chunk": purge_chunk,
}
