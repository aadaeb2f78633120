"""Stopping the worker while it writes: the batch being written is written once, the rest is drained.

The MQTT loop points at a free port where nothing listens (it just keeps retrying), so no
broker is needed; messages are fed to ``handle`` directly. Waits have deadlines.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Sequence
from pathlib import Path

import contract
from bridge import config as bridge_config
from bridge.pipeline import Incoming
from bridge.worker import BridgeWorker
from contract import codec
from contract.models import Reading
from contract.topics import Kind, topic
from devstack import free_port
from storage.base import InsertResult

READING = codec.decode_reading((Path(contract.__file__).resolve().parent / "golden" / "reading.json").read_bytes())
DEADLINE_S = 5.0


class GatedStore:
    """Records every reading it writes; writes wait until ``gate`` opens.

    Like the SQLite store, whose writes run in a thread, a write goes on to the end even
    when the caller awaiting it is cancelled.
    """

    def __init__(self) -> None:
        self.gate = asyncio.Event()
        self.writing = asyncio.Event()
        self.written: list[int] = []

    async def _write(self, readings: Sequence[Reading]) -> InsertResult:
        await self.gate.wait()
        self.written += [r.seq for r in readings]
        return InsertResult(stored=len(readings), duplicates=0)

    async def insert_readings(self, readings: Sequence[Reading]) -> InsertResult:
        self.writing.set()
        return await asyncio.shield(self._write(readings))

    async def record_statuses(self, statuses: object) -> None:
        """Nothing to record."""

    async def quarantine(self, messages: object) -> None:
        """Nothing to keep."""


def batch(first: int, count: int) -> Incoming:
    readings = [dataclasses.replace(READING, seq=first + i, ts_ms=READING.ts_ms + i) for i in range(count)]
    return Incoming(topic(READING.device, Kind.BATCH), codec.encode_batch(readings), rx_ms=READING.ts_ms + 10_000)


async def test_stopping_mid_write_writes_that_batch_once_then_drains_the_rest() -> None:
    store = GatedStore()
    env = {"CHANNEL_LAYER": "memory", "MQTT_URL": f"mqtt://127.0.0.1:{free_port()}", "BRIDGE_STORE_BATCH": "3"}
    worker = BridgeWorker(bridge_config.load(env), store=store, layer=None)  # type: ignore[arg-type]
    running = asyncio.create_task(worker.run())
    worker.handle(batch(1, 3))
    async with asyncio.timeout(DEADLINE_S):
        await store.writing.wait()  # seqs 1-3 are being written
    worker.handle(batch(4, 2))  # buffered behind them

    running.cancel()
    await asyncio.sleep(0)  # the cancellation reaches run() while the write still waits
    store.gate.set()
    async with asyncio.timeout(DEADLINE_S):
        await asyncio.gather(running, return_exceptions=True)

    assert store.written == [1, 2, 3, 4, 5]
    assert (worker.stats.stored, worker.stats.duplicates) == (5, 0)
