"""The embedded mode's MQTT broker: the local ``mosquitto``, with accounts and ACLs, never open.

Mosquitto runs with ``allow_anonymous false`` and the password and ACL files the server
renders into the data folder (:mod:`server.embedded.access`); devstack's watcher reloads it
(SIGHUP) when they change, so ``manage.py mqtt device add`` works while it runs.

The pure-Python amqtt broker (0.12) is refused rather than run open: it has a password-file
plugin (argon2/bcrypt, not Mosquitto's ``$7$`` file) and per-user publish/subscribe/receive
topic lists, but cannot re-read them while running, so a revoked device would stay connected
until a restart that drops every connection, and it does not speak MQTT 5 (nor ``$share``).
The attack tests run against Mosquitto only.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from devstack import ProcessError, find_mosquitto
from devstack.mosquitto import BrokerHandle, start_mosquitto

log = logging.getLogger("sensebridge.embedded")

NO_MOSQUITTO = (
    "the embedded mode needs Mosquitto (accounts and topic ACLs; anonymous access is off): "
    "Debian/Ubuntu: sudo apt install mosquitto; macOS: brew install mosquitto"
)
AMQTT_REFUSED = (
    "--broker amqtt is no longer offered: amqtt cannot enforce the per-device accounts and ACLs "
    "and reload them without dropping connections, and the embedded mode never runs an open broker. "
    "Install Mosquitto instead (Debian/Ubuntu: sudo apt install mosquitto)"
)


class BrokerError(RuntimeError):
    """The embedded broker could not start."""


class Broker(Protocol):
    """A running broker."""

    name: str
    protocol: str

    async def start(self) -> None:
        """Start and return once it accepts connections."""
        ...

    async def stop(self) -> None:
        """Stop it."""
        ...


@dataclass
class MosquittoBroker:
    """``mosquitto`` as a child process with the repo's ``mosquitto/conf.d`` settings (started by devstack).

    Its config, persistence file and log live in ``data_dir``; it reads the accounts from
    ``access_dir`` (which must hold the files before :meth:`start`). It runs in a session of
    its own: Ctrl+C reaches this process only, which stops the broker last, after the devices.
    """

    host: str
    port: int
    data_dir: Path
    access_dir: Path
    name: str = "mosquitto"
    protocol: str = "5"
    _server: BrokerHandle | None = None

    async def start(self) -> None:
        """Start mosquitto and wait until it listens; its access files are watched from then on.

        Raises:
            BrokerError: it exited or did not listen within 10 s (with the end of its log).
        """
        self.data_dir.mkdir(parents=True, exist_ok=True)
        try:
            self._server = await asyncio.to_thread(
                start_mosquitto,
                self.data_dir,
                host=self.host,
                port=self.port,
                data_dir=self.data_dir,
                new_session=True,
                access_dir=self.access_dir,
            )
        except ProcessError as exc:
            raise BrokerError(str(exc)) from exc

    async def stop(self) -> None:
        """Terminate mosquitto (it saves its persistence file on the way out)."""
        server, self._server = self._server, None
        if server is not None:
            if server.watcher is not None:
                server.watcher.stop()
            await asyncio.to_thread(server.process.stop, 10.0)


def mosquitto_installed() -> bool:
    """Whether a mosquitto binary is installed."""
    try:
        find_mosquitto()
    except ProcessError:
        return False
    return True


def choose_broker(kind: str, *, host: str, port: int, data_dir: Path, access_dir: Path) -> Broker:
    """The broker for ``--broker auto|mosquitto|amqtt``: always Mosquitto.

    Raises:
        BrokerError: amqtt asked for, or mosquitto not installed (the message says how to install it).
    """
    if kind == "amqtt":
        raise BrokerError(AMQTT_REFUSED)
    if not mosquitto_installed():
        raise BrokerError(NO_MOSQUITTO)
    return MosquittoBroker(host=host, port=port, data_dir=data_dir, access_dir=access_dir)
