"""Fixtures shared by the unit tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator

import pytest

from devstack import descendants

SLEEPER = (
    "import subprocess, sys, time\n"
    "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(30)'])\n"
    "time.sleep(30)\n"
)


@pytest.fixture
def family() -> Iterator[subprocess.Popen[bytes]]:
    """A child process that has started a grandchild; both are killed after the test."""
    child = subprocess.Popen([sys.executable, "-c", SLEEPER])  # this interpreter, a fixed script
    try:
        yield child
    finally:
        for pid in descendants(child.pid):
            os.kill(pid, signal.SIGKILL)
        child.kill()
        child.wait()
