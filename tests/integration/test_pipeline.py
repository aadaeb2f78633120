"""The pipeline as deployed: device messages -> Mosquitto -> bridge process -> SQLite + Redis
channel layer -> ASGI server -> WebSocket and REST clients. Everything real, on free ports.

Runs once per server in :data:`~tests.integration.stack.SERVERS_UNDER_TEST`: the configured
``ASGI_SERVER`` and daphne."""

from __future__ import annotations

import asyncio
import time
import urllib.request
from pathlib import Path

import pytest
from websockets.exceptions import InvalidStatus

from contract.broker import parse_mqtt_url
from contract.codec import encode_batch, encode_reading, encode_status, format_ts
from contract.models import Reading, Status
from contract.topics import Kind, topic
from devstack import ServerHandle, wait_until
from edge.config import EdgeConfig
from edge.runner import build_agents, start_all, stop_all
from storage.sqlite import SqliteStore
from tests.integration.stack import Stack, receive_json, receive_until
from tests.support.mqtt import MqttTestClient, acked

pytestmark = pytest.mark.integration


def reading(device: str, seq: int, *, boot: str = "boot1", temperature: float = 21.5) -> Reading:
    now = time.time_ns() // 1_000_000
    return Reading(
        device=device,
        boot=boot,
        seq=seq,
        ts_ms=now - 1000 + seq,
        values={"temperature": temperature, "humidity": 40.0, "pressure": 1000.0},
    )


def stored_seqs(stack: Stack, device: str) -> list[int]:
    status, body = stack.get_json(f"/api/v1/devices/{device}/readings?since=0&limit=10000")
    assert status == 200, body
    return [row["seq"] for row in body["readings"]]


def test_reading_is_stored_acknowledged_and_streamed(
    stack: Stack, mosquitto_session: ServerHandle, unique_id: str
) -> None:
    device = unique_id
    with stack.websocket() as ws, MqttTestClient(mosquitto_session.url, client_id=f"dev-{device}") as mqtt:
        assert receive_json(ws) == {"type": "hello", "protocol": 2}
        ws.send(f'{{"type": "subscribe", "devices": ["{device}"]}}')
        assert receive_until(ws, lambda m: m["type"] == "subscribed") == {"type": "subscribed", "devices": [device]}
        mqtt.subscribe(topic(device, Kind.ACK))

        for seq in range(5):
            mqtt.publish(topic(device, Kind.READING), encode_reading(reading(device, seq, temperature=20 + seq)))

        streamed: dict[int, float] = {}
        while len(streamed) < 5:
            frame = receive_until(ws, lambda m: m["type"] == "frame")
            assert frame["device"] == device
            assert frame["boot"] == "boot1"
            seqs = [row["seq"] for row in frame["readings"]]
            assert frame["seq"] == [seqs[0], seqs[-1]]
            assert seqs == sorted(seqs)
            streamed.update({row["seq"]: row["temperature"] for row in frame["readings"]})
        assert streamed == {0: 20.0, 1: 21.0, 2: 22.0, 3: 23.0, 4: 24.0}

        assert acked(mqtt, {0, 1, 2, 3, 4}) >= {0, 1, 2, 3, 4}
    assert stored_seqs(stack, device) == [0, 1, 2, 3, 4]


def test_redelivered_and_resent_readings_are_stored_once(
    stack: Stack, mosquitto_session: ServerHandle, unique_id: str
) -> None:
    device = unique_id
    first = [reading(device, seq) for seq in range(3)]
    with MqttTestClient(mosquitto_session.url, client_id=f"dev-{device}") as mqtt:
        mqtt.subscribe(topic(device, Kind.ACK))
        for _ in range(2):  # a QoS 1 re-delivery looks exactly like this
            for r in first:
                mqtt.publish(topic(device, Kind.READING), encode_reading(r))
        # The outbox re-sends after an ack timeout as a batch that overlaps what was stored.
        mqtt.publish(topic(device, Kind.BATCH), encode_batch([reading(device, seq) for seq in range(5)]))
        # Another boot restarts the sequence: same seq numbers, different readings.
        mqtt.publish(topic(device, Kind.BATCH), encode_batch([reading(device, seq, boot="boot2") for seq in range(2)]))
        assert acked(mqtt, {0, 1, 2, 3, 4}) >= {0, 1, 2, 3, 4}

    wait_until(lambda: len(stored_seqs(stack, device)) >= 7, what="7 stored readings")
    assert sorted(stored_seqs(stack, device)) == [0, 0, 1, 1, 2, 3, 4]


