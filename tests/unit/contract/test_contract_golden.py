"""The golden files are what the contract says on the wire, byte for byte.

The TypeScript tests read the same files, so both sides agree on one set of examples.
"""

from __future__ import annotations

import dataclasses
import json

import pytest
from contract_helpers import (
    GOLDEN_DIR,
    decode,
    encode,
    golden_bytes,
    golden_kind,
    golden_text,
    validator,
)

from contract import live
from contract.codec import decode_batch, decode_reading
from contract.errors import ContractError, Reason
from contract.models import Reading, Status, StorageAck
from contract.topics import validate_device_id

MQTT_GOLDEN = (
    "reading.json",
    "reading-minimal.json",
    "batch.json",
    "status-online.json",
    "status-offline.json",
    "ack.json",
)
WS_GOLDEN = (
    "ws-hello.json",
    "ws-subscribe.json",
    "ws-subscribed.json",
    "ws-frame.json",
    "ws-status.json",
    "ws-error.json",
)
# Written exactly as the encoders write them; reading-minimal.json instead shows what a
# decoder also accepts (an integer value, a timestamp without milliseconds).
CANONICAL = tuple(name for name in MQTT_GOLDEN if name != "reading-minimal.json")

BOOT = "5b0c2e9a7f3d4c1e"


def test_every_golden_file_is_covered_here() -> None:
    assert {p.name for p in GOLDEN_DIR.glob("*.json")} == {*MQTT_GOLDEN, *WS_GOLDEN}


# --- MQTT payloads --------------------------------------------------------------------


@pytest.mark.parametrize("name", MQTT_GOLDEN)
def test_golden_mqtt_payload_round_trips(name: str, backend: str) -> None:
    kind = golden_kind(name)
    decoded = decode(kind, golden_bytes(name))
    assert decode(kind, encode(kind, decoded)) == decoded


@pytest.mark.parametrize("name", CANONICAL)
def test_golden_mqtt_payload_is_in_canonical_form(name: str, backend: str) -> None:
    kind = golden_kind(name)
    assert encode(kind, decode(kind, golden_bytes(name))).decode() == golden_text(name)


@pytest.mark.parametrize("name", MQTT_GOLDEN)
def test_golden_mqtt_payload_matches_its_json_schema(name: str) -> None:
    instance = json.loads(golden_bytes(name))
    errors = [e.message for e in validator(golden_kind(name)).iter_errors(instance)]
    assert errors == []


def test_golden_reading_decodes_to_every_channel() -> None:
    reading = decode("reading", golden_bytes("reading.json"))
    assert reading == Reading(
        device="pi-kitchen",
        boot=BOOT,
        seq=42,
        ts_ms=1_795_336_200_250,
        values={
            "temperature": 21.37,
            "humidity": 44.1,
            "pressure": 1013.25,
            "pitch": 1.5,
            "roll": 358.2,
            "yaw": 90.0,
            "accel_x": 0.01,
            "accel_y": -0.02,
            "accel_z": 0.99,
            "gyro_x": 0.001,
            "gyro_y": -0.002,
            "gyro_z": 0.0,
            "mag_x": 21.5,
            "mag_y": -4.2,
            "mag_z": 40.3,
            "compass": 87.5,
        },
    )


def test_golden_minimal_reading_takes_integers_and_whole_seconds() -> None:
    reading = decode("reading", golden_bytes("reading-minimal.json"))
    assert reading == Reading(device="garage", boot="b1", seq=0, ts_ms=1_795_336_200_000, values={"temperature": 4.0})
    assert isinstance(reading.values["temperature"], float)


def test_golden_batch_holds_two_readings_of_one_device() -> None:
    readings = decode("batch", golden_bytes("batch.json"))
    assert [(r.device, r.boot, r.seq, r.ts_ms) for r in readings] == [
        ("pi-kitchen", BOOT, 43, 1_795_336_201_250),
        ("pi-kitchen", BOOT, 44, 1_795_336_202_250),
    ]


