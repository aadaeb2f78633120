"""Loopback addresses and free TCP ports: every devstack process listens on 127.0.0.1 on a free port."""

from __future__ import annotations

import socket

LOOPBACK = "127.0.0.1"

# Ports of the machine's own services and of the compose stack: a devstack process never binds these.
RESERVED_PORTS = frozenset({1883, 4222, 5432, 5672, 6379, 8000, 8883, 9001, 27017})


def free_port(host: str = LOOPBACK) -> int:
    """A TCP port that is free right now on ``host`` and is not one of :data:`RESERVED_PORTS`.

    The port is released before returning, so another process could take it first; the
    launchers retry with a new port when they chose it themselves.
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


def connectable(host: str) -> str:
    """The address to connect to for a server bound to ``host`` (a wildcard bind is reached on loopback)."""
    return LOOPBACK if host in ("", "0.0.0.0") else host  # noqa: S104 - mapping a wildcard bind, not binding one
