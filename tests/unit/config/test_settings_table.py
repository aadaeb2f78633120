"""The settings table itself: every row is well formed, and the facts other modules hold agree with it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bridge.layers import LAYERS
from config import SETTINGS, Process, Setting, settings_of
from config import table as t
from config.kinds import Choice
from contract.broker import PROTOCOLS
from server.config import ASGI_SERVERS, DEFAULT_ASGI_SERVER

REPO = Path(__file__).resolve().parents[3]
ROWS = pytest.mark.parametrize("setting", SETTINGS, ids=[s.name for s in SETTINGS])


def test_each_row_is_the_module_constant_of_its_name_and_names_are_unique() -> None:
    assert all(getattr(t, setting.name) is setting for setting in SETTINGS)
    assert len({setting.name for setting in SETTINGS}) == len(SETTINGS)


@ROWS
def test_every_default_is_an_allowed_value_that_survives_being_written_out(setting: Setting[Any]) -> None:
    for process in setting.processes:
        default = setting.default_for(process)
        if default is None:
            continue
        setting.kind.check(default)
        assert setting.kind.parse(setting.kind.render(default)) == default


@ROWS
def test_every_row_is_read_by_someone_documented_and_without_a_default_says_what_happens(
    setting: Setting[Any],
) -> None:
    assert setting.processes
    assert setting.doc.endswith(".")
    assert setting.default is not None or setting.default_doc or setting.name in {"MONGO_URL", "BRIDGE_SHARE_GROUP"}


def test_only_the_edge_has_flags_and_each_of_its_settings_has_a_distinct_one() -> None:
    flags = [setting.flag for setting in SETTINGS if setting.flag]
    assert len(flags) == len(set(flags))
    assert all(setting.flag for setting in settings_of(Process.EDGE))
    assert all(Process.EDGE in setting.processes for setting in SETTINGS if setting.flag)


def test_every_process_reads_settings_and_the_embedded_mode_only_its_own_few() -> None:
    assert all(settings_of(process) for process in Process)
    assert {s.name for s in settings_of(Process.EMBEDDED)} == {
        "DJANGO_SECRET_KEY",
        "DJANGO_DEBUG",
        "DJANGO_ALLOWED_HOSTS",
        "PUBLIC_URLS",
        "TRUSTED_PROXIES",
        "HSTS_SECONDS",
        "DASHBOARD_DIR",
        "RETENTION_RAW_DAYS",
        "RETENTION_MINUTE_DAYS",
        "RETENTION_HOUR_DAYS",
    }


def test_choices_held_elsewhere_are_the_tables() -> None:
    assert t.CHANNEL_LAYER.choices == LAYERS
    assert t.ASGI_SERVER.choices == ASGI_SERVERS
    assert t.ASGI_SERVER.default == DEFAULT_ASGI_SERVER
    assert set(t.MQTT_PROTOCOL.choices) == set(PROTOCOLS)


def test_a_setting_that_is_not_a_choice_has_no_choices() -> None:
    assert not isinstance(t.BRIDGE_TICK_MS.kind, Choice)
    with pytest.raises(TypeError, match="BRIDGE_TICK_MS"):
        _ = t.BRIDGE_TICK_MS.choices
    with pytest.raises(ValueError, match="has no default"):
        _ = t.MONGO_URL.default_value


def test_no_process_allows_every_host_by_default() -> None:
    for process in (Process.SERVER, Process.EMBEDDED):
        assert t.DJANGO_ALLOWED_HOSTS.default_for(process) == ("localhost", "127.0.0.1")
        assert t.PUBLIC_URLS.default_for(process) is None


def test_the_settings_package_needs_only_the_standard_library() -> None:
    """The Pi installs it with the edge agent: it must import nothing else, not even the contract."""
    code = (
        "import sys, config, config.render\n"
        "top = {name.split('.')[0] for name in sys.modules}\n"
        "print(sorted(top - set(sys.stdlib_module_names) - {'config', '__main__'}))\n"
    )
    result = subprocess.run([sys.executable, "-S", "-c", code], cwd=REPO, capture_output=True, text=True, check=True)

    assert result.stdout.strip() == "[]"
