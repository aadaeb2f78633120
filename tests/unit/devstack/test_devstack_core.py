"""devstack's dependency-free core: process families, waiting, the environment a child gets, broker config.

The servers themselves are exercised for real in tests/integration/test_fixtures.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from config import SETTINGS
from devstack import (
    MOSQUITTO_CONF_D,
    RESERVED_PORTS,
    ManagedProcess,
    ProcessError,
    WaitTimeoutError,
    app_env,
    descendants,
    free_port,
    has_ended,
    mosquitto_config,
    wait_until,
)


def test_descendants_lists_children_and_their_children(family: subprocess.Popen[bytes]) -> None:
    grandchildren = wait_until(lambda: descendants(family.pid), timeout=10, what="the grandchild")

    assert family.pid in descendants(os.getpid())
    assert set(grandchildren) <= set(descendants(os.getpid()))
    assert descendants(grandchildren[0]) == []


def test_a_killed_child_has_ended_even_before_it_is_reaped() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    assert not has_ended(child.pid)

    child.kill()

    assert wait_until(lambda: has_ended(child.pid), timeout=10, what="the child to end")
    child.wait()


def test_wait_until_returns_what_the_check_found() -> None:
    answers = iter([None, 0, "found"])

    assert wait_until(lambda: next(answers), timeout=5, interval=0.001) == "found"


def test_wait_until_names_what_it_waited_for_when_time_runs_out() -> None:
    started = time.monotonic()
    with pytest.raises(WaitTimeoutError, match=r"timed out after 0\.05 s waiting for the moon") as raised:
        wait_until(lambda: False, timeout=0.05, what="the moon")

    assert time.monotonic() - started < 1
    assert isinstance(raised.value, TimeoutError)


def test_free_ports_are_never_the_machines_own_services() -> None:
    assert {free_port() for _ in range(20)}.isdisjoint(RESERVED_PORTS)
    assert {1883, 5432, 6379, 27017} <= RESERVED_PORTS


def test_a_child_gets_only_the_settings_its_caller_names(monkeypatch: pytest.MonkeyPatch) -> None:
    for leaked in ("MQTT_URL", "STORE_URL", "MONGO_URL", "DJANGO_DEBUG", "BRIDGE_TICK_MS", "EDGE_RATE_HZ"):
        monkeypatch.setenv(leaked, "from-the-developer-shell")
    monkeypatch.setenv("HOME_OF_SOMETHING_ELSE", "kept")

    env = app_env(STORE_URL="sqlite:///x.sqlite3")

    assert env["STORE_URL"] == "sqlite:///x.sqlite3"
    assert not {"MQTT_URL", "MONGO_URL", "DJANGO_DEBUG", "BRIDGE_TICK_MS", "EDGE_RATE_HZ"} & env.keys()
    assert env["HOME_OF_SOMETHING_ELSE"] == "kept"
    assert Path(env["PYTHONPATH"], "devstack").is_dir()


def test_no_setting_of_the_table_leaks_into_a_child(monkeypatch: pytest.MonkeyPatch) -> None:
    for setting in SETTINGS:
        monkeypatch.setenv(setting.name, "from-the-developer-shell")

    assert not {setting.name for setting in SETTINGS} & app_env().keys()


def test_the_broker_config_puts_the_callers_lines_after_the_repos_shared_settings(tmp_path: Path) -> None:
    config = mosquitto_config(port=18830, data_dir=tmp_path, extra_config="max_packet_size 10")
    lines = config.splitlines()

    assert "listener 18830 127.0.0.1" in lines
    assert f"persistence_location {tmp_path}/" in lines
    assert lines.index(f"include_dir {MOSQUITTO_CONF_D}") < lines.index("max_packet_size 10")
    assert MOSQUITTO_CONF_D.is_dir()


def test_a_process_without_a_port_is_started_and_stopped_by_its_pid(tmp_path: Path) -> None:
    process = ManagedProcess("sleeper", [sys.executable, "-c", "import time; time.sleep(30)"], workdir=tmp_path)

    process.start()
    pid = process.pid
    assert process.running
    process.stop()

    assert pid is not None
    assert not process.running
    assert has_ended(pid)
    assert "=== devstack: start #1" in process.log_text()


def test_signalling_a_process_that_is_not_running_says_so(tmp_path: Path) -> None:
    process = ManagedProcess("idle", [sys.executable, "-c", "pass"], workdir=tmp_path)

    with pytest.raises(ProcessError, match="idle: cannot send SIGSTOP: not running"):
        process.pause()
