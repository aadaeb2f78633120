"""JSON Schema (draft 2020-12) of every MQTT message kind.

Built from the same constants the codec checks, so the published schema and the code
cannot drift apart.

``python -m contract.schema`` rewrites ``contract/schemas/*.json``; a unit test fails
when the committed files differ from what this module builds.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from contract.channels import CHANNELS
from contract.models import BOOT_ID_PATTERN, MAX_BATCH_READINGS, MAX_SEQ, TIMESTAMP_PATTERN, VERSION
from contract.topics import DEVICE_ID_PATTERN

__all__ = ["BASE_ID", "SCHEMA_DIR", "TIMESTAMP_PATTERN", "main", "render", "schemas"]

SCHEMA_DIR = Path(__file__).parent / "schemas"
BASE_ID = "https://sensebridge.dev/schemas/v1/"

_VERSION = {"const": VERSION, "description": "Contract version."}
_DEVICE = {"type": "string", "pattern": DEVICE_ID_PATTERN, "description": "Device id; also in the topic."}
_BOOT = {"type": "string", "pattern": BOOT_ID_PATTERN, "description": "New on every agent start."}
_SEQ = {"type": "integer", "minimum": 0, "maximum": MAX_SEQ, "description": "Per-device, per-boot sequence."}
_TS = {"type": "string", "pattern": TIMESTAMP_PATTERN, "description": "Device time, ISO 8601 UTC."}
_COUNT = {"type": "integer", "minimum": 0, "maximum": MAX_SEQ}


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


def _reading_item() -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"boot": _BOOT, "seq": _SEQ, "ts": _TS, **_channel_properties()},
        "required": ["boot", "seq", "ts"],
        "minProperties": 4,
        "additionalProperties": False,
    }


def schemas() -> dict[str, dict[str, Any]]:
    """Every message kind's schema, keyed by file stem."""
    reading = {
        "type": "object",
        "properties": {
            "v": _VERSION,
            "device": _DEVICE,
            "boot": _BOOT,
            "seq": _SEQ,
            "ts": _TS,
            **_channel_properties(),
        },
        "required": ["v", "device", "boot", "seq", "ts"],
        "minProperties": 6,
        "additionalProperties": False,
    }
    batch = {
        "type": "object",
        "properties": {
            "v": _VERSION,
            "device": _DEVICE,
            "readings": {"type": "array", "minItems": 1, "maxItems": MAX_BATCH_READINGS, "items": _reading_item()},
        },
        "required": ["v", "device", "readings"],
        "additionalProperties": False,
    }
    status = {
        "type": "object",
        "properties": {
            "v": _VERSION,
            "device": _DEVICE,
            "state": {"enum": ["online", "offline"]},
            "boot": _BOOT,
            "ts": _TS,
            "pending": {**_COUNT, "description": "Readings awaiting a storage ack."},
            "dropped": {**_COUNT, "description": "Readings dropped by outbox overflow."},
        },
        "required": ["v", "device", "state", "boot"],
        "additionalProperties": False,
    }
    ack = {
        "type": "object",
        "properties": {
            "v": _VERSION,
            "device": _DEVICE,
            "boot": _BOOT,
            "ranges": {
                "type": "array",
                "minItems": 1,
                "items": {"type": "array", "prefixItems": [_SEQ, _SEQ], "minItems": 2, "maxItems": 2},
                "description": "Inclusive [first, last] sequence ranges now stored.",
            },
        },
        "required": ["v", "device", "boot", "ranges"],
        "additionalProperties": False,
    }
    titled = {
        "reading": ("Reading", "One Sense HAT sample, topic sensebridge/v1/<device>/reading.", reading),
        "batch": ("Batch", "Readings for backfill, topic sensebridge/v1/<device>/batch.", batch),
        "status": ("Status", "Retained presence, topic sensebridge/v1/<device>/status.", status),
        "ack": ("StorageAck", "Bridge -> device, topic sensebridge/v1/<device>/ack.", ack),
    }
    return {
        stem: {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"{BASE_ID}{stem}.json",
            "title": title,
            "description": description,
            **body,
        }
        for stem, (title, description, body) in titled.items()
    }


def render(schema: dict[str, Any]) -> str:
    """Canonical text of a schema file."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def main() -> int:
    """Write every schema file."""
    SCHEMA_DIR.mkdir(exist_ok=True)
    for stem, schema in schemas().items():
        path = SCHEMA_DIR / f"{stem}.json"
        path.write_text(render(schema), encoding="utf-8")
        print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
