"""The contract's ``reading`` and ``batch`` decoders written with msgspec and with pydantic v2.

Candidates for the model library, measured against :mod:`contract.codec` by
:mod:`bench.models`; nothing in production imports them. Each takes the payload bytes and
``rx_ms`` and returns the codec's own :class:`~contract.models.Reading` values, or raises
:class:`~contract.errors.ContractError` with the codec's reason and field where the
library's error tells them (``tests/unit/bench/test_bench_model_decoders.py`` runs them
over the contract's goldens and rejection table and lists where the reasons differ).

What each library checks in its own parser and validator: invalid JSON, non-objects,
unknown and missing fields, strict types (``true`` is no number, ``1.0`` no integer), the
version, ranges of ``seq`` and of every channel, string patterns of device, boot and ts,
and the number of batch items. What neither can express, done in Python after it (the
post-pass; the benchmark shows its cost as decode minus the library's step):

* the size limit, before parsing (a length check);
* at least one channel value (every channel is an optional field);
* calendar validity of ``ts`` (the pattern fixes only its shape) and its conversion to
  milliseconds, with ``datetime.fromisoformat`` as the codec does;
* building the :class:`Reading` values from the library's objects (their ``values`` come
  out in channel order, the codec's in payload order: equal as mappings).

Where the libraries needed a different spelling of the same rule:

* msgspec matches patterns with Python's ``re.search``, whose ``$`` also matches before a
  final newline, so its patterns end in ``\\Z``;
* pydantic's ``Literal[1]`` accepts ``true`` and ``1.0`` even in strict mode, so ``v`` is a
  strict integer between 1 and 1;
* pydantic's JSON parser reads ``NaN``, ``Infinity`` and ``1e400`` as floats; only the
  channel ranges refuse them (they are reported as ``malformed_json``, as the codec does).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import msgspec
import pydantic
from msgspec import UNSET, Meta, UnsetType
from pydantic import ConfigDict, Field

from contract import codec
from contract.channels import CHANNELS
from contract.errors import ContractError, Reason
from contract.models import (
    BOOT_ID_PATTERN,
    MAX_BATCH_BYTES,
    MAX_BATCH_READINGS,
    MAX_READING_BYTES,
    MAX_SEQ,
    TIMESTAMP_PATTERN,
    VERSION,
    Reading,
)
from contract.topics import DEVICE_ID_PATTERN

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_MS = timedelta(milliseconds=1)
_ITEM_ENVELOPE = ("boot", "seq", "ts")
_READING_ENVELOPE = ("v", "device", *_ITEM_ENVELOPE)
_PATTERN_REASONS = {"device": Reason.BAD_DEVICE_ID, "ts": Reason.BAD_TIMESTAMP}


@dataclass(frozen=True)
class Decoder:
    """One way to decode the two reading messages.

    Attributes:
        name: Short label for tables.
        decode_reading: ``(payload, *, rx_ms) -> Reading``.
        decode_batch: ``(payload, *, rx_ms) -> list[Reading]``.
        parse_reading: The library's own step alone (no post-pass), for the cost split.
        parse_batch: The same for a batch.
    """

    name: str
    decode_reading: Callable[..., Reading]
    decode_batch: Callable[..., list[Reading]]
    parse_reading: Callable[[bytes], object]
    parse_batch: Callable[[bytes], object]


CODEC = Decoder("contract.codec", codec.decode_reading, codec.decode_batch, codec.loads, codec.loads)


# --- the post-pass, shared by both libraries ---------------------------------------------


def _check_size(payload: bytes, limit: int, what: str) -> None:
    if len(payload) > limit:
        raise ContractError(Reason.TOO_LARGE, f"{what} is {len(payload)} bytes, limit {limit}")


def _ts_ms(ts: str) -> int:
    try:
        parsed = datetime.fromisoformat(ts)
    except ValueError as exc:
        raise ContractError(Reason.BAD_TIMESTAMP, f"ts: {exc}", field="ts") from None
    return (parsed - _EPOCH) // _ONE_MS


def _in_item(exc: ContractError, index: int) -> ContractError:
    return ContractError(exc.reason, f"readings[{index}]: {exc.detail}", field=exc.field)


def _reason_for(field: str | None, kind: str) -> Reason:
    """The codec's reason for a failed ``kind`` check (pattern, range, type) on ``field``."""
    if field == "v":
        return Reason.UNSUPPORTED_VERSION
    if kind == "pattern":
        return _PATTERN_REASONS.get(field or "", Reason.OUT_OF_RANGE)
    return Reason.OUT_OF_RANGE if kind == "range" else Reason.WRONG_TYPE


