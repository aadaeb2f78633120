"""SQLite writes beside a busy event loop: why the store writes from a child process.

In process, on purpose: a *busy thread* (pure Python, never blocking) stands in for the
bridge's event loop at full load, and each way of writing gets a bounded time to store
batches of readings (the store's own schema, rollups and insert), alone and beside that
thread. Python's ``sqlite3`` releases the GIL around every row it steps, so a writer thread
must win the GIL back once per row from a thread that only gives it up every switch
interval (5 ms). Ways compared:

* writer thread, ``executemany`` per batch (the store before);
* writer thread, one ``INSERT ... SELECT FROM json_each(?)`` per batch (one GIL hand-over
  per batch, the rows parsed by SQLite's JSON functions);
* writer thread, multi-row ``VALUES`` statements of 256 rows (bigger ones make SQLite's
  statement compiler take gigabytes);
* the store's writer process (:class:`storage.sqlite_writer.WriterProcess`, production).
"""

from __future__ import annotations

import itertools
import random
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import orjson

from bench.options import Options
from bench.report import Section, Table, num, times
from bench.stats import ratio
from contract.channels import CHANNEL_NAMES
from storage import sqlite_ops
from storage import sqlite_sql as sql
from storage.sqlite_writer import WriterProcess

BATCH = 1_000
VALUES_ROWS = 256
_WIDTH = 5 + len(CHANNEL_NAMES)
_JSON_INSERT = (
    f"INSERT OR IGNORE INTO main.readings ({sql.READING_COLUMNS}) SELECT "
    + ", ".join(f"value->>{i}" for i in range(_WIDTH))
    + " FROM json_each(?)"
)
_VALUES_INSERT = f"INSERT OR IGNORE INTO main.readings ({sql.READING_COLUMNS}) VALUES " + ",".join(
    ["(" + ",".join("?" * _WIDTH) + ")"] * VALUES_ROWS
)

Rows = list[tuple[object, ...]]
Writer = Callable[[Rows], None]


def _rows(batch: int, seed: int) -> Rows:
    rng = random.Random(seed)
    first = batch * BATCH
    t0 = 1_795_334_400_000
    return [
        (
            f"dev-{i % 10}",
            "b1",
            first + i,
            t0 + (first + i) * 10,
            t0 + (first + i) * 10 + 3,
            *(rng.uniform(0.0, 50.0) for _ in CHANNEL_NAMES),
        )
        for i in range(BATCH)
    ]


def _in_transaction(conn: sqlite3.Connection, insert: Callable[[], object]) -> None:
    """The store's insert transaction (:func:`storage.sqlite_ops.insert`) with another row insert."""
    conn.executescript(sql.STAGING)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("DELETE FROM temp.incoming")
    insert()
    conn.execute("DELETE FROM temp.delta")
    conn.execute(sql.delta_insert(source="temp.incoming"))
    for size in sql.ROLLUP_TABLES:
        conn.execute(sql.rollup_merge(size))
    conn.execute("COMMIT")


@contextmanager
def _writer(kind: str, folder: Path) -> Iterator[Writer]:
    path = folder / f"{kind}.sqlite3"
    conn = sqlite_ops.connect(path)
    sqlite_ops.migrate(conn)
    process = WriterProcess(path) if kind == "process" else None
    newest = [("dev-0", 0)]

    def executemany(rows: Rows) -> None:
        sqlite_ops.insert(conn, rows, newest)

    def json_each(rows: Rows) -> None:
        _in_transaction(conn, lambda: conn.execute(_JSON_INSERT, (orjson.dumps(rows),)))

    def values(rows: Rows) -> None:
        def insert() -> None:
            for i in range(0, len(rows), VALUES_ROWS):
                chunk = rows[i : i + VALUES_ROWS]
                if len(chunk) == VALUES_ROWS:
                    conn.execute(_VALUES_INSERT, list(itertools.chain.from_iterable(chunk)))
                else:
                    conn.executemany(sql.INSERT, chunk)

        _in_transaction(conn, insert)

    def in_process(rows: Rows) -> None:
        assert process is not None
        process.call("insert", rows, newest)

    try:
        yield {"executemany": executemany, "json_each": json_each, "values": values, "process": in_process}[kind]
    finally:
        if process is not None:
            process.close()
        conn.close()


@contextmanager
def _busy(on: bool) -> Iterator[list[int]]:
    """A pure-Python thread that never blocks (the event loop at full load); yields its loop count."""
    spins, stop = [0], threading.Event()

    def spin() -> None:
        while not stop.is_set():
            total = 0
            for i in range(1_000):
                total += i
            spins[0] += 1

    thread = threading.Thread(target=spin, daemon=True)
    if on:
        thread.start()
    try:
        yield spins
    finally:
        stop.set()
        if on:
            thread.join()


def _measure(write: Writer, batches: Sequence[Rows], seconds: float, *, busy: bool) -> tuple[float, float]:
    """Rows/s written within ``seconds`` (whole batches, after one untimed to start the writer), and the busy
    thread's loops/s."""
    write(batches[0])
    done = 0
    batches = batches[1:]
    with _busy(busy) as spins:
        t0 = time.perf_counter()
        for rows in batches:
            write(rows)
            done += len(rows)
            if time.perf_counter() - t0 >= seconds:
                break
        elapsed = time.perf_counter() - t0
    return done / elapsed, spins[0] / elapsed


def run(opts: Options) -> Section:
    """Each way of writing, alone and beside the busy thread."""
    section = Section("sqlitewriter", "SQLite writes beside a busy event loop (in process)")
    seconds = opts.seconds(4.0, 0.3)
    batches = [_rows(b, seed=b) for b in range(opts.count(400, 4))]
    table = Table(
        f"Readings stored per second, batches of {BATCH:,}, the store's schema and rollups; "
        f"each row at most {seconds:g} s",
        ["writer", "alone", "beside a busy thread", "busy / alone", "busy thread's loops/s"],
    )
    labels = {
        "executemany": "thread, executemany (before)",
        "json_each": "thread, one INSERT ... SELECT FROM json_each",
        "values": f"thread, {VALUES_ROWS}-row VALUES statements",
        "process": "writer process (production)",
    }
    with tempfile.TemporaryDirectory(prefix="sqlitewriter-", dir=opts.workdir) as tmp:
        for kind, label in labels.items():
            with _writer(kind, _fresh(Path(tmp), kind, "alone")) as w:
                alone, _ = _measure(w, batches, seconds, busy=False)
            with _writer(kind, _fresh(Path(tmp), kind, "busy")) as w:
                busy, spins = _measure(w, batches, seconds, busy=True)
            table.add(label, num(alone), num(busy), times(ratio(busy, alone)), num(spins))
    section.tables.append(table)
    section.notes.append(
        "The busy thread is pure Python that never blocks: what the bridge's event loop is at full load. Its "
        "loops/s show what each writer leaves it (the writer process's parent thread still serializes the rows, "
        "and the child competes for the two cores)."
    )
    return section


def _fresh(root: Path, kind: str, phase: str) -> Path:
    folder = root / f"{kind}-{phase}"
    folder.mkdir(parents=True)
    return folder
