"""A server or program started from its binary, its output in a log file, stopped by its PID.

Every process is started with one fixed command line, so a stopped, killed or paused one comes
back on the same port with the same data (what restart fault tests need). Whatever is still
running when the interpreter exits is killed, and the temporary folders registered with
:func:`remove_at_exit` are removed after that, so a crashed run leaves no orphan holding a port.

Exceptions:
    ProcessError: a binary is missing, a process did not start in time, exited early or was
        asked for something while not running; the message ends with the tail of its log.
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Self

from devstack.net import free_port, port_is_open
from devstack.wait import POLL_INTERVAL_S

LOG_TAIL_LINES = 40
_AUTO_PORT_ATTEMPTS = 3


class ProcessError(RuntimeError):
    """A managed process is missing, failed to start, or misbehaved.

    Attributes:
        name: The process's name (``mosquitto``, ``redis``, ``bridge``...).
        log_tail: The last lines of its log, empty if it never started.
    """

    def __init__(self, name: str, message: str, *, log_tail: str = "") -> None:
        self.name = name
        self.log_tail = log_tail
        text = f"{name}: {message}"
        if log_tail:
            text += f"\n--- last lines of the {name} log ---\n{log_tail}"
        super().__init__(text)


def find_binary(name: str, *, package: str, fallbacks: Sequence[str] = ()) -> str:
    """Locate a binary on ``PATH`` or at a known path.

    Args:
        name: Executable name, e.g. ``mosquitto``.
        package: Debian package that provides it, named in the error.
        fallbacks: Absolute paths to try when it is not on ``PATH`` (``/usr/sbin`` is often
            missing from a non-root ``PATH``).

    Raises:
        ProcessError: the binary is nowhere to be found.
    """
    found = shutil.which(name)
    if found:
        return found
    for candidate in fallbacks:
        if os.access(candidate, os.X_OK):
            return candidate
    raise ProcessError(name, f"binary not found on PATH or in {list(fallbacks)}; install it: apt-get install {package}")


def has_ended(pid: int) -> bool:
    """Whether process ``pid`` is gone, or a zombie nobody reaped yet (an orphan's new parent may not reap at once)."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return raw[raw.rindex(")") + 2] in "ZX"


def descendants(pid: int) -> list[int]:
    """The processes ``pid`` started, and theirs (such as the SQLite store's writer process)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(raw[raw.rindex(")") + 2 :].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], list(parents.get(pid, []))
    while todo:
        child = todo.pop()
        found.append(child)
        todo += parents.get(child, [])
    return found


def _wait_ready(
    ready: Callable[[], bool], what: str, deadline: float, timeout: float, *, process: ManagedProcess | None
) -> None:
    """Poll ``ready`` until ``deadline`` (monotonic); ``timeout`` is the whole wait, for the message."""
    name = process.name if process else what
    while True:
        if process is not None and not process.running:
            raise ProcessError(
                name, f"exited with code {process.returncode} before {what}", log_tail=process.log_tail()
            )
        if ready():
            return
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise ProcessError(
                name, f"not {what} after {timeout:.1f} s", log_tail=process.log_tail() if process else ""
            )
        # The poll interval doubles as an exit watch: wait() returns early if the process dies.
        if process is not None:
            process.wait_exit(min(POLL_INTERVAL_S, remaining))
        else:
            time.sleep(min(POLL_INTERVAL_S, remaining))


# Strong references: a process nobody holds any more must still be stopped at exit.
_live: set[ManagedProcess] = set()
_remove_at_exit: list[Path] = []


def remove_at_exit(path: Path) -> None:
    """Remove the folder ``path`` when the interpreter exits, after every process was stopped."""
    _remove_at_exit.append(path)


@atexit.register
def _clean_up_at_exit() -> None:
    """Kill processes a crashed run left behind (no orphan keeps a port), then remove temporary folders."""
    for process in list(_live):
        process.kill()
    for path in _remove_at_exit:
        shutil.rmtree(path, ignore_errors=True)


class ManagedProcess:
    """A process with its output in a log file, started and stopped by PID.

    ``start`` is idempotent and always uses the same command line, so a stopped or killed
    process comes back on the same port with the same data directory.

    Attributes:
        name: Short name used in errors and log headers.
        argv: Command line.
        host: Address the process listens on (readiness check), if any.
        port: Port the process listens on (readiness check), if any.
        log_path: File receiving its stdout and stderr, appended across restarts.
    """

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        *,
        workdir: Path,
        host: str | None = None,
        port: int | None = None,
        env: Mapping[str, str] | None = None,
        start_timeout: float = 10.0,
        cwd: Path | None = None,
        user: str | None = None,
        ready: Callable[[], bool] | None = None,
        stop_signal: signal.Signals = signal.SIGTERM,
        new_session: bool = False,
    ) -> None:
        """Describe the process; nothing runs until :meth:`start`.

        Args:
            name: Short name used in errors and as the log file's stem.
            argv: Command line.
            workdir: Existing folder of the log file (and the working directory unless ``cwd``).
            host: Address to probe for readiness (with ``port``).
            port: Port to probe for readiness.
            env: Environment (default: this interpreter's).
            start_timeout: Seconds :meth:`start` waits for readiness.
            cwd: Working directory, if not ``workdir``.
            user: Run as this user (root only; PostgreSQL refuses to run as root).
            ready: Checked after the port opens; the process is ready once it returns True.
            stop_signal: What :meth:`stop` sends first (PostgreSQL's fast shutdown is SIGINT).
            new_session: Start in a session of its own, so a Ctrl+C in a terminal reaches only
                its parent, which then stops it in order.
        """
        self.name = name
        self.argv = list(argv)
        self.workdir = workdir
        self.host = host
        self.port = port
        self.log_path = workdir / f"{name}.log"
        self._env = dict(env) if env is not None else None
        self._start_timeout = start_timeout
        self._cwd = cwd or workdir
        self._user = user
        self._ready = ready
        self._stop_signal = stop_signal
        self._new_session = new_session
        self._popen: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._starts = 0

    @property
    def pid(self) -> int | None:
        """PID of the current run, None if never started."""
        return self._popen.pid if self._popen else None

    @property
    def running(self) -> bool:
        """Whether the current run is alive."""
        return self._popen is not None and self._popen.poll() is None

    @property
    def returncode(self) -> int | None:
        """Exit code of the last run, None while running or never started."""
        return self._popen.poll() if self._popen else None

    def start(self) -> Self:
        """Start the process unless it is running, then wait until its port accepts connections.

        Raises:
            ProcessError: it exited or was not ready within the start timeout.
        """
        if self.running:
            return self
        self._close_log()
        self._starts += 1
        self._log = self.log_path.open("ab")
        self._log.write(f"=== devstack: start #{self._starts}: {' '.join(self.argv)}\n".encode())
        self._log.flush()
        self._popen = subprocess.Popen(
            self.argv,
            cwd=self._cwd,
            env=self._env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            user=self._user,
            start_new_session=self._new_session,
        )
        _live.add(self)
        try:
            self.wait_ready(self._start_timeout)
        except ProcessError:
            self.kill()
            raise
        return self

    def wait_ready(self, timeout: float) -> None:
        """Wait until the port accepts connections and the ``ready`` check passes (if either was given).

        Raises:
            ProcessError: it exited or was not ready in time (log tail included).
        """
        deadline = time.monotonic() + timeout
        if self.host is not None and self.port is not None:
            host, port = self.host, self.port
            _wait_ready(
                lambda: port_is_open(host, port), f"listening on {host}:{port}", deadline, timeout, process=self
            )
        if self._ready is not None:
            _wait_ready(self._ready, "ready", deadline, timeout, process=self)

    def stop(self, grace: float = 5.0) -> None:
        """Ask the process to end (its stop signal), then SIGKILL it if it is still alive after ``grace`` s."""
        if self._popen is not None and self.running:
            self._popen.send_signal(self._stop_signal)
            self._popen.send_signal(signal.SIGCONT)  # a paused process must run to act on the signal
            try:
                self._popen.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self._popen.kill()
                self._popen.wait()
        self._finish()

    def kill(self) -> None:
        """Kill the process at once (SIGKILL), as a crash or power loss would."""
        if self._popen is not None and self.running:
            self._popen.kill()
            self._popen.wait()
        self._finish()

    def restart(self, grace: float = 5.0) -> Self:
        """Stop the process cleanly and start it again on the same port with the same data."""
        self.stop(grace)
        return self.start()

    def pause(self) -> None:
        """Freeze the process (SIGSTOP): connections stay open but nothing is answered."""
        self.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        """Unfreeze a paused process (SIGCONT)."""
        self.send_signal(signal.SIGCONT)

    def send_signal(self, sig: signal.Signals) -> None:
        """Send ``sig`` to the running process (e.g. SIGUSR1 makes Mosquitto save its database).

        Raises:
            ProcessError: it is not running.
        """
        if self._popen is None or not self.running:
            raise ProcessError(self.name, f"cannot send {sig.name}: not running", log_tail=self.log_tail())
        self._popen.send_signal(sig)

    def wait_exit(self, timeout: float) -> int | None:
        """Wait up to ``timeout`` s for the process to exit; its exit code, or None if still running."""
        if self._popen is None:
            return None
        try:
            return self._popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def log_text(self) -> str:
        """Everything the process wrote so far (all runs)."""
        try:
            return self.log_path.read_bytes().decode("utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        """The last ``lines`` lines of the process's log (all runs), or a note if there is none."""
        if not self.log_path.exists():
            return f"(no log at {self.log_path})"
        return "\n".join(self.log_text().splitlines()[-lines:])

    def _finish(self) -> None:
        _live.discard(self)
        self._close_log()

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = f" on {self.host}:{self.port}" if self.port is not None else ""
        return f"<ManagedProcess {self.name} pid={self.pid}{where} running={self.running}>"


def start_on_port(build: Callable[[int], ManagedProcess], port: int | None) -> ManagedProcess:
    """Build and start a process; when the caller left the port open, retry on a fresh port.

    ``free_port`` releases the port before the process binds it, so on a busy machine another
    process can take it first. A port the caller chose is never changed.

    Raises:
        ProcessError: the last attempt failed.
    """
    attempts = 1 if port is not None else _AUTO_PORT_ATTEMPTS
    for attempt in range(1, attempts + 1):
        try:
            return build(port if port is not None else free_port()).start()
        except ProcessError:
            if attempt == attempts:
                raise
    raise AssertionError("unreachable")