# --- msgspec ------------------------------------------------------------------------------


def _anchored(pattern: str) -> str:
    return pattern.removesuffix("$") + r"\Z"


_MsgDevice = Annotated[str, Meta(pattern=_anchored(DEVICE_ID_PATTERN))]
_MsgBoot = Annotated[str, Meta(pattern=_anchored(BOOT_ID_PATTERN))]
_MsgTs = Annotated[str, Meta(pattern=_anchored(TIMESTAMP_PATTERN))]
_MsgSeq = Annotated[int, Meta(ge=0, le=MAX_SEQ)]
_MSG_ITEM = [("boot", _MsgBoot), ("seq", _MsgSeq), ("ts", _MsgTs)]
_MSG_CHANNELS = [(c.name, Annotated[float, Meta(ge=c.minimum, le=c.maximum)] | UnsetType, UNSET) for c in CHANNELS]
_MSG_OPTIONS: dict[str, Any] = {"forbid_unknown_fields": True, "frozen": True, "gc": False}

MsgReading = msgspec.defstruct(
    "MsgReading",
    [("v", Annotated[int, Meta(ge=VERSION, le=VERSION)]), ("device", _MsgDevice), *_MSG_ITEM, *_MSG_CHANNELS],
    **_MSG_OPTIONS,
)
MsgItem = msgspec.defstruct("MsgItem", [*_MSG_ITEM, *_MSG_CHANNELS], **_MSG_OPTIONS)
MsgBatch = msgspec.defstruct(
    "MsgBatch",
    [
        ("v", Annotated[int, Meta(ge=VERSION, le=VERSION)]),
        ("device", _MsgDevice),
        # The classes are built from CHANNELS at import, so mypy cannot see them as types.
        ("readings", Annotated[list[MsgItem], Meta(min_length=1, max_length=MAX_BATCH_READINGS)]),  # type: ignore[valid-type]
    ],
    **_MSG_OPTIONS,
)
_msg_reading = msgspec.json.Decoder(MsgReading)
_msg_batch = msgspec.json.Decoder(MsgBatch)
_MSG_PATH_NAME = re.compile(r"\.([^.\[\]`]+)")
_MSG_BACKTICKED = re.compile(r"`([^`]*)`")


def _msgspec_error(exc: msgspec.MsgspecError) -> ContractError:
    """The codec's reason and field for a msgspec error, read from its message (the only place it says)."""
    text = str(exc)
    message, _, path = text.partition(" - at `")
    if not isinstance(exc, msgspec.ValidationError) or message == "Number out of range":
        # A number beyond a double is invalid JSON to the codec's parsers too.
        return ContractError(Reason.MALFORMED_JSON, f"not valid JSON: {text}")
    names = _MSG_PATH_NAME.findall(path)
    field = names[-1] if names else None
    named = _MSG_BACKTICKED.findall(message)
    if message.startswith("Object missing required field"):
        return ContractError(Reason.MISSING_FIELD, message, field=named[0])
    if message.startswith("Object contains unknown field"):
        return ContractError(Reason.UNKNOWN_FIELD, message, field=named[0][:64])
    if field != "v" and message.startswith("Expected `object`"):
        return ContractError(Reason.NOT_AN_OBJECT, message, field=field)
    if message.startswith("Expected `array` of length >="):
        return ContractError(Reason.EMPTY_BATCH, message, field=field)
    if message.startswith("Expected `array` of length <="):
        return ContractError(Reason.TOO_LARGE, message, field=field)
    if "matching regex" in message:
        return ContractError(_reason_for(field, "pattern"), message, field=field)
    kind = "range" if " >= " in message or " <= " in message else "type"
    return ContractError(_reason_for(field, kind), message, field=field)


