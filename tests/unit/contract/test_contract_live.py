"""What the browser may send over the WebSocket, and what it is told when it gets it wrong."""

from __future__ import annotations

import json

import pytest
from contract_helpers import message_validator

from contract.errors import ContractError, Reason
from contract.live import MAX_CLIENT_MESSAGE_BYTES, MAX_SUBSCRIPTIONS, SubscriptionChange, parse_client_message
from contract.spec import ws


def _text(**obj: object) -> str:
    return json.dumps(obj)


def test_subscribe(backend: str) -> None:
    change = parse_client_message(_text(type="subscribe", devices=["pi-kitchen", "garage"]))
    assert change == SubscriptionChange(subscribe=True, devices=("pi-kitchen", "garage"))


def test_unsubscribe(backend: str) -> None:
    change = parse_client_message(_text(type="unsubscribe", devices=["garage"]))
    assert change == SubscriptionChange(subscribe=False, devices=("garage",))


def test_an_empty_device_list_is_a_valid_no_op(backend: str) -> None:
    assert parse_client_message(_text(type="subscribe", devices=[])) == SubscriptionChange(True, ())


def test_the_most_devices_one_message_may_name(backend: str) -> None:
    devices = [f"pi-{n}" for n in range(MAX_SUBSCRIPTIONS)]
    assert parse_client_message(_text(type="subscribe", devices=devices)).devices == tuple(devices)


def test_a_message_exactly_at_the_size_limit_is_read(backend: str) -> None:
    text = _text(type="subscribe", devices=[])
    text = text[:-1] + " " * (MAX_CLIENT_MESSAGE_BYTES - len(text)) + "}"
    assert parse_client_message(text) == SubscriptionChange(True, ())


def _oversize_in_bytes_not_in_characters() -> str:
    # 6,000 characters, 18,000 bytes of UTF-8: the limit is in bytes.
    text = _text(type="subscribe", devices=[], note="€" * 6000).replace("\\u20ac", "€")
    assert len(text) < MAX_CLIENT_MESSAGE_BYTES < len(text.encode())
    return text


REJECTIONS = [
    ("over-the-size-limit", " " * (MAX_CLIENT_MESSAGE_BYTES + 1), Reason.TOO_LARGE, None),
    ("over-the-size-limit-in-utf8", _oversize_in_bytes_not_in_characters(), Reason.TOO_LARGE, None),
    ("not-json", "subscribe pi-kitchen", Reason.MALFORMED_JSON, None),
    ("empty", "", Reason.MALFORMED_JSON, None),
    ("nan", '{"type":"subscribe","devices":[],"x":NaN}', Reason.MALFORMED_JSON, None),
    ("lone-surrogate", '{"type":"subscribe","devices":["\ud800"]}', Reason.MALFORMED_JSON, None),
    ("lone-surrogate-escape", '{"type":"subscribe","devices":["\\ud800"]}', Reason.MALFORMED_JSON, None),
    ("array", '["subscribe","pi-kitchen"]', Reason.NOT_AN_OBJECT, None),
    ("string", '"subscribe"', Reason.NOT_AN_OBJECT, None),
    ("without-type", _text(devices=["pi-kitchen"]), Reason.MISSING_FIELD, "type"),
    ("unknown-type", _text(type="ping", devices=[]), Reason.UNEXPECTED_KIND, "type"),
    ("type-upper-case", _text(type="SUBSCRIBE", devices=[]), Reason.UNEXPECTED_KIND, "type"),
    ("type-a-number", _text(type=1, devices=[]), Reason.UNEXPECTED_KIND, "type"),
    ("type-an-array", _text(type=["subscribe"], devices=[]), Reason.UNEXPECTED_KIND, "type"),
    ("unknown-field", _text(type="subscribe", devices=[], room="lab"), Reason.UNKNOWN_FIELD, "room"),
    ("without-devices", _text(type="subscribe"), Reason.MISSING_FIELD, "devices"),
    ("devices-a-string", _text(type="subscribe", devices="pi-kitchen"), Reason.WRONG_TYPE, "devices"),
    ("devices-null", _text(type="subscribe", devices=None), Reason.WRONG_TYPE, "devices"),
    ("device-a-number", _text(type="subscribe", devices=["pi", 1]), Reason.WRONG_TYPE, "devices"),
    (
        "too-many-devices",
        _text(type="subscribe", devices=[f"pi-{n}" for n in range(MAX_SUBSCRIPTIONS + 1)]),
        Reason.TOO_LARGE,
        "devices",
    ),
    ("bad-device-id", _text(type="subscribe", devices=["pi-kitchen", "Bad Device"]), Reason.BAD_DEVICE_ID, "device"),
    ("wildcard-device", _text(type="unsubscribe", devices=["#"]), Reason.BAD_DEVICE_ID, "device"),
]


@pytest.mark.parametrize(("text", "reason", "field"), [r[1:] for r in REJECTIONS], ids=[r[0] for r in REJECTIONS])
def test_parse_client_message_rejects(text: str, reason: Reason, field: str | None, backend: str) -> None:
    with pytest.raises(ContractError) as caught:
        parse_client_message(text)
    assert (caught.value.reason, caught.value.field) == (reason, field), caught.value.detail


def test_every_reason_the_websocket_can_give_has_a_case() -> None:
    assert {r[2] for r in REJECTIONS} == {
        Reason.TOO_LARGE,
        Reason.MALFORMED_JSON,
        Reason.NOT_AN_OBJECT,
        Reason.MISSING_FIELD,
        Reason.UNEXPECTED_KIND,
        Reason.UNKNOWN_FIELD,
        Reason.WRONG_TYPE,
        Reason.BAD_DEVICE_ID,
    }


def _schema_verdict(text: str) -> bool | None:
    """Whether the subscribe/unsubscribe schema accepts ``text``; None when no schema applies."""
    try:
        obj = json.loads(text)
    except ValueError:
        return None
    kinds = {m.kind: m for m in ws.CLIENT_MESSAGES}
    message = kinds.get(obj.get("type")) if isinstance(obj, dict) and isinstance(obj.get("type"), str) else None
    return None if message is None else message_validator(message).is_valid(obj)


@pytest.mark.parametrize("text", [r[1] for r in REJECTIONS], ids=[r[0] for r in REJECTIONS])
def test_the_client_message_schemas_reject_what_the_parser_rejects(text: str) -> None:
    # Byte limits and non-JSON input are the parser's alone (no schema applies to them).
    assert _schema_verdict(text) in (False, None)


def test_the_client_message_schemas_accept_what_the_parser_accepts() -> None:
    for text in (_text(type="subscribe", devices=["pi-kitchen"]), _text(type="unsubscribe", devices=[])):
        parse_client_message(text)
        assert _schema_verdict(text) is True
