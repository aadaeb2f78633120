"""bench.procstat: which processes a CPU window counts (the bridge's SQLite writer is a child of it).

How the children are found (``devstack.descendants``) is tested in tests/unit/devstack.
"""

from __future__ import annotations

import subprocess
import time

from bench.procstat import CpuWindow
from devstack import descendants


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