def _channel_values(fields: dict[str, Any], envelope: tuple[str, ...], missing: object) -> dict[str, float]:
    """The channel values from the library's field dict (a fresh copy): envelope and missing channels dropped."""
    for name in envelope:
        del fields[name]
    # Usually every channel is there: one scan in C instead of a comprehension.
    if missing in fields.values():
        fields = {name: value for name, value in fields.items() if value is not missing}
    if not fields:
        raise ContractError(Reason.NO_VALUES, "a reading needs at least one sensor value")
    return fields


def msgspec_decode_reading(payload: bytes, *, rx_ms: int = 0) -> Reading:
    """Decode a ``reading`` with msgspec.

    Raises:
        ContractError: the payload is not a valid v1 reading.
    """
    _check_size(payload, MAX_READING_BYTES, "reading")
    try:
        msg: Any = _msg_reading.decode(payload)
    except msgspec.MsgspecError as exc:
        raise _msgspec_error(exc) from None
    values = _channel_values(msgspec.structs.asdict(msg), _READING_ENVELOPE, UNSET)
    return Reading(device=msg.device, boot=msg.boot, seq=msg.seq, ts_ms=_ts_ms(msg.ts), values=values, rx_ms=rx_ms)


def msgspec_decode_batch(payload: bytes, *, rx_ms: int = 0) -> list[Reading]:
    """Decode a ``batch`` with msgspec.

    Raises:
        ContractError: the payload is not a valid v1 batch.
    """
    _check_size(payload, MAX_BATCH_BYTES, "batch")
    try:
        msg: Any = _msg_batch.decode(payload)
    except msgspec.MsgspecError as exc:
        raise _msgspec_error(exc) from None
    device = msg.device
    readings = []
    for index, item in enumerate(msg.readings):
        try:
            values = _channel_values(msgspec.structs.asdict(item), _ITEM_ENVELOPE, UNSET)
            ts_ms = _ts_ms(item.ts)
        except ContractError as exc:
            raise _in_item(exc, index) from None
        readings.append(Reading(device=device, boot=item.boot, seq=item.seq, ts_ms=ts_ms, values=values, rx_ms=rx_ms))
    return readings


MSGSPEC = Decoder("msgspec", msgspec_decode_reading, msgspec_decode_batch, _msg_reading.decode, _msg_batch.decode)


# --- pydantic v2 --------------------------------------------------------------------------

_PYD_CONFIG = ConfigDict(strict=True, extra="forbid", frozen=True)
_PydVersion = Annotated[int, Field(ge=VERSION, le=VERSION)]
_PydDevice = Annotated[str, Field(pattern=DEVICE_ID_PATTERN)]
_PYD_ITEM: dict[str, Any] = {
    "boot": (Annotated[str, Field(pattern=BOOT_ID_PATTERN)], ...),
    "seq": (Annotated[int, Field(ge=0, le=MAX_SEQ)], ...),
    "ts": (Annotated[str, Field(pattern=TIMESTAMP_PATTERN)], ...),
}
# A channel is a strict float whose default None is never validated: a missing channel is
# None, an explicit null is refused as a wrong type (the codec's rule).
_PYD_CHANNELS: dict[str, Any] = {c.name: (float, Field(default=None, ge=c.minimum, le=c.maximum)) for c in CHANNELS}

