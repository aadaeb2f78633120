"""What fixtures hand to tests: a running server's address, URL and fault controls.

Also a dependency-free Redis command helper used by the fixtures to flush between tests.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass

from tests.support.processes import LOG_TAIL_LINES, ManagedProcess, ProcessError


def redis_command(host: str, port: int, *args: str, timeout: float = 5.0) -> bytes:
    """Send one command to Redis over raw RESP and return the first line of the reply.

    Dependency-free, for fixtures (``FLUSHALL``) and readiness checks.

    Raises:
        ProcessError: the reply is a Redis error.
        OSError: the connection failed.
    """
    request = f"*{len(args)}\r\n".encode()
    for arg in args:
        data = arg.encode()
        request += b"$%d\r\n%s\r\n" % (len(data), data)
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(request)
        reply = b""
        while not reply.endswith(b"\r\n"):
            chunk = sock.recv(4096)
            if not chunk:
                break
            reply += chunk
    line = reply.split(b"\r\n", 1)[0]
    if line.startswith(b"-"):
        raise ProcessError("redis", f"{' '.join(args)} failed: {line[1:].decode(errors='replace')}")
    return line


@dataclass(frozen=True)
class ServerHandle:
    """A running server as fixtures hand it to tests: address, URL and fault controls.

    Attributes:
        process: The managed process (log, PID, signals).
        scheme: URL scheme, ``mqtt`` or ``redis``.
        path: URL path, e.g. ``/0`` for a Redis database.
    """

    process: ManagedProcess
    scheme: str
    path: str = ""

    @property
    def name(self) -> str:
        """The server's name."""
        return self.process.name

    @property
    def host(self) -> str:
        """Address it listens on."""
        assert self.process.host is not None
        return self.process.host

    @property
    def port(self) -> int:
        """Port it listens on (unchanged by restarts)."""
        assert self.process.port is not None
        return self.process.port

    @property
    def url(self) -> str:
        """``mqtt://127.0.0.1:<port>`` or ``redis://127.0.0.1:<port>/0``."""
        return f"{self.scheme}://{self.host}:{self.port}{self.path}"

    def start(self) -> None:
        """Start it if it is not running (same port, same data)."""
        self.process.start()

    def stop(self) -> None:
        """Stop it cleanly (Mosquitto saves its database)."""
        self.process.stop()

    def kill(self) -> None:
        """Kill it with SIGKILL (Mosquitto loses what it did not snapshot)."""
        self.process.kill()

    def restart(self) -> None:
        """Stop cleanly and start again on the same port."""
        self.process.restart()

    def pause(self) -> None:
        """Freeze it (SIGSTOP): connections stay open, nothing is answered."""
        self.process.pause()

    def resume(self) -> None:
        """Unfreeze it (SIGCONT)."""
        self.process.resume()

    def recover(self) -> None:
        """Undo whatever a test did to it: resume it if paused, start it if stopped or killed."""
        if self.process.running:
            self.process.resume()
        else:
            self.process.start()

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        """The last lines of its log."""
        return self.process.log_tail(lines)


ServerFactory = Callable[..., ServerHandle]
"""What ``mosquitto_factory``/``redis_factory`` yield: keyword options -> a started private server."""
