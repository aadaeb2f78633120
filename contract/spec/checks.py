"""The named cross-field checks of the definition, run on a message as it travels (wire names).

JSON Schema validates everything else; these are the rules it cannot express (a frame's
``seq`` against its readings, a history answer's columns, ordered pairs). The TypeScript
decoders run the same checks (:mod:`contract.generate.ts_runtime`); the Python tests run
these on every golden file and on what the builders produce.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

from contract.spec.vocabulary import (
    Array,
    Ascending,
    ChannelMap,
    Check,
    KeysListed,
    Later,
    Message,
    Nullable,
    Object,
    Pair,
    RequiredWhen,
    SameLength,
    SeqMatchesReadings,
    Type,
)


def _at(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def violations(message: Message, obj: Mapping[str, Any], path: str = "") -> list[str]:
    """Every named check ``obj`` (already schema-valid) breaks, as ``"<path>: <rule>"`` lines."""
    problems = []
    for f in message.fields:
        if f.name in obj:
            problems += _value_violations(f.type, obj[f.name], _at(path, f.name))
    for check in message.checks:
        if not _holds(check, obj):
            problems.append(f"{path or message.name}: {check.describe()}")
    return problems


def _value_violations(kind: Type, value: Any, path: str) -> list[str]:
    if isinstance(kind, Nullable):
        return [] if value is None else _value_violations(kind.item, value, path)
    if isinstance(kind, Array):
        return [p for i, item in enumerate(value) for p in _value_violations(kind.item, item, f"{path}[{i}]")]
    if isinstance(kind, Pair):
        ordered = not kind.ordered or value[0] <= value[1]
        return [] if ordered else [f"{path}: {kind.labels[0]} <= {kind.labels[1]}."]
    if isinstance(kind, Object):
        return violations(kind.message, value, path)
    if isinstance(kind, ChannelMap):
        return [p for name, item in value.items() for p in _value_violations(kind.item, item, _at(path, name))]
    return []


def _holds(check: Check, obj: Mapping[str, Any]) -> bool:
    if isinstance(check, SeqMatchesReadings):
        rows = obj[check.rows_field]
        return bool(rows) and list(obj[check.range_field]) == [rows[0]["seq"], rows[-1]["seq"]]
    if isinstance(check, Ascending):
        values = obj[check.field]
        return all(a <= b for a, b in itertools.pairwise(values))
    if isinstance(check, SameLength):
        length = len(obj[check.reference])
        columns = [obj[c] for c in check.columns if c in obj]
        if check.map_field is not None:
            columns += [v for entry in obj[check.map_field].values() for v in entry.values() if isinstance(v, list)]
        return all(len(column) == length for column in columns)
    if isinstance(check, RequiredWhen):
        return obj.get(check.when) != check.equals or all(f in obj for f in check.fields)
    if isinstance(check, KeysListed):
        return all(name in obj[check.map_field] for name in obj[check.list_field])
    if isinstance(check, Later):
        return bool(obj[check.later] > obj[check.earlier])
    raise TypeError(f"not a check: {check!r}")