PydReading = pydantic.create_model(
    "PydReading", __config__=_PYD_CONFIG, v=(_PydVersion, ...), device=(_PydDevice, ...), **_PYD_ITEM, **_PYD_CHANNELS
)
PydItem = pydantic.create_model("PydItem", __config__=_PYD_CONFIG, **_PYD_ITEM, **_PYD_CHANNELS)
PydBatch = pydantic.create_model(
    "PydBatch",
    __config__=_PYD_CONFIG,
    v=(_PydVersion, ...),
    device=(_PydDevice, ...),
    readings=(Annotated[list[PydItem], Field(min_length=1, max_length=MAX_BATCH_READINGS)], ...),  # type: ignore[valid-type]
)


def _beyond_a_double(value: object) -> bool:
    """NaN, an infinity or an integer too large for a double: what the codec's parsers refuse as JSON."""
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            float(value)
        except OverflowError:
            return True
    return False


def _pydantic_error(exc: pydantic.ValidationError) -> ContractError:
    """The codec's reason and field for the first error pydantic reports."""
    error = exc.errors(include_url=False)[0]
    kind, message = error["type"], error["msg"]
    names = [part for part in error["loc"] if isinstance(part, str)]
    field = names[-1] if names else None
    if kind == "json_invalid":
        return ContractError(Reason.MALFORMED_JSON, message)
    if kind == "missing":
        return ContractError(Reason.MISSING_FIELD, message, field=field)
    if kind == "extra_forbidden":
        return ContractError(Reason.UNKNOWN_FIELD, message, field=(field or "")[:64])
    if field != "v" and kind in ("model_type", "model_attributes_type"):
        return ContractError(Reason.NOT_AN_OBJECT, message, field=field)
    if kind == "too_short":
        return ContractError(Reason.EMPTY_BATCH, message, field=field)
    if kind == "too_long":
        return ContractError(Reason.TOO_LARGE, message, field=field)
    if kind == "string_pattern_mismatch":
        return ContractError(_reason_for(field, "pattern"), message, field=field)
    if kind in ("greater_than_equal", "less_than_equal"):
        if field != "v" and _beyond_a_double(error["input"]):
            return ContractError(Reason.MALFORMED_JSON, f"not valid JSON: {field} is beyond a double")
        return ContractError(_reason_for(field, "range"), message, field=field)
    return ContractError(_reason_for(field, "type"), message, field=field)


def pydantic_decode_reading(payload: bytes, *, rx_ms: int = 0) -> Reading:
    """Decode a ``reading`` with pydantic v2.

    Raises:
        ContractError: the payload is not a valid v1 reading.
    """
    _check_size(payload, MAX_READING_BYTES, "reading")
    try:
        msg: Any = PydReading.model_validate_json(payload)
    except pydantic.ValidationError as exc:
        raise _pydantic_error(exc) from None
    values = _channel_values(dict(vars(msg)), _READING_ENVELOPE, None)
    return Reading(device=msg.device, boot=msg.boot, seq=msg.seq, ts_ms=_ts_ms(msg.ts), values=values, rx_ms=rx_ms)


def pydantic_decode_batch(payload: bytes, *, rx_ms: int = 0) -> list[Reading]:
    """Decode a ``batch`` with pydantic v2.

    Raises:
        ContractError: the payload is not a valid v1 batch.
    """
    _check_size(payload, MAX_BATCH_BYTES, "batch")
    try:
        msg: Any = PydBatch.model_validate_json(payload)
    except pydantic.ValidationError as exc:
        raise _pydantic_error(exc) from None
    device = msg.device
    readings = []
    for index, item in enumerate(msg.readings):
        try:
            values = _channel_values(dict(vars(item)), _ITEM_ENVELOPE, None)
            ts_ms = _ts_ms(item.ts)
        except ContractError as exc:
            raise _in_item(exc, index) from None
        readings.append(Reading(device=device, boot=item.boot, seq=item.seq, ts_ms=ts_ms, values=values, rx_ms=rx_ms))
    return readings


PYDANTIC = Decoder(
    "pydantic v2",
    pydantic_decode_reading,
    pydantic_decode_batch,
    PydReading.model_validate_json,
    PydBatch.model_validate_json,
)

DECODERS = (CODEC, MSGSPEC, PYDANTIC)
