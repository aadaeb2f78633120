"""Strict JSON codec of the command messages: ``command``, ``command-result``, ``state``, ``joystick``.

Not on a hot path, so unlike :mod:`contract.codec` the checks are read from the definition
(:mod:`contract.spec.mqtt`) by one walker: a refusal raises
:class:`~contract.errors.ContractError` with the reason the definition gives and the field
as a wire path (``params.pixels``, ``params.color[1]``, ``params.hz``). The generated
TypeScript decoders walk the same definition, so both name the same field. Encoders check
what they write the same way, so an invalid command is refused before anything is sent.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from functools import cache
from typing import Any

from contract import codec
from contract.commands import (
    MAX_COMMAND_BYTES,
    MAX_COMMAND_RESULT_BYTES,
    MAX_JOYSTICK_BYTES,
    MAX_STATE_BYTES,
    Command,
    CommandKind,
    CommandResult,
    DeviceState,
    FailReason,
    JoystickAction,
    JoystickDirection,
    JoystickEvent,
    Params,
    ResultStatus,
    Rgb,
    SetLowLight,
    SetPixels,
    SetRate,
    ShowText,
)
from contract.errors import ContractError, Reason
from contract.models import MAX_TIME_MS, MIN_TIME_MS, VERSION
from contract.spec import mqtt
from contract.spec.vocabulary import (
    Array,
    Boolean,
    Choice,
    Const,
    Integer,
    Later,
    Message,
    Nullable,
    Number,
    Object,
    RequiredWhen,
    Text,
    Time,
    Type,
)

COMMANDS_BY_KIND: dict[str, Message] = {str(m.kind_value): m for m in mqtt.COMMANDS}


def _at(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


@cache
def _pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _integer(value: object, path: str, minimum: int, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ContractError(Reason.WRONG_TYPE, f"{path} must be an integer", field=path)
    if not minimum <= value <= maximum:
        raise ContractError(Reason.OUT_OF_RANGE, f"{path}={value} outside [{minimum}, {maximum}]", field=path)
    return value


def _number(value: object, path: str, kind: Number) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ContractError(Reason.WRONG_TYPE, f"{path} must be a number", field=path)
    number = float(value)
    if not math.isfinite(number):
        raise ContractError(Reason.NOT_FINITE, f"{path} is not finite", field=path)
    low, high = kind.minimum, kind.maximum
    too_low = low is not None and (number < low or (kind.min_excluded and number == low))
    if too_low or (high is not None and number > high):
        interval = f"{'(' if kind.min_excluded else '['}{low}, {high}]"
        raise ContractError(Reason.OUT_OF_RANGE, f"{path}={number:g} outside {interval}", field=path)
    return number


def _text(value: object, path: str, kind: Text) -> str:
    if not isinstance(value, str):
        raise ContractError(Reason.WRONG_TYPE, f"{path} must be a string", field=path)
    if kind.pattern is not None and not _pattern(kind.pattern).fullmatch(value):
        raise ContractError(kind.reason, f"{path} {value[:64]!r} must match {kind.pattern}", field=path)
    return value


def _array(value: object, path: str, kind: Array) -> list[Any]:
    if not isinstance(value, list):
        raise ContractError(Reason.WRONG_TYPE, f"{path} must be an array", field=path)
    if len(value) < kind.min_items:
        raise ContractError(kind.too_short, f"{path} has {len(value)} items, at least {kind.min_items}", field=path)
    if kind.max_items is not None and len(value) > kind.max_items:
        raise ContractError(kind.too_long, f"{path} has {len(value)} items, at most {kind.max_items}", field=path)
    return [check_value(kind.item, item, f"{path}[{i}]") for i, item in enumerate(value)]


def _word(kind: Boolean | Const | Choice, value: object, path: str) -> Any:
    if isinstance(kind, Boolean):
        if not isinstance(value, bool):
            raise ContractError(Reason.WRONG_TYPE, f"{path} must be true or false", field=path)
        return value
    if isinstance(kind, Const):
        # 1.0 and true equal 1 in Python: the type must match too.
        if type(value) is not type(kind.value) or value != kind.value:
            raise ContractError(kind.reason, f"{path} must be {kind.value!r}", field=path)
        return value
    if not isinstance(value, str):
        raise ContractError(Reason.WRONG_TYPE, f"{path} must be a string", field=path)
    if value not in kind.values:
        raise ContractError(Reason.OUT_OF_RANGE, f"{path} must be one of {', '.join(kind.values)}", field=path)
    return value


def check_value(kind: Type, value: object, path: str) -> Any:  # noqa: PLR0911 - one return per type is the clearest
    """``value`` checked against ``kind`` (numbers as float, arrays as lists).

    Raises:
        ContractError: with the definition's reason and ``path`` as the field.
    """
    if isinstance(kind, Nullable):
        return None if value is None else check_value(kind.item, value, path)
    if isinstance(kind, Integer):
        return _integer(value, path, kind.minimum, kind.maximum)
    if isinstance(kind, Time) and not kind.iso:
        return _integer(value, path, MIN_TIME_MS, MAX_TIME_MS)
    if isinstance(kind, Number):
        return _number(value, path, kind)
    if isinstance(kind, Text):
        return _text(value, path, kind)
    if isinstance(kind, Boolean | Const | Choice):
        return _word(kind, value, path)
    if isinstance(kind, Array):
        return _array(value, path, kind)
    if isinstance(kind, Object):
        if not isinstance(value, dict):
            raise ContractError(Reason.NOT_AN_OBJECT, f"{path} must be a JSON object", field=path)
        return check_message(kind.message, value, path)
    raise TypeError(f"not a command field type: {kind!r}")


def check_message(message: Message, obj: Mapping[str, Any], path: str = "") -> dict[str, Any]:
    """``obj`` checked against ``message``: unknown fields, then each field in order, then the named checks.

    Raises:
        ContractError: the first rule ``obj`` breaks, with the field's wire path.
    """
    unknown = sorted(key for key in obj if key not in message.field_names)
    if unknown:
        key = unknown[0][:64]
        raise ContractError(Reason.UNKNOWN_FIELD, f"unknown field {key!r}", field=_at(path, key))
    checked: dict[str, Any] = {}
    for f in message.fields:
        where = _at(path, f.name)
        if f.name in obj:
            checked[f.name] = check_value(f.type, obj[f.name], where)
        elif f.required:
            raise ContractError(Reason.MISSING_FIELD, f"missing field {where!r}", field=where)
    for check in message.checks:
        if isinstance(check, RequiredWhen):
            missing = [name for name in check.fields if name not in checked]
            if checked.get(check.when) == check.equals and missing:
                where = _at(path, missing[0])
                raise ContractError(Reason.MISSING_FIELD, f"{check.describe()} Missing {where!r}", field=where)
        elif isinstance(check, Later):
            if checked[check.later] <= checked[check.earlier]:
                where = _at(path, check.later)
                raise ContractError(Reason.OUT_OF_RANGE, check.describe(), field=where)
        else:  # pragma: no cover - a new check kind must be added here
            raise TypeError(f"check not run by the command codec: {check!r}")
    return checked


def _load(payload: bytes, limit: int, what: str) -> dict[str, Any]:
    obj = codec._load_object(payload, limit, what)
    codec._check_version(obj)
    return obj


def _encode(message: Message, obj: dict[str, Any]) -> bytes:
    check_message(message, obj)
    data = codec.dumps(obj)
    if message.max_bytes is not None and len(data) > message.max_bytes:
        raise ContractError(Reason.TOO_LARGE, f"{message.name} is {len(data)} bytes, limit {message.max_bytes}")
    return data


def _rgb(value: list[int]) -> Rgb:
    return (value[0], value[1], value[2])


# --- commands ---------------------------------------------------------------------------------


def _params_of(kind: CommandKind, params: Mapping[str, Any] | None) -> Params:
    if params is None:
        return None
    if kind is CommandKind.SHOW_TEXT:
        return ShowText(
            text=params["text"],
            color=_rgb(params["color"]),
            background=_rgb(params["background"]),
            scroll_step_ms=params["scroll_step_ms"],
        )
    if kind is CommandKind.SET_PIXELS:
        return SetPixels(pixels=tuple(_rgb(p) for p in params["pixels"]))
    if kind is CommandKind.SET_LOW_LIGHT:
        return SetLowLight(low_light=params["low_light"])
    return SetRate(hz=params["hz"])


def _params_obj(params: Params) -> dict[str, Any] | None:
    if isinstance(params, ShowText):
        return {
            "text": params.text,
            "color": list(params.color),
            "background": list(params.background),
            "scroll_step_ms": params.scroll_step_ms,
        }
    if isinstance(params, SetPixels):
        return {"pixels": [list(p) for p in params.pixels]}
    if isinstance(params, SetLowLight):
        return {"low_light": params.low_light}
    if isinstance(params, SetRate):
        return {"hz": params.hz}
    return None


def decode_command(payload: bytes) -> Command:
    """Decode a ``command`` message.

    Raises:
        ContractError: not a valid v1 command (``unexpected_kind`` for a kind this contract lacks).
    """
    obj = _load(payload, MAX_COMMAND_BYTES, "command")
    if "kind" not in obj:
        raise ContractError(Reason.MISSING_FIELD, "missing field 'kind'", field="kind")
    kind = obj["kind"]
    if not isinstance(kind, str):
        raise ContractError(Reason.WRONG_TYPE, "kind must be a string", field="kind")
    message = COMMANDS_BY_KIND.get(kind)
    if message is None:
        raise ContractError(Reason.UNEXPECTED_KIND, f"unknown command kind {kind[:32]!r}", field="kind")
    checked = check_message(message, obj)
    command_kind = CommandKind(kind)
    return Command(
        id=checked["id"],
        device=checked["device"],
        issued_by=checked["issued_by"],
        issued_server_ts=checked["issued_server_ts"],
        deadline_server_ts=checked["deadline_server_ts"],
        kind=command_kind,
        params=_params_of(command_kind, checked.get("params")),
    )


def encode_command(command: Command) -> bytes:
    """Encode a ``command`` payload.

    Raises:
        ContractError: the command breaks the contract (a 65th pixel, a rate out of range, ...).
    """
    obj: dict[str, Any] = {
        "v": VERSION,
        "id": command.id,
        "device": command.device,
        "issued_by": command.issued_by,
        "issued_server_ts": command.issued_server_ts,
        "deadline_server_ts": command.deadline_server_ts,
        "kind": command.kind.value,
    }
    params = _params_obj(command.params)
    if params is not None:
        obj["params"] = params
    return _encode(COMMANDS_BY_KIND[command.kind.value], obj)


def command_id_of(payload: bytes) -> str | None:
    """The valid ``id`` of a command payload that may break the contract otherwise, else None.

    A device answers ``failed`` / ``invalid`` to a command it cannot decode when it can tell which.
    """
    try:
        obj = codec._load_object(payload, MAX_COMMAND_BYTES, "command")
        return str(check_value(mqtt.COMMAND_RESULT.by_name("id").type, obj.get("id"), "id"))
    except ContractError:
        return None


# --- results, state, joystick -------------------------------------------------------------------


def decode_command_result(payload: bytes) -> CommandResult:
    """Decode a ``command-result`` message.

    Raises:
        ContractError: not a valid v1 command result.
    """
    checked = check_message(mqtt.COMMAND_RESULT, _load(payload, MAX_COMMAND_RESULT_BYTES, "command-result"))
    reason = checked.get("reason")
    return CommandResult(
        id=checked["id"],
        device=checked["device"],
        status=ResultStatus(checked["status"]),
        device_ts=checked["device_ts"],
        reason=None if reason is None else FailReason(reason),
        detail=checked.get("detail"),
    )


def encode_command_result(result: CommandResult) -> bytes:
    """Encode a ``command-result`` payload.

    Raises:
        ContractError: the result breaks the contract (a failure without a reason, ...).
    """
    obj: dict[str, Any] = {
        "v": VERSION,
        "id": result.id,
        "device": result.device,
        "status": result.status.value,
        "device_ts": result.device_ts,
    }
    if result.reason is not None:
        obj["reason"] = result.reason.value
    if result.detail is not None:
        obj["detail"] = result.detail
    return _encode(mqtt.COMMAND_RESULT, obj)


def decode_state(payload: bytes) -> DeviceState:
    """Decode a ``state`` message.

    Raises:
        ContractError: not a valid v1 state.
    """
    checked = check_message(mqtt.STATE, _load(payload, MAX_STATE_BYTES, "state"))
    pixels = checked["pixels"]
    return DeviceState(
        device=checked["device"],
        device_ts=checked["device_ts"],
        rate_hz=checked["rate_hz"],
        paused=checked["paused"],
        low_light=checked["low_light"],
        pixels=None if pixels is None else tuple(_rgb(p) for p in pixels),
        text=checked["text"],
        last_command_id=checked["last_command_id"],
    )


def encode_state(state: DeviceState) -> bytes:
    """Encode a ``state`` payload.

    Raises:
        ContractError: the state breaks the contract.
    """
    obj = {
        "v": VERSION,
        "device": state.device,
        "device_ts": state.device_ts,
        "rate_hz": state.rate_hz,
        "paused": state.paused,
        "low_light": state.low_light,
        "pixels": None if state.pixels is None else [list(p) for p in state.pixels],
        "text": state.text,
        "last_command_id": state.last_command_id,
    }
    return _encode(mqtt.STATE, obj)


def decode_joystick(payload: bytes) -> JoystickEvent:
    """Decode a ``joystick`` message.

    Raises:
        ContractError: not a valid v1 joystick event.
    """
    checked = check_message(mqtt.JOYSTICK, _load(payload, MAX_JOYSTICK_BYTES, "joystick"))
    return JoystickEvent(
        device=checked["device"],
        boot=checked["boot"],
        seq=checked["seq"],
        device_ts=checked["device_ts"],
        direction=JoystickDirection(checked["direction"]),
        action=JoystickAction(checked["action"]),
    )


def encode_joystick(event: JoystickEvent) -> bytes:
    """Encode a ``joystick`` payload.

    Raises:
        ContractError: the event breaks the contract.
    """
    obj = {
        "v": VERSION,
        "device": event.device,
        "boot": event.boot,
        "seq": event.seq,
        "device_ts": event.device_ts,
        "direction": event.direction.value,
        "action": event.action.value,
    }
    return _encode(mqtt.JOYSTICK, obj)