BAD_MESSAGES: list[tuple[str, Kind]] = [
    ("malformed_json", Kind.READING),
    ("nan", Kind.READING),
    ("not_an_object", Kind.READING),
    ("too_large", Kind.READING),
    ("wrong_type", Kind.READING),
    ("unknown_field", Kind.READING),
    ("out_of_range", Kind.READING),
    ("device_mismatch", Kind.READING),
    ("future_timestamp", Kind.READING),
    ("empty_batch", Kind.BATCH),
    ("unsupported_version", Kind.STATUS),
]
EXPECTED_REASON = {"nan": "malformed_json"}


def bad_payload(case: str, device: str) -> bytes:
    ts = format_ts(time.time_ns() // 1_000_000)
    base = f'"v":1,"device":"{device}","boot":"b","seq":1,"ts":"{ts}"'
    return {
        "malformed_json": '{"v":1,',
        "nan": f'{{{base},"temperature":NaN}}',
        "not_an_object": "[1,2,3]",
        "too_large": "{" + " " * 5000 + "}",
        "wrong_type": f'{{{base},"temperature":true}}',
        "unknown_field": f'{{{base},"temperature":20,"colour":"red"}}',
        "out_of_range": f'{{{base},"humidity":101}}',
        "device_mismatch": f'{{"v":1,"device":"someone-else","boot":"b","seq":1,"ts":"{ts}","temperature":20}}',
        "future_timestamp": base.replace(ts, "2099-01-01T00:00:00Z").join(["{", ',"temperature":20}']),
        "empty_batch": f'{{"v":1,"device":"{device}","readings":[]}}',
        "unsupported_version": f'{{"v":2,"device":"{device}","state":"online","boot":"b"}}',
    }[case].encode()


def test_malformed_burst_is_quarantined_and_the_bridge_keeps_serving(
    stack: Stack, mosquitto_session: ServerHandle, unique_id: str
) -> None:
    device = unique_id
    rounds = 20
    with MqttTestClient(mosquitto_session.url, client_id=f"dev-{device}") as mqtt:
        for _ in range(rounds):
            for case, kind in BAD_MESSAGES:
                mqtt.publish(topic(device, kind), bad_payload(case, device))
        mqtt.subscribe(topic(device, Kind.ACK))
        mqtt.publish(topic(device, Kind.READING), encode_reading(reading(device, 7)))
        assert 7 in acked(mqtt, {7})

    assert stack.bridge.running, stack.bridge.log_tail()
    assert stored_seqs(stack, device) == [7]

    async def quarantined() -> list[str]:
        store = await SqliteStore.open(stack.store_path)
        try:
            return [m.reason for m in await store.quarantined(limit=100_000) if m.device == device]
        finally:
            await store.close()

    reasons = wait_until(
        lambda: (found := asyncio.run(quarantined())) and len(found) >= rounds * len(BAD_MESSAGES) and found,
        what="every bad message in quarantine",
    )
    assert sorted(set(reasons)) == sorted({EXPECTED_REASON.get(case, case) for case, _ in BAD_MESSAGES})
    assert len(reasons) == rounds * len(BAD_MESSAGES)


def test_presence_reaches_the_device_list_and_the_fleet_stream(
    stack: Stack, mosquitto_session: ServerHandle, unique_id: str
) -> None:
    device = unique_id
    with stack.websocket() as ws, MqttTestClient(mosquitto_session.url, client_id=f"dev-{device}") as mqtt:
        receive_json(ws)  # hello
        status = Status(
            device=device, online=True, boot="boot1", ts_ms=time.time_ns() // 1_000_000, pending=2, dropped=0
        )
        mqtt.publish(topic(device, Kind.STATUS), encode_status(status), retain=True)
        message = receive_until(ws, lambda m: m["type"] == "status" and m["device"] == device)
        assert message["online"] is True
        assert message["pending"] == 2
        assert message["device_ts"] == status.ts_ms

        def listed() -> dict[str, object] | None:
            _, body = stack.get_json("/api/v1/devices")
            return next((d for d in body["devices"] if d["device"] == device), None)

        entry = wait_until(listed, what="device in the list")
        assert entry["online"] is True
        # One clock: the list and the stream both say when the bridge received the status.
        assert entry["status_received_ts"] == entry["last_received_ts"] == message["received_ts"]
        offline = Status(device=device, online=False, boot="boot1")
        mqtt.publish(topic(device, Kind.STATUS), encode_status(offline), retain=True)
        assert receive_until(ws, lambda m: m["type"] == "status" and m["device"] == device)["online"] is False
        wait_until(lambda: (d := listed()) is not None and d["online"] is False, what="device offline in the list")
        mqtt.publish(topic(device, Kind.STATUS), b"", retain=True)  # clear the retained message


def test_websocket_from_a_foreign_origin_is_refused(stack: Stack) -> None:
    with pytest.raises(InvalidStatus) as refused, stack.websocket(origin="http://evil.example"):
        pass
    assert refused.value.response.status_code == 403


def test_bad_browser_messages_get_an_error_and_the_socket_stays_open(stack: Stack, unique_id: str) -> None:
    with stack.websocket() as ws:
        receive_json(ws)
        ws.send("not json")
        assert receive_json(ws)["code"] == "malformed_json"
        ws.send('{"type": "subscribe", "devices": ["Not A Device"]}')
        assert receive_json(ws)["code"] == "bad_device_id"
        ws.send('{"type": "launch"}')
        assert receive_json(ws)["code"] == "unexpected_kind"
        ws.send(f'{{"type": "subscribe", "devices": ["{unique_id}"]}}')
        assert receive_json(ws) == {"type": "subscribed", "devices": [unique_id]}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("since=2000&until=1000", "since"),
        ("since=yesterday", "since"),
        ("limit=0", "limit"),
        ("limit=100001", "limit"),
    ],
)
def test_bad_history_queries_get_400_with_the_field(stack: Stack, query: str, field: str) -> None:
    status, body = stack.get_json(f"/api/v1/devices/sim-1/readings?{query}")
    assert status == 400
    assert body["error"]["field"] == field


