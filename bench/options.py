"""Run-wide options shared by every benchmark, and the py-spy profile helper."""

from __future__ import annotations

import collections
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from server.config import DEFAULT_ASGI_SERVER

REPO = str(Path(__file__).resolve().parent.parent) + "/"


@dataclass(frozen=True)
class Options:
    """How a benchmark run is sized.

    Attributes:
        smoke: Seconds-long version: tiny load, short windows, no profiles (what CI runs).
        workdir: Where servers keep logs and helpers write results.
        asgi_server: The production ASGI server (compared against the other one).
        profile: Sample the busiest process with py-spy where a goal is missed.
    """

    smoke: bool
    workdir: Path
    asgi_server: str = DEFAULT_ASGI_SERVER
    profile: bool = True

    def seconds(self, full: float, smoke: float) -> float:
        """A duration for this mode."""
        return smoke if self.smoke else full

    def count(self, full: int, smoke: int) -> int:
        """A count for this mode."""
        return smoke if self.smoke else full

    def subdir(self, name: str) -> Path:
        """A fresh working directory for one benchmark phase."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f"{name}-", dir=self.workdir))


def py_spy() -> str | None:
    """The py-spy executable next to this interpreter, or on PATH."""
    local = Path(sys.executable).with_name("py-spy")
    return str(local) if local.exists() else shutil.which("py-spy")


class Profile:
    """Samples a process with ``py-spy record`` in the background (started at construction)."""

    def __init__(self, pid: int, seconds: float, out: Path) -> None:
        """Start sampling ``pid`` for ``seconds`` (a no-op when py-spy is missing)."""
        self._out = out
        binary = py_spy()
        self._proc = (
            subprocess.Popen(
                [
                    binary,
                    "record",
                    "-p",
                    str(pid),
                    "-d",
                    str(max(1, round(seconds))),
                    "-r",
                    "200",
                    "-f",
                    "raw",
                    "-o",
                    str(out),
                    "--nonblocking",
                    "--subprocesses",  # the SQLite store's writer process
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            if binary
            else None
        )

    def top(self, n: int = 8) -> list[str]:
        """Wait for the profile and return the ``n`` functions with the most own time."""
        if self._proc is None:
            return ["(py-spy not installed)"]
        try:
            self._proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            return ["(py-spy did not finish)"]
        if not self._out.exists():
            return ["(py-spy wrote no profile: it needs ptrace permission)"]
        own: collections.Counter[str] = collections.Counter()
        total = 0
        for line in self._out.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if not count.isdigit():
                continue
            total += int(count)
            leaf = stack.rsplit(";", 1)[-1]
            own[_short(leaf)] += int(count)
        return [f"{100 * c / total:.0f}% {name}" for name, c in own.most_common(n)] if total else []


def _short(frame: str) -> str:
    """``func (path/to/site-packages/pkg/mod.py:12)`` -> ``func (pkg/mod.py:12)``."""
    name, _, where = frame.partition(" (")
    where = where.rstrip(")")
    for marker in ("site-packages/", "python3.11/", REPO):
        if marker in where:
            where = where.split(marker, 1)[1]
    return f"{name} ({where})" if where else name
