"""The outbox keeps every reading until a storage ack covers it, and drops only visibly."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from contract.models import Reading, StorageAck
from edge.errors import OutboxError
from edge.outbox import Outbox, OutboxPolicy, Pending

DEVICE = "pi-test"
T0 = 1_800_000_000_000
TIMEOUT_MS = 10_000
VALUES = {"temperature": 21.5, "humidity": 44.0, "pressure": 1013.2}


def reading(seq: int, *, boot: str = "boot-a", ts_ms: int | None = None) -> Reading:
    return Reading(device=DEVICE, boot=boot, seq=seq, ts_ms=T0 + seq if ts_ms is None else ts_ms, values=VALUES)


def keys(items: list[Pending]) -> list[tuple[str, int]]:
    return [(item.reading.boot, item.reading.seq) for item in items]


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "outbox" / f"{DEVICE}.sqlite3"


@pytest.fixture
def policy() -> OutboxPolicy:
    return OutboxPolicy(max_readings=100, max_age_ms=3_600_000, ack_timeout_ms=TIMEOUT_MS, max_backoff=8)


@pytest.fixture
def outbox(path: Path, policy: OutboxPolicy) -> Iterator[Outbox]:
    with Outbox(path, device=DEVICE, policy=policy) as box:
        yield box


# --- what is due ----------------------------------------------------------------------


def test_a_new_reading_is_due_at_once_and_oldest_first(outbox: Outbox) -> None:
    for seq in range(3):
        outbox.add(reading(seq), now_ms=T0 + seq)

    due = outbox.due(T0 + 10, limit=10)

    assert keys(due) == [("boot-a", 0), ("boot-a", 1), ("boot-a", 2)]
    assert [item.attempts for item in due] == [0, 0, 0]
    assert due[0].reading == reading(0)
    assert outbox.pending == 3


def test_due_respects_the_limit(outbox: Outbox) -> None:
    for seq in range(5):
        outbox.add(reading(seq), now_ms=T0)

    assert keys(outbox.due(T0, limit=2)) == [("boot-a", 0), ("boot-a", 1)]


def test_a_sent_reading_is_due_again_only_after_the_ack_timeout(outbox: Outbox) -> None:
    outbox.add(reading(0), now_ms=T0, sent=True)

    assert outbox.due(T0 + TIMEOUT_MS - 1, limit=10) == []
    assert keys(outbox.due(T0 + TIMEOUT_MS, limit=10)) == [("boot-a", 0)]


def test_mark_sent_defers_readings_and_the_wait_doubles_per_attempt(outbox: Outbox) -> None:
    outbox.add(reading(0), now_ms=T0)
    now = T0
    waits = []
    for _ in range(6):
        due = outbox.due(now, limit=10)
        assert keys(due) == [("boot-a", 0)]
        outbox.mark_sent(due, now)
        sent_at = now
        while not outbox.due(now, limit=10):
            now += 1000
        waits.append(now - sent_at)

    assert waits == [10_000, 20_000, 40_000, 80_000, 80_000, 80_000]


def test_never_sent_readings_come_before_readings_waiting_for_their_retry(outbox: Outbox) -> None:
    outbox.add(reading(0), now_ms=T0, sent=True)
    outbox.add(reading(1), now_ms=T0 + 5_000)

    assert keys(outbox.due(T0 + TIMEOUT_MS, limit=10)) == [("boot-a", 1), ("boot-a", 0)]


# --- acknowledgements -----------------------------------------------------------------


def test_an_ack_removes_exactly_the_readings_it_covers(outbox: Outbox) -> None:
    for seq in range(10):
        outbox.add(reading(seq), now_ms=T0)

    removed = outbox.acknowledge(StorageAck(device=DEVICE, boot="boot-a", ranges=((0, 2), (5, 5), (8, 20))))

    assert removed == 6
    assert outbox.pending == 4
    assert keys(outbox.due(T0, limit=100)) == [("boot-a", 3), ("boot-a", 4), ("boot-a", 6), ("boot-a", 7)]


def test_an_ack_leaves_other_boots_untouched(outbox: Outbox) -> None:
    outbox.add(reading(0, boot="boot-old"), now_ms=T0)
    outbox.add(reading(0, boot="boot-new"), now_ms=T0)

    assert outbox.acknowledge(StorageAck(device=DEVICE, boot="boot-new", ranges=((0, 0),))) == 1

    assert keys(outbox.due(T0, limit=10)) == [("boot-old", 0)]


def test_an_ack_for_another_device_removes_nothing(outbox: Outbox) -> None:
    outbox.add(reading(0), now_ms=T0)

    assert outbox.acknowledge(StorageAck(device="pi-other", boot="boot-a", ranges=((0, 0),))) == 0
    assert outbox.pending == 1


def test_a_repeated_ack_counts_nothing_the_second_time(outbox: Outbox) -> None:
    outbox.add(reading(0), now_ms=T0)
    ack = StorageAck(device=DEVICE, boot="boot-a", ranges=((0, 0),))

    assert outbox.acknowledge(ack) == 1
    assert outbox.acknowledge(ack) == 0
    assert outbox.pending == 0


# --- bounds ---------------------------------------------------------------------------


def test_overflow_drops_the_oldest_readings_and_counts_them(path: Path) -> None:
    policy = OutboxPolicy(max_readings=5, ack_timeout_ms=TIMEOUT_MS)
    with Outbox(path, device=DEVICE, policy=policy) as outbox:
        dropped = [outbox.add(reading(seq), now_ms=T0) for seq in range(8)]

        assert dropped == [0, 0, 0, 0, 0, 1, 1, 1]
        assert outbox.dropped == 3
        assert outbox.pending == 5
        assert [seq for _, seq in keys(outbox.due(T0, limit=100))] == [3, 4, 5, 6, 7]


def test_readings_past_the_age_limit_are_dropped_and_counted(outbox: Outbox, policy: OutboxPolicy) -> None:
    outbox.add(reading(0, ts_ms=T0), now_ms=T0)
    outbox.add(reading(1, ts_ms=T0 + 1000), now_ms=T0 + 1000)
    outbox.add(reading(2, ts_ms=T0 + 2000), now_ms=T0 + 2000)

    assert outbox.maintain(T0 + policy.max_age_ms) == 0
    assert outbox.maintain(T0 + policy.max_age_ms + 1500) == 2

    assert outbox.dropped == 2
    assert outbox.pending == 1
    assert keys(outbox.due(T0 + policy.max_age_ms + 1500, limit=10)) == [("boot-a", 2)]


def test_maintain_repairs_due_times_set_while_the_clock_ran_ahead(outbox: Outbox) -> None:
    a_day_ahead = T0 + 86_400_000
    outbox.add(reading(0, ts_ms=T0), now_ms=a_day_ahead, sent=True)
    assert outbox.due(T0, limit=10) == []

    outbox.maintain(T0)

    assert keys(outbox.due(T0, limit=10)) == [("boot-a", 0)]


# --- persistence and ownership --------------------------------------------------------


def test_readings_and_counters_survive_a_reopen_with_their_original_boot(path: Path, policy: OutboxPolicy) -> None:
    small = OutboxPolicy(max_readings=3, ack_timeout_ms=TIMEOUT_MS)
    with Outbox(path, device=DEVICE, policy=small) as outbox:
        for seq in range(4):
            outbox.add(reading(seq, boot="boot-before"), now_ms=T0, sent=True)

    with Outbox(path, device=DEVICE, policy=policy) as outbox:
        outbox.add(reading(0, boot="boot-after"), now_ms=T0 + TIMEOUT_MS)

        assert outbox.pending == 4
        assert outbox.dropped == 1
        due = outbox.due(T0 + TIMEOUT_MS, limit=10)
        assert keys(due) == [("boot-before", 1), ("boot-before", 2), ("boot-before", 3), ("boot-after", 0)]
        assert due[0].reading == reading(1, boot="boot-before")
        assert due[0].attempts == 1


def test_a_second_agent_cannot_open_the_same_outbox(outbox: Outbox, path: Path) -> None:
    with pytest.raises(OutboxError, match="in use"):
        Outbox(path, device=DEVICE)


def test_an_outbox_belongs_to_one_device(outbox: Outbox, path: Path) -> None:
    outbox.close()

    with pytest.raises(OutboxError, match="belongs to device 'pi-test'"):
        Outbox(path, device="pi-other")


def test_a_file_that_is_not_an_outbox_is_an_outbox_error(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(b"certainly not SQLite " * 100)

    with pytest.raises(OutboxError, match="not a database"):
        Outbox(path, device=DEVICE)


def test_a_reading_of_another_device_is_refused(outbox: Outbox) -> None:
    with pytest.raises(ValueError, match="pi-other"):
        outbox.add(Reading(device="pi-other", boot="b", seq=0, ts_ms=T0, values=VALUES), now_ms=T0)


def test_adding_is_fast_enough_for_fifty_readings_a_second_on_a_pi(outbox: Outbox) -> None:
    started = time.perf_counter()
    for seq in range(500):
        outbox.add(reading(seq), now_ms=T0 + seq, sent=True)
    elapsed = time.perf_counter() - started

    # A Pi is ~10x slower than this machine; 50/s leaves 20 ms per reading there.
    assert elapsed / 500 < 0.002


# --- the pure policy ------------------------------------------------------------------


def test_policy_decisions() -> None:
    policy = OutboxPolicy(max_readings=10, max_age_ms=1000, ack_timeout_ms=100, max_backoff=4)

    assert [policy.overflow(n) for n in (0, 10, 11, 15)] == [0, 0, 1, 5]
    assert policy.expiry_cutoff(5000) == 4000
    assert [policy.retry_at(0, attempts) for attempts in (1, 2, 3, 4, 50)] == [100, 200, 400, 400, 400]
    assert policy.latest_due(0) == 400
    assert policy.is_due(10, 10)
    assert not policy.is_due(11, 10)
