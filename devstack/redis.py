"""Redis from its binary, without persistence, and a dependency-free command helper."""

from __future__ import annotations

import socket
from pathlib import Path

from devstack.handle import ServerHandle
from devstack.net import LOOPBACK
from devstack.process import ManagedProcess, ProcessError, find_binary, start_on_port


def start_redis(workdir: Path, *, port: int | None = None, start_timeout: float = 10.0) -> ServerHandle:
    """Start a Redis server on 127.0.0.1 without any persistence.

    ``restart()``/``start()`` bring it back on the same port, empty (as after a crash).

    Args:
        workdir: Existing folder for the log (and Redis's working directory).
        port: Port to listen on; a free one when None.
        start_timeout: Seconds to wait for the listener.

    Returns:
        The running server; its URL is ``redis://127.0.0.1:<port>/0``.

    Raises:
        ProcessError: redis-server is not installed, or it did not start (log tail included).
    """
    binary = find_binary("redis-server", package="redis-server", fallbacks=["/usr/bin/redis-server"])

    def build(chosen: int) -> ManagedProcess:
        argv = [binary, "--port", str(chosen), "--bind", LOOPBACK, "--save", "", "--appendonly", "no"]
        argv += ["--dir", str(workdir), "--daemonize", "no"]
        return ManagedProcess("redis", argv, workdir=workdir, host=LOOPBACK, port=chosen, start_timeout=start_timeout)

    process = start_on_port(build, port)
    return ServerHandle(process, f"redis://{LOOPBACK}:{process.port}/0")


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
