"""Real Mosquitto and Redis servers started from their binaries, for tests and benchmarks.

Every server listens on ``127.0.0.1`` on a free port (never the machine's own 1883/6379),
writes its output to a log file in a working directory given by the caller, and can be
stopped, killed and started again on the SAME port with the same data directory, which is
what broker- and Redis-restart fault tests need.

The broker runs with the repository's own shared settings (``mosquitto/conf.d``) behind a
small wrapper config holding the test listener and paths.

Exceptions:
    ProcessError: a server is missing, did not start in time or exited early; the message
        ends with the tail of the server's log.
"""

from __future__ import annotations

import atexit
import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Self

REPO_ROOT = Path(__file__).resolve().parents[2]
MOSQUITTO_CONF_D = REPO_ROOT / "mosquitto" / "conf.d"
LOOPBACK = "127.0.0.1"

# Ports of the machine's own services and of the compose stack: a test never binds these.
RESERVED_PORTS = frozenset({1883, 6379, 8000, 8883, 9001, 27017})

_POLL_INTERVAL_S = 0.02
LOG_TAIL_LINES = 40
_AUTO_PORT_ATTEMPTS = 3


class ProcessError(RuntimeError):
    """A managed server is missing, failed to start, or misbehaved.

    Attributes:
        name: The server's name (``mosquitto``, ``redis``...).
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
    """Locate a server binary on ``PATH`` or at a known path.

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


def free_port(host: str = LOOPBACK) -> int:
    """A TCP port that is free right now on ``host`` and is not one of :data:`RESERVED_PORTS`.

    The port is released before returning, so another process could take it first; the
    start helpers retry with a new port when they chose it themselves.
    """
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind((host, 0))
            port: int = sock.getsockname()[1]
        if port not in RESERVED_PORTS:
            return port


