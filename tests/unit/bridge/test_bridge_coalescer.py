"""The live coalescer: at most one frame per device per tick, with the clock passed in.

Each scenario is a script of steps with explicit clock values: ``Add`` queues live
readings, ``Due`` asks what leaves at a time and states the frames expected, as
``(device, boot, [seq, ...])`` in the order the readings sit in the frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import EllipsisType

import pytest

from bridge.coalescer import Coalescer
from contract.models import Reading

Frame = tuple[str, str, list[int]]


def reading(device: str, seq: int, boot: str = "b1") -> Reading:
    return Reading(device=device, boot=boot, seq=seq, ts_ms=1_795_336_200_000 + seq, values={"temperature": 21.0})


@dataclass(frozen=True)
class Add:
    device: str
    seqs: tuple[int, ...]
    boot: str = "b1"


@dataclass(frozen=True)
class Due:
    now_ms: float
    frames: tuple[Frame, ...]
    next_due_ms: float | EllipsisType | None = ...  # checked after the call unless left out


@dataclass(frozen=True)
class Scenario:
    id: str
    tick_ms: float
    steps: tuple[Add | Due, ...]


def frames_of(frames: list[list[Reading]]) -> list[Frame]:
    out: list[Frame] = []
    for frame in frames:
        assert len({(r.device, r.boot) for r in frame}) == 1, "a frame holds one device and one boot"
        out.append((frame[0].device, frame[0].boot, [r.seq for r in frame]))
    return sorted(out)


SCENARIOS = [
    Scenario("nothing-pending-nothing-due", 50, (Due(0, (), next_due_ms=None), Due(1_000, (), next_due_ms=None))),
    Scenario("quiet-device-is-due-at-once", 50, (Add("a", (1,)), Due(1_000, (("a", "b1", [1]),)))),
    Scenario(
        "faster-than-tick-waits-and-leaves-as-one-frame",
        100,
        (
            Add("a", (1,)),
            Due(1_000, (("a", "b1", [1]),)),
            Add("a", (2,)),
            Due(1_010, (), next_due_ms=1_100),
            Add("a", (3,)),
            Due(1_099, (), next_due_ms=1_100),
            Add("a", (4,)),
            Due(1_100, (("a", "b1", [2, 3, 4]),)),
        ),
    ),
    Scenario(
        "due-exactly-at-last-sent-plus-tick",
        100,
        (Add("a", (1,)), Due(500, (("a", "b1", [1]),)), Add("a", (2,)), Due(600, (("a", "b1", [2]),))),
    ),
    Scenario(
        "late-check-releases-everything-waiting",
        100,
        (
            Add("a", (1,)),
            Due(0, (("a", "b1", [1]),)),
            Add("a", (2, 3)),
            Due(5_000, (("a", "b1", [2, 3]),), next_due_ms=None),
        ),
    ),
    Scenario(
        "quiet-again-after-a-tick-means-no-wait",
        100,
        (Add("a", (1,)), Due(0, (("a", "b1", [1]),)), Add("a", (2,)), Due(250, (("a", "b1", [2]),))),
    ),
    Scenario(
        "frame-sorted-by-seq",
        50,
        (Add("a", (5, 3, 4)), Due(0, (("a", "b1", [3, 4, 5]),))),
    ),
    Scenario(
        "frames-split-by-boot",
        50,
        (
            Add("a", (7, 8), boot="old"),
            Add("a", (1,), boot="new"),
            Add("a", (9,), boot="old"),
            Due(0, (("a", "new", [1]), ("a", "old", [7, 8, 9]))),
        ),
    ),
    Scenario(
        "devices-are-independent",
        100,
        (
            Add("a", (1,)),
            Due(1_000, (("a", "b1", [1]),)),
            Add("a", (2,)),
            Add("b", (1,)),
            Due(1_010, (("b", "b1", [1]),), next_due_ms=1_100),
            Add("b", (2,)),
            Due(1_050, (), next_due_ms=1_100),
            Due(1_100, (("a", "b1", [2]),), next_due_ms=1_110),
            Due(1_110, (("b", "b1", [2]),), next_due_ms=None),
        ),
    ),
    Scenario(
        "tick-zero-sends-everything-immediately",
        0,
        (
            Add("a", (1,)),
            Due(1_000, (("a", "b1", [1]),)),
            Add("a", (2,)),
            Add("b", (1,)),
            Due(1_000, (("a", "b1", [2]), ("b", "b1", [1]))),
            Add("a", (3,)),
            Due(1_000.5, (("a", "b1", [3]),)),
        ),
    ),
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_coalescer_scenario(scenario: Scenario) -> None:
    coalescer = Coalescer(scenario.tick_ms)
    for step in scenario.steps:
        if isinstance(step, Add):
            for seq in step.seqs:
                coalescer.add(reading(step.device, seq, step.boot))
            continue
        assert frames_of(coalescer.due(step.now_ms)) == sorted(step.frames), f"at {step.now_ms} ms"
        if step.next_due_ms is not ...:
            assert coalescer.next_due_ms() == step.next_due_ms, f"next_due_ms after {step.now_ms} ms"


def test_frames_carry_the_readings_themselves() -> None:
    coalescer = Coalescer(50)
    first, second = reading("a", 2), reading("a", 1)
    coalescer.add(first)
    coalescer.add(second)

    assert coalescer.due(0) == [[second, first]]


def test_next_due_ms_is_none_when_nothing_waits() -> None:
    coalescer = Coalescer(50)
    assert coalescer.next_due_ms() is None

    coalescer.add(reading("a", 1))
    coalescer.due(0)

    assert coalescer.next_due_ms() is None


def test_next_due_ms_of_a_quiet_device_is_already_past() -> None:
    coalescer = Coalescer(50)
    coalescer.add(reading("a", 1))

    next_due = coalescer.next_due_ms()

    assert next_due is not None
    assert next_due <= 0


def test_next_due_ms_is_the_earliest_lane() -> None:
    coalescer = Coalescer(100)
    coalescer.add(reading("a", 1))
    coalescer.due(1_000)
    coalescer.add(reading("b", 1))
    coalescer.due(1_030)
    coalescer.add(reading("b", 2))
    coalescer.add(reading("a", 2))

    assert coalescer.next_due_ms() == 1_100


def test_negative_tick_is_refused() -> None:
    with pytest.raises(ValueError, match="tick_ms"):
        Coalescer(-1)