def test_health_and_dashboard_are_served(stack: Stack) -> None:
    assert stack.get_json("/api/v1/health") == (200, {"status": "ok"})
    dist = Path(__file__).resolve().parents[2] / "dashboard" / "dist" / "index.html"
    with urllib.request.urlopen(stack.base_url + "/", timeout=5) as response:
        page = response.read().decode()
    assert page == dist.read_text()


def test_edge_agent_outbox_empties_once_the_bridge_has_stored_its_readings(
    stack: Stack, mosquitto_session: ServerHandle, unique_id: str, tmp_path: Path
) -> None:
    config = EdgeConfig(
        broker=parse_mqtt_url(mosquitto_session.url),
        devices=(unique_id,),
        rate_hz=20.0,
        outbox_dir=tmp_path,
        ack_timeout_s=2.0,
    )
    (agent,) = build_agents(config)
    start_all([agent])
    try:
        # Sampling goes on at 20 Hz, so "empty" is a moment between a stored reading and the next sample.
        wait_until(lambda: agent.acked >= 20 and agent.pending == 0, timeout=15, what="an empty outbox after 20 acks")
    finally:
        stop_all([agent])
    stats = agent.stats()
    seqs = stored_seqs(stack, unique_id)
    assert seqs == list(range(len(seqs))), "stored once each, no gaps"
    # No loss: what was sampled is stored or still waits in the outbox (stored late, or unacknowledged).
    assert len(seqs) <= stats.sampled <= len(seqs) + stats.pending
