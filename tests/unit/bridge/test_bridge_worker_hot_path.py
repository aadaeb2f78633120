"""The worker without a network: messages fed to ``handle``, a real SQLite store, an in-memory layer.

No MQTT client is connected (``_client`` stays None, so no acks are published); the
storage and live loops run as tasks and are cancelled at the end. Conditions are awaited
with a deadline, never with a bare sleep.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from channels.layers import InMemoryChannelLayer

import contract
from bridge import config as bridge_config
from bridge.pipeline import Incoming
from bridge.worker import BridgeWorker
from contract import codec
from contract.errors import Reason
from contract.live import (
    FLEET_GROUP,
    FRAME_EVENT,
    STATUS_EVENT,
    device_group,
    frame_message,
    status_message,
    to_text,
)
from contract.models import Reading
from contract.topics import Kind, topic
from storage.base import InsertResult, StoreError
from storage.sqlite import SqliteStore

GOLDEN = Path(contract.__file__).resolve().parent / "golden"
READING = codec.decode_reading((GOLDEN / "reading.json").read_bytes())
DEVICE = READING.device
RX = READING.ts_ms + 12
DEADLINE_S = 5.0


def golden(name: str) -> bytes:
    return (GOLDEN / name).read_bytes()


def reading(seq: int, **changes: Any) -> Reading:
    return dataclasses.replace(READING, seq=seq, ts_ms=READING.ts_ms + (seq - READING.seq) * 100, **changes)


def message(kind: Kind, payload: bytes, *, device: str = DEVICE, retained: bool = False) -> Incoming:
    return Incoming(topic=topic(device, kind), payload=payload, rx_ms=RX, retained=retained)


def live(r: Reading) -> Incoming:
    return message(Kind.READING, codec.encode_reading(r), device=r.device)


async def eventually(condition: Callable[[], bool | Awaitable[bool]], what: str) -> None:
    """Poll ``condition`` until it holds; fail after DEADLINE_S."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DEADLINE_S
    while True:
        result = condition()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return
        if loop.time() > deadline:
            pytest.fail(f"not within {DEADLINE_S} s: {what}")
        await asyncio.sleep(0.01)


async def receive(layer: InMemoryChannelLayer, channel: str) -> dict[str, Any]:
    async with asyncio.timeout(DEADLINE_S):
        event: dict[str, Any] = await layer.receive(channel)
    return event


async def listen(layer: InMemoryChannelLayer, group: str) -> str:
    channel: str = await layer.new_channel()
    await layer.group_add(group, channel)
    return channel


class FailingFirstInserts:
    """The real store, except that the first ``failures`` inserts raise StoreError."""

    def __init__(self, store: SqliteStore, failures: int) -> None:
        self._store = store
        self._failures = failures
        self.insert_calls = 0

    async def insert_readings(self, readings: Sequence[Reading]) -> InsertResult:
        self.insert_calls += 1
        if self.insert_calls <= self._failures:
            raise StoreError("injected: disk unavailable")
        return await self._store.insert_readings(readings)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    opened = await SqliteStore.open(tmp_path / "bridge.sqlite3")
    yield opened
    await opened.close()


@pytest.fixture
def layer() -> InMemoryChannelLayer:
    return InMemoryChannelLayer()


@contextlib.asynccontextmanager
async def running(store: Any, layer: InMemoryChannelLayer, **env: str) -> AsyncIterator[BridgeWorker]:
    """A worker with its storage and live loops running; the loops must still be alive at the end."""
    worker = BridgeWorker(
        bridge_config.load({"CHANNEL_LAYER": "memory", "BRIDGE_TICK_MS": "20", **env}), store=store, layer=layer
    )
    tasks = [asyncio.create_task(worker._store_loop()), asyncio.create_task(worker._live_loop())]
    try:
        yield worker
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for task in tasks:
            assert task.cancelled(), f"a worker loop died: {task.exception()!r}"


@pytest.fixture
async def worker(store: SqliteStore, layer: InMemoryChannelLayer) -> AsyncIterator[BridgeWorker]:
    async with running(store, layer) as started:
        yield started


