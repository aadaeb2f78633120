"""CPU time and memory of processes, and how busy the whole machine is, from ``/proc``."""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from devstack import descendants

TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def cpu_model() -> str:
    """The CPU's model name from ``/proc/cpuinfo`` ("?" if it says none)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "?"


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds the process has used so far (0 if it is gone)."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = raw[raw.rindex(")") + 2 :].split()  # after "pid (comm) "
    return (int(fields[11]) + int(fields[12])) / TICKS


def rss_bytes(pid: int) -> int:
    """Resident set size now (0 if the process is gone)."""
    try:
        pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    except OSError:
        return 0
    return pages * PAGE


def machine_busy_seconds() -> tuple[float, float]:
    """(busy CPU seconds, total CPU seconds) of every core since boot, from ``/proc/stat``."""
    first = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    values = [int(v) for v in first[:8]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values) - idle) / TICKS, sum(values) / TICKS


@dataclass(frozen=True, slots=True)
class Usage:
    """CPU used over a window.

    Attributes:
        seconds: Wall-clock length of the window.
        cpu: CPU seconds per watched process (by name).
        machine_busy: CPU seconds the whole machine used (all processes, all cores).
    """

    seconds: float
    cpu: dict[str, float]
    machine_busy: float

    @property
    def ours(self) -> float:
        """CPU seconds of the watched processes."""
        return sum(self.cpu.values())

    @property
    def others_cores(self) -> float:
        """Average cores used by processes outside the benchmark (other users of the machine).

        Approximate: the benchmark's helper processes that are not watched count as "others"
        too, so callers watch every process they start.
        """
        return max(0.0, self.machine_busy - self.ours) / self.seconds if self.seconds else 0.0

    def cores(self, name: str) -> float:
        """Average cores the named process used."""
        return self.cpu.get(name, 0.0) / self.seconds if self.seconds else 0.0


class CpuWindow:
    """Measures CPU of named processes between :meth:`start` and :meth:`stop`."""

    def __init__(self, pids: Mapping[str, Iterable[int]]) -> None:
        """Watch ``pids``: name -> the PIDs counted under that name (this process is ``coordinator``).

        Each process's children running when the window starts count under its name too.
        """
        self._pids = {name: list(group) for name, group in pids.items()}
        self._pids.setdefault("coordinator", [os.getpid()])
        self._start: dict[str, float] = {}
        self._busy0 = 0.0
        self._t0 = 0.0

    @property
    def pids(self) -> dict[str, list[int]]:
        """The processes counted under each name (children included once the window started)."""
        return {name: list(group) for name, group in self._pids.items()}

    def _sample(self) -> dict[str, float]:
        return {name: sum(cpu_seconds(pid) for pid in group) for name, group in self._pids.items()}

    def start(self) -> None:
        """Begin the window."""
        for name, group in self._pids.items():
            if name != "coordinator":  # its children are the other groups
                self._pids[name] = sorted({*group, *(d for pid in group for d in descendants(pid))})
        self._start = self._sample()
        self._busy0 = machine_busy_seconds()[0]
        self._t0 = time.monotonic()

    def stop(self) -> Usage:
        """End the window."""
        end = self._sample()
        return Usage(
            seconds=time.monotonic() - self._t0,
            cpu={name: end[name] - self._start.get(name, 0.0) for name in end},
            machine_busy=machine_busy_seconds()[0] - self._busy0,
        )