def port_is_open(host: str, port: int, *, timeout: float = 0.2) -> bool:
    """Whether something accepts TCP connections on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_for_port(host: str, port: int, timeout: float, *, process: ManagedProcess | None = None) -> None:
    """Wait until ``host:port`` accepts connections.

    Args:
        host: Address to connect to.
        port: TCP port.
        timeout: Seconds before giving up.
        process: The server expected to open the port: waiting stops at once if it exits,
            and its log tail is put in the error.

    Raises:
        ProcessError: the deadline passed or the process exited first.
    """
    name = process.name if process else f"{host}:{port}"
    deadline = time.monotonic() + timeout
    while True:
        if process is not None and not process.running:
            raise ProcessError(
                name,
                f"exited with code {process.returncode} before listening on {host}:{port}",
                log_tail=process.log_tail(),
            )
        if port_is_open(host, port):
            return
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise ProcessError(
                name,
                f"not listening on {host}:{port} after {timeout:.1f} s",
                log_tail=process.log_tail() if process else "",
            )
        # The poll interval doubles as an exit watch: wait() returns early if the process dies.
        if process is not None:
            process.wait_exit(min(_POLL_INTERVAL_S, remaining))
        else:
            time.sleep(min(_POLL_INTERVAL_S, remaining))


# Strong references: a server nobody holds any more must still be stopped at exit.
_live: set[ManagedProcess] = set()


@atexit.register
def _stop_leftovers() -> None:
    """Stop servers a crashed test run left behind, so no orphan keeps a port."""
    for process in list(_live):
        process.kill()


class ManagedProcess:
    """A server process with its log in a file, started and stopped by PID.

    ``start`` is idempotent and always uses the same command line, so a stopped or killed
    server comes back on the same port with the same data directory.

    Attributes:
        name: Short name used in errors and log headers.
        argv: Command line.
        host: Address the server listens on (readiness check), if any.
        port: Port the server listens on (readiness check), if any.
        log_path: File receiving the server's stdout and stderr, appended across restarts.
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
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.workdir = workdir
        self.host = host
        self.port = port
        self.log_path = workdir / f"{name}.log"
        self._env = dict(env) if env is not None else None
        self._start_timeout = start_timeout
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
        """Start the server unless it is running, then wait until its port accepts connections.

        Raises:
            ProcessError: it exited or did not listen within the start timeout.
        """
        if self.running:
            return self
        self._close_log()
        self._starts += 1
        self._log = self.log_path.open("ab")
        self._log.write(f"=== sensebridge tests: start #{self._starts}: {' '.join(self.argv)}\n".encode())
        self._log.flush()
        self._popen = subprocess.Popen(
            self.argv,
            cwd=self.workdir,
            env=self._env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        _live.add(self)
        if self.host is not None and self.port is not None:
            try:
                wait_for_port(self.host, self.port, self._start_timeout, process=self)
            except ProcessError:
                self.kill()
                raise
        return self

    def stop(self, grace: float = 5.0) -> None:
        """Terminate the server (SIGTERM), then SIGKILL it if it is still alive after ``grace`` s."""
        if self._popen is not None and self.running:
            self._popen.terminate()
            self._popen.send_signal(signal.SIGCONT)  # a paused server must run to act on SIGTERM
            try:
                self._popen.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self._popen.kill()
                self._popen.wait()
        self._finish()

    def kill(self) -> None:
        """Kill the server at once (SIGKILL), as a crash or power loss would."""
        if self._popen is not None and self.running:
            self._popen.kill()
            self._popen.wait()
        self._finish()

    def restart(self, grace: float = 5.0) -> Self:
        """Stop the server cleanly and start it again on the same port with the same data."""
        self.stop(grace)
        return self.start()

    def pause(self) -> None:
        """Freeze the server (SIGSTOP): connections stay open but nothing is answered."""
        self.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        """Unfreeze a paused server (SIGCONT)."""
        self.send_signal(signal.SIGCONT)

    def send_signal(self, sig: signal.Signals) -> None:
        """Send ``sig`` to the running server (e.g. SIGUSR1 makes Mosquitto save its database).

        Raises:
            ProcessError: it is not running.
        """
        if self._popen is None or not self.running:
            raise ProcessError(self.name, f"cannot send {sig.name}: not running", log_tail=self.log_tail())
        self._popen.send_signal(sig)

    def wait_exit(self, timeout: float) -> int | None:
        """Wait up to ``timeout`` s for the server to exit; its exit code, or None if still running."""
        if self._popen is None:
            return None
        try:
            return self._popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        """The last ``lines`` lines of the server's log (all runs), or a note if there is none."""
        try:
            text = self.log_path.read_bytes().decode("utf-8", errors="replace")
        except FileNotFoundError:
            return f"(no log at {self.log_path})"
        return "\n".join(text.splitlines()[-lines:])

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


def _start_on_port(build: Callable[[int], ManagedProcess], port: int | None) -> ManagedProcess:
    """Build and start a server; when the caller left the port open, retry on a fresh port.

    ``free_port`` releases the port before the server binds it, so on a busy machine another
    process can take it first. A port the caller chose is never changed.
    """
    attempts = 1 if port is not None else _AUTO_PORT_ATTEMPTS
    for attempt in range(1, attempts + 1):
        try:
            return build(port if port is not None else free_port()).start()
        except ProcessError:
            if attempt == attempts:
                raise
    raise AssertionError("unreachable")


def mosquitto_config(*, port: int, data_dir: Path | None, extra_config: str = "") -> str:
    """The wrapper config of a test broker: test listener and paths, then the repo's conf.d.

    Args:
        port: Listener port on 127.0.0.1.
        data_dir: Persistence directory, or None for no persistence.
        extra_config: Lines appended after the shared settings, so they override them.
    """
    lines = [
        "# Written by tests/support/processes.py: a test listener and paths, then the repo's shared settings.",
        # As root, mosquitto drops to user 'mosquitto', which cannot write the test's directory.
        f"user {pwd.getpwuid(os.getuid()).pw_name}",
        f"listener {port} {LOOPBACK}",
        f"persistence {'true' if data_dir is not None else 'false'}",
    ]
    if data_dir is not None:
        lines.append(f"persistence_location {data_dir}")
    # stderr is unbuffered; mosquitto never flushes stdout, so its lines would lag in a file.
    lines += ["log_dest stderr", f"include_dir {MOSQUITTO_CONF_D}"]
    if extra_config:
        lines.append(extra_config)
    return "\n".join(lines) + "\n"


def start_mosquitto(
    workdir: Path,
    *,
    port: int | None = None,
    persistence: bool = True,
    extra_config: str = "",
    start_timeout: float = 10.0,
) -> ManagedProcess:
    """Start a Mosquitto broker on 127.0.0.1 with the repository's shared settings.

    Writes ``mosquitto.conf`` (wrapper), ``mosquitto-data/`` (persistence) and
    ``mosquitto.log`` in ``workdir``: use one workdir per broker. ``restart()``/``start()``
    on the returned process bring it back on the same port with the same database.

    Args:
        workdir: Existing directory for the config, the database and the log.
        port: Port to listen on; a free one when None.
        persistence: Keep retained messages and sessions across restarts.
        extra_config: Extra config lines, applied after (and overriding) ``mosquitto/conf.d``.
        start_timeout: Seconds to wait for the listener.

    Raises:
        ProcessError: mosquitto is not installed, or it did not start (log tail included).
    """
    binary = find_binary("mosquitto", package="mosquitto", fallbacks=["/usr/sbin/mosquitto"])
    data_dir = workdir / "mosquitto-data" if persistence else None
    if data_dir is not None:
        data_dir.mkdir(exist_ok=True)
    config_path = workdir / "mosquitto.conf"

    def build(chosen: int) -> ManagedProcess:
        config_path.write_text(mosquitto_config(port=chosen, data_dir=data_dir, extra_config=extra_config))
        argv = [binary, "-c", str(config_path)]
        return ManagedProcess(
            "mosquitto", argv, workdir=workdir, host=LOOPBACK, port=chosen, start_timeout=start_timeout
        )

    return _start_on_port(build, port)


def start_redis(workdir: Path, *, port: int | None = None, start_timeout: float = 10.0) -> ManagedProcess:
    """Start a Redis server on 127.0.0.1 without any persistence.

    ``restart()``/``start()`` bring it back on the same port, empty (as after a crash).

    Args:
        workdir: Existing directory for the log (and Redis's working directory).
        port: Port to listen on; a free one when None.
        start_timeout: Seconds to wait for the listener.

    Raises:
        ProcessError: redis-server is not installed, or it did not start (log tail included).
    """
    binary = find_binary("redis-server", package="redis-server", fallbacks=["/usr/bin/redis-server"])

    def build(chosen: int) -> ManagedProcess:
        argv = [binary, "--port", str(chosen), "--bind", LOOPBACK, "--save", "", "--appendonly", "no"]
        argv += ["--dir", str(workdir), "--daemonize", "no"]
        return ManagedProcess("redis", argv, workdir=workdir, host=LOOPBACK, port=chosen, start_timeout=start_timeout)

    return _start_on_port(build, port)
