"""The REST bodies the server builds from the store's answers follow the contract definition.

Pure: the history answers come from :func:`storage.history.history_from_readings` (the
reference every store must match); the bodies are held to the generated JSON Schemas,
the definition's named checks and the golden files shared with the TypeScript tests.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

import contract
from contract.codec import decode_batch, dumps
from contract.generate.schemas import SCHEMA_DIR
from contract.models import Reading
from contract.spec import rest as spec
from contract.spec.checks import violations
from server.telemetry.selectors import history_body
from storage.history import HistoryQuery, history_from_readings
from storage.retention import RetentionPolicy

GOLDEN = Path(contract.__file__).parent / "golden"
HISTORY = Draft202012Validator(json.loads((SCHEMA_DIR / "rest" / "history.json").read_text(encoding="utf-8")))
T0 = 1_795_336_200_000


def _golden_readings() -> list[Reading]:
    readings = decode_batch((GOLDEN / "batch.json").read_bytes())
    received = (1_795_336_201_262, 1_795_336_202_259)
    return [dataclasses.replace(r, rx_ms=rx) for r, rx in zip(readings, received, strict=True)]


def _history(readings: list[Reading], query: HistoryQuery) -> dict[str, object]:
    return history_body(history_from_readings(readings, query, retention=RetentionPolicy(), now_ms=T0 + 3_600_000))


def test_a_raw_history_answer_is_the_golden_body() -> None:
    query = HistoryQuery("pi-kitchen", T0, T0 + 60_000, ("temperature", "humidity"), 600)
    body = _history(_golden_readings(), query)
    assert dumps(body).decode() == (GOLDEN / "rest-history-raw.json").read_text(encoding="utf-8").strip()


@settings(deadline=None, max_examples=40)
@given(
    offsets=st.lists(st.integers(min_value=0, max_value=3_599_999), max_size=60),
    points=st.integers(min_value=1, max_value=30),
    channels=st.lists(st.sampled_from(["temperature", "humidity", "compass"]), min_size=1, unique=True),
)
def test_any_history_answer_is_valid_raw_or_bucketed(offsets: list[int], points: int, channels: list[str]) -> None:
    readings = [
        Reading("sim-1", "b1", seq, T0 + offset, {"temperature": 20.0 + seq % 7, "humidity": 40.0}, rx_ms=T0 + offset)
        for seq, offset in enumerate(sorted(offsets))
    ]
    body = _history(readings, HistoryQuery("sim-1", T0, T0 + 3_600_000, tuple(channels), points))
    assert [e.message for e in HISTORY.iter_errors(body)] == []
    assert violations(spec.HISTORY, body) == []


@pytest.mark.parametrize("points", [1, 600])
def test_the_history_body_names_the_clock_of_every_time(points: int) -> None:
    query = HistoryQuery("pi-kitchen", T0, T0 + 60_000, ("temperature",), points)
    body = _history(_golden_readings(), query)
    times = {key for key in body if key.endswith("_ts")}
    assert times == {"since_device_ts", "until_device_ts", "device_ts", "gaps_device_ts"}
