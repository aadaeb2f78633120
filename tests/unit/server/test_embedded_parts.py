"""The embedded mode builds its parts' settings objects directly: nothing goes through the environment."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bridge.config import BridgeConfig
from config import ConfigError
from contract.broker import BrokerAddress
from edge.config import EdgeConfig
from server import config as server_config
from server.config import DEFAULT_DASHBOARD_DIR, ServerConfig
from server.embedded import parts
from storage.retention import RetentionPolicy

BROKER = BrokerAddress("127.0.0.1", 18830)
LOOPBACK = "127.0.0.1"


def test_the_web_tier_keeps_everything_in_the_data_folder(tmp_path: Path) -> None:
    web = parts.server_config(tmp_path, {}, bind=LOOPBACK)

    assert web.store_url == f"sqlite:///{tmp_path.resolve()}/sensebridge.sqlite3"
    assert web.database_url == f"sqlite:///{tmp_path.resolve()}/app.sqlite3"
    assert web.channel_layer == "memory"
    assert web.allowed_hosts == ("localhost", "127.0.0.1", "[::1]")
    assert web.public_urls == ()
    assert (web.debug, web.dashboard_dir, web.retention) == (False, DEFAULT_DASHBOARD_DIR, RetentionPolicy())
    assert len(web.secret_key) >= 32
    assert parts.server_config(tmp_path, {}, bind=LOOPBACK).secret_key != web.secret_key, "a random key per start"


def test_only_the_embedded_rows_of_the_environment_count(tmp_path: Path) -> None:
    environ = {
        "DJANGO_SECRET_KEY": "from-the-environment",
        "DJANGO_ALLOWED_HOSTS": "pi.lan",
        "PUBLIC_URLS": "https://pi.example.net",
        "DJANGO_DEBUG": "1",
        "DASHBOARD_DIR": "/srv/dashboard",
        "RETENTION_RAW_DAYS": "7",
        # Settings of other processes: the embedded mode decides these itself.
        "STORE_URL": "mongodb://mongo/sensebridge",
        "DATABASE_URL": "postgresql://db/app",
        "CHANNEL_LAYER": "redis",
        "BRIDGE_TICK_MS": "1",
    }

    web = parts.server_config(tmp_path, environ, bind=LOOPBACK)

    assert web == ServerConfig(
        secret_key="from-the-environment",
        database_url=parts.sqlite_url(tmp_path / "app.sqlite3"),
        debug=True,
        allowed_hosts=("localhost", "127.0.0.1", "[::1]", "pi.example.net", "pi.lan"),
        public_urls=("https://pi.example.net",),
        store_url=parts.sqlite_url(tmp_path / "sensebridge.sqlite3"),
        channel_layer="memory",
        dashboard_dir=Path("/srv/dashboard"),
        retention=RetentionPolicy(raw_days=7),
    )


def test_invalid_embedded_settings_are_listed_at_once(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        parts.server_config(tmp_path, {"DJANGO_DEBUG": "maybe", "RETENTION_RAW_DAYS": "0"}, bind=LOOPBACK)

    assert caught.value.process == "embedded"
    assert [p.setting for p in caught.value.problems] == ["RETENTION_RAW_DAYS", "DJANGO_DEBUG"]


def test_the_bridge_shares_the_web_tiers_store_and_layer(tmp_path: Path) -> None:
    web = parts.server_config(tmp_path, {"RETENTION_RAW_DAYS": "7"}, bind=LOOPBACK)

    bridge = parts.bridge_config(web, broker=BROKER, protocol="3.1.1", tick_ms=20)

    assert bridge == BridgeConfig(
        broker=BROKER,
        protocol="3.1.1",
        client_id="sensebridge-embedded-bridge",
        tick_ms=20,
        store_url=web.store_url,
        channel_layer="memory",
        retention=RetentionPolicy(raw_days=7),
    )


def test_the_simulated_devices_are_numbered_and_keep_their_outboxes_in_the_data_folder(tmp_path: Path) -> None:
    edge = parts.edge_config(tmp_path, broker=BROKER, protocol="5", count=2, rate_hz=4.0, seed=9)

    assert edge == EdgeConfig(
        broker=BROKER, mqtt_protocol="5", devices=("sim-1", "sim-2"), rate_hz=4.0, seed=9, outbox_dir=tmp_path / "edge"
    )


def test_django_takes_the_installed_settings_instead_of_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server_config, "_installed", None)
    monkeypatch.delitem(sys.modules, "server.settings", raising=False)
    web = parts.server_config(tmp_path, {}, bind=LOOPBACK)

    server_config.install(web)

    assert server_config.current() is web


def test_installing_after_django_read_its_settings_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(server_config, "_installed", None)
    monkeypatch.setitem(sys.modules, "server.settings", sys.modules[__name__])

    with pytest.raises(RuntimeError, match=r"before Django imports server\.settings"):
        server_config.install(ServerConfig(secret_key="x", database_url="sqlite:///:memory:"))
    assert server_config._installed is None


def test_without_an_installed_object_the_environment_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(server_config, "_installed", None)
    monkeypatch.setenv("DJANGO_DEBUG", "1")
    monkeypatch.setenv("DJANGO_SECRET_KEY", "from-env")

    assert server_config.current().secret_key == "from-env"
