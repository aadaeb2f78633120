"""Every way a payload can break contract v1, with the reason and field the sender is told.

Each case runs through the codec with orjson and with the standard-library fallback (same
verdict on the Pi and on the bridge) and, where the rule is expressible in JSON Schema,
through the published schema too, which must reject the same payload. Rules the schema
cannot express are marked ``codec_only`` with the reason why; for those the schema is
shown to accept the payload, so the note stays true.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import pytest
from contract_helpers import (
    DROP,
    NOT_JSON,
    VALID,
    as_json,
    batch_payload,
    decode,
    item,
    padded,
    payload,
    validator,
)

from contract import codec
from contract.channels import CHANNELS, Channel
from contract.codec import check_not_future
from contract.errors import ContractError, Reason
from contract.models import (
    MAX_ACK_BYTES,
    MAX_BATCH_BYTES,
    MAX_BATCH_READINGS,
    MAX_READING_BYTES,
    MAX_SEQ,
    MAX_STATUS_BYTES,
    Reading,
)

NOT_JSON_NOTE = "not JSON at all"
SIZE = "payload size in bytes"
CALENDAR = "calendar validity (the pattern only fixes the shape)"
INTEGRAL_FLOAT = "JSON Schema counts 1.0 as an integer equal to 1"
DOLLAR_NEWLINE = "Python's re lets $ match before a final newline (ECMA-262 does not)"
RANGE_ORDER = "first <= last of a range"


@dataclass(frozen=True)
class Case:
    id: str
    kind: str
    payload: bytes
    reason: Reason
    field: str | None
    codec_only: str | None = None


def _reading_with(raw_value: str) -> bytes:
    """A reading whose temperature is the raw JSON text ``raw_value``."""
    return payload("reading", temperature=0).replace(b'"temperature":0', b'"temperature":' + raw_value.encode())


CASES: list[Case] = []


def case(
    id: str, kind: str, raw: bytes, reason: Reason, field: str | None = None, codec_only: str | None = None
) -> None:
    CASES.append(Case(f"{kind}-{id}", kind, raw, reason, field, codec_only))


# --- the envelope: the same rules for every kind -----------------------------------------

LIMITS = {"reading": MAX_READING_BYTES, "batch": MAX_BATCH_BYTES, "status": MAX_STATUS_BYTES, "ack": MAX_ACK_BYTES}

for kind, limit in LIMITS.items():
    case("one-byte-over-the-size-limit", kind, padded(kind, limit + 1), Reason.TOO_LARGE, None, SIZE)
    case("truncated", kind, payload(kind)[:-1], Reason.MALFORMED_JSON, None, NOT_JSON_NOTE)
    case("empty", kind, b"", Reason.MALFORMED_JSON, None, NOT_JSON_NOTE)
    case("not-utf8", kind, b'{"v":1,"device":"pi\xff"}', Reason.MALFORMED_JSON, None, NOT_JSON_NOTE)
    case("utf8-bom", kind, b"\xef\xbb\xbf" + payload(kind), Reason.MALFORMED_JSON, None, NOT_JSON_NOTE)
    case("utf16", kind, json.dumps(VALID[kind]).encode("utf-16"), Reason.MALFORMED_JSON, None, NOT_JSON_NOTE)
    case("single-quotes", kind, b"{'v': 1}", Reason.MALFORMED_JSON, None, NOT_JSON_NOTE)
    case("trailing-comma", kind, payload(kind)[:-1] + b",}", Reason.MALFORMED_JSON, None, NOT_JSON_NOTE)
    if limit > 2200:  # deeper than both parsers allow, within the size limit
        case("nested-too-deep", kind, b"[" * 1100 + b"]" * 1100, Reason.MALFORMED_JSON, None, NOT_JSON_NOTE)
    case(
        "lone-surrogate-escape",
        kind,
        payload(kind)[:-1] + b',"\\ud800":1}',
        Reason.MALFORMED_JSON,
        None,
        NOT_JSON_NOTE,
    )
    for label, raw in (("array", b"[]"), ("number", b"1"), ("string", b'"reading"'), ("null", b"null")):
        case(f"top-level-{label}", kind, raw, Reason.NOT_AN_OBJECT)
    case("without-v", kind, payload(kind, v=DROP), Reason.MISSING_FIELD, "v")
    for label, version in (("2", 2), ("0", 0), ("string", "1"), ("true", True), ("null", None)):
        case(f"v-{label}", kind, payload(kind, v=version), Reason.UNSUPPORTED_VERSION, "v")
    case("v-1.0", kind, payload(kind, v=1.0), Reason.UNSUPPORTED_VERSION, "v", INTEGRAL_FLOAT)
    case("without-device", kind, payload(kind, device=DROP), Reason.MISSING_FIELD, "device")
    case("device-number", kind, payload(kind, device=5), Reason.WRONG_TYPE, "device")
    for label, device in (
        ("upper-case", "Pi-Kitchen"),
        ("slash", "pi/kitchen"),
        ("plus", "pi+"),
        ("hash", "pi#"),
        ("65-chars", "p" * 65),
        ("empty", ""),
        ("leading-dash", "-pi"),
        ("space", "pi kitchen"),
    ):
        case(f"device-{label}", kind, payload(kind, device=device), Reason.BAD_DEVICE_ID, "device")
    case(
        "device-trailing-newline",
        kind,
        payload(kind, device="pi\n"),
        Reason.BAD_DEVICE_ID,
        "device",
        DOLLAR_NEWLINE,
    )
    case("unknown-field", kind, payload(kind, colour="red"), Reason.UNKNOWN_FIELD, "colour")
    if kind != "batch":
        case("without-boot", kind, payload(kind, boot=DROP), Reason.MISSING_FIELD, "boot")
        case("boot-number", kind, payload(kind, boot=5), Reason.WRONG_TYPE, "boot")
        for label, boot in (("empty", ""), ("space", "a b"), ("65-chars", "b" * 65), ("non-ascii", "bööt")):
            case(f"boot-{label}", kind, payload(kind, boot=boot), Reason.OUT_OF_RANGE, "boot")


# --- reading ------------------------------------------------------------------------------

for label, raw in (
    ("NaN", "NaN"),
    ("Infinity", "Infinity"),
    ("-Infinity", "-Infinity"),
    ("1e400", "1e400"),
    ("-1e400", "-1e400"),
    ("400-digit-integer", "1" + "0" * 400),
):
    case(f"temperature-{label}", "reading", _reading_with(raw), Reason.MALFORMED_JSON, None, NOT_JSON_NOTE)

for field in ("seq", "ts"):
    case(f"without-{field}", "reading", payload("reading", **{field: DROP}), Reason.MISSING_FIELD, field)
case("typo-in-a-channel-name", "reading", payload("reading", humidty=40.0), Reason.UNKNOWN_FIELD, "humidty")
case("rx-is-the-bridges-not-the-devices", "reading", payload("reading", rx=1), Reason.UNKNOWN_FIELD, "rx")
case("only-the-envelope", "reading", payload("reading", temperature=DROP), Reason.NO_VALUES)

for label, value in (("true", True), ("string", "21.5"), ("null", None), ("array", [21.5])):
    case(f"temperature-{label}", "reading", payload("reading", temperature=value), Reason.WRONG_TYPE, "temperature")
for label, value in (("string", "42"), ("true", True), ("1.5", 1.5), ("null", None)):
    case(f"seq-{label}", "reading", payload("reading", seq=value), Reason.WRONG_TYPE, "seq")
case("seq-42.0", "reading", payload("reading", seq=42.0), Reason.WRONG_TYPE, "seq", INTEGRAL_FLOAT)
case("seq-negative", "reading", payload("reading", seq=-1), Reason.OUT_OF_RANGE, "seq")
case("seq-2^53", "reading", payload("reading", seq=MAX_SEQ + 1), Reason.OUT_OF_RANGE, "seq")
case("seq-2^64", "reading", payload("reading", seq=2**64), Reason.WRONG_TYPE, "seq")  # a double by then
case("ts-epoch-number", "reading", payload("reading", ts=1_795_336_200_250), Reason.WRONG_TYPE, "ts")

for channel in CHANNELS:
    below = math.nextafter(channel.minimum, -math.inf)
    above = math.nextafter(channel.maximum, math.inf)
    for label, value in (("below-minimum", below), ("above-maximum", above)):
        raw = payload("reading", **{"temperature": DROP, channel.name: value})
        case(f"{channel.name}-{label}", "reading", raw, Reason.OUT_OF_RANGE, channel.name)

for label, ts in (
    ("no-timezone", "2026-11-22T08:30:00.250"),
    ("plus-two-hours", "2026-11-22T10:30:00.250+02:00"),
    ("garbage", "yesterday"),
    ("date-only", "2026-11-22"),
    ("space-separator", "2026-11-22 08:30:00Z"),
    ("lower-case", "2026-11-22t08:30:00z"),
    ("seven-fraction-digits", "2026-11-22T08:30:00.1234567Z"),
    ("fullwidth-digits", "\uff12\uff10\uff12\uff16-11-22T08:30:00Z"),
):
    case(f"ts-{label}", "reading", payload("reading", ts=ts), Reason.BAD_TIMESTAMP, "ts")
for label, ts in (
    ("month-13", "2026-13-01T00:00:00Z"),
    ("february-30", "2026-02-30T00:00:00Z"),
    ("hour-24", "2026-11-22T24:00:00Z"),
    ("leap-second", "2026-12-31T23:59:60Z"),
    ("year-0", "0000-01-01T00:00:00Z"),
):
    case(f"ts-{label}", "reading", payload("reading", ts=ts), Reason.BAD_TIMESTAMP, "ts", CALENDAR)
case(
    "ts-trailing-newline",
    "reading",
    payload("reading", ts="2026-11-22T08:30:00Z\n"),
    Reason.BAD_TIMESTAMP,
    "ts",
    DOLLAR_NEWLINE,
)

# --- batch --------------------------------------------------------------------------------

case("without-readings", "batch", payload("batch", readings=DROP), Reason.MISSING_FIELD, "readings")
case("readings-an-object", "batch", payload("batch", readings={}), Reason.WRONG_TYPE, "readings")
case("readings-empty", "batch", batch_payload(), Reason.EMPTY_BATCH, "readings")
case(
    f"{MAX_BATCH_READINGS + 1}-readings",
    "batch",
    batch_payload(*[item(seq=n) for n in range(MAX_BATCH_READINGS + 1)]),
    Reason.TOO_LARGE,
    "readings",
)
case("item-a-number", "batch", batch_payload(item(), 1), Reason.NOT_AN_OBJECT, "readings")
for field in ("boot", "seq", "ts"):
    case(f"item-without-{field}", "batch", batch_payload(item(**{field: DROP})), Reason.MISSING_FIELD, field)
case("item-with-v", "batch", batch_payload(item(v=1)), Reason.UNKNOWN_FIELD, "v")
case("item-with-device", "batch", batch_payload(item(device="pi-kitchen")), Reason.UNKNOWN_FIELD, "device")
case("item-typo", "batch", batch_payload(item(humidty=40.0)), Reason.UNKNOWN_FIELD, "humidty")
case("item-only-the-envelope", "batch", batch_payload(item(temperature=DROP)), Reason.NO_VALUES)
case("item-seq-string", "batch", batch_payload(item(seq="1")), Reason.WRONG_TYPE, "seq")
case("item-boot-bad", "batch", batch_payload(item(boot="a b")), Reason.OUT_OF_RANGE, "boot")
case("item-pressure-zero", "batch", batch_payload(item(pressure=0)), Reason.OUT_OF_RANGE, "pressure")
case("item-ts-no-timezone", "batch", batch_payload(item(ts="2026-11-22T08:30:00")), Reason.BAD_TIMESTAMP, "ts")
case("second-item-bad", "batch", batch_payload(item(), item(seq=-1)), Reason.OUT_OF_RANGE, "seq")

# --- status -------------------------------------------------------------------------------

case("without-state", "status", payload("status", state=DROP), Reason.MISSING_FIELD, "state")
for label, state in (("sleeping", "sleeping"), ("upper-case", "ONLINE"), ("true", True)):
    case(f"state-{label}", "status", payload("status", state=state), Reason.OUT_OF_RANGE, "state")
for field in ("pending", "dropped"):
    case(f"{field}-negative", "status", payload("status", **{field: -1}), Reason.OUT_OF_RANGE, field)
    case(f"{field}-2^53", "status", payload("status", **{field: MAX_SEQ + 1}), Reason.OUT_OF_RANGE, field)
    case(f"{field}-string", "status", payload("status", **{field: "3"}), Reason.WRONG_TYPE, field)
    case(f"{field}-true", "status", payload("status", **{field: True}), Reason.WRONG_TYPE, field)
case("ts-number", "status", payload("status", ts=0), Reason.WRONG_TYPE, "ts")
case("ts-null", "status", payload("status", ts=None), Reason.WRONG_TYPE, "ts")
case("ts-no-timezone", "status", payload("status", ts="2026-11-22T08:30:00"), Reason.BAD_TIMESTAMP, "ts")

# --- ack ----------------------------------------------------------------------------------

for label, ranges in (
    ("a-string", "40-44"),
    ("empty", []),
    ("a-bare-number", [40]),
    ("one-number", [[40]]),
    ("three-numbers", [[40, 41, 42]]),
    ("a-bool", [[40, True]]),
    ("a-float", [[40, 44.5]]),
):
    case(f"ranges-{label}", "ack", payload("ack", ranges=ranges), Reason.WRONG_TYPE, "ranges")
case("without-ranges", "ack", payload("ack", ranges=DROP), Reason.MISSING_FIELD, "ranges")
case("ranges-negative", "ack", payload("ack", ranges=[[-1, 4]]), Reason.OUT_OF_RANGE, "ranges")
case("ranges-over-2^53", "ack", payload("ack", ranges=[[0, MAX_SEQ + 1]]), Reason.OUT_OF_RANGE, "ranges")
case("ranges-reversed", "ack", payload("ack", ranges=[[44, 40]]), Reason.OUT_OF_RANGE, "ranges", RANGE_ORDER)


def _ids(cases: list[Case]) -> list[str]:
    return [c.id for c in cases]


def test_case_ids_are_unique() -> None:
    assert len(set(_ids(CASES))) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_codec_rejects_with_reason_and_field(case: Case, backend: str) -> None:
    with pytest.raises(ContractError) as caught:
        decode(case.kind, case.payload)
    assert (caught.value.reason, caught.value.field) == (case.reason, case.field), caught.value.detail


SCHEMA_CASES = [c for c in CASES if c.codec_only != NOT_JSON_NOTE]


@pytest.mark.parametrize("case", SCHEMA_CASES, ids=_ids(SCHEMA_CASES))
def test_json_schema_agrees_where_it_can_express_the_rule(case: Case) -> None:
    instance = as_json(case.payload)
    assert instance is not NOT_JSON, "only the cases marked as not JSON may be invalid JSON"
    schema_accepts = validator(case.kind).is_valid(instance)
    if case.codec_only is None:
        assert not schema_accepts, "the schema must reject what the codec rejects"
    else:
        assert schema_accepts, f"codec-only rule ({case.codec_only}) is now in the schema: drop the mark"


NOT_JSON_CASES = [c for c in CASES if c.codec_only == NOT_JSON_NOTE]


@pytest.mark.parametrize("case", NOT_JSON_CASES, ids=_ids(NOT_JSON_CASES))
def test_not_json_cases_really_are_not_json(case: Case) -> None:
    assert as_json(case.payload) is NOT_JSON


# --- limits are inclusive -------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "limit"), LIMITS.items())
def test_a_payload_exactly_at_the_size_limit_is_accepted(kind: str, limit: int, backend: str) -> None:
    decode(kind, padded(kind, limit))


@pytest.mark.parametrize("channel", CHANNELS, ids=lambda c: c.name)
def test_channel_values_at_the_limits_are_accepted(channel: Channel, backend: str) -> None:
    for value in (channel.minimum, channel.maximum):
        reading = decode("reading", payload("reading", **{"temperature": DROP, channel.name: value}))
        assert isinstance(reading, Reading)
        assert reading.values == {channel.name: value}


def test_boundary_values_of_seq_and_batch_size_are_accepted(backend: str) -> None:
    assert decode("reading", payload("reading", seq=MAX_SEQ)).seq == MAX_SEQ
    assert decode("reading", payload("reading", seq=0)).seq == 0
    full = batch_payload(*[item(seq=n) for n in range(MAX_BATCH_READINGS)])
    assert len(decode("batch", full)) == MAX_BATCH_READINGS


def test_plus_zero_offset_is_accepted_as_utc(backend: str) -> None:
    zulu = decode("reading", payload("reading", ts="2026-11-22T08:30:00.250Z"))
    offset = decode("reading", payload("reading", ts="2026-11-22T08:30:00.250+00:00"))
    assert zulu == offset


def test_a_repeated_key_keeps_the_last_value_on_both_backends(backend: str) -> None:
    raw = payload("reading")[:-1] + b',"temperature":22.5}'
    assert decode("reading", raw).values == {"temperature": 22.5}


# --- codec-only rules -----------------------------------------------------------------------


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_non_finite_numbers_cannot_pass_even_a_lenient_parser(literal: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # Both real parsers already refuse these as malformed_json; this is the second line of
    # defence should a parser ever hand the codec a NaN or an infinity.
    monkeypatch.setattr(codec, "loads", json.loads)
    with pytest.raises(ContractError) as caught:
        decode("reading", _reading_with(literal))
    assert (caught.value.reason, caught.value.field) == (Reason.NOT_FINITE, "temperature")


def _reading_at(ts_ms: int) -> Reading:
    return Reading(device="pi-kitchen", boot="b1", seq=1, ts_ms=ts_ms, values={"temperature": 20.0})


def test_future_timestamp_is_rejected_beyond_the_allowed_skew() -> None:
    now, skew = 1_795_336_200_000, 5_000
    check_not_future(_reading_at(now + skew), now_ms=now, max_skew_ms=skew)
    with pytest.raises(ContractError) as caught:
        check_not_future(_reading_at(now + skew + 1), now_ms=now, max_skew_ms=skew)
    assert (caught.value.reason, caught.value.field) == (Reason.FUTURE_TIMESTAMP, "ts")


def test_past_timestamps_are_the_receivers_business() -> None:
    check_not_future(_reading_at(0), now_ms=1_795_336_200_000, max_skew_ms=0)


# --- encoders refuse what decoders would refuse, the same way on both backends --------------


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_encoders_refuse_non_finite_values(value: float, backend: str) -> None:
    reading = Reading(device="pi-kitchen", boot="b1", seq=1, ts_ms=0, values={"humidity": value})
    for encode in (codec.encode_reading, lambda r: codec.encode_batch([r])):
        with pytest.raises(ContractError) as caught:
            encode(reading)
        assert (caught.value.reason, caught.value.field) == (Reason.NOT_FINITE, "humidity")


def test_encode_batch_refuses_empty_oversize_and_mixed_batches() -> None:
    reading = _reading_at(0)
    with pytest.raises(ValueError, match=r"1\.\.1000"):
        codec.encode_batch([])
    with pytest.raises(ValueError, match=r"1\.\.1000"):
        codec.encode_batch([reading] * (MAX_BATCH_READINGS + 1))
    with pytest.raises(ValueError, match="one device"):
        codec.encode_batch([reading, Reading("garage", "b1", 2, 0, {"temperature": 1.0})])


def test_format_ts_refuses_times_outside_years_1_to_9999() -> None:
    with pytest.raises(ValueError, match="years 1-9999"):
        codec.format_ts(253_402_300_800_000)


# --- coverage of the Reason enum --------------------------------------------------------------

# Produced elsewhere: by topics.parse (tests in test_contract_topics.py), by live.parse_client_message
# (test_contract_live.py), by check_not_future and the non-finite guard (above). DEVICE_MISMATCH is
# for adapters: the bridge compares the payload's device with the topic's. BAD_TRANSITION is
# commands.next_status's, and the command messages have their own cases (test_contract_commands.py).
NOT_FROM_DECODERS = {
    Reason.BAD_TRANSITION,
    Reason.BAD_TOPIC,
    Reason.FUTURE_TIMESTAMP,
    Reason.NOT_FINITE,
    Reason.UNEXPECTED_KIND,
    Reason.DEVICE_MISMATCH,
}


def test_every_reason_a_decoder_can_give_has_a_case() -> None:
    assert {c.reason for c in CASES} == set(Reason) - NOT_FROM_DECODERS