def test_golden_statuses_are_birth_and_will() -> None:
    assert decode("status", golden_bytes("status-online.json")) == Status(
        device="pi-kitchen", online=True, boot=BOOT, ts_ms=1_795_336_199_000, pending=3, dropped=0
    )
    assert decode("status", golden_bytes("status-offline.json")) == Status(device="pi-kitchen", online=False, boot=BOOT)


def test_golden_ack_covers_its_ranges_only() -> None:
    ack = decode("ack", golden_bytes("ack.json"))
    assert ack == StorageAck(device="pi-kitchen", boot=BOOT, ranges=((40, 44), (47, 47)))
    assert isinstance(ack, StorageAck)
    assert [seq for seq in range(38, 50) if ack.covers(seq)] == [40, 41, 42, 43, 44, 47]


def test_decoder_stamps_the_receive_time() -> None:
    assert decode_reading(golden_bytes("reading.json"), rx_ms=7).rx_ms == 7
    assert {r.rx_ms for r in decode_batch(golden_bytes("batch.json"), rx_ms=9)} == {9}


# --- WebSocket messages ---------------------------------------------------------------


def _frame_readings() -> list[Reading]:
    readings = decode("batch", golden_bytes("batch.json"))
    assert isinstance(readings, list)
    received = (1_795_336_201_262, 1_795_336_202_259)
    return [dataclasses.replace(r, rx_ms=rx) for r, rx in zip(readings, received, strict=True)]


def test_ws_frame_is_the_golden_batch_with_receive_times(backend: str) -> None:
    assert live.to_text(live.frame_message(_frame_readings())) == golden_text("ws-frame.json")


def test_ws_status_is_the_golden_birth_message(backend: str) -> None:
    status = decode("status", golden_bytes("status-online.json"))
    assert isinstance(status, Status)
    assert live.to_text(live.status_message(status)) == golden_text("ws-status.json")


def test_ws_error_carries_the_rejection_reason(backend: str) -> None:
    with pytest.raises(ContractError) as caught:
        validate_device_id("Bad Device")
    message = live.error_message(caught.value.reason, caught.value.detail)
    assert live.to_text(message) == golden_text("ws-error.json")
    assert message["code"] == Reason.BAD_DEVICE_ID == "bad_device_id"


def test_ws_hello_announces_the_protocol_version(backend: str) -> None:
    assert live.to_text(live.hello_message()) == golden_text("ws-hello.json")


def test_ws_subscribe_parses_to_a_subscription_change(backend: str) -> None:
    change = live.parse_client_message(golden_text("ws-subscribe.json"))
    assert change == live.SubscriptionChange(subscribe=True, devices=("pi-kitchen", "garage"))


def test_ws_subscribed_lists_the_full_set_sorted(backend: str) -> None:
    assert live.to_text(live.subscribed_message(["pi-kitchen", "garage"])) == golden_text("ws-subscribed.json")


# --- channel-layer events -------------------------------------------------------------


def test_frame_event_goes_to_the_device_group_with_text_serialized_once() -> None:
    text = live.to_text(live.frame_message(_frame_readings()))
    assert live.device_group("pi-kitchen") == "device.pi-kitchen"
    assert live.frame_event(text) == {"type": "telemetry.frame", "text": text}


def test_status_event_goes_to_the_fleet_group() -> None:
    assert live.FLEET_GROUP == "fleet"
    assert live.status_event("{}") == {"type": "device.status", "text": "{}"}


def test_device_group_refuses_a_bad_device_id() -> None:
    with pytest.raises(ContractError) as caught:
        live.device_group("Pi Kitchen")
    assert caught.value.reason is Reason.BAD_DEVICE_ID


def test_frame_holds_one_device_and_one_boot() -> None:
    readings = _frame_readings()
    with pytest.raises(ValueError, match="at least one"):
        live.frame_message([])
    with pytest.raises(ValueError, match="one device and one boot"):
        live.frame_message([readings[0], dataclasses.replace(readings[1], boot="other")])
    with pytest.raises(ValueError, match="one device and one boot"):
        live.frame_message([readings[0], dataclasses.replace(readings[1], device="garage")])