async def stored_seqs(store: SqliteStore, device: str = DEVICE) -> list[int]:
    page = await store.readings(device, since_ms=0, until_ms=2**62, limit=10_000)
    return [r.seq for r in page.readings]


# --- storage ---------------------------------------------------------------------------


async def test_readings_are_stored_once_and_redeliveries_counted(worker: BridgeWorker, store: SqliteStore) -> None:
    # Same tick: the re-delivered reading and the re-sent batch land in one store batch.
    worker.handle(message(Kind.READING, golden("reading.json")))
    worker.handle(message(Kind.READING, golden("reading.json")))
    worker.handle(message(Kind.BATCH, golden("batch.json")))
    await eventually(lambda: worker.stats.stored + worker.stats.duplicates == 4, "4 readings written")
    # Later: a re-send after the first write.
    worker.handle(message(Kind.BATCH, golden("batch.json")))
    await eventually(lambda: worker.stats.stored + worker.stats.duplicates == 6, "6 readings written")

    assert (worker.stats.stored, worker.stats.duplicates, worker.stats.readings_accepted) == (3, 3, 6)
    assert await stored_seqs(store) == [42, 43, 44]
    stored = await store.readings(DEVICE, since_ms=0, until_ms=2**62, limit=10)
    assert stored.readings[0] == dataclasses.replace(READING, rx_ms=RX)


async def test_retained_readings_are_not_stored(worker: BridgeWorker, store: SqliteStore) -> None:
    worker.handle(message(Kind.READING, golden("reading.json"), retained=True))
    worker.handle(message(Kind.BATCH, golden("batch.json"), retained=True))
    worker.handle(live(reading(50)))
    await eventually(lambda: worker.stats.stored == 1, "the fresh reading stored")

    assert worker.stats.ignored == 2
    assert await stored_seqs(store) == [50]


async def test_store_error_is_retried_until_stored_once(store: SqliteStore, layer: InMemoryChannelLayer) -> None:
    flaky = FailingFirstInserts(store, failures=2)
    async with running(flaky, layer) as worker:
        worker.handle(message(Kind.BATCH, golden("batch.json")))
        await eventually(lambda: worker.stats.stored == 2, "the batch stored after the failures")

        assert worker.stats.store_errors == 2
        assert flaky.insert_calls == 3
        assert worker.stats.duplicates == 0
        assert await stored_seqs(store) == [43, 44]


async def test_overflow_beyond_max_pending_is_counted_not_stored(
    store: SqliteStore, layer: InMemoryChannelLayer
) -> None:
    full = [reading(seq, values={"temperature": 20.0}) for seq in range(1000)]
    async with running(store, layer, BRIDGE_MAX_PENDING="1000") as worker:
        # Both before the store loop gets a turn: the second batch finds no room.
        worker.handle(message(Kind.BATCH, codec.encode_batch(full)))
        worker.handle(message(Kind.BATCH, codec.encode_batch([dataclasses.replace(READING, seq=5000)])))
        await eventually(lambda: worker.stats.stored == 1000, "the first batch stored")

        assert worker.stats.overflow_dropped == 1
        assert 5000 not in await stored_seqs(store)


# --- live frames -----------------------------------------------------------------------


async def test_live_reading_reaches_the_device_group_as_a_serialized_frame(
    worker: BridgeWorker, layer: InMemoryChannelLayer
) -> None:
    channel = await listen(layer, device_group(DEVICE))

    worker.handle(message(Kind.READING, golden("reading.json")))
    event = await receive(layer, channel)

    assert event == {
        "type": FRAME_EVENT,
        "text": to_text(frame_message([dataclasses.replace(READING, rx_ms=RX)])),
        "device": DEVICE,
    }
    assert codec.loads(event["text"])["seq"] == [42, 42]


async def test_readings_within_one_tick_leave_as_one_frame_in_seq_order(
    worker: BridgeWorker, layer: InMemoryChannelLayer
) -> None:
    channel = await listen(layer, device_group(DEVICE))

    for seq in (3, 1, 2):
        worker.handle(live(reading(seq)))
    event = await receive(layer, channel)

    frame = codec.loads(event["text"])
    assert frame["seq"] == [1, 3]
    assert [row["seq"] for row in frame["readings"]] == [1, 2, 3]
    assert event["text"] == to_text(frame_message([reading(s, rx_ms=RX) for s in (1, 2, 3)]))


