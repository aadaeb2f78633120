"""The SQLite store's writer process: where it runs, how it ends, and what a crash costs.

Writes run in a child process (storage/sqlite_writer.py) so they do not take the GIL from the
bridge's event loop. These tests hold it to its promises: it is our child in its own session
(Ctrl+C reaches only the parent, which drains through it), a crash fails only the write in
hand and the next write starts a new writer with nothing lost or doubled, an SQLite error comes
back as a StoreError with its reason, and it never outlives the store or the parent process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from storage_backends import T0, everything, reading

from contract.models import Reading
from devstack import has_ended
from storage.base import InsertResult, StoreError
from storage.sqlite import SqliteStore
from storage.sqlite_writer import WriterProcess

DEVICE = "writer-test"


def parent_of(pid: int) -> int:
    raw = Path(f"/proc/{pid}/stat").read_text()
    return int(raw[raw.rindex(")") + 2 :].split()[1])


def wait_ended(pid: int, timeout_s: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if has_ended(pid):
            return True
        time.sleep(0.02)
    return has_ended(pid)


def batch(first: int, count: int) -> list[Reading]:
    return [reading(seq, T0 + seq * 100, device=DEVICE) for seq in range(first, first + count)]


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    opened = await SqliteStore.open(tmp_path / "store.sqlite3")
    yield opened
    await opened.close()


async def test_writes_run_in_a_child_process_started_on_the_first_write(store: SqliteStore) -> None:
    assert store.writer_pid is None

    await store.insert_readings(batch(0, 10))

    pid = store.writer_pid
    assert pid is not None
    assert pid != os.getpid()
    assert parent_of(pid) == os.getpid()
    assert [r.seq for r in await everything(store, DEVICE)] == list(range(10))


async def test_the_writer_has_its_own_session_so_ctrl_c_reaches_only_the_parent(store: SqliteStore) -> None:
    await store.insert_readings(batch(0, 1))

    assert store.writer_pid is not None
    assert os.getsid(store.writer_pid) != os.getsid(0)


async def test_a_killed_writer_fails_the_next_write_then_a_new_writer_stores_everything_once(
    store: SqliteStore,
) -> None:
    await store.insert_readings(batch(0, 50))
    first = store.writer_pid
    assert first is not None
    os.kill(first, signal.SIGKILL)
    assert wait_ended(first)

    with pytest.raises(StoreError, match=r"writer process \d+ ended \(exit code -9\)"):
        await store.insert_readings(batch(50, 50))
    assert await store.insert_readings(batch(0, 100)) == InsertResult(stored=50, duplicates=50)

    assert store.writer_pid not in (None, first)
    assert [r.seq for r in await everything(store, DEVICE)] == list(range(100))


async def test_an_sqlite_error_comes_back_with_its_reason_and_the_writer_keeps_serving(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    await (await SqliteStore.open(path)).close()  # the schema
    writer = WriterProcess(path)
    try:
        with pytest.raises(StoreError, match=r"store\.sqlite3: insert: ProgrammingError: .*bindings"):
            writer.call("insert", [["too", "few", "values"]], [])
        pid = writer.pid

        assert writer.call("insert", [], [[DEVICE, T0]]) == 0
        assert writer.pid == pid
    finally:
        writer.close()


async def test_closing_the_store_ends_its_writer(tmp_path: Path) -> None:
    store = await SqliteStore.open(tmp_path / "store.sqlite3")
    await store.insert_readings(batch(0, 3))
    pid = store.writer_pid
    assert pid is not None

    await store.close()

    assert has_ended(pid)


def test_the_writer_ends_when_its_parent_dies_without_closing_the_store(tmp_path: Path) -> None:
    script = (
        "import asyncio, os, sys\n"
        "from storage.sqlite import SqliteStore\n"
        "from tests.unit.storage.storage_backends import reading\n"
        "async def main():\n"
        "    store = await SqliteStore.open(__import__('pathlib').Path(sys.argv[1]))\n"
        "    await store.insert_readings([reading(1, 1_000)])\n"
        "    print(store.writer_pid, flush=True)\n"
        "    os._exit(0)\n"
        "asyncio.run(main())\n"
    )
    done = subprocess.run(  # this interpreter, a fixed script
        [sys.executable, "-c", script, str(tmp_path / "store.sqlite3")],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        cwd=Path(__file__).resolve().parents[3],
    )
    orphan = int(done.stdout.strip())

    assert wait_ended(orphan), f"writer {orphan} outlived its parent"


def test_output_printed_in_the_writer_goes_to_stderr_not_into_the_replies(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    script = (
        "import sys\n"
        "from storage import sqlite_writer\n"
        "def noisy(conn, *args):\n"
        "    print('a stray print in the writer')\n"
        "    return 42\n"
        "sqlite_writer.WRITES['noisy'] = noisy\n"
        "sys.argv = ['writer', sys.argv[1]]\n"
        "sqlite_writer.main()\n"
    )
    request = b'["noisy", []]'
    done = subprocess.run(  # this interpreter, a fixed script
        [sys.executable, "-c", script, str(path)],
        input=len(request).to_bytes(4, "big") + request,
        capture_output=True,
        timeout=60,
        check=True,
        cwd=Path(__file__).resolve().parents[3],
    )

    assert done.stdout == len(b'["ok",42]').to_bytes(4, "big") + b'["ok",42]'
    assert b"a stray print in the writer" in done.stderr
