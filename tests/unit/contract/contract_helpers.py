"""Shared helpers of the contract tests: golden files, schemas, JSON backends, payload builders."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any
from unittest import mock

import orjson
from jsonschema import Draft202012Validator

import contract
from contract import codec, live
from contract.generate.schemas import SCHEMA_DIR, schema_path
from contract.models import Reading, Status, StorageAck
from contract.spec import catalog
from contract.spec.vocabulary import Message, Surface

REPO = Path(contract.__file__).resolve().parent.parent
GOLDEN_DIR = REPO / "contract" / "golden"
DOCS_DIR = REPO / "docs"

BACKENDS = ("orjson", "stdlib")

# Which decoder, encoder and JSON Schema each MQTT message kind uses.
DECODERS: dict[str, Callable[[bytes], Any]] = {
    "reading": codec.decode_reading,
    "batch": codec.decode_batch,
    "status": codec.decode_status,
    "ack": codec.decode_ack,
}
ENCODERS: dict[str, Callable[[Any], bytes]] = {
    "reading": codec.encode_reading,
    "batch": codec.encode_batch,
    "status": codec.encode_status,
    "ack": codec.encode_ack,
}
MQTT_KINDS = tuple(DECODERS)


def decode(kind: str, payload: bytes) -> Reading | list[Reading] | Status | StorageAck:
    return DECODERS[kind](payload)


def encode(kind: str, value: Any) -> bytes:
    return ENCODERS[kind](value)


def golden_bytes(name: str) -> bytes:
    return (GOLDEN_DIR / name).read_bytes()


def golden_text(name: str) -> str:
    """A golden file's text without the trailing newline editors add."""
    return (GOLDEN_DIR / name).read_text(encoding="utf-8").rstrip("\n")


def golden_kind(name: str) -> str:
    """The MQTT message kind of a golden file: ``reading-minimal.json`` -> ``reading``."""
    return name.removesuffix(".json").split("-")[0]


def golden_message(name: str) -> Message:
    """The message a golden file holds, by name: ``<surface>-<message>[-<variant>].json``.

    MQTT files have no surface prefix (``status-offline.json``); ``ws-`` and ``rest-`` files
    name their surface (``rest-history-raw.json`` is a REST ``history``).
    """
    stem = name.removesuffix(".json")
    surface = Surface.MQTT
    for prefix in (Surface.WS, Surface.REST):
        if stem.startswith(f"{prefix.value}-"):
            surface, stem = prefix, stem.removeprefix(f"{prefix.value}-")
    candidates = [m for m in catalog.MESSAGES if m.surface is surface]
    # The longest name that fits, so ``export-row`` is not read as ``export``.
    for message in sorted(candidates, key=lambda m: -len(m.name)):
        if stem == message.name or stem.startswith(f"{message.name}-"):
            return message
    raise KeyError(name)


@cache
def schema_validator(path: str) -> Draft202012Validator:
    """The validator of one generated schema file (path relative to ``contract/schemas``)."""
    schema = json.loads((SCHEMA_DIR / path).read_text(encoding="utf-8"))
    return Draft202012Validator(schema)


def validator(kind: str) -> Draft202012Validator:
    """The validator of an MQTT message kind."""
    return schema_validator(f"{kind}.json")


def message_validator(message: Message) -> Draft202012Validator:
    """The validator of any top-level message of the definition."""
    return schema_validator(schema_path(message))


NOT_JSON = object()


def as_json(payload: bytes) -> Any:
    """The payload as a JSON value, or ``NOT_JSON`` (strict RFC 8259, as orjson reads it)."""
    try:
        return orjson.loads(payload)
    except orjson.JSONDecodeError:
        return NOT_JSON


@contextmanager
def use_backend(name: str) -> Iterator[None]:
    """Run the codec and the live module with orjson or with the standard-library fallback."""
    if name == "orjson":
        loads, dumps = orjson.loads, orjson.dumps
    else:
        loads, dumps = codec._stdlib_loads, codec._stdlib_dumps
    with (
        mock.patch.object(codec, "loads", loads),
        mock.patch.object(codec, "dumps", dumps),
        mock.patch.object(live, "loads", loads),
        mock.patch.object(live, "dumps", dumps),
    ):
        yield


# --- payload builders: a valid message of each kind, with some fields changed ----------

DROP = object()  # a change value that removes the field

BOOT = "5b0c2e9a7f3d4c1e"
TS = "2026-11-22T08:30:00.250Z"

VALID: dict[str, dict[str, Any]] = {
    "reading": {"v": 1, "device": "pi-kitchen", "boot": BOOT, "seq": 42, "ts": TS, "temperature": 21.5},
    "batch": {
        "v": 1,
        "device": "pi-kitchen",
        "readings": [{"boot": BOOT, "seq": 42, "ts": TS, "temperature": 21.5}],
    },
    "status": {"v": 1, "device": "pi-kitchen", "state": "online", "boot": BOOT},
    "ack": {"v": 1, "device": "pi-kitchen", "boot": BOOT, "ranges": [[40, 44]]},
}


def message(kind: str, **changes: Any) -> dict[str, Any]:
    """A valid ``kind`` message with ``changes`` applied (``DROP`` removes a field)."""
    obj = dict(VALID[kind])
    for key, value in changes.items():
        if value is DROP:
            obj.pop(key, None)
        else:
            obj[key] = value
    return obj


def item(**changes: Any) -> dict[str, Any]:
    """A valid batch item with ``changes`` applied."""
    obj = dict(VALID["batch"]["readings"][0])
    for key, value in changes.items():
        if value is DROP:
            obj.pop(key, None)
        else:
            obj[key] = value
    return obj


def to_bytes(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":"), allow_nan=False).encode()


def payload(kind: str, **changes: Any) -> bytes:
    return to_bytes(message(kind, **changes))


def batch_payload(*items: dict[str, Any]) -> bytes:
    return payload("batch", readings=list(items))


def padded(kind: str, size: int) -> bytes:
    """A valid ``kind`` message padded with JSON whitespace to exactly ``size`` bytes."""
    raw = payload(kind)
    return raw[:-1] + b" " * (size - len(raw)) + b"}"
