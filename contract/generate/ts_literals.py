"""Small helpers that spell Python values as TypeScript source for the generator."""

from __future__ import annotations

import json
import textwrap

from contract.commands import COMMAND_ID_PATTERN, MATRIX_PIXELS
from contract.models import BOOT_ID_PATTERN, MAX_SEQ, MAX_TIME_MS, MIN_TIME_MS
from contract.spec import ws
from contract.topics import DEVICE_ID_PATTERN

# Numbers and patterns the generated module names as constants, so decoders read as the contract does.
NAMED_NUMBERS = {
    MAX_SEQ: "MAX_SEQ",
    MIN_TIME_MS: "MIN_TIME_MS",
    MAX_TIME_MS: "MAX_TIME_MS",
    ws.MAX_SUBSCRIPTIONS: "MAX_SUBSCRIPTIONS",
    MATRIX_PIXELS: "MATRIX_PIXELS",
}
NAMED_PATTERNS = {
    DEVICE_ID_PATTERN: "DEVICE_ID_PATTERN",
    BOOT_ID_PATTERN: "BOOT_ID_PATTERN",
    COMMAND_ID_PATTERN: "COMMAND_ID_PATTERN",
}


def camel(name: str) -> str:
    """``gaps_device_ts`` -> ``gapsDeviceTs``."""
    head, *tail = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in tail)


def pascal(name: str) -> str:
    """``device_ts`` or ``export-row`` -> ``DeviceTs``, ``ExportRow``."""
    return "".join(part[:1].upper() + part[1:] for part in name.replace("-", "_").split("_"))


def literal(value: object) -> str:
    """A TypeScript literal: strings in single quotes, whole floats as integers, named limits by name."""
    if isinstance(value, str):
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int) and not isinstance(value, bool) and value in NAMED_NUMBERS:
        return NAMED_NUMBERS[value]
    return json.dumps(value)


def regex(pattern: str) -> str:
    """A regular expression literal, or the name of the constant that holds it."""
    return NAMED_PATTERNS.get(pattern) or "/" + pattern.replace("/", "\\/") + "/"


def doc(text: str, indent: str = "") -> list[str]:
    """A JSDoc comment of ``text``, wrapped at 100 columns."""
    lines = textwrap.wrap(text, 100 - len(indent) - 3)
    if len(lines) == 1:
        return [f"{indent}/** {lines[0]} */"]
    return [f"{indent}/**", *(f"{indent} * {line}" for line in lines), f"{indent} */"]
