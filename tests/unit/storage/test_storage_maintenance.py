"""The periodic maintenance task: it purges on schedule and survives a failing store."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from storage_backends import DAY, T0, everything, reading

from storage.maintenance import run_maintenance
from storage.retention import RetentionPolicy
from storage.sqlite import SqliteStore


async def test_the_task_purges_what_retention_no_longer_keeps_again_and_again(tmp_path: Path) -> None:
    store = await SqliteStore.open(tmp_path / "m.sqlite3", retention=RetentionPolicy(30, 60, 0))
    calls: list[int] = []
    third_call = asyncio.Event()
    now = T0 + 100 * DAY

    def clock() -> int:
        calls.append(now)
        if len(calls) == 3:
            third_call.set()
        return now

    try:
        await store.insert_readings([reading(1, now - 40 * DAY, temperature=1.0), reading(2, now, temperature=2.0)])
        task = asyncio.create_task(run_maintenance(store, interval_s=0.01, clock=clock))
        async with asyncio.timeout(10):
            await third_call.wait()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

        assert [r.seq for r in await everything(store)] == [2]
    finally:
        await store.close()


async def test_a_failing_store_is_logged_and_retried(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    store = await SqliteStore.open(tmp_path / "closed.sqlite3")
    await store.close()  # every call fails from now on
    second_call = asyncio.Event()
    calls = 0

    def clock() -> int:
        nonlocal calls
        calls += 1
        if calls == 2:
            second_call.set()
        return T0

    with caplog.at_level(logging.WARNING, logger="sensebridge.storage"):
        task = asyncio.create_task(run_maintenance(store, interval_s=0.01, clock=clock))
        async with asyncio.timeout(10):
            await second_call.wait()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    assert "store maintenance failed" in caplog.text
