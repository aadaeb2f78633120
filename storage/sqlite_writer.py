"""The SQLite store's writer process: writes run beside the bridge, not on its core.

Why a process: Python's ``sqlite3`` releases the GIL around every row it steps and takes it
back for the next, so a writer *thread* pays a GIL hand-over per row while the bridge's event
loop is busy parsing messages: writes slow to a crawl under load, and the live path waits
for the GIL in turn (docs/benchmarks.md has the before/after figures). A child process has
its own interpreter; the parent only serializes rows (orjson, about half a microsecond
each) and waits on a pipe without the GIL.

Protocol, over the child's stdin/stdout: frames of a 4-byte big-endian length and a JSON
body. Request ``[op, [args...]]`` names a function of :data:`storage.sqlite_ops.WRITES`;
reply ``["ok", result]`` or ``["error", message]``. One request at a time.

Lifetime: started on the first write; ends when its stdin closes (the store closes, or the
parent dies). It runs in its own session, so Ctrl+C in a terminal reaches only the parent,
which still drains its last writes through it. If it dies, the write in flight fails with
:class:`~storage.base.StoreError` (nothing is acknowledged; a committed transaction is
simply found again by the idempotent re-send) and the next write starts a new one.

Errors: :class:`~storage.base.StoreError` for anything the child or the pipe reports.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import struct
import subprocess
import sys
from pathlib import Path
from typing import IO, Any

import orjson

import storage
from storage.base import StoreError
from storage.sqlite_ops import WRITES, connect

_LENGTH = struct.Struct(">I")
_PACKAGE_ROOT = str(Path(storage.__file__).resolve().parent.parent)
STOP_TIMEOUT_S = 10.0


def _send(stream: IO[bytes], body: bytes) -> None:
    stream.write(_LENGTH.pack(len(body)) + body)
    stream.flush()


def _receive(stream: IO[bytes]) -> bytes | None:
    """One frame's body, or None at the end of the stream (also in the middle of a frame)."""
    head = stream.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        return None
    (length,) = _LENGTH.unpack(head)
    body = stream.read(length)
    return body if len(body) == length else None


class WriterProcess:
    """Parent side: runs write operations in the child, one call at a time (not thread-safe)."""

    def __init__(self, path: Path) -> None:
        """Prepare a writer for the database ``path``; the process starts on the first call."""
        self._path = path
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        """The running child's process id, if one is running."""
        return self._proc.pid if self._proc is not None and self._proc.poll() is None else None

    def call(self, op: str, *args: Any) -> Any:
        """Run ``storage.sqlite_ops.WRITES[op](conn, *args)`` in the child and return its result.

        Raises:
            StoreError: the operation failed, or the child could not be started or died.
        """
        proc = self._proc if self._proc is not None else self._start()
        assert proc.stdin is not None  # Popen with PIPE
        assert proc.stdout is not None
        request = orjson.dumps([op, args])
        try:
            _send(proc.stdin, request)
            reply = _receive(proc.stdout)
        except (BrokenPipeError, ConnectionResetError, ValueError):
            reply = None
        if reply is None:
            self._proc = None
            code = _reap(proc)
            raise StoreError(f"SQLite {self._path}: the writer process {proc.pid} ended (exit code {code})")
        status, result = orjson.loads(reply)
        if status != "ok":
            raise StoreError(f"SQLite {self._path}: {result}")
        return result

    def close(self) -> None:
        """End the child (it finishes the write in hand first) and wait for it."""
        proc, self._proc = self._proc, None
        if proc is not None:
            _reap(proc)

    def _start(self) -> subprocess.Popen[bytes]:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (_PACKAGE_ROOT, env.get("PYTHONPATH", "")) if p)
        try:
            self._proc = subprocess.Popen(  # our own module, by the running interpreter
                [sys.executable, "-m", "storage.sqlite_writer", str(self._path)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env=env,
                start_new_session=True,
            )
        except OSError as exc:
            raise StoreError(f"SQLite {self._path}: cannot start the writer process: {exc}") from exc
        return self._proc


def _reap(proc: subprocess.Popen[bytes]) -> int:
    """Close the child's stdin (its signal to stop), wait for it, kill it if it hangs; its exit code."""
    for stream in (proc.stdin, proc.stdout):
        if stream is not None:
            with contextlib.suppress(OSError):  # a broken pipe on the final flush: the child is gone
                stream.close()
    try:
        return proc.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait()


def serve(path: str, requests: IO[bytes], replies: IO[bytes]) -> None:
    """Child side: answer requests until ``requests`` ends."""
    conn = connect(path)
    try:
        while (request := _receive(requests)) is not None:
            op, args = orjson.loads(request)
            try:
                reply: list[Any] = ["ok", WRITES[op](conn, *args)]
            except Exception as exc:  # supervisor boundary: report it with the request, keep serving
                reply = ["error", f"{op}: {type(exc).__name__}: {exc}"]
            _send(replies, orjson.dumps(reply))
    finally:
        conn.close()


def main() -> None:
    """``python -m storage.sqlite_writer PATH`` (started by :class:`WriterProcess` only)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when writing ends
    # Replies get a private copy of stdout; anything else printed goes to stderr, not into the protocol.
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sys.stdout = sys.stderr
    try:
        serve(sys.argv[1], sys.stdin.buffer, replies)
    except sqlite3.Error as exc:
        sys.exit(f"sensebridge SQLite writer: {sys.argv[1]}: {exc}")


if __name__ == "__main__":
    main()
