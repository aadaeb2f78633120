"""The golden files are what the contract says on the wire, byte for byte.

Each one validates against its generated schema and passes the definition's named checks;
the Python builders produce exactly them. The TypeScript tests decode the same files
(dashboard/src/lib/contract.test.ts), so both sides agree on one set of examples.
"""

from __future__ import annotations

import dataclasses
import json
from functools import partial

import pytest
from contract_helpers import (
    GOLDEN_DIR,
    decode,
    encode,
    golden_bytes,
    golden_kind,
    golden_message,
    golden_text,
    message_validator,
    validator,
)

from contract import live, rest
from contract.codec import decode_batch, decode_reading, dumps
from contract.errors import ContractError, Reason
from contract.models import Reading, Status, StorageAck
from contract.spec import catalog
from contract.spec.checks import violations
from contract.spec.vocabulary import Direction
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
    "ws-unsubscribe.json",
    "ws-subscribed.json",
    "ws-frame.json",
    "ws-status.json",
    "ws-status-offline.json",
    "ws-error.json",
)
REST_GOLDEN = (
    "rest-devices.json",
    "rest-readings.json",
    "rest-history-raw.json",
    "rest-history-bucketed.json",
    "rest-error.json",
    "rest-health.json",
    "rest-export-row.json",
    # accounts (/api/v1/auth/...)
    "rest-login.json",
    "rest-me.json",
    "rest-csrf.json",
    "rest-ticket.json",
    "rest-api-tokens.json",
    "rest-api-token-request.json",
    "rest-api-token-created.json",
    "rest-error-not-authenticated.json",
    "rest-error-permission-denied.json",
    "rest-error-rate-limited.json",
    "rest-error-csrf-failed.json",
)
# The command messages (round trips and rejections in test_contract_commands.py).
COMMAND_GOLDEN = (
    "command-show-text.json",
    "command-set-pixels.json",
    "command-clear.json",
    "command-set-low-light.json",
    "command-set-rate.json",
    "command-pause.json",
    "command-resume.json",
    "command-result-received.json",
    "command-result-succeeded.json",
    "command-result-failed.json",
    "state.json",
    "state-text.json",
    "joystick.json",
)
ALL_GOLDEN = (*MQTT_GOLDEN, *COMMAND_GOLDEN, *WS_GOLDEN, *REST_GOLDEN)
# Written exactly as the encoders write them; reading-minimal.json instead shows what a
# decoder also accepts (an integer value, a timestamp without milliseconds).
CANONICAL = tuple(name for name in MQTT_GOLDEN if name != "reading-minimal.json")

BOOT = "5b0c2e9a7f3d4c1e"


def test_every_golden_file_is_covered_here() -> None:
    assert {p.name for p in GOLDEN_DIR.glob("*.json")} == set(ALL_GOLDEN)


def test_every_message_of_the_definition_has_a_golden_file() -> None:
    assert {golden_message(name) for name in ALL_GOLDEN} == set(catalog.MESSAGES)


@pytest.mark.parametrize("name", ALL_GOLDEN)
def test_golden_message_matches_its_generated_schema(name: str) -> None:
    instance = json.loads(golden_bytes(name))
    errors = [e.message for e in message_validator(golden_message(name)).iter_errors(instance)]
    assert errors == []


@pytest.mark.parametrize("name", ALL_GOLDEN)
def test_golden_message_passes_the_named_checks(name: str) -> None:
    assert violations(golden_message(name), json.loads(golden_bytes(name))) == []


@pytest.mark.parametrize("name", ALL_GOLDEN)
def test_golden_message_without_any_one_required_field_breaks_its_schema(name: str) -> None:
    message, instance = golden_message(name), json.loads(golden_bytes(name))
    for field in message.fields:
        if field.required:
            broken = {k: v for k, v in instance.items() if k != field.name}
            assert not message_validator(message).is_valid(broken), field.name


