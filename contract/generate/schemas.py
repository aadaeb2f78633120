"""Contract definition -> JSON Schema (draft 2020-12) of every message.

MQTT schemas keep their published names (``contract/schemas/reading.json``, referenced by
the AsyncAPI document); WebSocket and REST schemas go to ``ws/`` and ``rest/`` beside them.
Every object is closed (``additionalProperties: false``): a builder that adds a field the
definition does not have fails its test. Receivers of server messages still ignore
unknown fields (docs/contract.md, versioning).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from contract.channels import CHANNEL_NAMES, CHANNELS
from contract.models import MAX_TIME_MS, MIN_TIME_MS, TIMESTAMP_PATTERN
from contract.spec.catalog import MESSAGES
from contract.spec.vocabulary import (
    Array,
    Boolean,
    ChannelMap,
    ChannelName,
    Choice,
    Clock,
    Const,
    Field,
    Integer,
    Message,
    Nullable,
    Number,
    Object,
    Pair,
    RequiredWhen,
    Surface,
    Text,
    Time,
    Type,
    walk_types,
)

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"
BASE_ID = "https://sensebridge.dev/schemas/v1/"
DRAFT = "https://json-schema.org/draft/2020-12/schema"


def schema_path(message: Message) -> str:
    """Where ``message``'s schema lives, relative to ``contract/schemas``."""
    if message.surface is Surface.MQTT:
        return f"{message.name}.json"
    return f"{message.surface.value}/{message.name}.json"


CLOCK_NOTES = {
    Clock.DEVICE: "device clock",
    Clock.RECEIVED: "bridge clock on receipt",
    Clock.SERVER: "web server clock",
}


def clock_note(kind: Time) -> str:
    """How a time field says its clock in a description."""
    if kind.iso:
        return "Device clock." if kind.clock is Clock.DEVICE else "Bridge clock, on receipt."
    return f"Epoch ms, {CLOCK_NOTES[kind.clock]}."


def describe(field: Field) -> str:
    """A field's description, with its clock when it holds times."""
    times = [kind for kind in walk_types(field.type) if isinstance(kind, Time)]
    if not times or times[0].iso:
        # MQTT's ``ts`` says "Device time, ISO 8601 UTC." in its own words already.
        return field.description
    return f"{field.description} {clock_note(times[0])}"


def _nullable(inner: dict[str, Any]) -> dict[str, Any]:
    kind = inner.get("type")
    if isinstance(kind, str) and kind not in ("object", "array"):
        return {**inner, "type": [kind, "null"]}
    return {"anyOf": [inner, {"type": "null"}]}


def _scalar_schema(kind: Type) -> dict[str, Any] | None:  # noqa: PLR0911 - one return per type is the clearest
    if isinstance(kind, Integer):
        return {"type": "integer", "minimum": kind.minimum, "maximum": kind.maximum}
    if isinstance(kind, Number):
        low = "exclusiveMinimum" if kind.min_excluded else "minimum"
        bounds = {low: kind.minimum, "maximum": kind.maximum}
        return {"type": "number", **{k: v for k, v in bounds.items() if v is not None}}
    if isinstance(kind, Text):
        return {"type": "string"} if kind.pattern is None else {"type": "string", "pattern": kind.pattern}
    if isinstance(kind, Boolean):
        return {"type": "boolean"}
    if isinstance(kind, Const):
        return {"const": kind.value}
    if isinstance(kind, Choice | ChannelName):
        return {"enum": list(kind.values if isinstance(kind, Choice) else CHANNEL_NAMES)}
    if isinstance(kind, Time):
        if kind.iso:
            return {"type": "string", "pattern": TIMESTAMP_PATTERN}
        return {"type": "integer", "minimum": MIN_TIME_MS, "maximum": MAX_TIME_MS}
    return None


def type_schema(kind: Type) -> dict[str, Any]:
    """The schema of one value of ``kind``."""
    scalar = _scalar_schema(kind)
    if scalar is not None:
        return scalar
    if isinstance(kind, Nullable):
        return _nullable(type_schema(kind.item))
    if isinstance(kind, Array):
        schema: dict[str, Any] = {"type": "array"}
        if kind.min_items:
            schema["minItems"] = kind.min_items
        if kind.max_items is not None:
            schema["maxItems"] = kind.max_items
        return schema | {"items": type_schema(kind.item)}
    if isinstance(kind, Pair):
        item = type_schema(kind.item)
        return {"type": "array", "prefixItems": [item, item], "minItems": 2, "maxItems": 2}
    if isinstance(kind, Object):
        return object_schema(kind.message)
    if isinstance(kind, ChannelMap):
        names = {"enum": list(CHANNEL_NAMES)}
        return {"type": "object", "propertyNames": names, "additionalProperties": type_schema(kind.item)}
    raise TypeError(f"not a field type: {kind!r}")


def _channel_properties() -> dict[str, Any]:
    return {
        c.name: {
            "type": "number",
            "minimum": c.minimum,
            "maximum": c.maximum,
            "description": f"{c.description} Unit: {c.unit}.",
        }
        for c in CHANNELS
    }


def _comment(message: Message) -> str | None:
    rules = [check.describe() for check in message.checks if not isinstance(check, RequiredWhen)]
    for f in message.fields:
        for kind in walk_types(f.type):
            if isinstance(kind, Pair) and kind.ordered:
                rules.append(f"{f.name}: {kind.labels[0]} <= {kind.labels[1]}.")
    return "Also checked by the decoders: " + " ".join(rules) if rules else None


def object_schema(message: Message) -> dict[str, Any]:
    """The object schema of ``message`` (without ``$schema``, ``$id`` and title)."""
    properties = {f.name: type_schema(f.type) | {"description": describe(f)} for f in message.fields}
    required = [f.name for f in message.fields if f.required]
    schema: dict[str, Any] = {"type": "object", "properties": properties, "required": required}
    if message.channels is not None:
        properties.update(_channel_properties())
        if message.channels.at_least_one:
            if len(required) != len(message.fields):
                raise ValueError(f"{message.name}: minProperties needs every fixed field required")
            schema["minProperties"] = len(required) + 1
    schema["additionalProperties"] = False
    conditions = [check for check in message.checks if isinstance(check, RequiredWhen)]
    if len(conditions) > 1:
        raise ValueError(f"{message.name}: one RequiredWhen per message (one if/then)")
    for check in conditions:
        schema["if"] = {"properties": {check.when: {"const": check.equals}}, "required": [check.when]}
        schema["then"] = {"required": list(check.fields)}
    comment = _comment(message)
    if comment is not None:
        schema["$comment"] = comment
    return schema


def schemas() -> dict[str, dict[str, Any]]:
    """Every top-level message's schema, keyed by its path relative to ``contract/schemas``."""
    built = {}
    for message in MESSAGES:
        path = schema_path(message)
        built[path] = {
            "$schema": DRAFT,
            "$id": f"{BASE_ID}{path}",
            "title": message.title,
            "description": message.description,
            **object_schema(message),
        }
    return built


def render(schema: dict[str, Any]) -> str:
    """Canonical text of a schema file."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
