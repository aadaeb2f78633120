"""Properties that hold for every valid value, not just the golden examples."""

from __future__ import annotations

import itertools
import json
import math
from typing import Any

import orjson
import pytest
from contract_helpers import BACKENDS, use_backend
from contract_strategies import MAX_TS_MS, boots, devices, readings, relaxed, seqs, statuses, timestamps
from hypothesis import given
from hypothesis import strategies as st

from contract import codec
from contract.models import Reading, Status, StorageAck, seq_ranges


@st.composite
def batches(draw: st.DrawFn) -> list[Reading]:
    device = draw(devices)
    # rx_ms is stamped per batch on receipt, so every reading of a batch shares one.
    rx_ms = draw(st.integers(min_value=0, max_value=MAX_TS_MS))
    items = draw(st.lists(readings(device), min_size=1, max_size=20))
    return [Reading(r.device, r.boot, r.seq, r.ts_ms, r.values, rx_ms) for r in items]


def _same_floats(a: Reading, b: Reading) -> bool:
    # == on floats treats 0.0 and -0.0 as equal; the wire keeps the sign, so check it too.
    return all(math.copysign(1, a.values[k]) == math.copysign(1, b.values[k]) for k in a.values)


@pytest.mark.parametrize("backend", BACKENDS)
@relaxed
@given(reading=readings())
def test_any_valid_reading_round_trips_exactly(backend: str, reading: Reading) -> None:
    with use_backend(backend):
        decoded = codec.decode_reading(codec.encode_reading(reading), rx_ms=reading.rx_ms)
    assert decoded == reading
    assert _same_floats(decoded, reading)


@pytest.mark.parametrize("backend", BACKENDS)
@relaxed
@given(batch=batches())
def test_any_valid_batch_round_trips_exactly(backend: str, batch: list[Reading]) -> None:
    with use_backend(backend):
        decoded = codec.decode_batch(codec.encode_batch(batch), rx_ms=batch[0].rx_ms)
    assert decoded == batch


@relaxed
@given(batch=st.lists(readings("pi"), min_size=1, max_size=50))
def test_both_backends_write_the_same_batch_bytes_up_to_number_spelling(batch: list[Reading]) -> None:
    with use_backend("orjson"):
        fast = codec.encode_batch(batch)
    with use_backend("stdlib"):
        slow = codec.encode_batch(batch)
    assert json.loads(fast) == json.loads(slow)


@relaxed
@given(status=statuses)
def test_any_valid_status_round_trips(status: Status) -> None:
    # Only whole milliseconds travel; the model already holds milliseconds.
    assert codec.decode_status(codec.encode_status(status)) == status


@relaxed
@given(device=devices, boot=boots, seq_set=st.sets(seqs, min_size=1, max_size=50))
def test_any_ack_round_trips(device: str, boot: str, seq_set: set[int]) -> None:
    ack = StorageAck(device=device, boot=boot, ranges=seq_ranges(seq_set))
    assert codec.decode_ack(codec.encode_ack(ack)) == ack


@relaxed
@given(ts_ms=timestamps)
def test_timestamps_round_trip_over_the_whole_calendar(ts_ms: int) -> None:
    text = codec.format_ts(ts_ms)
    assert len(text) == len("2026-11-22T08:30:00.123Z")
    assert codec.parse_ts(text) == ts_ms


# --- sequence ranges ------------------------------------------------------------------------

small_seq_sets = st.sets(st.integers(min_value=0, max_value=200), max_size=60)


@relaxed
@given(seq_set=small_seq_sets)
def test_seq_ranges_are_sorted_disjoint_non_adjacent_and_cover_exactly_the_set(seq_set: set[int]) -> None:
    ranges = seq_ranges(seq_set)
    assert all(first <= last for first, last in ranges)
    assert all(prev_last + 1 < first for (_, prev_last), (first, _) in itertools.pairwise(ranges))
    covered = {seq for first, last in ranges for seq in range(first, last + 1)}
    assert covered == seq_set


@relaxed
@given(seq_list=st.lists(st.integers(min_value=0, max_value=200), max_size=60))
def test_seq_ranges_ignore_order_and_duplicates(seq_list: list[int]) -> None:
    assert seq_ranges(seq_list) == seq_ranges(sorted(set(seq_list)))


@relaxed
@given(seq_set=small_seq_sets, probe=st.integers(min_value=-2, max_value=202))
def test_storage_ack_covers_exactly_the_acknowledged_seqs(seq_set: set[int], probe: int) -> None:
    ack = StorageAck(device="pi", boot="b1", ranges=seq_ranges(seq_set))
    assert ack.covers(probe) == (probe in seq_set)


def test_seq_ranges_example_from_the_docstring() -> None:
    assert seq_ranges([5, 1, 2, 3, 7, 6, 2]) == ((1, 3), (5, 7))
    assert seq_ranges([]) == ()


# --- the two JSON parsers agree ---------------------------------------------------------------

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()  # NaN and infinities become the non-JSON literals below
    | st.text(st.characters(codec=None))  # includes lone surrogates, written as \udxxx escapes
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4),
    max_leaves=12,
)


def _parse(loads: Any, data: bytes) -> str:
    try:
        return repr(loads(data))  # repr tells 1 from 1.0
    except ValueError:
        return "rejected"


@relaxed
@given(value=json_values, ascii_only=st.booleans())
def test_stdlib_fallback_parses_exactly_like_orjson(value: object, ascii_only: bool) -> None:
    try:
        data = json.dumps(value, ensure_ascii=ascii_only).encode()
    except UnicodeEncodeError:  # a lone surrogate cannot even be written as raw UTF-8
        return
    assert _parse(codec._stdlib_loads, data) == _parse(orjson.loads, data)


@relaxed
@given(data=st.binary(max_size=40))
def test_stdlib_fallback_rejects_exactly_the_bytes_orjson_rejects(data: bytes) -> None:
    assert _parse(codec._stdlib_loads, data) == _parse(orjson.loads, data)