async def test_readings_faster_than_the_tick_wait_for_it_and_leave_together(
    store: SqliteStore, layer: InMemoryChannelLayer
) -> None:
    async with running(store, layer, BRIDGE_TICK_MS="200") as worker:
        channel = await listen(layer, device_group(DEVICE))
        worker.handle(live(reading(1)))
        first = await receive(layer, channel)
        worker.handle(live(reading(2)))
        worker.handle(live(reading(3)))
        second = await receive(layer, channel)

    assert codec.loads(first["text"])["seq"] == [1, 1]
    assert codec.loads(second["text"])["seq"] == [2, 3]


async def test_backfill_batches_are_not_broadcast(
    worker: BridgeWorker, layer: InMemoryChannelLayer, store: SqliteStore
) -> None:
    channel = await listen(layer, device_group(DEVICE))

    worker.handle(message(Kind.BATCH, golden("batch.json")))
    await eventually(lambda: worker.stats.stored == 2, "the batch stored")
    worker.handle(live(reading(45)))
    event = await receive(layer, channel)

    assert codec.loads(event["text"])["seq"] == [45, 45]  # the first frame: the batch made none


async def test_frames_go_only_to_their_own_device_group(worker: BridgeWorker, layer: InMemoryChannelLayer) -> None:
    kitchen = await listen(layer, device_group(DEVICE))
    garage = await listen(layer, device_group("garage"))

    worker.handle(live(reading(7, device="garage")))
    worker.handle(live(reading(8)))

    assert codec.loads((await receive(layer, garage))["text"])["device"] == "garage"
    assert codec.loads((await receive(layer, kitchen))["text"])["device"] == DEVICE


# --- presence --------------------------------------------------------------------------


async def test_status_goes_to_the_fleet_group_and_the_store(
    worker: BridgeWorker, layer: InMemoryChannelLayer, store: SqliteStore
) -> None:
    channel = await listen(layer, FLEET_GROUP)
    status = codec.decode_status(golden("status-online.json"))

    worker.handle(message(Kind.STATUS, golden("status-online.json"), retained=True))
    event = await receive(layer, channel)

    assert event == {"type": STATUS_EVENT, "text": to_text(status_message(status, received_ts=RX))}

    async def recorded() -> bool:
        return [(d.device, d.online, d.pending, d.status_ts_ms) for d in await store.devices()] == [
            (DEVICE, True, 3, RX)
        ]

    await eventually(recorded, "the status recorded in the store")
    assert worker.stats.statuses == 1


# --- rejections ------------------------------------------------------------------------


async def test_rejected_messages_are_quarantined_with_the_reason_and_ingest_goes_on(
    worker: BridgeWorker, store: SqliteStore
) -> None:
    worker.handle(message(Kind.READING, b'{"v":1,'))
    worker.handle(message(Kind.READING, golden("reading.json"), device="garage"))
    worker.handle(message(Kind.ACK, golden("ack.json")))
    worker.handle(live(reading(60)))

    async def quarantined() -> bool:
        return len(await store.quarantined(limit=10)) == 3

    await eventually(quarantined, "3 messages quarantined")
    await eventually(lambda: worker.stats.stored == 1, "the valid reading stored")

    kept = await store.quarantined(limit=10)
    assert [(m.reason, m.device, m.topic, m.rx_ms) for m in kept] == [
        (Reason.UNEXPECTED_KIND, DEVICE, topic(DEVICE, Kind.ACK), RX),
        (Reason.DEVICE_MISMATCH, "garage", topic("garage", Kind.READING), RX),
        (Reason.MALFORMED_JSON, DEVICE, topic(DEVICE, Kind.READING), RX),
    ]
    assert kept[2].excerpt == '{"v":1,'
    assert dict(worker.stats.rejected) == {
        Reason.MALFORMED_JSON: 1,
        Reason.DEVICE_MISMATCH: 1,
        Reason.UNEXPECTED_KIND: 1,
    }
    assert await stored_seqs(store) == [60]
    assert await stored_seqs(store, "garage") == []
