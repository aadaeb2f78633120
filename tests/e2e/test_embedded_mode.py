"""The README's run command: one process with broker, bridge, ASGI server, SQLite and
simulated devices; the dashboard is served and live readings reach a WebSocket client."""

from __future__ import annotations

import json
import sqlite3
import time
import urllib.request
from pathlib import Path

import pytest
from websockets.sync.client import connect

from contract.codec import encode_reading
from contract.models import Reading
from contract.topics import Kind, topic
from devstack import wait_until
from devstack.embedded import Embedded, banner_urls
from tests.integration.stack import receive_json, receive_until
from tests.support.mqtt import MqttTestClient

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]


def get_json(url: str) -> dict[str, object]:
    with urllib.request.urlopen(url, timeout=5) as response:
        body = json.loads(response.read())
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


def test_simulated_readings_reach_a_websocket_client(embedded: Embedded) -> None:
    with connect(f"ws://127.0.0.1:{embedded.http_port}/ws/live/", origin=embedded.base_url) as ws:  # type: ignore[arg-type]
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


def test_devices_are_listed_online_with_latest_values(embedded: Embedded) -> None:
    def all_online() -> list[dict[str, object]] | None:
        devices = get_json(embedded.base_url + "/api/v1/devices")["devices"]
        assert isinstance(devices, list)
        sims = [d for d in devices if str(d["device"]).startswith("sim-")]
        return sims if len(sims) == 3 and all(d["online"] and d["latest"] for d in sims) else None

    for device in wait_until(all_online, timeout=15, what="three simulated devices online"):
        latest = device["latest"]
        assert isinstance(latest, dict)
        assert {"temperature", "humidity", "pressure"} <= latest.keys()


def test_a_device_publishing_to_the_printed_broker_appears(embedded: Embedded) -> None:
    now = time.time_ns() // 1_000_000
    reading = Reading(device="garage-pi", boot="manual", seq=1, ts_ms=now, values={"temperature": 19.5})
    # The embedded broker may be amqtt, which speaks MQTT 3.1.1 only; the test client asks for v5 and
    # mosquitto (used when installed) accepts it.
    with MqttTestClient(embedded.mqtt_url, client_id="garage-pi-test") as device:
        device.publish(topic("garage-pi", Kind.READING), encode_reading(reading))

    def stored() -> list[object] | None:
        body = get_json(embedded.base_url + "/api/v1/devices/garage-pi/readings?since=0")
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