@pytest.mark.parametrize("name", ALL_GOLDEN)
def test_golden_message_with_an_undeclared_field_breaks_its_schema(name: str) -> None:
    instance = json.loads(golden_bytes(name))
    assert not message_validator(golden_message(name)).is_valid({**instance, "undeclared": 1})


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
def test_golden_mqtt_payload_matches_the_schema_of_its_topic_kind(name: str) -> None:
    assert validator(golden_kind(name)).is_valid(json.loads(golden_bytes(name)))


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

RECEIVED = (1_795_336_201_262, 1_795_336_202_259)
STATUS_RECEIVED = 1_795_336_199_012
WILL_RECEIVED = 1_795_336_290_031


def _frame_readings() -> list[Reading]:
    readings = decode("batch", golden_bytes("batch.json"))
    assert isinstance(readings, list)
    return [dataclasses.replace(r, rx_ms=rx) for r, rx in zip(readings, RECEIVED, strict=True)]


def _status(name: str) -> Status:
    status = decode("status", golden_bytes(name))
    assert isinstance(status, Status)
    return status


def test_ws_frame_is_the_golden_batch_with_receive_times(backend: str) -> None:
    assert live.to_text(live.frame_message(_frame_readings())) == golden_text("ws-frame.json")


def test_ws_status_is_the_golden_birth_message_with_its_receive_time(backend: str) -> None:
    message = live.status_message(_status("status-online.json"), received_ts=STATUS_RECEIVED)
    assert live.to_text(message) == golden_text("ws-status.json")


def test_ws_status_of_a_last_will_has_no_device_time_but_a_receive_time(backend: str) -> None:
    message = live.status_message(_status("status-offline.json"), received_ts=WILL_RECEIVED)
    assert live.to_text(message) == golden_text("ws-status-offline.json")
    assert (message["device_ts"], message["received_ts"]) == (None, WILL_RECEIVED)


def test_ws_error_carries_the_rejection_reason(backend: str) -> None:
    with pytest.raises(ContractError) as caught:
        validate_device_id("Bad Device")
    message = live.error_message(caught.value.reason, caught.value.detail)
    assert live.to_text(message) == golden_text("ws-error.json")
    assert message["code"] == Reason.BAD_DEVICE_ID == "bad_device_id"


def test_ws_hello_announces_the_protocol_version(backend: str) -> None:
    assert live.to_text(live.hello_message()) == golden_text("ws-hello.json")
    assert live.PROTOCOL == 2


def test_ws_subscribe_parses_to_a_subscription_change(backend: str) -> None:
    change = live.parse_client_message(golden_text("ws-subscribe.json"))
    assert change == live.SubscriptionChange(subscribe=True, devices=("pi-kitchen", "garage"))


def test_ws_unsubscribe_parses_to_a_subscription_change(backend: str) -> None:
    change = live.parse_client_message(golden_text("ws-unsubscribe.json"))
    assert change == live.SubscriptionChange(subscribe=False, devices=("garage",))


def test_ws_subscribed_lists_the_full_set_sorted(backend: str) -> None:
    assert live.to_text(live.subscribed_message(["pi-kitchen", "garage"])) == golden_text("ws-subscribed.json")


@pytest.mark.parametrize("name", [n for n in WS_GOLDEN if golden_message(n).direction is Direction.SERVER])
def test_a_golden_server_message_is_refused_by_the_client_parser(name: str) -> None:
    with pytest.raises(ContractError) as caught:
        live.parse_client_message(golden_text(name))
    assert caught.value.reason is Reason.UNEXPECTED_KIND


# --- REST bodies ----------------------------------------------------------------------

SINCE, UNTIL = 1_795_336_200_000, 1_795_336_260_000


def _garage() -> Reading:
    reading = decode("reading", golden_bytes("reading-minimal.json"))
    assert isinstance(reading, Reading)
    return dataclasses.replace(reading, rx_ms=1_795_336_200_010)


