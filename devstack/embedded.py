"""The README's run command (``./scripts/run``, the embedded mode) as a user runs it, on free ports."""

from __future__ import annotations

import re
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from devstack.env import REPO_ROOT, app_env
from devstack.net import LOOPBACK, free_port
from devstack.process import ProcessError
from devstack.wait import WaitTimeoutError, wait_until

BANNER = "sensebridge embedded mode is running"
START_TIMEOUT_S = 180.0  # the first run may install packages and build the dashboard
STOP_TIMEOUT_S = 30.0
_LOG_TAIL_CHARS = 4000


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
        return f"http://{LOOPBACK}:{self.http_port}"

    @property
    def mqtt_url(self) -> str:
        """The broker URL."""
        return f"mqtt://{LOOPBACK}:{self.mqtt_port}"

    def log(self) -> str:
        """Everything it printed so far."""
        return self.log_path.read_text(errors="replace")


@contextmanager
def embedded_mode(workdir: Path, *extra: str) -> Iterator[Embedded]:
    """Start ``./scripts/run`` with free ports and a private data folder; Ctrl+C (SIGINT) it afterwards.

    Args:
        workdir: Existing folder for ``embedded.log`` and the data folder ``data/``.
        extra: More arguments, e.g. ``"--devices", "3"``.

    Raises:
        ProcessError: it exited, or printed no banner within :data:`START_TIMEOUT_S` (with its output).
    """
    http_port, mqtt_port = free_port(), free_port()
    log_path = workdir / "embedded.log"
    argv = [str(REPO_ROOT / "scripts" / "run"), "--host", LOOPBACK, "--port", str(http_port)]
    argv += ["--mqtt-host", LOOPBACK, "--mqtt-port", str(mqtt_port), "--data-dir", str(workdir / "data"), *extra]
    with log_path.open("wb") as log:
        process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=app_env())
    running = Embedded(process=process, http_port=http_port, mqtt_port=mqtt_port, log_path=log_path)
    try:
        try:
            wait_until(
                lambda: BANNER in running.log() or process.poll() is not None,
                timeout=START_TIMEOUT_S,
                what="the banner",
                interval=0.1,
            )
        except WaitTimeoutError:
            raise ProcessError(
                "scripts/run", f"no banner within {START_TIMEOUT_S:g} s", log_tail=running.log()[-_LOG_TAIL_CHARS:]
            ) from None
        if BANNER not in running.log():
            raise ProcessError(
                "scripts/run", f"exited with {process.returncode}", log_tail=running.log()[-_LOG_TAIL_CHARS:]
            )
        yield running
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def banner_urls(log: str) -> list[str]:
    """URLs the banner shows."""
    return re.findall(r"(?:http|mqtt)://[^\s)]+", log)
