"""Strict JSON codec for the MQTT messages of contract v1.

``decode_*`` accept bytes straight off the wire and either return a model or raise
:class:`~contract.errors.ContractError` with a reason; they never return a half-valid
value. They reject: payloads over the size limit, invalid JSON (including the
``NaN``/``Infinity`` extensions), non-objects, unknown or missing fields, wrong types
(``true`` is not a number), non-finite numbers, out-of-range values and malformed
timestamps. Whether a timestamp is too far in the future depends on the receiver's
clock, so :func:`check_not_future` is separate.

Uses ``orjson`` when installed (the bridge) and the standard library otherwise (the
Pi), with identical results.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from contract.channels import CHANNELS_BY_NAME
from contract.errors import ContractError, Reason
from contract.models import (
    BOOT_ID_PATTERN,
    MAX_ACK_BYTES,
    MAX_BATCH_BYTES,
    MAX_BATCH_READINGS,
    MAX_READING_BYTES,
    MAX_SEQ,
    MAX_STATUS_BYTES,
    TIMESTAMP_PATTERN,
    VERSION,
    Reading,
    Status,
    StorageAck,
)
from contract.spec import mqtt
from contract.topics import validate_device_id

# The standard-library parser is tuned to accept exactly what orjson accepts, so a
# payload gets the same verdict on the Pi as on the bridge.
_ORJSON_INT_MIN = -(2**63)
_ORJSON_INT_MAX = 2**64 - 1
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


def _parse_float(text: str) -> float:
    number = float(text)
    if math.isinf(number):
        raise ValueError(f"number {text[:32]} is infinity when parsed as double")
    return number


def _parse_int(text: str) -> int | float:
    # orjson keeps 64-bit integers exact and turns larger ones into doubles.
    if len(text) <= 20:
        number = int(text)
        if _ORJSON_INT_MIN <= number <= _ORJSON_INT_MAX:
            return number
    return _parse_float(text)


def _reject_lone_surrogates(obj: Any) -> None:
    pending = [obj]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                raise ValueError("string holds an unpaired surrogate")
        elif isinstance(item, dict):
            pending.extend(item)
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)


def _stdlib_loads(data: bytes) -> Any:
    # Decoding first makes UTF-8 mandatory: json.loads(bytes) would also take UTF-16/32 and a BOM.
    text = data.decode("utf-8")
    try:
        obj = json.loads(text, parse_constant=_reject_constant, parse_float=_parse_float, parse_int=_parse_int)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
    if _SURROGATE_ESCAPE.search(text):
        _reject_lone_surrogates(obj)
    return obj


def _stdlib_dumps(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


loads: Callable[[bytes], Any]
dumps: Callable[[Any], bytes]
try:
    import orjson

    loads = orjson.loads
    dumps = orjson.dumps
except ImportError:  # pragma: no cover - exercised on the Pi
    loads = _stdlib_loads
    dumps = _stdlib_dumps

_BOOT_ID = re.compile(BOOT_ID_PATTERN)
_TIMESTAMP = re.compile(TIMESTAMP_PATTERN)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# Field lists from the definition (contract/spec/mqtt.py); the checks below are hand-tuned
# for the bridge's hot path, and the unit tests hold them to the generated schemas.
READING_FIELDS = mqtt.READING.field_names
BATCH_ITEM_FIELDS = mqtt.BATCH_ITEM.field_names
BATCH_FIELDS = mqtt.BATCH.field_names
STATUS_FIELDS = mqtt.STATUS.field_names
ACK_FIELDS = mqtt.ACK.field_names
STATES = mqtt.STATES


# --- timestamps -------------------------------------------------------------------


def format_ts(ts_ms: int) -> str:
    """Milliseconds since the epoch -> ``2026-11-22T08:30:00.123Z``.

    Raises:
        ValueError: the time is outside the years 1-9999.
    """
    # Plain arithmetic, not fromtimestamp()/strftime(): those depend on the platform
    # (negative times, years below 1000 without zero padding).
    try:
        moment = _EPOCH + timedelta(milliseconds=ts_ms)
    except OverflowError:
        raise ValueError(f"ts_ms={ts_ms} is outside the years 1-9999") from None
    return moment.isoformat(timespec="milliseconds").removesuffix("+00:00") + "Z"


def parse_ts(value: object, field: str = "ts") -> int:
    """ISO 8601 UTC timestamp -> milliseconds since the epoch.

    Raises:
        ContractError: ``wrong_type`` or ``bad_timestamp``.
    """
    if not isinstance(value, str):
        raise ContractError(Reason.WRONG_TYPE, f"{field} must be a string", field=field)
    if not _TIMESTAMP.fullmatch(value):
        raise ContractError(
            Reason.BAD_TIMESTAMP, f"{field} must be ISO 8601 UTC like 2026-01-31T12:00:00.000Z", field=field
        )
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ContractError(Reason.BAD_TIMESTAMP, f"{field}: {exc}", field=field) from None
    return (parsed - _EPOCH) // _ONE_MS


_ONE_MS = datetime(1970, 1, 1, 0, 0, 0, 1000, tzinfo=UTC) - _EPOCH


def check_not_future(reading: Reading, *, now_ms: int, max_skew_ms: int) -> None:
    """Reject a reading dated more than ``max_skew_ms`` after ``now_ms``.

    Raises:
        ContractError: ``future_timestamp``.
    """
    if reading.ts_ms > now_ms + max_skew_ms:
        ahead = (reading.ts_ms - now_ms) / 1000
        raise ContractError(Reason.FUTURE_TIMESTAMP, f"ts is {ahead:.1f} s in the future", field="ts")


# --- field checks -----------------------------------------------------------------


def _load_object(payload: bytes, limit: int, what: str) -> dict[str, Any]:
    if len(payload) > limit:
        raise ContractError(Reason.TOO_LARGE, f"{what} is {len(payload)} bytes, limit {limit}")
    try:
        obj = loads(payload)
    except (ValueError, TypeError) as exc:
        raise ContractError(Reason.MALFORMED_JSON, f"{what} is not valid JSON: {exc}") from None
    if not isinstance(obj, dict):
        raise ContractError(Reason.NOT_AN_OBJECT, f"{what} must be a JSON object")
    return obj


def _check_version(obj: Mapping[str, Any]) -> None:
    if "v" not in obj:
        raise ContractError(Reason.MISSING_FIELD, "missing field 'v'", field="v")
    version = obj["v"]
    if version != VERSION or isinstance(version, bool) or not isinstance(version, int):
        raise ContractError(Reason.UNSUPPORTED_VERSION, f"v must be {VERSION}, got {version!r}", field="v")


def _require(obj: Mapping[str, Any], field: str) -> Any:
    if field not in obj:
        raise ContractError(Reason.MISSING_FIELD, f"missing field {field!r}", field=field)
    return obj[field]


def _int(value: object, field: str, minimum: int = 0, maximum: int = MAX_SEQ) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ContractError(Reason.WRONG_TYPE, f"{field} must be an integer", field=field)
    if not minimum <= value <= maximum:
        raise ContractError(Reason.OUT_OF_RANGE, f"{field}={value} outside [{minimum}, {maximum}]", field=field)
    return value


def _boot(value: object) -> str:
    if not isinstance(value, str):
        raise ContractError(Reason.WRONG_TYPE, "boot must be a string", field="boot")
    if not _BOOT_ID.fullmatch(value):
        raise ContractError(Reason.OUT_OF_RANGE, "boot must match " + BOOT_ID_PATTERN, field="boot")
    return value


def _device(value: object) -> str:
    if not isinstance(value, str):
        raise ContractError(Reason.WRONG_TYPE, "device must be a string", field="device")
    return validate_device_id(value)


# name -> (minimum, maximum): one tuple unpack per value on the bridge's hot path.
_LIMITS = {name: (channel.minimum, channel.maximum) for name, channel in CHANNELS_BY_NAME.items()}


def _values(obj: Mapping[str, Any], fixed: frozenset[str]) -> dict[str, float]:
    values: dict[str, float] = {}
    for key, value in obj.items():
        if key in fixed:
            continue
        limits = _LIMITS.get(key)
        if limits is None:
            raise ContractError(Reason.UNKNOWN_FIELD, f"unknown field {key[:64]!r}", field=key[:64])
        # Exact types first (what both JSON parsers produce); bool is an int subclass and no number.
        kind = type(value)
        if kind is float:
            number = value
        elif kind is int or (isinstance(value, int | float) and not isinstance(value, bool)):
            number = float(value)
        else:
            raise ContractError(Reason.WRONG_TYPE, f"{key} must be a number", field=key)
        if limits[0] <= number <= limits[1]:  # NaN fails this too, and is told apart below
            values[key] = number
            continue
        if not math.isfinite(number):
            raise ContractError(Reason.NOT_FINITE, f"{key} is not finite", field=key)
        channel = CHANNELS_BY_NAME[key]
        raise ContractError(
            Reason.OUT_OF_RANGE,
            f"{key}={number:g} outside [{channel.minimum:g}, {channel.maximum:g}] {channel.unit}",
            field=key,
        )
    if not values:
        raise ContractError(Reason.NO_VALUES, "a reading needs at least one sensor value")
    return values


def _reading_from(obj: Mapping[str, Any], device: str, fixed: frozenset[str], rx_ms: int) -> Reading:
    boot = _boot(_require(obj, "boot"))
    seq = _int(_require(obj, "seq"), "seq")
    ts_ms = parse_ts(_require(obj, "ts"))
    return Reading(device=device, boot=boot, seq=seq, ts_ms=ts_ms, values=_values(obj, fixed), rx_ms=rx_ms)


def _reading_fields(reading: Reading) -> dict[str, Any]:
    # orjson would write NaN as null and json.dumps would raise: refuse the same way on both.
    for key, value in reading.values.items():
        if not math.isfinite(value):
            raise ContractError(Reason.NOT_FINITE, f"{key} is not finite", field=key)
    return {"boot": reading.boot, "seq": reading.seq, "ts": format_ts(reading.ts_ms), **reading.values}


# --- readings ---------------------------------------------------------------------


def decode_reading(payload: bytes, *, rx_ms: int = 0) -> Reading:
    """Decode a ``reading`` message.

    Args:
        payload: Raw MQTT payload.
        rx_ms: Receive time to stamp on the reading.

    Raises:
        ContractError: the payload is not a valid v1 reading.
    """
    obj = _load_object(payload, MAX_READING_BYTES, "reading")
    _check_version(obj)
    device = _device(_require(obj, "device"))
    return _reading_from(obj, device, READING_FIELDS, rx_ms)


def encode_reading(reading: Reading) -> bytes:
    """Encode a reading as a ``reading`` message payload.

    Raises:
        ContractError: ``not_finite`` if a value is NaN or infinite.
        ValueError: ``ts_ms`` is outside the years 1-9999.
    """
    return dumps({"v": VERSION, "device": reading.device, **_reading_fields(reading)})


def decode_batch(payload: bytes, *, rx_ms: int = 0) -> list[Reading]:
    """Decode a ``batch`` message (backfill): one device, up to 1000 readings.

    Raises:
        ContractError: the payload is not a valid v1 batch; one bad item rejects the
            whole batch, so the device re-sends it and nothing is half-stored.
    """
    obj = _load_object(payload, MAX_BATCH_BYTES, "batch")
    _check_version(obj)
    for key in obj:
        if key not in BATCH_FIELDS:
            raise ContractError(Reason.UNKNOWN_FIELD, f"unknown field {key[:64]!r}", field=key[:64])
    device = _device(_require(obj, "device"))
    items = _require(obj, "readings")
    if not isinstance(items, list):
        raise ContractError(Reason.WRONG_TYPE, "readings must be an array", field="readings")
    if not items:
        raise ContractError(Reason.EMPTY_BATCH, "readings is empty", field="readings")
    if len(items) > MAX_BATCH_READINGS:
        raise ContractError(Reason.TOO_LARGE, f"{len(items)} readings, limit {MAX_BATCH_READINGS}", field="readings")
    readings = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise ContractError(Reason.NOT_AN_OBJECT, f"readings[{index}] must be an object", field="readings")
        try:
            readings.append(_reading_from(item, device, BATCH_ITEM_FIELDS, rx_ms))
        except ContractError as exc:
            raise ContractError(exc.reason, f"readings[{index}]: {exc.detail}", field=exc.field) from None
    return readings


def encode_batch(readings: list[Reading]) -> bytes:
    """Encode readings of one device as a ``batch`` payload.

    Raises:
        ValueError: empty, too many, or mixed devices; a value not finite
            (:class:`~contract.errors.ContractError` ``not_finite``).
    """
    if not readings or len(readings) > MAX_BATCH_READINGS:
        raise ValueError(f"a batch holds 1..{MAX_BATCH_READINGS} readings, got {len(readings)}")
    device = readings[0].device
    if any(r.device != device for r in readings):
        raise ValueError("a batch holds readings of one device only")
    return dumps({"v": VERSION, "device": device, "readings": [_reading_fields(r) for r in readings]})


# --- status -----------------------------------------------------------------------


def decode_status(payload: bytes) -> Status:
    """Decode a ``status`` message.

    Raises:
        ContractError: the payload is not a valid v1 status.
    """
    obj = _load_object(payload, MAX_STATUS_BYTES, "status")
    _check_version(obj)
    for key in obj:
        if key not in STATUS_FIELDS:
            raise ContractError(Reason.UNKNOWN_FIELD, f"unknown field {key[:64]!r}", field=key[:64])
    device = _device(_require(obj, "device"))
    state = _require(obj, "state")
    if state not in STATES:
        raise ContractError(Reason.OUT_OF_RANGE, f"state must be one of {STATES}", field="state")
    return Status(
        device=device,
        online=state == "online",
        boot=_boot(_require(obj, "boot")),
        ts_ms=parse_ts(obj["ts"]) if "ts" in obj else None,
        pending=_int(obj["pending"], "pending") if "pending" in obj else None,
        dropped=_int(obj["dropped"], "dropped") if "dropped" in obj else None,
    )


def encode_status(status: Status) -> bytes:
    """Encode a ``status`` payload."""
    obj: dict[str, Any] = {
        "v": VERSION,
        "device": status.device,
        "state": "online" if status.online else "offline",
        "boot": status.boot,
    }
    if status.ts_ms is not None:
        obj["ts"] = format_ts(status.ts_ms)
    if status.pending is not None:
        obj["pending"] = status.pending
    if status.dropped is not None:
        obj["dropped"] = status.dropped
    return dumps(obj)


# --- storage acks -----------------------------------------------------------------


def decode_ack(payload: bytes) -> StorageAck:
    """Decode an ``ack`` message.

    Raises:
        ContractError: the payload is not a valid v1 storage ack.
    """
    obj = _load_object(payload, MAX_ACK_BYTES, "ack")
    _check_version(obj)
    for key in obj:
        if key not in ACK_FIELDS:
            raise ContractError(Reason.UNKNOWN_FIELD, f"unknown field {key[:64]!r}", field=key[:64])
    device = _device(_require(obj, "device"))
    boot = _boot(_require(obj, "boot"))
    raw = _require(obj, "ranges")
    if not isinstance(raw, list) or not raw:
        raise ContractError(Reason.WRONG_TYPE, "ranges must be a non-empty array", field="ranges")
    ranges = []
    for pair in raw:
        if not isinstance(pair, list) or len(pair) != 2:
            raise ContractError(Reason.WRONG_TYPE, "each range is [first, last]", field="ranges")
        first, last = _int(pair[0], "ranges"), _int(pair[1], "ranges")
        if first > last:
            raise ContractError(Reason.OUT_OF_RANGE, f"range [{first}, {last}] is reversed", field="ranges")
        ranges.append((first, last))
    return StorageAck(device=device, boot=boot, ranges=tuple(ranges))


def encode_ack(ack: StorageAck) -> bytes:
    """Encode an ``ack`` payload."""
    return dumps({"v": VERSION, "device": ack.device, "boot": ack.boot, "ranges": [list(r) for r in ack.ranges]})
