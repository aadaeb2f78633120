"""The embedded mode's MQTT broker: local ``mosquitto`` if installed, else in-process ``amqtt``.

amqtt is pure Python, speaks MQTT 3.1.1 only and moves ~1k msg/s: fine for a demo.
"""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import logging
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from server.config import REPO_ROOT

log = logging.getLogger("sensebridge.embedded")

MOSQUITTO_CANDIDATES = ("mosquitto", "/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto")


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


def find_mosquitto() -> str | None:
    """Path of a mosquitto binary, if one is installed."""
    for candidate in MOSQUITTO_CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    return None


def mosquitto_config(*, host: str, port: int, data_dir: Path) -> str:
    """A mosquitto config: this listener and data folder, the repo's shared settings."""
    # As root, mosquitto would drop to the "mosquitto" user and could not write our data folder.
    return (
        f"user {getpass.getuser()}\n"
        f"listener {port} {host}\n"
        "persistence true\n"
        f"persistence_location {data_dir}/\n"
        f"log_dest file {data_dir / 'mosquitto.log'}\n"
        f"include_dir {REPO_ROOT / 'mosquitto' / 'conf.d'}\n"
    )


async def wait_for_port(host: str, port: int, timeout_s: float) -> None:
    """Return once ``host:port`` accepts a TCP connection.

    Raises:
        TimeoutError: not within ``timeout_s``.
    """
    target = "127.0.0.1" if host in ("0.0.0.0", "") else host  # noqa: S104 - mapping a wildcard bind to loopback
    async with asyncio.timeout(timeout_s):
        while True:
            try:
                _, writer = await asyncio.open_connection(target, port)
            except OSError:
                await asyncio.sleep(0.05)
                continue
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
            return


@dataclass
class MosquittoBroker:
    """``mosquitto`` as a child process with the repo's ``mosquitto/conf.d`` settings."""

    binary: str
    host: str
    port: int
    data_dir: Path
    name: str = "mosquitto"
    protocol: str = "5"
    _process: subprocess.Popen[bytes] | None = None

    async def start(self) -> None:
        """Start mosquitto and wait until it listens.

        Raises:
            BrokerError: it exited or did not listen within 10 s.
        """
        self.data_dir.mkdir(parents=True, exist_ok=True)
        conf = self.data_dir / "mosquitto.conf"
        conf.write_text(mosquitto_config(host=self.host, port=self.port, data_dir=self.data_dir))
        self._process = subprocess.Popen(  # noqa: ASYNC220 - returns at once; waits happen in a thread
            [self.binary, "-c", str(conf)],
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl+C reaches us only; we stop the broker last, after the devices
        )
        try:
            await wait_for_port(self.host, self.port, 10.0)
        except TimeoutError:
            await self.stop()
            log_file = self.data_dir / "mosquitto.log"
            tail = log_file.read_text(errors="replace")[-2000:] if log_file.exists() else ""
            raise BrokerError(f"mosquitto did not start on port {self.port}:\n{tail}") from None

    async def stop(self) -> None:
        """Terminate mosquitto (it saves its persistence file on the way out)."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            await asyncio.to_thread(process.wait, 10)
        except subprocess.TimeoutExpired:
            process.kill()
            await asyncio.to_thread(process.wait)


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


def choose_broker(kind: str, *, host: str, port: int, data_dir: Path) -> Broker:
    """The broker for ``--broker auto|mosquitto|amqtt``.

    Raises:
        BrokerError: ``mosquitto`` asked for but not installed.
    """
    binary = find_mosquitto()
    if kind == "mosquitto" and binary is None:
        raise BrokerError("--broker mosquitto: no mosquitto binary found (Debian/Ubuntu: apt install mosquitto)")
    if kind in ("auto", "mosquitto") and binary is not None:
        return MosquittoBroker(binary=binary, host=host, port=port, data_dir=data_dir)
    return AmqttBroker(host=host, port=port)
