"""Run the README's embedded-mode command as a user would, on free ports."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.processes import free_port

REPO = Path(__file__).resolve().parents[2]
BANNER = "sensebridge embedded mode is running"
START_TIMEOUT_S = 180.0  # the first run may install packages and build the dashboard


@dataclass
class Embedded:
    """A running ``./scripts/run``."""

    process: subprocess.Popen[bytes]
    http_port: int
    mqtt_port: int
    log_path: Path

    @property
    def base_url(self) -> str:
        """The dashboard URL."""
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def mqtt_url(self) -> str:
        """The broker URL."""
        return f"mqtt://127.0.0.1:{self.mqtt_port}"

    def log(self) -> str:
        """Everything it printed so far."""
        return self.log_path.read_text(errors="replace")


@contextmanager
def embedded_mode(workdir: Path, *extra: str) -> Iterator[Embedded]:
    """Start ``./scripts/run`` with free ports and a private data folder; SIGINT it afterwards."""
    http_port, mqtt_port = free_port(), free_port()
    log_path = workdir / "embedded.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "BRIDGE_", "EDGE_"))}
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                str(REPO / "scripts" / "run"),
                "--host",
                "127.0.0.1",
                "--port",
                str(http_port),
                "--mqtt-host",
                "127.0.0.1",
                "--mqtt-port",
                str(mqtt_port),
                "--data-dir",
                str(workdir / "data"),
                *extra,
            ],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
    running = Embedded(process=process, http_port=http_port, mqtt_port=mqtt_port, log_path=log_path)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while BANNER not in running.log():
            if process.poll() is not None:
                raise AssertionError(f"./scripts/run exited with {process.returncode}:\n{running.log()[-4000:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"no banner within {START_TIMEOUT_S:g} s:\n{running.log()[-4000:]}")
            time.sleep(0.1)
        yield running
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def banner_urls(log: str) -> list[str]:
    """URLs the banner shows."""
    return re.findall(r"(?:http|mqtt)://[^\s)]+", log)
