"""bench.procstat: which processes a CPU window counts (the bridge's SQLite writer is a child of it).

How the children are found (``devstack.descendants``) is tested in tests/unit/devstack.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from bench.procstat import CpuWindow
from devstack import descendants

SLEEPER = (
    "import subprocess, sys, time\n"
    "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(30)'])\n"
    "time.sleep(30)\n"
)


@pytest.fixture
def family() -> Iterator[subprocess.Popen[bytes]]:
    """A child that has started a grandchild."""
    child = subprocess.Popen([sys.executable, "-c", SLEEPER])  # this interpreter, a fixed script
    try:
        yield child
    finally:
        for pid in descendants(child.pid):
            os.kill(pid, signal.SIGKILL)
        child.kill()
        child.wait()


def wait_for_grandchild(child: subprocess.Popen[bytes]) -> list[int]:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = descendants(child.pid)
        if found:
            return found
        time.sleep(0.01)
    raise AssertionError("the grandchild did not start")


def test_a_cpu_window_counts_a_process_s_children_under_its_name(family: subprocess.Popen[bytes]) -> None:
    grandchildren = wait_for_grandchild(family)
    window = CpuWindow({"bridge": [family.pid]})

    window.start()

    assert window.pids["bridge"] == sorted([family.pid, *grandchildren])
