"""The msgspec and pydantic decoders of the model benchmark give the codec's verdict on every case.

The cases are the contract's own: its golden files, every ``reading`` and ``batch`` row of
the rejection table (tests/unit/contract/test_contract_rejections.py), the boundary values
the contract tests accept, and random valid readings and batches from the contract's
property strategies. A candidate must accept exactly what the codec accepts, with an equal
:class:`Reading`, and reject the rest. Where it rejects for another reason than the codec's,
the difference is listed below with why, so a new one fails the test.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

# The contract tests' tables and builders live beside them, importable once their folder is on
# the path (pytest puts it there too when it collects them).
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "contract"))

from contract_helpers import DROP, batch_payload, golden_bytes, golden_kind, item, padded, payload
from test_contract_properties import batches, readings
from test_contract_rejections import CASES, LIMITS

from bench.model_decoders import CODEC, MSGSPEC, PYDANTIC, Decoder
from contract import codec
from contract.channels import CHANNELS
from contract.errors import ContractError
from contract.models import MAX_BATCH_READINGS, MAX_SEQ, Reading

CANDIDATES = (MSGSPEC, PYDANTIC)
KINDS = ("reading", "batch")
GOLDEN_DIR = Path(codec.__file__).resolve().parent / "golden"
GOLDENS = sorted(p.name for p in GOLDEN_DIR.glob("*.json") if golden_kind(p.name) in KINDS)

# (decoder, case id) -> why its reason or field differs from the codec's; the verdict is the same.
KNOWN_REASON_DIFFERENCES = {
    ("msgspec", "reading-nested-too-deep"): "msgspec checks the type while parsing: an array is no object",
    ("msgspec", "batch-nested-too-deep"): "msgspec checks the type while parsing: an array is no object",
    (
        "msgspec",
        "reading-seq-2^64",
    ): "orjson reads 2**64 as a double (wrong_type); msgspec as an integer over the range",
    (
        "pydantic v2",
        "reading-seq-2^64",
    ): "orjson reads 2**64 as a double (wrong_type); pydantic as an integer over the range",
}

REJECTED = [c for c in CASES if c.kind in KINDS]


def _decoder_of(decoder: Decoder, kind: str) -> Callable[..., Reading | list[Reading]]:
    return decoder.decode_reading if kind == "reading" else decoder.decode_batch


def _accepted_cases() -> list[tuple[str, str, bytes]]:
    cases = [(f"golden-{name}", golden_kind(name), golden_bytes(name)) for name in GOLDENS]
    for channel in CHANNELS:
        for label, value in (("minimum", channel.minimum), ("maximum", channel.maximum)):
            raw = payload("reading", **{"temperature": DROP, channel.name: value})
            cases.append((f"{channel.name}-at-{label}", "reading", raw))
    cases += [
        ("seq-0", "reading", payload("reading", seq=0)),
        ("seq-2^53-1", "reading", payload("reading", seq=MAX_SEQ)),
        ("integer-value", "reading", payload("reading", temperature=21)),
        ("negative-zero", "reading", payload("reading", temperature=-0.0)),
        ("plus-zero-offset", "reading", payload("reading", ts="2026-11-22T08:30:00.250+00:00")),
        ("six-fraction-digits", "reading", payload("reading", ts="2026-11-22T08:30:00.123456Z")),
        ("repeated-key-last-wins", "reading", payload("reading")[:-1] + b',"temperature":22.5}'),
        ("full-batch", "batch", batch_payload(*[item(seq=n) for n in range(MAX_BATCH_READINGS)])),
        ("mixed-items", "batch", batch_payload(item(), item(seq=43, temperature=DROP, humidity=40))),
    ]
    cases += [(f"{kind}-at-the-size-limit", kind, padded(kind, LIMITS[kind])) for kind in KINDS]
    return cases


ACCEPTED = _accepted_cases()


def _same_values(got: Reading | list[Reading], want: Reading | list[Reading]) -> bool:
    """Equal, every value a float, and the sign of zero kept."""
    pairs = zip(got, want, strict=True) if isinstance(got, list) and isinstance(want, list) else [(got, want)]
    for a, b in pairs:
        assert isinstance(a, Reading)
        assert isinstance(b, Reading)
        if a != b or any(type(v) is not float for v in a.values.values()):
            return False
        if any(math.copysign(1, a.values[k]) != math.copysign(1, b.values[k]) for k in a.values):
            return False
    return True


@pytest.mark.parametrize("decoder", CANDIDATES, ids=lambda d: d.name)
@pytest.mark.parametrize(("case_id", "kind", "raw"), ACCEPTED, ids=[c[0] for c in ACCEPTED])
def test_candidates_accept_what_the_codec_accepts_with_an_equal_reading(
    decoder: Decoder, case_id: str, kind: str, raw: bytes
) -> None:
    want = _decoder_of(CODEC, kind)(raw, rx_ms=7)
    got = _decoder_of(decoder, kind)(raw, rx_ms=7)
    assert _same_values(got, want), case_id


def _verdict(decoder: Decoder, kind: str, raw: bytes) -> tuple[str, str | None] | Any:
    try:
        return _decoder_of(decoder, kind)(raw, rx_ms=0)
    except ContractError as exc:
        return (exc.reason.value, exc.field)


@pytest.mark.parametrize("decoder", CANDIDATES, ids=lambda d: d.name)
@pytest.mark.parametrize("case", REJECTED, ids=[c.id for c in REJECTED])
def test_candidates_reject_what_the_codec_rejects(decoder: Decoder, case: Any) -> None:
    verdict = _verdict(decoder, case.kind, case.payload)
    assert isinstance(verdict, tuple), f"{decoder.name} accepted what the codec rejects: {verdict!r}"


def test_candidates_give_the_codecs_reason_and_field_but_for_the_listed_differences() -> None:
    differences = {}
    for decoder in CANDIDATES:
        for case in REJECTED:
            verdict = _verdict(decoder, case.kind, case.payload)
            if verdict != (case.reason.value, case.field):
                differences[(decoder.name, case.id)] = verdict
    assert set(differences) == set(KNOWN_REASON_DIFFERENCES), differences


def test_the_cases_taken_give_every_reason_the_rejection_table_has() -> None:
    assert {c.kind for c in REJECTED} == set(KINDS)
    assert {c.reason for c in REJECTED} == {c.reason for c in CASES}


@pytest.mark.parametrize("decoder", CANDIDATES, ids=lambda d: d.name)
@settings(deadline=None, max_examples=60)
@given(reading=readings())
def test_candidates_decode_any_valid_reading_like_the_codec(decoder: Decoder, reading: Reading) -> None:
    raw = codec.encode_reading(reading)
    assert _same_values(decoder.decode_reading(raw, rx_ms=reading.rx_ms), reading)


@pytest.mark.parametrize("decoder", CANDIDATES, ids=lambda d: d.name)
@settings(deadline=None, max_examples=30)
@given(batch=batches())
def test_candidates_decode_any_valid_batch_like_the_codec(decoder: Decoder, batch: list[Reading]) -> None:
    raw = codec.encode_batch(batch)
    assert _same_values(decoder.decode_batch(raw, rx_ms=batch[0].rx_ms), batch)
