"""The production-shaped stack: docker-compose.yml, the container's broker config, the image recipe.

No Docker engine is needed: Debian's ``docker-compose`` (1.29) validates and normalises the file
with ``docker-compose config``, and the container's ``mosquitto.conf`` is started with the local
Mosquitto, through the container's entrypoint script (``mosquitto/reload-on-change.sh``), after
swapping in test paths and ports.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

import bridge.config
import edge.config
import server.config
from contract.broker import parse_mqtt_url
from contract.topics import Kind, topic
from devstack import LOOPBACK, MOSQUITTO_CONF_D, REPO_ROOT, ManagedProcess, find_binary, free_port, wait_until
from devstack.broker_access import BrokerAccess
from devstack.net import port_is_open
from devstack.tls import make_certificates
from server.config import DEFAULT_ASGI_SERVER, asgi_server_args
from server.mqtt_accounts.rules import AccountKind
from tests.support.mqtt import MqttTestClient, MqttTestError

pytestmark = pytest.mark.integration

COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
APP_SERVICES = ("server", "bridge", "device", "migrate")
ONE_SHOT_SERVICES = ("migrate",)
COMMON_ENV = {
    "REDIS_URL": "redis://redis:6379/0",
    "CHANNEL_LAYER": "redis-pubsub",
    "STORE_URL": "mongodb://mongo:27017/sensebridge",
}


def _docker_compose() -> str:
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.fail(
            "docker-compose is not installed: apt-get install docker-compose (scripts/test installs it); "
            "it validates docker-compose.yml without a Docker engine"
        )
    return binary


def _compose_config(env_file: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """``docker-compose config`` with only the given variables set (no .env, no DJANGO_* from the shell)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "COMPOSE_", "DOCKER_"))}
    return subprocess.run(
        [_docker_compose(), "-f", str(COMPOSE_FILE), "--env-file", str(env_file), "config"],
        cwd=REPO_ROOT,
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture(scope="module")
def empty_env_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("compose") / "empty.env"
    path.write_text("")
    return path


BRIDGE_PASSWORD = "compose-test-bridge-password"


@pytest.fixture(scope="module")
def compose(empty_env_file: Path) -> dict[str, Any]:
    """The stack as docker-compose understands it (variables interpolated, paths absolute)."""
    result = _compose_config(
        empty_env_file, DJANGO_SECRET_KEY="compose-test-secret", MQTT_BRIDGE_PASSWORD=BRIDGE_PASSWORD
    )
    assert result.returncode == 0, f"docker-compose config rejected the file:\n{result.stderr}"
    config: dict[str, Any] = yaml.safe_load(result.stdout)
    return config


def _service(compose: dict[str, Any], name: str) -> dict[str, Any]:
    service: dict[str, Any] = compose["services"][name]
    return service


def _mounts(service: dict[str, Any]) -> dict[str, str]:
    """Container path -> source (absolute host path or volume name)."""
    mounts = {}
    for entry in service.get("volumes", []):
        source, target, *_ = entry.split(":")
        mounts[target] = source
    return mounts


def test_the_stack_has_broker_redis_databases_server_scalable_bridge_and_demo_devices(compose: dict[str, Any]) -> None:
    services = {"mosquitto", "redis", "mongo", "postgres", "migrate", "server", "bridge", "device"}
    assert set(compose["services"]) == services
    assert _service(compose, "mosquitto")["image"] == "eclipse-mosquitto:2"
    assert _service(compose, "redis")["image"] == "redis:7-alpine"
    assert _service(compose, "mongo")["image"].startswith("mongo:")
    assert _service(compose, "postgres")["image"].startswith("postgres:")
    assert all(_service(compose, name)["build"]["context"] == str(REPO_ROOT) for name in APP_SERVICES)
    assert _service(compose, "device")["profiles"] == ["demo"]
    for name, service in compose["services"].items():
        assert service["restart"] == ("no" if name in ONE_SHOT_SERVICES else "unless-stopped"), name


def test_server_and_bridge_share_the_broker_redis_and_store_settings(compose: dict[str, Any]) -> None:
    for name in ("server", "bridge"):
        environment = _service(compose, name)["environment"]
        assert {key: environment[key] for key in COMMON_ENV} == COMMON_ENV, name
        data = _mounts(_service(compose, name)).get("/data")
        assert data in (None, "mqtt-access"), f"{name}: the store is MongoDB, not a shared file"


def test_mongodb_keeps_its_data_in_a_volume_and_stays_inside_the_stack(compose: dict[str, Any]) -> None:
    mongo = _service(compose, "mongo")
    assert _mounts(mongo)["/data/db"] == "mongo-data"
    assert "ports" not in mongo
    assert "mongosh" in mongo["healthcheck"]["test"]


def test_postgresql_keeps_its_data_in_a_volume_and_stays_inside_the_stack(compose: dict[str, Any]) -> None:
    postgres = _service(compose, "postgres")
    assert _mounts(postgres)["/var/lib/postgresql/data"] == "postgres-data"
    assert "ports" not in postgres
    assert postgres["healthcheck"]["test"][:2] == ["CMD", "pg_isready"]


def test_migrations_run_once_before_the_server_with_the_servers_database_settings(compose: dict[str, Any]) -> None:
    migrate, server, postgres = (_service(compose, name) for name in ("migrate", "server", "postgres"))
    assert migrate["command"][:2] == ["sh", "-c"]
    steps = [step.strip() for step in migrate["command"][2].split("&&")]
    assert steps[0] == "python -m server migrate --noinput"
    assert (REPO_ROOT / "server" / "__main__.py").is_file()
    assert server["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert migrate["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    for name in ("DATABASE_URL", "DJANGO_SECRET_KEY", "DJANGO_DEBUG"):
        assert migrate["environment"][name] == server["environment"][name], name
    pg = postgres["environment"]
    assert server["environment"]["DATABASE_URL"] == (
        f"postgresql://{pg['POSTGRES_USER']}:{pg['POSTGRES_PASSWORD']}@postgres:5432/{pg['POSTGRES_DB']}"
    )


def test_migrate_sets_the_bridges_broker_password_and_renders_the_access_files_for_the_broker(
    compose: dict[str, Any],
) -> None:
    migrate, server, bridge, mosquitto = (_service(compose, n) for n in ("migrate", "server", "bridge", "mosquitto"))
    steps = [step.strip() for step in migrate["command"][2].split("&&")]
    # The password goes in on stdin, never as an argument (a process list would show it).
    assert steps[1] == (
        "printf '%s\\n' \"$$MQTT_BRIDGE_PASSWORD\" | python -m server mqtt service bridge --password-file /dev/stdin"
    )
    assert steps[2] == "python -m server mqtt render"
    assert migrate["environment"]["MQTT_BRIDGE_PASSWORD"] == BRIDGE_PASSWORD
    broker = parse_mqtt_url(bridge["environment"]["MQTT_URL"])
    assert (broker.username, broker.password, broker.host) == ("bridge", BRIDGE_PASSWORD, "mosquitto")
    # The server writes the files into the volume the broker's entrypoint reads (read-only).
    for service in (migrate, server):
        assert service["environment"]["MQTT_ACCESS_DIR"] == "/data"
        assert _mounts(service)["/data"] == "mqtt-access"
    assert _mounts(mosquitto)["/mosquitto/access-source"] == "mqtt-access"
    assert "/mosquitto/access-source:ro" in " ".join(mosquitto["volumes"])
    assert mosquitto["environment"]["MQTT_ACCESS_SOURCE"] == "/mosquitto/access-source"


def test_the_stack_refuses_to_start_without_a_bridge_password(empty_env_file: Path) -> None:
    result = _compose_config(empty_env_file, DJANGO_SECRET_KEY="k")

    assert result.returncode != 0
    assert "MQTT_BRIDGE_PASSWORD" in result.stderr


def test_a_chosen_postgres_password_reaches_the_database_and_its_clients(empty_env_file: Path) -> None:
    result = _compose_config(
        empty_env_file, DJANGO_SECRET_KEY="k", POSTGRES_PASSWORD="chosen-pw", MQTT_BRIDGE_PASSWORD="b"
    )
    assert result.returncode == 0, result.stderr
    services = yaml.safe_load(result.stdout)["services"]

    assert services["postgres"]["environment"]["POSTGRES_PASSWORD"] == "chosen-pw"
    assert services["server"]["environment"]["DATABASE_URL"].startswith("postgresql://sensebridge:chosen-pw@")


def test_every_process_of_the_stack_accepts_its_settings(compose: dict[str, Any]) -> None:
    """The environment compose gives each program passes that program's own settings checks."""
    for name in ("server", "migrate"):
        web = server.config.load(_service(compose, name)["environment"])
        assert web.database_url.startswith("postgresql://"), name
        assert web.store_url == COMMON_ENV["STORE_URL"], name
    worker = bridge.config.load(_service(compose, "bridge")["environment"])
    assert worker.share_group == "bridge"
    device = _service(compose, "device")
    agents = edge.config.load_config(device["command"][3:], device["environment"])
    assert agents.devices == ("demo-1",)


def test_server_runs_the_default_asgi_server_on_8000_in_production_mode(compose: dict[str, Any]) -> None:
    server = _service(compose, "server")
    assert server["command"] == ["python", "-m", *asgi_server_args(DEFAULT_ASGI_SERVER, host="0.0.0.0", port=8000)]
    assert [(port["published"], port["target"]) for port in server["ports"]] == [(8000, 8000)]
    assert server["environment"]["DJANGO_SECRET_KEY"] == "compose-test-secret"
    assert server["environment"]["DJANGO_DEBUG"] == "0"
    assert "127.0.0.1" in server["environment"]["DJANGO_ALLOWED_HOSTS"].split(",")
    assert "/api/v1/health" in " ".join(server["healthcheck"]["test"])


def test_bridge_scales_out_on_a_shared_subscription_without_client_id_clashes(compose: dict[str, Any]) -> None:
    bridge = _service(compose, "bridge")
    assert bridge["environment"]["BRIDGE_SHARE_GROUP"] == "bridge"
    assert bridge["environment"]["BRIDGE_TICK_MS"] == "50"
    assert "container_name" not in bridge
    assert "ports" not in bridge
    assert "BRIDGE_CLIENT_ID" not in bridge["environment"], "a fixed client id makes replicas kick each other off"
    # With a share group the bridge derives a per-host client id itself (bridge.config.default_client_id).
    assert bridge["command"] == ["python", "-m", "bridge"]


def test_the_demo_device_logs_in_with_its_own_account(compose: dict[str, Any]) -> None:
    device = _service(compose, "device")
    assert device["command"] == ["python", "-m", "edge", "--simulate", "1"]
    broker = parse_mqtt_url(device["environment"]["MQTT_URL"])
    assert (broker.host, broker.port, broker.username) == ("mosquitto", 1883, "demo-1")
    assert (device["environment"]["EDGE_SIMULATE"], device["environment"]["EDGE_RATE_HZ"]) == ("1", "1")


def test_mosquitto_mounts_the_repository_config_and_keeps_data_in_a_volume(compose: dict[str, Any]) -> None:
    mosquitto = _service(compose, "mosquitto")
    mounts = _mounts(mosquitto)
    assert mounts["/mosquitto/config/mosquitto.conf"] == str(REPO_ROOT / "mosquitto" / "mosquitto.conf")
    assert mounts["/mosquitto/config/conf.d"] == str(MOSQUITTO_CONF_D)
    assert mounts["/mosquitto/data"] == "mosquitto-data"
    assert mounts["/mosquitto/config/reload-on-change.sh"] == str(REPO_ROOT / "mosquitto" / "reload-on-change.sh")
    assert mounts["/mosquitto/config/tls"] == str(REPO_ROOT / "mosquitto" / "tls")
    assert mounts["/mosquitto/certs"] == str(REPO_ROOT / "mosquitto" / "certs")
    assert mosquitto["entrypoint"] == ["/bin/sh", "/mosquitto/config/reload-on-change.sh"]
    assert mosquitto["command"] == ["/usr/sbin/mosquitto", "-c", "/mosquitto/config/mosquitto.conf"]
    bind_sources = [Path(source) for source in mounts.values() if source.startswith("/")]
    assert all(source.exists() for source in bind_sources), bind_sources
    assert sorted(port["published"] for port in mosquitto["ports"]) == [1883, 8883, 9001]


def test_services_wait_for_healthy_dependencies(compose: dict[str, Any]) -> None:
    assert "redis-cli" in _service(compose, "redis")["healthcheck"]["test"]
    # Healthy: it answers CONNECT, and refuses an anonymous client.
    assert "not authorised" in " ".join(_service(compose, "mosquitto")["healthcheck"]["test"])
    for name, needs in {
        "server": {"mosquitto", "redis", "mongo"},
        "bridge": {"mosquitto", "redis", "mongo"},
        "device": {"mosquitto"},
        "migrate": {"postgres"},
    }.items():
        depends_on = {
            dep: spec for dep, spec in _service(compose, name)["depends_on"].items() if dep not in ONE_SHOT_SERVICES
        }
        assert set(depends_on) == needs, name
        assert {dep["condition"] for dep in depends_on.values()} == {"service_healthy"}, name
    assert set(compose["volumes"]) == {"mosquitto-data", "mongo-data", "postgres-data", "edge-outbox", "mqtt-access"}


def test_the_stack_refuses_to_start_without_a_secret_key(empty_env_file: Path) -> None:
    result = _compose_config(empty_env_file, MQTT_BRIDGE_PASSWORD="b")

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def _local_variant_of_the_container_config(
    workdir: Path, mqtt_port: int, second_port: int, live: Path, tls_enabled: Path
) -> str:
    """The container's mosquitto.conf with its paths and ports swapped for test ones.

    Debian's Mosquitto 2.0 is built without libwebsockets, so the WebSockets listener becomes a
    second plain MQTT listener: the listener layout (and conf.d after the last listener) stays.
    """
    text = (REPO_ROOT / "mosquitto" / "mosquitto.conf").read_text()
    replacements = {
        "listener 1883\n": f"listener {mqtt_port} {LOOPBACK}\n",
        "listener 9001\nprotocol websockets\n": f"listener {second_port} {LOOPBACK}\nprotocol mqtt\n",
        "persistence_location /mosquitto/data/\n": f"persistence_location {workdir}/\n",
        "password_file /mosquitto/access/passwords\n": f"password_file {live}/passwords\n",
        "acl_file /mosquitto/access/acl\n": f"acl_file {live}/acl\n",
        "include_dir /mosquitto/config/conf.d\n": f"include_dir {MOSQUITTO_CONF_D}\n",
        "include_dir /mosquitto/tls-enabled\n": f"include_dir {tls_enabled}\n",
    }
    for container, local in replacements.items():
        assert text.count(container) == 1, f"mosquitto/mosquitto.conf no longer has {container!r}"
        text = text.replace(container, local)
    # As root, mosquitto would drop to user 'mosquitto', which cannot write the test's directory.
    return f"user {pwd.getpwuid(os.getuid()).pw_name}\n{text}"


def _refused(url: str, client_id: str) -> bool:
    try:
        with MqttTestClient(url, client_id=client_id, timeout=3):
            return False
    except MqttTestError:
        return True


def _container_broker(
    workdir: Path,
    mqtt_port: int,
    second_port: int,
    *,
    access_source: Path,
    access_live: Path,
    certs: Path | None = None,
    tls_port: int = 0,
) -> ManagedProcess:
    """The compose broker's entrypoint script running the local mosquitto on the container's config.

    With ``certs``, the TLS listener file is a local variant (port and certificate paths swapped)
    and the certificates folder is ``certs``; without, the certificates folder is empty.
    """
    tls_enabled, certs_dir = workdir / "tls-enabled", certs or workdir / "no-certs"
    listener = (REPO_ROOT / "mosquitto" / "tls" / "listener.conf").read_text()
    for container, local in {
        "listener 8883\n": f"listener {tls_port} {LOOPBACK}\n",
        "/mosquitto/certs/": f"{certs_dir}/",
    }.items():
        assert container in listener, f"mosquitto/tls/listener.conf no longer has {container!r}"
        listener = listener.replace(container, local)
    (workdir / "listener.conf").write_text(listener)
    config = workdir / "mosquitto.conf"
    config.write_text(_local_variant_of_the_container_config(workdir, mqtt_port, second_port, access_live, tls_enabled))
    binary = find_binary("mosquitto", package="mosquitto", fallbacks=["/usr/sbin/mosquitto"])
    env = {
        **os.environ,
        "MQTT_ACCESS_SOURCE": str(access_source),
        "MQTT_ACCESS_LIVE": str(access_live),
        "MQTT_ACCESS_POLL_S": "0.2",
        "MQTT_TLS_CERTS": str(certs_dir),
        "MQTT_TLS_LISTENER": str(workdir / "listener.conf"),
        "MQTT_TLS_ENABLED": str(tls_enabled),
    }
    script = str(REPO_ROOT / "mosquitto" / "reload-on-change.sh")
    return ManagedProcess(
        "mosquitto",
        ["/bin/sh", script, binary, "-c", str(config)],
        workdir=workdir,
        host=LOOPBACK,
        port=mqtt_port,
        env=env,
    )


def test_the_container_broker_serves_mqtts_on_8883_once_its_certificate_is_mounted(
    tmp_path: Path, unique_id: str
) -> None:
    mqtt_port, second_port, tls_port = free_port(), free_port(), free_port()
    access = BrokerAccess(tmp_path / "access-source")
    device = access.add(AccountKind.DEVICE, unique_id)
    certs_dir = tmp_path / "certs"
    certs_dir.mkdir()
    certs = make_certificates(certs_dir)
    broker = _container_broker(
        tmp_path,
        mqtt_port,
        second_port,
        access_source=tmp_path / "access-source",
        access_live=tmp_path / "access",
        certs=certs_dir,
        tls_port=tls_port,
    )
    status_topic = topic(unique_id, Kind.STATUS)

    with broker:
        wait_until(lambda: port_is_open(LOOPBACK, tls_port), what="the TLS listener")
        tls_url = access.url(f"mqtts://{LOOPBACK}:{tls_port}", device)
        with MqttTestClient(tls_url, client_id=f"{unique_id}-tls", ca_file=certs.ca_file) as publisher:
            assert not publisher.publish(status_topic, b"over tls", qos=1).is_failure
        assert _refused(access.url(f"mqtt://{LOOPBACK}:{tls_port}", device), f"{unique_id}-plain-on-tls")
    assert "TLS listener on" in broker.log_text()


def test_without_a_certificate_the_container_broker_runs_without_tls_and_says_so(
    tmp_path: Path, unique_id: str
) -> None:
    mqtt_port, second_port = free_port(), free_port()
    access = BrokerAccess(tmp_path / "access-source")
    device = access.add(AccountKind.DEVICE, unique_id)
    broker = _container_broker(
        tmp_path, mqtt_port, second_port, access_source=tmp_path / "access-source", access_live=tmp_path / "access"
    )

    with broker, MqttTestClient(access.url(f"mqtt://{LOOPBACK}:{mqtt_port}", device), client_id=f"{unique_id}-d"):
        pass
    assert "TLS listener off" in broker.log_text()
    assert not list((tmp_path / "tls-enabled").iterdir())


def test_the_container_broker_runs_through_its_entrypoint_with_accounts_and_reloads_on_change(
    tmp_path: Path, unique_id: str
) -> None:
    """The compose broker, locally: its config, its entrypoint script, the files the server writes."""
    mqtt_port, second_port = free_port(), free_port()
    source, live = tmp_path / "access-source", tmp_path / "access"
    access = BrokerAccess(source)  # the files as the server renders them (plus a devstack account)
    assert access.superuser is not None
    device = access.add(AccountKind.DEVICE, unique_id)
    broker = _container_broker(tmp_path, mqtt_port, second_port, access_source=source, access_live=live)
    plain = f"mqtt://{LOOPBACK}:{mqtt_port}"
    admin_url = access.url(f"mqtt://{LOOPBACK}:{second_port}", access.superuser)
    status_topic = topic(unique_id, Kind.STATUS)

    with broker, MqttTestClient(admin_url, client_id=f"{unique_id}-sub") as subscriber:
        assert _refused(plain, f"{unique_id}-anonymous")
        subscriber.subscribe(status_topic)
        with MqttTestClient(access.url(plain, device), client_id=f"{unique_id}-dev") as publisher:
            publisher.publish(status_topic, b"hello", qos=1)
        assert subscriber.expect().payload == b"hello"
        assert (live / "passwords").stat().st_mode & 0o777 == 0o600

        # The server revokes the device: the script copies the files and reloads the broker, which
        # then refuses the device while the other connection stays up.
        access.revoke(unique_id)
        wait_until(lambda: "reloading mosquitto" in broker.log_text(), what="the entrypoint to reload")
        wait_until(lambda: _refused(access.url(plain, device), f"{unique_id}-dev2"), what="the device to be refused")
        subscriber.publish(status_topic, b"still here", qos=1)
        assert subscriber.expect().payload == b"still here"


def test_the_image_builds_the_dashboard_and_runs_the_project_as_a_non_root_user() -> None:
    dockerfile = (REPO_ROOT / "Dockerfile").read_text()
    assert "FROM node:20-slim AS dashboard" in dockerfile
    assert "npm ci" in dockerfile
    assert "npm run build" in dockerfile
    assert '".[embedded]"' in dockerfile
    assert "ENV PATH=/opt/venv/bin:$PATH" in dockerfile
    assert "DASHBOARD_DIR=/app/dashboard/dist" in dockerfile
    assert "COPY --from=dashboard /dashboard/dist /app/dashboard/dist" in dockerfile
    assert "\nUSER app\n" in dockerfile
    [cmd] = [line for line in _joined_lines(dockerfile) if line.startswith("CMD ")]
    assert json.loads(cmd.removeprefix("CMD ")) == [
        "python",
        "-m",
        *asgi_server_args(DEFAULT_ASGI_SERVER, host="0.0.0.0", port=8000),
    ]
    ignored = set((REPO_ROOT / ".dockerignore").read_text().split())
    assert {".venv", "**/node_modules", "var", ".pytest_cache", ".mypy_cache", ".env"} <= ignored


def _joined_lines(dockerfile: str) -> list[str]:
    """Dockerfile instructions with their backslash continuations joined."""
    return dockerfile.replace("\\\n", " ").splitlines()
