"""The pipeline core: every MQTT message becomes exactly one outcome, and nothing raises.

``classify(Incoming, max_future_ms=...)`` -> Accepted | Presence | Ignored | Rejected.
Payloads come from the contract's golden files and encoders; only the malformed cases
are written by hand.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import contract
from bridge.pipeline import EXCERPT_BYTES, TOPIC_CHARS, Accepted, Ignored, Incoming, Presence, Rejected, classify
from contract import codec
from contract.channels import CHANNEL_NAMES
from contract.errors import Reason
from contract.models import MAX_READING_BYTES, Reading, Status
from contract.topics import DEVICE_ID_PATTERN, PREFIX, Kind, parse, topic

GOLDEN = Path(contract.__file__).resolve().parent / "golden"


def golden(name: str) -> bytes:
    return (GOLDEN / name).read_bytes()


DEVICE = "pi-kitchen"  # the device of the golden files
OTHER = "garage"
GOLDEN_READING = codec.decode_reading(golden("reading.json"))
GOLDEN_BATCH = codec.decode_batch(golden("batch.json"))
RX = GOLDEN_READING.ts_ms + 12  # the bridge receives the golden reading 12 ms after it was taken
MAX_FUTURE = 300_000


def reading(**changes: object) -> Reading:
    """The golden reading with ``changes``."""
    return dataclasses.replace(GOLDEN_READING, **changes)  # type: ignore[arg-type]


def with_extra_field(payload: bytes, name: str) -> bytes:
    """A valid payload plus one field the contract does not know."""
    return codec.dumps({**codec.loads(payload), name: 1})


def incoming(topic_name: str, payload: bytes, *, retained: bool = False) -> Incoming:
    return Incoming(topic=topic_name, payload=payload, rx_ms=RX, retained=retained)


def run(msg: Incoming, max_future_ms: int = MAX_FUTURE) -> object:
    return classify(msg, max_future_ms=max_future_ms)


# --- accepted readings ---------------------------------------------------------------


@dataclass(frozen=True)
class AcceptCase:
    id: str
    topic: str
    payload: bytes
    expected: list[Reading]
    live: bool


ACCEPT_CASES = [
    AcceptCase(
        "golden-reading-is-live",
        topic(DEVICE, Kind.READING),
        golden("reading.json"),
        [GOLDEN_READING],
        live=True,
    ),
    AcceptCase(
        "minimal-reading",
        topic(OTHER, Kind.READING),
        golden("reading-minimal.json"),
        [codec.decode_reading(golden("reading-minimal.json"))],
        live=True,
    ),
    AcceptCase(
        "reading-days-old",
        topic(DEVICE, Kind.READING),
        codec.encode_reading(reading(ts_ms=RX - 3 * 86_400_000)),
        [reading(ts_ms=RX - 3 * 86_400_000)],
        live=True,
    ),
    AcceptCase(
        "reading-exactly-max-future-ahead",
        topic(DEVICE, Kind.READING),
        codec.encode_reading(reading(ts_ms=RX + MAX_FUTURE)),
        [reading(ts_ms=RX + MAX_FUTURE)],
        live=True,
    ),
    AcceptCase(
        "golden-batch-is-backfill-not-live",
        topic(DEVICE, Kind.BATCH),
        golden("batch.json"),
        GOLDEN_BATCH,
        live=False,
    ),
    AcceptCase(
        "encoded-batch-keeps-order",
        topic(DEVICE, Kind.BATCH),
        codec.encode_batch([reading(seq=7), reading(seq=5, boot="other-boot"), reading(seq=6)]),
        [reading(seq=7), reading(seq=5, boot="other-boot"), reading(seq=6)],
        live=False,
    ),
]


@pytest.mark.parametrize("case", ACCEPT_CASES, ids=lambda c: c.id)
def test_valid_readings_are_accepted_and_stamped_with_the_receive_time(case: AcceptCase) -> None:
    outcome = run(incoming(case.topic, case.payload))

    assert outcome == Accepted(readings=[dataclasses.replace(r, rx_ms=RX) for r in case.expected], live=case.live)


# --- presence --------------------------------------------------------------------------


@pytest.mark.parametrize("retained", [False, True], ids=["fresh", "retained"])
@pytest.mark.parametrize(
    ("golden_name", "expected"),
    [
        pytest.param(
            "status-online.json",
            Status(device=DEVICE, online=True, boot=GOLDEN_READING.boot, ts_ms=RX - 1262, pending=3, dropped=0),
            id="online-birth",
        ),
        pytest.param(
            "status-offline.json",
            Status(device=DEVICE, online=False, boot=GOLDEN_READING.boot),
            id="offline-will",
        ),
    ],
)
def test_status_is_presence_even_when_retained(golden_name: str, expected: Status, retained: bool) -> None:
    outcome = run(incoming(topic(DEVICE, Kind.STATUS), golden(golden_name), retained=retained))

    assert outcome == Presence(status=expected)


def test_status_encoded_by_the_contract_round_trips() -> None:
    status = Status(device=OTHER, online=True, boot="b2", ts_ms=RX - 5, pending=0, dropped=17)

    outcome = run(incoming(topic(OTHER, Kind.STATUS), codec.encode_status(status)))

    assert outcome == Presence(status=status)


# --- retained replays -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "golden_name"),
    [(Kind.READING, "reading.json"), (Kind.BATCH, "batch.json")],
    ids=["reading", "batch"],
)
def test_retained_readings_are_ignored_never_stored_as_new(kind: Kind, golden_name: str) -> None:
    outcome = run(incoming(topic(DEVICE, kind), golden(golden_name), retained=True))

    assert isinstance(outcome, Ignored)
    assert outcome.why


def test_retained_message_on_a_bad_topic_is_still_rejected() -> None:
    bad = f"{PREFIX}/{DEVICE}/temperature"

    outcome = run(incoming(bad, golden("reading.json"), retained=True))

    assert isinstance(outcome, Rejected)
    assert outcome.message.reason == Reason.BAD_TOPIC


# --- rejections ------------------------------------------------------------------------

# Hand-written topics: only invalid ones, which the contract's topic() refuses to build.
NOT_OUR_PREFIX = f"sensebridge/v2/{DEVICE}/{Kind.READING.value}"
UNKNOWN_KIND = f"{PREFIX}/{DEVICE}/telemetry"
TOO_DEEP = f"{topic(DEVICE, Kind.READING)}/extra"
BAD_DEVICE_TOPIC = f"{PREFIX}/Pi Kitchen/{Kind.READING.value}"
FUTURE = RX + MAX_FUTURE + 1


@dataclass(frozen=True)
class RejectCase:
    id: str
    topic: str
    payload: bytes
    reason: Reason
    device: str | None


REJECT_CASES = [
    RejectCase("bad-topic-prefix", NOT_OUR_PREFIX, golden("reading.json"), Reason.BAD_TOPIC, None),
    RejectCase("bad-topic-unknown-kind", UNKNOWN_KIND, golden("reading.json"), Reason.BAD_TOPIC, None),
    RejectCase("bad-topic-too-deep", TOO_DEEP, golden("reading.json"), Reason.BAD_TOPIC, None),
    RejectCase("bad-topic-empty", "", golden("reading.json"), Reason.BAD_TOPIC, None),
    RejectCase("bad-device-id-in-topic", BAD_DEVICE_TOPIC, golden("reading.json"), Reason.BAD_DEVICE_ID, None),
    RejectCase(
        "reading-device-mismatch",
        topic(OTHER, Kind.READING),
        golden("reading.json"),
        Reason.DEVICE_MISMATCH,
        OTHER,
    ),
    RejectCase(
        "batch-device-mismatch",
        topic(OTHER, Kind.BATCH),
        golden("batch.json"),
        Reason.DEVICE_MISMATCH,
        OTHER,
    ),
    RejectCase(
        "status-device-mismatch",
        topic(OTHER, Kind.STATUS),
        golden("status-online.json"),
        Reason.DEVICE_MISMATCH,
        OTHER,
    ),
    RejectCase(
        "reading-future-timestamp",
        topic(DEVICE, Kind.READING),
        codec.encode_reading(reading(ts_ms=FUTURE)),
        Reason.FUTURE_TIMESTAMP,
        DEVICE,
    ),
    RejectCase(
        "batch-future-timestamp-in-last-item",
        topic(DEVICE, Kind.BATCH),
        codec.encode_batch([reading(seq=1), reading(seq=2), reading(seq=3, ts_ms=FUTURE)]),
        Reason.FUTURE_TIMESTAMP,
        DEVICE,
    ),
    RejectCase(
        "malformed-json",
        topic(DEVICE, Kind.READING),
        b'{"v":1,"device":"pi-kitchen",',
        Reason.MALFORMED_JSON,
        DEVICE,
    ),
    RejectCase(
        "nan-value",
        topic(DEVICE, Kind.READING),
        golden("reading.json").replace(b"21.37", b"NaN"),
        Reason.MALFORMED_JSON,
        DEVICE,
    ),
    RejectCase(
        "infinite-value",
        topic(DEVICE, Kind.READING),
        golden("reading.json").replace(b"21.37", b"1e999"),
        Reason.MALFORMED_JSON,
        DEVICE,
    ),
    RejectCase(
        "oversize-reading",
        topic(DEVICE, Kind.READING),
        golden("reading.json")[:-2] + b" " * MAX_READING_BYTES + b"}",
        Reason.TOO_LARGE,
        DEVICE,
    ),
    RejectCase(
        "reading-unknown-field",
        topic(DEVICE, Kind.READING),
        with_extra_field(golden("reading.json"), "colour"),
        Reason.UNKNOWN_FIELD,
        DEVICE,
    ),
    RejectCase(
        "status-unknown-field",
        topic(DEVICE, Kind.STATUS),
        with_extra_field(golden("status-online.json"), "uptime"),
        Reason.UNKNOWN_FIELD,
        DEVICE,
    ),
    RejectCase(
        "value-out-of-range",
        topic(DEVICE, Kind.READING),
        codec.encode_reading(reading(values={"temperature": 500.0})),
        Reason.OUT_OF_RANGE,
        DEVICE,
    ),
    RejectCase(
        "reading-payload-on-batch-topic",
        topic(DEVICE, Kind.BATCH),
        golden("reading.json"),
        Reason.UNKNOWN_FIELD,
        DEVICE,
    ),
    RejectCase(
        "ack-topic-is-not-for-the-bridge",
        topic(DEVICE, Kind.ACK),
        golden("ack.json"),
        Reason.UNEXPECTED_KIND,
        DEVICE,
    ),
    RejectCase(
        "non-utf8-payload",
        topic(DEVICE, Kind.READING),
        b"\xff\xfe{\x00garbage",
        Reason.MALFORMED_JSON,
        DEVICE,
    ),
]


@pytest.mark.parametrize("case", REJECT_CASES, ids=lambda c: c.id)
def test_contract_violations_are_rejected_with_reason_topic_device_and_excerpt(case: RejectCase) -> None:
    outcome = run(incoming(case.topic, case.payload))

    assert isinstance(outcome, Rejected)
    message = outcome.message
    assert (message.reason, message.device, message.topic, message.rx_ms) == (
        case.reason.value,
        case.device,
        case.topic,
        RX,
    )
    assert message.detail
    assert message.excerpt == case.payload[:EXCERPT_BYTES].decode("utf-8", errors="replace")


def test_future_timestamp_limit_follows_max_future_ms() -> None:
    ahead = reading(ts_ms=RX + 1)
    msg = incoming(topic(DEVICE, Kind.READING), codec.encode_reading(ahead))

    assert isinstance(run(msg, max_future_ms=1), Accepted)
    rejected = run(msg, max_future_ms=0)
    assert isinstance(rejected, Rejected)
    assert rejected.message.reason == Reason.FUTURE_TIMESTAMP


def test_excerpt_is_the_first_256_bytes_of_an_oversize_payload() -> None:
    payload = golden("reading.json")[:-2] + b" " * MAX_READING_BYTES + b"}"

    outcome = run(incoming(topic(DEVICE, Kind.READING), payload))

    assert isinstance(outcome, Rejected)
    assert outcome.message.excerpt == payload[:256].decode()
    assert len(outcome.message.excerpt.encode()) == EXCERPT_BYTES == 256


def test_excerpt_cut_inside_a_multibyte_character_is_replaced_not_raised() -> None:
    # Byte 255 is the first byte of a two-byte character: the cut leaves half of it.
    payload = b"x" * (EXCERPT_BYTES - 1) + "é".encode() + b"tail"

    outcome = run(incoming(topic(DEVICE, Kind.READING), payload))

    assert isinstance(outcome, Rejected)
    assert outcome.message.excerpt == "x" * (EXCERPT_BYTES - 1) + "\ufffd"


def test_long_topic_is_recorded_truncated() -> None:
    long_topic = "x/" * 400

    outcome = run(incoming(long_topic, b"{}"))

    assert isinstance(outcome, Rejected)
    assert outcome.message.reason == Reason.BAD_TOPIC
    assert outcome.message.topic == long_topic[:TOPIC_CHARS]
    assert len(outcome.message.topic) == TOPIC_CHARS


# --- property: nothing a sender can do makes classify raise ---------------------------

_FIELDS = sorted(
    {"v", "device", "boot", "seq", "ts", "readings", "state", "pending", "dropped", "ranges", *CHANNEL_NAMES}
)
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["2026-11-22T08:30:00.250Z", "0000-01-01T00:00:00Z", "2026-02-30T00:00:00Z", DEVICE, "online"]),
)
_json_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(_FIELDS) | st.text(max_size=8), inner),
    max_leaves=20,
)
_message_like = st.dictionaries(st.sampled_from(_FIELDS), _json_values, max_size=10).map(
    lambda obj: json.dumps(obj, allow_nan=True).encode()
)
_golden_payloads = st.sampled_from([p.read_bytes() for p in sorted(GOLDEN.glob("*.json"))])
_mutated_golden = st.tuples(_golden_payloads, st.integers(min_value=0, max_value=400), st.binary(max_size=3)).map(
    lambda t: t[0][: t[1]] + t[2] + t[0][t[1] + 1 :]
)
PAYLOADS = st.one_of(st.binary(max_size=600), _message_like, _golden_payloads, _mutated_golden)
TOPICS = st.one_of(
    st.text(max_size=300),
    st.builds(topic, st.from_regex(DEVICE_ID_PATTERN, fullmatch=True), st.sampled_from(list(Kind))),
    st.sampled_from([topic(DEVICE, kind) for kind in Kind]),
)


@settings(max_examples=400, deadline=None, database=None)
@given(
    topic_name=TOPICS,
    payload=PAYLOADS,
    rx_ms=st.integers(min_value=0, max_value=2**53),
    retained=st.booleans(),
    max_future_ms=st.integers(min_value=0, max_value=10**12),
)
def test_classify_never_raises_and_always_explains(
    topic_name: str, payload: bytes, rx_ms: int, retained: bool, max_future_ms: int
) -> None:
    outcome = classify(
        Incoming(topic=topic_name, payload=payload, rx_ms=rx_ms, retained=retained), max_future_ms=max_future_ms
    )

    if isinstance(outcome, Rejected):
        assert outcome.message.reason in {r.value for r in Reason}
        assert outcome.message.topic == topic_name[:TOPIC_CHARS]
        assert outcome.message.excerpt == payload[:EXCERPT_BYTES].decode("utf-8", errors="replace")
        assert outcome.message.rx_ms == rx_ms
    elif isinstance(outcome, Accepted):
        where = parse(topic_name)
        assert not retained
        assert outcome.live is (where.kind is Kind.READING)
        assert outcome.readings
        assert all(r.device == where.device and r.rx_ms == rx_ms for r in outcome.readings)
        assert all(r.ts_ms <= rx_ms + max_future_ms for r in outcome.readings)
    elif isinstance(outcome, Presence):
        assert outcome.status.device == parse(topic_name).device
    else:
        assert isinstance(outcome, Ignored)
        assert retained
