"""The durable outbox: every reading stays on the device until the bridge has stored it.

A reading is added *before* it is published and removed *only* when a storage ack
(:class:`contract.StorageAck`) covers its ``(boot, seq)``. A PUBACK from the broker is not
enough: Mosquitto persists by periodic snapshot, so only the bridge's word counts.

:class:`OutboxPolicy` is the pure part (when is a reading due again, what is dropped);
:class:`Outbox` applies it to one SQLite file per device.

Due order. Each row carries ``due_ms``, the time it is next due: the time it was added
if it was never sent, else the send time plus the retry wait. :meth:`Outbox.due` returns
rows with ``due_ms <= now`` ordered by ``(due_ms, insertion)``, i.e. the reading that has
waited longest first; an index on that order keeps the query cheap with a million
readings waiting. The retry wait is the ack timeout, doubled on each further attempt up
to ``max_backoff`` times the timeout, so a device whose bridge is down does not flood
the broker with its whole backlog every few seconds.

Bounds. Beyond ``max_readings`` the oldest readings are dropped, and readings older than
``max_age_ms`` are dropped by :meth:`Outbox.maintain`; every drop is added to the
persisted ``dropped`` counter (reported in the device's status), never silent.

Boots. Rows keep the boot id they were sampled under, so after an agent restart the old
boot's readings are re-sent exactly as they were.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from contract.models import Reading, StorageAck
from edge.errors import OutboxError

SCHEMA_VERSION = 1

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    # id is the insertion order, i.e. the age order the overflow rule drops by.
    """CREATE TABLE IF NOT EXISTS readings (
        id INTEGER PRIMARY KEY,
        boot TEXT NOT NULL,
        seq INTEGER NOT NULL,
        ts_ms INTEGER NOT NULL,
        due_ms INTEGER NOT NULL,
        attempts INTEGER NOT NULL,
        vals TEXT NOT NULL,
        UNIQUE (boot, seq)
    )""",
    "CREATE INDEX IF NOT EXISTS readings_due ON readings (due_ms, id)",
    "CREATE INDEX IF NOT EXISTS readings_ts ON readings (ts_ms)",
)


@dataclass(frozen=True, slots=True)
class OutboxPolicy:
    """The outbox's rules, free of storage.

    Attributes:
        max_readings: Most readings kept; beyond it the oldest are dropped.
        max_age_ms: Readings sampled longer ago than this are dropped.
        ack_timeout_ms: Wait after the first send before a reading is due again.
        max_backoff: The wait doubles per attempt up to this multiple of the timeout.
    """

    max_readings: int = 1_000_000
    max_age_ms: int = 30 * 24 * 3600 * 1000
    ack_timeout_ms: int = 10_000
    max_backoff: int = 8

    def overflow(self, count: int) -> int:
        """How many of the oldest readings to drop when ``count`` are stored."""
        return max(0, count - self.max_readings)

    def expiry_cutoff(self, now_ms: int) -> int:
        """Readings sampled before this time (ms) are too old to keep."""
        return now_ms - self.max_age_ms

    def retry_at(self, now_ms: int, attempts: int) -> int:
        """When a reading sent at ``now_ms`` for the ``attempts``-th time (1, 2, ...) is due again."""
        factor = min(1 << min(max(attempts, 1) - 1, 62), self.max_backoff)
        return now_ms + self.ack_timeout_ms * factor

    def latest_due(self, now_ms: int) -> int:
        """No honest ``due_ms`` lies beyond this; a later one was set while the clock ran ahead."""
        return now_ms + self.ack_timeout_ms * self.max_backoff

    def is_due(self, due_ms: int, now_ms: int) -> bool:
        """Whether a reading next due at ``due_ms`` is to be sent at ``now_ms``."""
        return due_ms <= now_ms


@dataclass(frozen=True, slots=True)
class Pending:
    """A reading waiting in the outbox.

    Attributes:
        reading: The reading, with the boot it was sampled under.
        attempts: How often it was sent so far (0: never).
    """

    reading: Reading
    attempts: int


class Outbox:
    """One device's outbox in a SQLite file.

    Durability: WAL with ``synchronous=NORMAL``. Every add is its own committed
    transaction, so a crash or kill of this process loses nothing: the commit has reached
    the operating system. A power cut can lose the transactions since the WAL was last
    synced to storage; SQLite syncs it at every checkpoint and :meth:`maintain`
    checkpoints (the agent calls it every second), so at most about a second of readings
    that the bridge had not stored yet is lost, and the file is never corrupted.
    ``synchronous=FULL`` would fsync on every commit: 50 fsyncs per second per device,
    several milliseconds each on an SD card and a real wear cost, for that last second.

    The file is held with an exclusive lock while open, so two agents can never share a
    device's outbox. Not thread-safe: one thread (the agent's worker) uses it; the
    :attr:`pending` and :attr:`dropped` counters may be read from anywhere.
    """

    def __init__(self, path: Path, *, device: str, policy: OutboxPolicy | None = None) -> None:
        """Open (creating if needed) the outbox of ``device`` at ``path``.

        Raises:
            OutboxError: the file cannot be opened, belongs to another device, has an
                unknown schema or is in use by another agent.
        """
        self.path = path
        self.device = device
        self.policy = policy or OutboxPolicy()
        self._pending = 0
        self._dropped = 0
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(path, timeout=0.5, isolation_level=None, check_same_thread=False)
        except (OSError, sqlite3.Error) as exc:
            raise OutboxError(path, f"cannot open: {exc}") from exc
        try:
            self._setup()
        except sqlite3.Error as exc:
            self._conn.close()
            if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
                raise OutboxError(path, "in use by another agent") from exc
            raise OutboxError(path, str(exc)) from exc
        except BaseException:
            self._conn.close()
            raise

    def _setup(self) -> None:
        conn = self._conn
        # Exclusive locking before WAL: no shared-memory index, and nobody else gets in.
        conn.execute("PRAGMA locking_mode=EXCLUSIVE")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("BEGIN IMMEDIATE")
        try:
            meta = self._create_schema(conn)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        if meta["device"] != self.device:
            raise OutboxError(self.path, f"belongs to device {meta['device']!r}, not {self.device!r}")
        self._dropped = int(meta["dropped"])
        self._pending = conn.execute("SELECT COUNT(*) FROM readings").fetchone()[0]

    def _create_schema(self, conn: sqlite3.Connection) -> dict[str, str]:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version not in (0, SCHEMA_VERSION):
            raise OutboxError(self.path, f"schema version {version}, this agent knows {SCHEMA_VERSION}")
        for statement in _SCHEMA:
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        conn.execute("INSERT OR IGNORE INTO meta VALUES ('device', ?), ('dropped', '0')", (self.device,))
        return dict(conn.execute("SELECT key, value FROM meta").fetchall())

    # --- counters ---------------------------------------------------------------------

    @property
    def pending(self) -> int:
        """Readings stored and not yet acknowledged."""
        return self._pending

    @property
    def dropped(self) -> int:
        """Readings dropped by the size or age bound, over the life of this outbox file."""
        return self._dropped

    # --- operations -------------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        conn = self._conn
        try:
            conn.execute("BEGIN")
            yield conn
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback()
            raise OutboxError(self.path, str(exc)) from exc
        except BaseException:
            self._rollback()
            raise

    def _rollback(self) -> None:
        if self._conn.in_transaction:
            with suppress(sqlite3.Error):
                self._conn.execute("ROLLBACK")

    def _drop(self, conn: sqlite3.Connection, removed: int) -> None:
        if removed:
            conn.execute("UPDATE meta SET value = ? WHERE key = 'dropped'", (str(self._dropped + removed),))

    def add(self, reading: Reading, *, now_ms: int, sent: bool = False) -> int:
        """Store a new reading (call before publishing it).

        Args:
            reading: A reading of this outbox's device.
            now_ms: Current time, milliseconds since the epoch.
            sent: The caller publishes it right after: record it as sent once at
                ``now_ms``, so it is due again only after the ack timeout.

        Returns:
            How many old readings were dropped to stay within ``max_readings``.

        Raises:
            ValueError: the reading is of another device.
            OutboxError: the database failed.
        """
        if reading.device != self.device:
            raise ValueError(f"reading of {reading.device!r} in the outbox of {self.device!r}")
        attempts = 1 if sent else 0
        due_ms = self.policy.retry_at(now_ms, attempts) if sent else now_ms
        values = json.dumps(dict(reading.values), separators=(",", ":"))
        with self._transaction() as conn:
            cursor = conn.execute(
                "INSERT OR IGNORE INTO readings (boot, seq, ts_ms, due_ms, attempts, vals) VALUES (?, ?, ?, ?, ?, ?)",
                (reading.boot, reading.seq, reading.ts_ms, due_ms, attempts, values),
            )
            added = cursor.rowcount
            excess = self.policy.overflow(self._pending + added)
            removed = 0
            if excess:
                removed = conn.execute(
                    "DELETE FROM readings WHERE id IN (SELECT id FROM readings ORDER BY id LIMIT ?)", (excess,)
                ).rowcount
                self._drop(conn, removed)
        self._pending += added - removed
        self._dropped += removed
        return removed

    def due(self, now_ms: int, limit: int) -> list[Pending]:
        """Readings to send now, the longest-waiting first.

        Args:
            now_ms: Current time, milliseconds since the epoch.
            limit: Most readings to return.

        Raises:
            OutboxError: the database failed.
        """
        try:
            rows = self._conn.execute(
                "SELECT boot, seq, ts_ms, attempts, vals FROM readings WHERE due_ms <= ? ORDER BY due_ms, id LIMIT ?",
                (now_ms, limit),
            ).fetchall()
        except sqlite3.Error as exc:
            raise OutboxError(self.path, str(exc)) from exc
        return [
            Pending(
                reading=Reading(device=self.device, boot=boot, seq=seq, ts_ms=ts_ms, values=json.loads(vals)),
                attempts=attempts,
            )
            for boot, seq, ts_ms, attempts, vals in rows
        ]

    def mark_sent(self, sent: Iterable[Pending], now_ms: int) -> None:
        """Record that these readings were published at ``now_ms``.

        Raises:
            OutboxError: the database failed.
        """
        rows = [
            (self.policy.retry_at(now_ms, item.attempts + 1), item.attempts + 1, item.reading.boot, item.reading.seq)
            for item in sent
        ]
        with self._transaction() as conn:
            conn.executemany("UPDATE readings SET due_ms = ?, attempts = ? WHERE boot = ? AND seq = ?", rows)

    def acknowledge(self, ack: StorageAck) -> int:
        """Remove the readings ``ack`` covers; other boots and devices stay untouched.

        Returns:
            How many readings were removed (already removed ones count nothing).

        Raises:
            OutboxError: the database failed.
        """
        if ack.device != self.device or not ack.ranges:
            return 0
        with self._transaction() as conn:
            removed = conn.executemany(
                "DELETE FROM readings WHERE boot = ? AND seq BETWEEN ? AND ?",
                [(ack.boot, first, last) for first, last in ack.ranges],
            ).rowcount
        self._pending -= removed
        return removed

    def maintain(self, now_ms: int) -> int:
        """Drop readings past the age limit, repair due times from a clock that ran ahead, sync.

        Returns:
            How many readings were dropped for age.

        Raises:
            OutboxError: the database failed.
        """
        with self._transaction() as conn:
            removed = conn.execute(
                "DELETE FROM readings WHERE ts_ms < ?", (self.policy.expiry_cutoff(now_ms),)
            ).rowcount
            self._drop(conn, removed)
            conn.execute("UPDATE readings SET due_ms = ? WHERE due_ms > ?", (now_ms, self.policy.latest_due(now_ms)))
        self._pending -= removed
        self._dropped += removed
        try:
            self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error as exc:
            raise OutboxError(self.path, str(exc)) from exc
        return removed

    def close(self) -> None:
        """Checkpoint and close the file (releases the lock)."""
        # A failed checkpoint loses nothing: SQLite replays the WAL on the next open.
        with suppress(sqlite3.Error):
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self._conn.close()

    def __enter__(self) -> Outbox:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
