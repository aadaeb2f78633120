"""Commands, their results, the device's state and its joystick: golden files, every refusal, the life of a command.

Each refusal runs through the codec with orjson and with the standard-library fallback and,
where JSON Schema can express the rule, through the generated schema of the message too,
which must refuse the same payload. Rules the schema cannot express are marked with why.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pytest
from contract_helpers import GOLDEN_DIR, NOT_JSON, as_json, golden_bytes, golden_text, message_validator, to_bytes

from config import table
from contract import command_codec as cc
from contract.commands import (
    FINAL_STATUSES,
    MAX_COMMAND_BYTES,
    MAX_TEXT_LENGTH,
    RATE_HZ_MAX,
    RATE_HZ_MIN_EXCLUDED,
    Command,
    CommandEvent,
    CommandKind,
    CommandResult,
    CommandStatus,
    DeviceState,
    FailReason,
    JoystickAction,
    JoystickDirection,
    JoystickEvent,
    ResultStatus,
    SetPixels,
    SetRate,
    ShowText,
    next_status,
)
from contract.errors import ContractError, Reason
from contract.spec import mqtt
from contract.spec.vocabulary import Message
from contract.topics import Kind, parse, topic

DECODERS: dict[str, Callable[[bytes], Any]] = {
    "command": cc.decode_command,
    "command-result": cc.decode_command_result,
    "state": cc.decode_state,
    "joystick": cc.decode_joystick,
}
ENCODERS: dict[str, Callable[[Any], bytes]] = {
    "command": cc.encode_command,
    "command-result": cc.encode_command_result,
    "state": cc.encode_state,
    "joystick": cc.encode_joystick,
}
GOLDEN = {
    "command-show-text.json": "command",
    "command-set-pixels.json": "command",
    "command-clear.json": "command",
    "command-set-low-light.json": "command",
    "command-set-rate.json": "command",
    "command-pause.json": "command",
    "command-resume.json": "command",
    "command-result-received.json": "command-result",
    "command-result-succeeded.json": "command-result",
    "command-result-failed.json": "command-result",
    "state.json": "state",
    "state-text.json": "state",
    "joystick.json": "joystick",
}
DROP = object()
NOT_JSON_NOTE = "not JSON at all"
SIZE = "payload size in bytes"
INTEGRAL_FLOAT = "JSON Schema counts 255.0 as an integer equal to 255"
DOLLAR_NEWLINE = "Python's re lets $ match before a final newline (ECMA-262 does not)"
LATER = "deadline_server_ts after issued_server_ts (a named check)"


def golden(name: str) -> dict[str, Any]:
    obj = json.loads(golden_bytes(name))
    assert isinstance(obj, dict)
    return obj


def changed(name: str, path: str = "", **changes: Any) -> dict[str, Any]:
    """The golden ``name`` with ``changes`` applied at ``path`` (``params``); ``DROP`` removes a field."""
    obj = golden(name)
    target = obj[path] if path else obj
    for key, value in changes.items():
        if value is DROP:
            target.pop(key, None)
        else:
            target[key] = value
    return obj


def schema_of(name: str) -> Message:
    stem = name.removesuffix(".json")
    return next(m for m in sorted(mqtt.BROWSER_MESSAGES, key=lambda m: -len(m.name)) if stem.startswith(m.name))


# --- golden files ---------------------------------------------------------------------------------


def test_every_command_golden_file_is_covered_here() -> None:
    names = {p.name for p in GOLDEN_DIR.glob("*.json") if p.name.startswith(("command-", "state", "joystick"))}
    assert names == set(GOLDEN)
    assert {schema_of(name) for name in GOLDEN} == set(mqtt.BROWSER_MESSAGES)


@pytest.mark.parametrize(("name", "kind"), GOLDEN.items())
def test_golden_round_trips_in_canonical_form(name: str, kind: str, backend: str) -> None:
    decoded = DECODERS[kind](golden_bytes(name))
    assert ENCODERS[kind](decoded).decode() == golden_text(name)


def test_each_command_kind_has_a_message_and_a_golden_file() -> None:
    assert [m.kind_value for m in mqtt.COMMANDS] == [k.value for k in CommandKind]
    assert {
        cc.decode_command(golden_bytes(f"command-{k.value.replace('_', '-')}.json")).kind for k in CommandKind
    } == set(CommandKind)


def test_golden_show_text_decodes_to_its_parameters() -> None:
    command = cc.decode_command(golden_bytes("command-show-text.json"))
    assert command == Command(
        id="0b8e6f4c-1d2a-4c3e-9f5a-6b7c8d9e0f11",
        device="pi-kitchen",
        issued_by="operator",
        issued_server_ts=1795336260000,
        deadline_server_ts=1795336320000,
        kind=CommandKind.SHOW_TEXT,
        params=ShowText(text="Hello, kitchen!", color=(255, 200, 0), background=(0, 0, 64), scroll_step_ms=80),
    )


def test_golden_pixels_are_64_triples_and_the_state_mirrors_them() -> None:
    command = cc.decode_command(golden_bytes("command-set-pixels.json"))
    state = cc.decode_state(golden_bytes("state.json"))
    assert isinstance(command.params, SetPixels)
    assert len(command.params.pixels) == 64
    assert state.pixels == command.params.pixels
    assert state.last_command_id == command.id
    assert state.text is None


def test_golden_commands_without_parameters_have_none() -> None:
    for kind in (CommandKind.CLEAR, CommandKind.PAUSE, CommandKind.RESUME):
        command = cc.decode_command(golden_bytes(f"command-{kind.value}.json"))
        assert (command.kind, command.params) == (kind, None)


def test_golden_results_tell_the_life_of_the_set_pixels_command() -> None:
    received = cc.decode_command_result(golden_bytes("command-result-received.json"))
    succeeded = cc.decode_command_result(golden_bytes("command-result-succeeded.json"))
    failed = cc.decode_command_result(golden_bytes("command-result-failed.json"))
    assert received.id == succeeded.id == cc.decode_command(golden_bytes("command-set-pixels.json")).id
    assert received.device_ts < succeeded.device_ts
    assert (failed.status, failed.reason) == (ResultStatus.FAILED, FailReason.EXPIRED)


def test_golden_joystick_event() -> None:
    event = cc.decode_joystick(golden_bytes("joystick.json"))
    assert (event.direction, event.action, event.seq) == (JoystickDirection.UP, JoystickAction.PRESSED, 7)


@pytest.mark.parametrize("kind", [Kind.COMMAND, Kind.COMMAND_RESULT, Kind.STATE, Kind.JOYSTICK])
def test_the_new_topics_are_one_level_per_kind(kind: Kind) -> None:
    assert parse(topic("pi-kitchen", kind)).kind is kind
    assert topic("pi-kitchen", kind).count("/") == 3


# --- refusals ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    id: str
    kind: str
    payload: bytes
    reason: Reason
    field: str | None
    schema: str | None  # the golden whose schema must refuse it too; None: every command schema
    codec_only: str | None = None


CASES: list[Case] = []


def case(
    id: str,
    name: str,
    obj: dict[str, Any] | bytes,
    reason: Reason,
    field: str | None,
    codec_only: str | None = None,
    *,
    every_command_schema: bool = False,
) -> None:
    raw = obj if isinstance(obj, bytes) else to_bytes(obj)
    kind = GOLDEN[name]
    CASES.append(Case(id, kind, raw, reason, field, None if every_command_schema else name, codec_only))


TEXT, PIXELS, RATE, CLEAR, LIGHT = (
    "command-show-text.json",
    "command-set-pixels.json",
    "command-set-rate.json",
    "command-clear.json",
    "command-set-low-light.json",
)
RESULT, FAILED, STATE, JOYSTICK = (
    "command-result-received.json",
    "command-result-failed.json",
    "state.json",
    "joystick.json",
)
PIXELS_65 = [*golden(PIXELS)["params"]["pixels"], [1, 2, 3]]

# the command's parameters
case("a-65th-pixel", PIXELS, changed(PIXELS, "params", pixels=PIXELS_65), Reason.TOO_LARGE, "params.pixels")
case("63-pixels", PIXELS, changed(PIXELS, "params", pixels=PIXELS_65[:63]), Reason.OUT_OF_RANGE, "params.pixels")
pixels_bad_channel = [list(p) for p in golden(PIXELS)["params"]["pixels"]]
pixels_bad_channel[3][2] = 256
case(
    "a-pixel-channel-of-256",
    PIXELS,
    changed(PIXELS, "params", pixels=pixels_bad_channel),
    Reason.OUT_OF_RANGE,
    "params.pixels[3][2]",
)
pixels_rgba = [list(p) for p in golden(PIXELS)["params"]["pixels"]]
pixels_rgba[5] = [1, 2, 3, 4]
case(
    "a-pixel-of-four-channels",
    PIXELS,
    changed(PIXELS, "params", pixels=pixels_rgba),
    Reason.WRONG_TYPE,
    "params.pixels[5]",
)
case(
    "a-colour-channel-of-256",
    TEXT,
    changed(TEXT, "params", color=[255, 256, 0]),
    Reason.OUT_OF_RANGE,
    "params.color[1]",
)
case(
    "a-negative-colour-channel",
    TEXT,
    changed(TEXT, "params", background=[-1, 0, 0]),
    Reason.OUT_OF_RANGE,
    "params.background[0]",
)
case(
    "a-fractional-colour-channel",
    TEXT,
    changed(TEXT, "params", color=[1.5, 0, 0]),
    Reason.WRONG_TYPE,
    "params.color[0]",
)
case(
    "a-colour-channel-255.0",
    TEXT,
    changed(TEXT, "params", color=[255.0, 0, 0]),
    Reason.WRONG_TYPE,
    "params.color[0]",
    INTEGRAL_FLOAT,
)
case("a-colour-channel-true", TEXT, changed(TEXT, "params", color=[True, 0, 0]), Reason.WRONG_TYPE, "params.color[0]")
case("a-colour-of-two-channels", TEXT, changed(TEXT, "params", color=[1, 2]), Reason.WRONG_TYPE, "params.color")
case("a-text-of-201-characters", TEXT, changed(TEXT, "params", text="x" * 201), Reason.OUT_OF_RANGE, "params.text")
case("an-empty-text", TEXT, changed(TEXT, "params", text=""), Reason.OUT_OF_RANGE, "params.text")
case("a-text-not-ascii", TEXT, changed(TEXT, "params", text="Grüße"), Reason.OUT_OF_RANGE, "params.text")
case("a-text-with-a-newline", TEXT, changed(TEXT, "params", text="a\nb"), Reason.OUT_OF_RANGE, "params.text")
case(
    "a-text-ending-in-a-newline",
    TEXT,
    changed(TEXT, "params", text="ab\n"),
    Reason.OUT_OF_RANGE,
    "params.text",
    DOLLAR_NEWLINE,
)
case(
    "a-scroll-step-too-short",
    TEXT,
    changed(TEXT, "params", scroll_step_ms=9),
    Reason.OUT_OF_RANGE,
    "params.scroll_step_ms",
)
case(
    "a-scroll-step-too-long",
    TEXT,
    changed(TEXT, "params", scroll_step_ms=1001),
    Reason.OUT_OF_RANGE,
    "params.scroll_step_ms",
)
case("a-rate-of-zero", RATE, changed(RATE, "params", hz=0), Reason.OUT_OF_RANGE, "params.hz")
case("a-negative-rate", RATE, changed(RATE, "params", hz=-1.0), Reason.OUT_OF_RANGE, "params.hz")
case("a-rate-over-50", RATE, changed(RATE, "params", hz=50.5), Reason.OUT_OF_RANGE, "params.hz")
case("a-rate-as-a-string", RATE, changed(RATE, "params", hz="2"), Reason.WRONG_TYPE, "params.hz")
case("low-light-as-a-string", LIGHT, changed(LIGHT, "params", low_light="yes"), Reason.WRONG_TYPE, "params.low_light")
case("no-parameters-where-the-kind-has-some", TEXT, changed(TEXT, params=DROP), Reason.MISSING_FIELD, "params")
case("a-missing-parameter", TEXT, changed(TEXT, "params", background=DROP), Reason.MISSING_FIELD, "params.background")
case("an-unknown-parameter", TEXT, changed(TEXT, "params", font="big"), Reason.UNKNOWN_FIELD, "params.font")
case("parameters-for-a-kind-without", CLEAR, changed(CLEAR, params={}), Reason.UNKNOWN_FIELD, "params")
case("parameters-not-an-object", RATE, changed(RATE, params=[2.5]), Reason.NOT_AN_OBJECT, "params")
case(
    "parameters-of-another-kind",
    RATE,
    changed(RATE, params={"low_light": True}),
    Reason.UNKNOWN_FIELD,
    "params.low_light",
)

# the command's envelope
case("an-unknown-kind", CLEAR, changed(CLEAR, kind="reboot"), Reason.UNEXPECTED_KIND, "kind", every_command_schema=True)
case("a-kind-not-a-string", CLEAR, changed(CLEAR, kind=3), Reason.WRONG_TYPE, "kind", every_command_schema=True)
case("no-kind", CLEAR, changed(CLEAR, kind=DROP), Reason.MISSING_FIELD, "kind", every_command_schema=True)
for missing in ("id", "device", "issued_by", "issued_server_ts", "deadline_server_ts"):
    case(f"no-{missing}", TEXT, changed(TEXT, "", **{missing: DROP}), Reason.MISSING_FIELD, missing)
case("no-version", TEXT, changed(TEXT, v=DROP), Reason.MISSING_FIELD, "v")
case("version-2", TEXT, changed(TEXT, v=2), Reason.UNSUPPORTED_VERSION, "v")
case("an-unknown-field", TEXT, changed(TEXT, priority=1), Reason.UNKNOWN_FIELD, "priority")
case("an-id-too-short", TEXT, changed(TEXT, id="abc"), Reason.OUT_OF_RANGE, "id")
case("an-id-with-a-space", TEXT, changed(TEXT, id="0b8e6f4c 1d2a"), Reason.OUT_OF_RANGE, "id")
case("no-user-name", TEXT, changed(TEXT, issued_by=""), Reason.OUT_OF_RANGE, "issued_by")
case("a-bad-device-id", TEXT, changed(TEXT, device="Pi Kitchen"), Reason.BAD_DEVICE_ID, "device")
case("an-issued-time-not-an-integer", TEXT, changed(TEXT, issued_server_ts=1.5), Reason.WRONG_TYPE, "issued_server_ts")
case(
    "a-deadline-before-it-was-issued",
    TEXT,
    changed(TEXT, deadline_server_ts=1795336259999),
    Reason.OUT_OF_RANGE,
    "deadline_server_ts",
    LATER,
)
case(
    "a-deadline-when-it-was-issued",
    TEXT,
    changed(TEXT, deadline_server_ts=1795336260000),
    Reason.OUT_OF_RANGE,
    "deadline_server_ts",
    LATER,
)
case(
    "one-byte-over-the-size-limit",
    TEXT,
    golden_bytes(TEXT).rstrip()[:-1] + b" " * MAX_COMMAND_BYTES + b"}",
    Reason.TOO_LARGE,
    None,
    SIZE,
)
case("truncated", TEXT, golden_bytes(TEXT).rstrip()[:-1], Reason.MALFORMED_JSON, None, NOT_JSON_NOTE)
case("top-level-array", TEXT, b"[]", Reason.NOT_AN_OBJECT, None)

# the device's answer
case("a-failure-without-a-reason", FAILED, changed(FAILED, reason=DROP), Reason.MISSING_FIELD, "reason")
case("an-unknown-status", RESULT, changed(RESULT, status="done"), Reason.OUT_OF_RANGE, "status")
case("an-unknown-failure-reason", FAILED, changed(FAILED, reason="tired"), Reason.OUT_OF_RANGE, "reason")
case("a-detail-of-201-characters", FAILED, changed(FAILED, detail="x" * 201), Reason.OUT_OF_RANGE, "detail")
case("a-result-without-device-time", RESULT, changed(RESULT, device_ts=DROP), Reason.MISSING_FIELD, "device_ts")
case("a-result-for-a-bad-id", RESULT, changed(RESULT, id="?"), Reason.OUT_OF_RANGE, "id")
case("a-result-of-version-2", RESULT, changed(RESULT, v=2), Reason.UNSUPPORTED_VERSION, "v")

# the reported state
case("a-state-with-a-65th-pixel", STATE, changed(STATE, pixels=PIXELS_65), Reason.TOO_LARGE, "pixels")
case("a-state-rate-of-zero", STATE, changed(STATE, rate_hz=0.0), Reason.OUT_OF_RANGE, "rate_hz")
case("a-state-without-paused", STATE, changed(STATE, paused=DROP), Reason.MISSING_FIELD, "paused")
case("a-state-paused-as-a-string", STATE, changed(STATE, paused="no"), Reason.WRONG_TYPE, "paused")
case("a-state-text-too-long", STATE, changed(STATE, text="x" * (MAX_TEXT_LENGTH + 1)), Reason.OUT_OF_RANGE, "text")
case("a-state-without-pixels", STATE, changed(STATE, pixels=DROP), Reason.MISSING_FIELD, "pixels")

# the joystick
case("an-unknown-direction", JOYSTICK, changed(JOYSTICK, direction="forward"), Reason.OUT_OF_RANGE, "direction")
case("an-unknown-action", JOYSTICK, changed(JOYSTICK, action="clicked"), Reason.OUT_OF_RANGE, "action")
case("a-negative-event-number", JOYSTICK, changed(JOYSTICK, seq=-1), Reason.OUT_OF_RANGE, "seq")
case("a-bad-boot", JOYSTICK, changed(JOYSTICK, boot="a b"), Reason.OUT_OF_RANGE, "boot")
case("an-event-without-device-time", JOYSTICK, changed(JOYSTICK, device_ts=DROP), Reason.MISSING_FIELD, "device_ts")


def test_case_ids_are_unique() -> None:
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_codec_refuses_with_the_reason_and_names_the_field(case: Case, backend: str) -> None:
    with pytest.raises(ContractError) as caught:
        DECODERS[case.kind](case.payload)
    assert (caught.value.reason, caught.value.field) == (case.reason, case.field), caught.value.detail


SCHEMA_CASES = [c for c in CASES if c.codec_only != NOT_JSON_NOTE]


@pytest.mark.parametrize("case", SCHEMA_CASES, ids=lambda c: c.id)
def test_json_schema_agrees_where_it_can_express_the_rule(case: Case) -> None:
    instance = as_json(case.payload)
    assert instance is not NOT_JSON
    messages = [schema_of(case.schema)] if case.schema is not None else list(mqtt.COMMANDS)
    accepted = [m.name for m in messages if message_validator(m).is_valid(instance)]
    if case.codec_only is None:
        assert accepted == [], "the schema must refuse what the codec refuses"
    else:
        assert accepted, f"codec-only rule ({case.codec_only}) is now in the schema: drop the mark"


def test_every_reason_of_the_payloads_has_a_case() -> None:
    assert {c.reason for c in CASES} == set(Reason) - {
        Reason.BAD_TOPIC,
        Reason.FUTURE_TIMESTAMP,
        Reason.BAD_TIMESTAMP,  # epoch ms here: a wrong type or out of range
        Reason.NOT_FINITE,  # JSON cannot carry it: the encoders' guard, below
        Reason.NO_VALUES,
        Reason.DEVICE_MISMATCH,
        Reason.EMPTY_BATCH,
        Reason.BAD_TRANSITION,  # next_status, below
    }


@pytest.mark.parametrize(
    ("name", "path", "changes"),
    [
        (RATE, "params", {"hz": RATE_HZ_MAX}),
        (RATE, "params", {"hz": 0.001}),
        (RATE, "params", {"hz": 1}),
        (TEXT, "params", {"text": "~" * MAX_TEXT_LENGTH, "scroll_step_ms": 10}),
        (TEXT, "params", {"text": " ", "scroll_step_ms": 1000, "color": [0, 0, 0], "background": [255, 255, 255]}),
        (FAILED, "", {"detail": DROP}),
        (STATE, "", {"pixels": None, "text": None, "last_command_id": None}),
    ],
)
def test_values_at_the_limits_are_accepted(name: str, path: str, changes: dict[str, Any], backend: str) -> None:
    obj = changed(name, path, **changes)
    DECODERS[GOLDEN[name]](to_bytes(obj))
    assert message_validator(schema_of(name)).is_valid(obj)


def test_a_command_exactly_at_the_size_limit_is_accepted(backend: str) -> None:
    raw = golden_bytes(TEXT).rstrip()
    cc.decode_command(raw[:-1] + b" " * (MAX_COMMAND_BYTES - len(raw)) + b"}")


# --- encoders refuse before anything is sent ---------------------------------------------------


def _command(name: str) -> Command:
    return cc.decode_command(golden_bytes(name))


@pytest.mark.parametrize(
    ("command", "reason", "field"),
    [
        (replace(_command(PIXELS), params=SetPixels(pixels=((0, 0, 0),) * 65)), Reason.TOO_LARGE, "params.pixels"),
        (replace(_command(RATE), params=SetRate(hz=0.0)), Reason.OUT_OF_RANGE, "params.hz"),
        (replace(_command(RATE), params=SetRate(hz=math.nan)), Reason.NOT_FINITE, "params.hz"),
        (
            replace(_command(TEXT), params=ShowText("x" * 201, (0, 0, 0), (0, 0, 0), 80)),
            Reason.OUT_OF_RANGE,
            "params.text",
        ),
        (
            replace(_command(TEXT), params=ShowText("hi", (0, 300, 0), (0, 0, 0), 80)),
            Reason.OUT_OF_RANGE,
            "params.color[1]",
        ),
        (replace(_command(TEXT), deadline_server_ts=1795336200000), Reason.OUT_OF_RANGE, "deadline_server_ts"),
        (replace(_command(CLEAR), params=SetRate(hz=1.0)), Reason.UNKNOWN_FIELD, "params"),
    ],
)
def test_encode_command_refuses_an_invalid_command(command: Command, reason: Reason, field: str) -> None:
    with pytest.raises(ContractError) as caught:
        cc.encode_command(command)
    assert (caught.value.reason, caught.value.field) == (reason, field)


def test_encoders_of_the_device_refuse_invalid_messages() -> None:
    with pytest.raises(ContractError, match="reason"):
        cc.encode_command_result(CommandResult("0b8e6f4c-1d2a", "pi-kitchen", ResultStatus.FAILED, 1))
    state = cc.decode_state(golden_bytes(STATE))
    with pytest.raises(ContractError, match="pixels"):
        cc.encode_state(replace(state, pixels=state.pixels[:-1] if state.pixels else None))
    with pytest.raises(ContractError, match="seq"):
        cc.encode_joystick(JoystickEvent("pi-kitchen", "b1", -1, 0, JoystickDirection.UP, JoystickAction.HELD))
    assert isinstance(state, DeviceState)


def test_command_id_of_reads_the_id_of_a_command_it_cannot_decode() -> None:
    broken = changed(PIXELS, "params", pixels=PIXELS_65)
    assert cc.command_id_of(to_bytes(broken)) == broken["id"]
    assert cc.command_id_of(to_bytes(changed(PIXELS, id="?"))) is None
    assert cc.command_id_of(b"not json") is None


# --- the sample rate is the edge's --------------------------------------------------------------


def test_the_rate_range_is_the_edge_settings_range() -> None:
    kind = table.EDGE_RATE_HZ.kind
    assert (kind.lo, kind.lo_excluded, kind.hi) == (RATE_HZ_MIN_EXCLUDED, True, RATE_HZ_MAX)  # type: ignore[attr-defined]


# --- the life of a command ------------------------------------------------------------------------

S, E = CommandStatus, CommandEvent
# Every (status, event) pair, written out: None means refused.
EXPECTED: dict[CommandStatus, dict[CommandEvent, CommandStatus | None]] = {
    S.QUEUED: {
        E.PUBLISHED: S.SENT,
        E.RECEIVED: S.RECEIVED,
        E.SUCCEEDED: S.SUCCEEDED,
        E.FAILED: S.FAILED,
        E.DEADLINE_PASSED: S.EXPIRED,
    },
    S.SENT: {
        E.PUBLISHED: S.SENT,
        E.RECEIVED: S.RECEIVED,
        E.SUCCEEDED: S.SUCCEEDED,
        E.FAILED: S.FAILED,
        E.DEADLINE_PASSED: S.EXPIRED,
    },
    S.RECEIVED: {
        E.PUBLISHED: None,
        E.RECEIVED: S.RECEIVED,
        E.SUCCEEDED: S.SUCCEEDED,
        E.FAILED: S.FAILED,
        E.DEADLINE_PASSED: S.EXPIRED,
    },
    S.SUCCEEDED: {
        E.PUBLISHED: None,
        E.RECEIVED: None,
        E.SUCCEEDED: S.SUCCEEDED,
        E.FAILED: None,
        E.DEADLINE_PASSED: None,
    },
    S.FAILED: {E.PUBLISHED: None, E.RECEIVED: None, E.SUCCEEDED: None, E.FAILED: S.FAILED, E.DEADLINE_PASSED: None},
    S.EXPIRED: {
        E.PUBLISHED: None,
        E.RECEIVED: None,
        E.SUCCEEDED: None,
        E.FAILED: None,
        E.DEADLINE_PASSED: S.EXPIRED,
    },
}
PAIRS = [(status, event) for status in CommandStatus for event in CommandEvent]


def test_the_table_covers_every_pair() -> None:
    assert [(s, e) for s, row in EXPECTED.items() for e in row] == PAIRS


@pytest.mark.parametrize(("current", "event"), PAIRS, ids=lambda v: v.value)
def test_next_status_of_every_pair(current: CommandStatus, event: CommandEvent) -> None:
    expected = EXPECTED[current][event]
    if expected is None:
        with pytest.raises(ContractError) as caught:
            next_status(current, event)
        assert (caught.value.reason, caught.value.field) == (Reason.BAD_TRANSITION, "status")
    else:
        assert next_status(current, event) is expected


def test_a_final_status_never_changes_and_a_repeated_event_changes_nothing() -> None:
    for status in FINAL_STATUSES:
        assert {EXPECTED[status][e] for e in CommandEvent} - {None} <= {status}
    for status in CommandStatus:
        for event in CommandEvent:
            after = EXPECTED[status][event]
            if after is not None:
                assert next_status(after, event) is after, (status, event)


def test_the_device_answers_are_events_of_the_same_name() -> None:
    assert {CommandEvent(s.value) for s in ResultStatus} == {E.RECEIVED, E.SUCCEEDED, E.FAILED}
