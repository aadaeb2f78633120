"""The README's run command: one process with broker, bridge, ASGI server, SQLite and
simulated devices; the dashboard is served and live readings reach a WebSocket client.
The data is read as the viewer, signed in as a browser is (session cookie + CSRF)."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from contract.codec import encode_reading
from contract.models import Reading
from contract.topics import Kind, topic
from devstack import wait_until
from devstack.embedded import Embedded, banner_urls
from devstack.env import app_env
from tests.e2e.signin import Account, signed_in_client
from tests.integration.stack import receive_json, receive_until
from tests.support.mqtt import MqttTestClient, MqttTestError
from tests.support.web import WebClient

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def viewer(embedded: Embedded, accounts: dict[str, Account]) -> WebClient:
    return signed_in_client(embedded.base_url, accounts["viewer"])


def get_json(client: WebClient, path: str) -> dict[str, object]:
    status, body = client.get_json(path)
    assert status == 200, body
    assert isinstance(body, dict)
    return body


def test_banner_names_the_dashboard_and_the_broker(embedded: Embedded) -> None:
    urls = banner_urls(embedded.log())
    assert f"{embedded.base_url}/" in urls
    assert embedded.mqtt_url in urls
    assert "sim-1, sim-2, sim-3" in embedded.log()


def test_dashboard_page_is_served(embedded: Embedded) -> None:
    with urllib.request.urlopen(embedded.base_url + "/", timeout=5) as response:
        page = response.read().decode()
    assert page == (REPO / "dashboard" / "dist" / "index.html").read_text()


def test_simulated_readings_reach_a_websocket_client(viewer: WebClient) -> None:
    with viewer.live(via="session") as ws:
        assert receive_json(ws)["type"] == "hello"
        ws.send('{"type": "subscribe", "devices": ["sim-1", "sim-2"]}')
        seen: dict[str, list[int]] = {}
        deadline = time.monotonic() + 15
        while len(seen) < 2 or any(len(s) < 3 for s in seen.values()):
            assert time.monotonic() < deadline, f"frames seen: {seen}"
            frame = receive_until(ws, lambda m: m["type"] == "frame")
            seen.setdefault(frame["device"], []).extend(r["seq"] for r in frame["readings"])
    for seqs in seen.values():
        assert seqs == sorted(seqs)
        assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), "live sequence numbers run without gaps"


def test_devices_are_listed_online_with_latest_values(viewer: WebClient) -> None:
    def all_online() -> list[dict[str, object]] | None:
        devices = get_json(viewer, "/api/v1/devices")["devices"]
        assert isinstance(devices, list)
        sims = [d for d in devices if str(d["device"]).startswith("sim-")]
        return sims if len(sims) == 3 and all(d["online"] and d["latest"] for d in sims) else None

    for device in wait_until(all_online, timeout=15, what="three simulated devices online"):
        latest = device["latest"]
        assert isinstance(latest, dict)
        assert {"temperature", "humidity", "pressure"} <= latest.keys()


def test_a_device_added_with_the_printed_command_publishes_to_the_printed_broker(
    embedded: Embedded, viewer: WebClient
) -> None:
    # The banner's command for a real Pi, as a user copies it; it prints the password once.
    [command] = [line.strip() for line in embedded.log().splitlines() if "manage.py mqtt device add" in line]
    printed = subprocess.run(
        ["/bin/sh", "-c", command.replace("<device id>", "garage-pi")],
        cwd=REPO,
        env=app_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    password = re.search(r"^  password: +(\S+)$", printed, re.MULTILINE)
    assert password is not None, printed
    broker = urlsplit(embedded.mqtt_url)
    device_url = f"mqtt://garage-pi:{password.group(1)}@{broker.netloc}"

    now = time.time_ns() // 1_000_000
    reading = Reading(device="garage-pi", boot="manual", seq=1, ts_ms=now, values={"temperature": 19.5})

    def publish() -> bool:
        # The broker takes the new account at its next reload of the access files.
        try:
            with MqttTestClient(device_url, client_id="garage-pi") as device:
                device.publish(topic("garage-pi", Kind.READING), encode_reading(reading))
        except MqttTestError:
            return False
        return True

    wait_until(publish, timeout=15, what="the broker to accept the new device's account")

    def stored() -> list[object] | None:
        body = get_json(viewer, "/api/v1/devices/garage-pi/readings?since=0")
        rows = body["readings"]
        assert isinstance(rows, list)
        return rows or None

    rows = wait_until(stored, timeout=10, what="the published reading to be stored")
    received = rows[0]["received_ts"]  # type: ignore[index]
    assert rows == [{"seq": 1, "device_ts": now, "received_ts": received, "temperature": 19.5}]


def test_the_application_database_is_migrated_before_the_banner(embedded: Embedded) -> None:
    log = embedded.log()
    assert "application database" in log
    assert log.index("application database") < log.index("sensebridge embedded mode is running")
    database = embedded.log_path.parent / "data" / "app.sqlite3"
    assert database.parent.stat().st_mode & 0o777 == 0o700  # password hashes and sessions live there
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        applied = {app for (app,) in conn.execute("SELECT DISTINCT app FROM django_migrations")}
    assert {"auth", "contenttypes", "sessions"} <= applied
