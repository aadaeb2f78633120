"""``manage.py mqtt`` provisions, rotates and revokes accounts on a real Mosquitto that reads the files
the command writes (docs/security.md, "Provisioning a device / an integration").

A Pi configured with exactly the lines ``mqtt device add`` prints (a real edge agent, its password
in a 0600 file) connects and publishes; an integration added the same way reads it; rotation and
revocation take effect at the broker's reload; mistakes are refused with a clear message.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from contract.topics import Kind, subscription, topic
from devstack import REPO_ROOT, ManagedProcess, app_env, wait_until
from devstack.apps import start_edge
from devstack.broker_access import url_with_credentials
from devstack.mosquitto import BrokerHandle, start_mosquitto
from tests.support.mqtt import MqttTestClient, MqttTestError

pytestmark = pytest.mark.integration


@dataclass
class Deployment:
    """An application database, its access folder and a broker that reads it."""

    workdir: Path
    database_url: str
    access_dir: Path
    broker: BrokerHandle | None = None

    def mqtt(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = app_env(
            DJANGO_SECRET_KEY="integration-test-only",
            DATABASE_URL=self.database_url,
            MQTT_ACCESS_DIR=str(self.access_dir),
        )
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    @property
    def broker_url(self) -> str:
        assert self.broker is not None
        return f"mqtt://{self.broker.host}:{self.broker.port}"

    def can_log_in(self, user: str, password: str, client_id: str) -> bool:
        try:
            with MqttTestClient(url_with_credentials(self.broker_url, user, password), client_id=client_id, timeout=3):
                return True
        except MqttTestError:
            return False


def printed(output: str, label: str) -> str:
    match = re.search(rf"^\s*{re.escape(label)}\s*(\S+)\s*$", output, re.MULTILINE)
    assert match, f"no {label!r} line in:\n{output}"
    return match.group(1)


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An application database migrated once for the module; each test works on a copy."""
    folder = tmp_path_factory.mktemp("migrated")
    template = Deployment(folder, f"sqlite:///{folder / 'app.sqlite3'}", folder / "mqtt-access")
    result = template.mqtt("migrate", "--noinput")
    assert result.returncode == 0, result.stderr
    return folder / "app.sqlite3"


@pytest.fixture
def deployment(migrated: Path, tmp_path: Path) -> Iterator[Deployment]:
    shutil.copy(migrated, tmp_path / "app.sqlite3")
    made = Deployment(tmp_path, f"sqlite:///{tmp_path / 'app.sqlite3'}", tmp_path / "mqtt-access")
    result = made.mqtt("mqtt", "render")
    assert result.returncode == 0, result.stderr
    broker_dir = tmp_path / "broker"
    broker_dir.mkdir()
    made.broker = start_mosquitto(broker_dir, persistence=False, access_dir=made.access_dir)
    yield made
    made.broker.stop()


def test_a_pi_set_up_with_the_printed_lines_connects_and_an_integration_reads_it(
    deployment: Deployment, tmp_path: Path, unique_id: str
) -> None:
    added = deployment.mqtt("mqtt", "device", "add", unique_id, "--broker-url", deployment.broker_url)
    assert added.returncode == 0, added.stderr
    password = printed(added.stdout, "password:")
    assert printed(added.stdout, "device id:") == unique_id
    pi_url = printed(added.stdout, "MQTT_URL=")
    assert pi_url == deployment.broker_url.replace("mqtt://", f"mqtt://{unique_id}@")  # the user, never the password
    assert password not in pi_url
    assert printed(added.stdout, "EDGE_DEVICE_ID=") == unique_id
    assert "chmod" in added.stdout or "install -m 600" in added.stdout

    integration = deployment.mqtt(
        "mqtt", "integration", "add", f"{unique_id}-ha", "--broker-url", deployment.broker_url
    )
    assert integration.returncode == 0, integration.stderr
    reader_url = url_with_credentials(
        deployment.broker_url, f"{unique_id}-ha", printed(integration.stdout, "password:")
    )
    wait_until(lambda: deployment.can_log_in(f"{unique_id}-ha", printed(integration.stdout, "password:"), "probe"))

    password_file = tmp_path / "mqtt-password"
    password_file.write_text(password + "\n")
    password_file.chmod(0o600)
    with MqttTestClient(reader_url, client_id=f"{unique_id}-reader") as reader:
        reader.subscribe(subscription(Kind.READING))
        agent: ManagedProcess = start_edge(
            tmp_path, mqtt_url=pi_url, device=unique_id, extra_env={"MQTT_PASSWORD_FILE": str(password_file)}
        )
        try:
            assert reader.expect(timeout=15).topic == topic(unique_id, Kind.READING)
        finally:
            agent.stop()

    listing = deployment.mqtt("mqtt", "list")
    assert listing.returncode == 0, listing.stderr
    assert unique_id in listing.stdout
    assert f"{unique_id}-ha" in listing.stdout
    assert password not in listing.stdout
    assert "$7$" not in listing.stdout