def _text(body: object) -> str:
    return dumps(body).decode()


def test_rest_devices_is_built_from_the_stored_statuses_and_latest_readings(backend: str) -> None:
    status, latest = _status("status-online.json"), _frame_readings()[-1]
    body = rest.device_list(
        [
            rest.device_entry(
                device="garage",
                online=False,
                boot=None,
                status_received_ts=None,
                pending=None,
                dropped=None,
                latest=_garage(),
            ),
            rest.device_entry(
                device=status.device,
                online=status.online,
                boot=status.boot,
                status_received_ts=STATUS_RECEIVED,
                pending=status.pending,
                dropped=status.dropped,
                latest=latest,
            ),
        ]
    )
    assert _text(body) == golden_text("rest-devices.json")


def test_rest_device_was_last_heard_from_at_the_newer_of_two_receive_times() -> None:
    latest = _frame_readings()[-1]
    entry = partial(rest.device_entry, device="pi-kitchen", online=True, boot="b", pending=None, dropped=None)
    assert entry(latest=latest, status_received_ts=latest.rx_ms + 1)["last_received_ts"] == latest.rx_ms + 1
    assert entry(latest=latest, status_received_ts=latest.rx_ms - 1)["last_received_ts"] == latest.rx_ms
    assert entry(latest=None, status_received_ts=None)["last_received_ts"] is None


def test_rest_readings_page_holds_rows_like_frames(backend: str) -> None:
    body = rest.readings_page(
        device="pi-kitchen", since_device_ts=SINCE, until_device_ts=UNTIL, readings=_frame_readings(), truncated=False
    )
    assert _text(body) == golden_text("rest-readings.json")
    frame = json.loads(golden_text("ws-frame.json"))
    assert body["readings"] == frame["readings"]


def test_rest_history_raw_answer_carries_seq_and_boot(backend: str) -> None:
    readings = _frame_readings()
    column = {name: [r.values[name] for r in readings] for name in ("temperature", "humidity")}
    body = rest.history_answer(
        device="pi-kitchen",
        since_device_ts=SINCE,
        until_device_ts=UNTIL,
        bucket_ms=0,
        channels=["temperature", "humidity"],
        device_ts=[r.ts_ms for r in readings],
        n=[1, 1],
        series={name: {"min": values, "max": values, "mean": values} for name, values in column.items()},
        gaps_device_ts=[],
        raw=([r.seq for r in readings], [r.boot for r in readings]),
    )
    assert _text(body) == golden_text("rest-history-raw.json")


def test_rest_history_bucketed_answer_has_no_seq_or_boot(backend: str) -> None:
    body = rest.history_answer(
        device="sim-1",
        since_device_ts=1_795_332_000_000,
        until_device_ts=1_795_335_600_000,
        bucket_ms=6000,
        channels=["temperature", "humidity"],
        device_ts=[1_795_332_000_000, 1_795_332_006_000],
        n=[6, 6],
        series={
            "temperature": {"min": [21.3, 21.3], "max": [21.5, 21.6], "mean": [21.41, 21.45]},
            "humidity": {"min": [44.0, None], "max": [44.2, None], "mean": [44.1, None]},
        },
        gaps_device_ts=[(1_795_333_000_000, 1_795_333_600_000)],
    )
    assert _text(body) == golden_text("rest-history-bucketed.json")


def test_rest_error_and_health_bodies(backend: str) -> None:
    error = rest.error_body(code=rest.BAD_QUERY, field="since", message="since must be before until")
    assert _text(error) == golden_text("rest-error.json")
    assert _text(rest.health_body()) == golden_text("rest-health.json")


def test_rest_export_row_keeps_only_the_channels_asked_for(backend: str) -> None:
    row = rest.export_row(_frame_readings()[0], ["temperature", "humidity", "compass"])
    assert _text(row) == golden_text("rest-export-row.json")


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
