"""Pure cores of the agent: numbering readings and planning re-sent batches."""

from __future__ import annotations

import math
import re

import pytest

from contract.channels import CHANNELS
from contract.codec import decode_batch
from contract.models import BOOT_ID_PATTERN, MAX_BATCH_BYTES, Reading
from edge.resend import plan_batches
from edge.sampler import Sequencer, clean_values, new_boot_id

T0 = 1_800_000_000_000


def test_boot_ids_are_16_hex_characters_and_new_every_time() -> None:
    boots = {new_boot_id() for _ in range(100)}

    assert len(boots) == 100
    assert all(re.fullmatch(r"[0-9a-f]{16}", boot) for boot in boots)
    assert all(re.fullmatch(BOOT_ID_PATTERN, boot) for boot in boots)


def test_readings_are_numbered_from_zero_without_gaps() -> None:
    sequencer = Sequencer(device="pi-1", boot="b1")

    readings = [sequencer.reading({"temperature": 20.0 + i}, T0 + i)[0] for i in range(3)]

    assert readings == [
        Reading(device="pi-1", boot="b1", seq=i, ts_ms=T0 + i, values={"temperature": 20.0 + i}) for i in range(3)
    ]


def test_a_sample_without_valid_values_uses_no_sequence_number() -> None:
    sequencer = Sequencer(device="pi-1", boot="b1")

    first, _ = sequencer.reading({"temperature": 20.0}, T0)
    nothing, clean = sequencer.reading({"pressure": 0.0, "humidity": math.nan}, T0 + 1)
    second, _ = sequencer.reading({"temperature": 21.0}, T0 + 2)

    assert nothing is None
    assert set(clean.rejected) == {"pressure", "humidity"}
    assert (first and first.seq, second and second.seq) == (0, 1)


def test_invalid_values_are_left_out_and_reported() -> None:
    clean = clean_values(
        {
            "temperature": 21.0,
            "pressure": 0.0,  # the LPS25H reads 0 until its first conversion
            "humidity": math.inf,
            "lux": 3.0,
            "pitch": 360.0,
            "roll": True,
        }
    )

    assert clean.values == {"temperature": 21.0, "pitch": 360.0}
    assert clean.rejected == {
        "pressure": "0 outside [260, 1260] hPa",
        "humidity": "not finite: inf",
        "lux": "unknown channel",
        "roll": "not a number: True",
    }


def test_the_sequencer_refuses_an_invalid_device_id() -> None:
    with pytest.raises(ValueError, match="invalid device id"):
        Sequencer(device="Not Valid")


def _readings(boot: str, seqs: range, values: dict[str, float] | None = None) -> list[Reading]:
    return [Reading("pi-1", boot, seq, T0 + seq, values or {"temperature": 21.0}) for seq in seqs]


def test_batches_hold_one_boot_each_and_keep_the_order() -> None:
    readings = _readings("old", range(0, 3)) + _readings("new", range(0, 2)) + _readings("old", range(3, 4))

    batches = plan_batches(readings, max_readings=500)

    assert [[(r.boot, r.seq) for r in b.readings] for b in batches] == [
        [("old", 0), ("old", 1), ("old", 2), ("old", 3)],
        [("new", 0), ("new", 1)],
    ]
    assert [decode_batch(b.payload) for b in batches] == [list(b.readings) for b in batches]


def test_batches_hold_at_most_max_readings() -> None:
    batches = plan_batches(_readings("b", range(7)), max_readings=3)

    assert [len(b.readings) for b in batches] == [3, 3, 1]


def test_a_batch_too_large_to_encode_is_split_until_it_fits() -> None:
    # Every channel at full float precision, as an unrounded source would give: ~600 bytes a reading.
    wide = {c.name: c.minimum + (c.maximum - c.minimum) / 7 for c in CHANNELS}
    readings = _readings("b", range(1000), wide)

    batches = plan_batches(readings, max_readings=1000)

    assert len(batches) > 1
    assert all(len(b.payload) <= MAX_BATCH_BYTES for b in batches)
    assert [r for b in batches for r in b.readings] == readings


def test_batch_size_must_be_within_the_contract() -> None:
    with pytest.raises(ValueError, match=r"1\.\.1000"):
        plan_batches(_readings("b", range(2)), max_readings=1001)
