"""The embedded mode's MQTT broker: local ``mosquitto`` if installed, else in-process ``amqtt``.

amqtt is pure Python, speaks MQTT 3.1.1 only and moves ~1k msg/s: fine for a demo.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from devstack import ProcessError, ServerHandle, find_mosquitto, start_mosquitto

log = logging.getLogger("sensebridge.embedded")


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

    Its config, persistence file and log live in ``data_dir``. It runs in a session of its own:
    Ctrl+C reaches this process only, which stops the broker last, after the devices.
    """

    host: str
    port: int
    data_dir: Path
    name: str = "mosquitto"
    protocol: str = "5"
    _server: ServerHandle | None = None

    async def start(self) -> None:
        """Start mosquitto and wait until it listens.

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
            )
        except ProcessError as exc:
            raise BrokerError(str(exc)) from exc

    async def stop(self) -> None:
        """Terminate mosquitto (it saves its persistence file on the way out)."""
        server, self._server = self._server, None
        if server is not None:
            await asyncio.to_thread(server.process.stop, 10.0)


@dataclass
class AmqttBroker:
    """amqtt running in this process (MQTT 3.1.1)."""

    host: str
    port: int
    name: str = "amqtt"
    protocol: str = "3.1.1"
    _broker: Any = None

    async def start(self) -> None:
        """Start amqtt and wait until it listens.

        Raises:
            BrokerError: it failed to start.
        """
        from amqtt.broker import Broker as AmqttServer  # noqa: PLC0415 - optional, only without mosquitto

        config = {
            "listeners": {"default": {"type": "tcp", "bind": f"{self.host}:{self.port}", "max_connections": 1000}},
            "sys_interval": 0,
            "auth": {"allow-anonymous": True},
            "topic-check": {"enabled": False},
        }
        # amqtt warns about every optional plugin setting left out; its errors still show.
        logging.getLogger("amqtt").setLevel(logging.ERROR)
        self._broker = AmqttServer(config)
        try:
            await self._broker.start()  # returns once the listener is bound
        except Exception as exc:
            raise BrokerError(f"amqtt did not start on port {self.port}: {exc}") from exc

    async def stop(self) -> None:
        """Shut amqtt down."""
        broker, self._broker = self._broker, None
        if broker is not None:
            await broker.shutdown()


def mosquitto_installed() -> bool:
    """Whether a mosquitto binary is installed."""
    try:
        find_mosquitto()
    except ProcessError:
        return False
    return True


def choose_broker(kind: str, *, host: str, port: int, data_dir: Path) -> Broker:
    """The broker for ``--broker auto|mosquitto|amqtt``.

    Raises:
        BrokerError: ``mosquitto`` asked for but not installed.
    """
    installed = mosquitto_installed()
    if kind == "mosquitto" and not installed:
        raise BrokerError("--broker mosquitto: no mosquitto binary found (Debian/Ubuntu: apt install mosquitto)")
    if kind in ("auto", "mosquitto") and installed:
        return MosquittoBroker(host=host, port=port, data_dir=data_dir)
    return AmqttBroker(host=host, port=port)