def test_rotate_replaces_the_password_and_revoke_locks_the_device_out(deployment: Deployment, unique_id: str) -> None:
    added = deployment.mqtt("mqtt", "device", "add", unique_id, "--broker-url", deployment.broker_url)
    old = printed(added.stdout, "password:")
    wait_until(lambda: deployment.can_log_in(unique_id, old, f"{unique_id}-1"), what="the new account")

    rotated = deployment.mqtt("mqtt", "device", "rotate", unique_id, "--broker-url", deployment.broker_url)
    assert rotated.returncode == 0, rotated.stderr
    new = printed(rotated.stdout, "password:")
    assert new != old
    wait_until(lambda: deployment.can_log_in(unique_id, new, f"{unique_id}-2"), what="the new password")
    assert not deployment.can_log_in(unique_id, old, f"{unique_id}-3")

    revoked = deployment.mqtt("mqtt", "device", "revoke", unique_id)
    assert revoked.returncode == 0, revoked.stderr
    wait_until(lambda: not deployment.can_log_in(unique_id, new, f"{unique_id}-4"), what="the revocation")


MISTAKES = {
    ("device", "add", "Bad/Name"): "is not a valid device name",
    ("device", "add", "bridge"): "is reserved",
    ("integration", "add", "devstack"): "is reserved",
    ("device", "rotate", "nobody"): "no device account 'nobody'",
    ("device", "revoke", "nobody"): "no device account 'nobody'",
    ("device", "add", "x", "--broker-url", "http://host"): "expected mqtt://host[:port]",
    ("device", "add", "x", "--broker-url", "mqtt://u:p@host"): "without user, password or path",
}


def test_mistakes_are_refused_with_a_clear_message_and_change_nothing(deployment: Deployment) -> None:
    before = (deployment.access_dir / "passwords").read_text()
    for args, message in MISTAKES.items():
        result = deployment.mqtt("mqtt", *args)
        assert result.returncode != 0, args
        assert message in result.stderr, (args, result.stderr)
    assert (deployment.access_dir / "passwords").read_text() == before
    assert "no MQTT accounts" in deployment.mqtt("mqtt", "list").stdout


def test_a_name_is_taken_across_kinds(deployment: Deployment, unique_id: str) -> None:
    assert deployment.mqtt("mqtt", "device", "add", unique_id).returncode == 0

    for kind in ("device", "integration"):
        result = deployment.mqtt("mqtt", kind, "add", unique_id)
        assert result.returncode != 0
        assert f"a device account called '{unique_id}' exists already" in result.stderr
    # Rotating it as an integration is refused: a device is never called like an integration.
    assert "no integration account" in deployment.mqtt("mqtt", "integration", "rotate", unique_id).stderr


def test_the_bridges_password_comes_from_a_file_and_an_unchanged_one_changes_nothing(
    deployment: Deployment, tmp_path: Path
) -> None:
    secret = tmp_path / "bridge-password"
    secret.write_text("compose-chosen-secret\n")
    first = deployment.mqtt("mqtt", "service", "bridge", "--password-file", str(secret))
    assert first.returncode == 0, first.stderr
    wait_until(lambda: deployment.can_log_in("bridge", "compose-chosen-secret", "bridge-probe"), what="the bridge")

    before = (deployment.access_dir / "passwords").read_text()
    assert deployment.mqtt("mqtt", "service", "bridge", "--password-file", str(secret)).returncode == 0
    assert (deployment.access_dir / "passwords").read_text() == before
