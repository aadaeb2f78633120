"""``python -m bench.bridge_variant``: the real bridge worker with parts switched for before/after figures.

The worker, its loops and its MQTT adapter are the production ones; options switch one
part each, back to what it was before the fast path or out of the way:

* ``--store null`` -- a store that writes nothing (what the bridge itself costs);
* ``--store sqlite-thread`` -- the SQLite store writing from a thread of the bridge's process
  (before its writer process);
* ``--sender layer`` -- one ``group_send`` per frame through channels_redis (before
  :class:`~bridge.layers.PubSubGroupSender`).

Store linger is a setting (``BRIDGE_STORE_LINGER_MS``); ``--switch-interval`` sets the GIL
switch interval (tried, not adopted: docs/benchmarks.md). Settings come from the same
environment variables as ``python -m bridge``. Benchmark use only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Sequence
from typing import Any

from bridge import config as bridge_config
from bridge.layers import LayerSender, build_layer, build_sender
from bridge.worker import BridgeWorker
from contract.models import Reading, Status
from storage import open_store
from storage.base import InsertResult, QuarantinedMessage
from storage.factory import sqlite_path
from storage.sqlite import SqliteStore


class NullStore:
    """Accepts every write as done and keeps nothing."""

    async def insert_readings(self, readings: Sequence[Reading]) -> InsertResult:
        """Everything stored, nothing duplicate."""
        return InsertResult(stored=len(readings), duplicates=0)

    async def record_statuses(self, statuses: Sequence[tuple[Status, int]]) -> None:
        """Nothing to do."""

    async def quarantine(self, messages: Sequence[QuarantinedMessage]) -> None:
        """Nothing to do."""

    async def close(self) -> None:
        """Nothing to do."""


async def serve(args: argparse.Namespace) -> None:
    """Run the worker until SIGTERM/SIGINT."""
    cfg = bridge_config.load()
    task = asyncio.current_task()
    assert task is not None
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, task.cancel)
    sender = (
        LayerSender(build_layer(cfg.channel_layer, cfg.redis_url))
        if args.sender == "layer"
        else build_sender(cfg.channel_layer, cfg.redis_url)
    )
    store: Any
    if args.store == "null":
        store = NullStore()
    elif args.store == "sqlite-thread":
        store = await SqliteStore.open(sqlite_path(cfg.store_url), writer="thread")
    else:
        store = await open_store(cfg.store_url)
    logging.getLogger("sensebridge.bridge").info("bridge variant: %s", vars(args))
    try:
        with contextlib.suppress(asyncio.CancelledError):
            await BridgeWorker(cfg, store=store, layer=sender).run()
    finally:
        await store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--store", choices=("real", "null", "sqlite-thread"), default="real")
    parser.add_argument("--sender", choices=("pipeline", "layer"), default="pipeline")
    parser.add_argument("--switch-interval", type=float, help="sys.setswitchinterval, seconds (an experiment)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.switch_interval is not None:
        sys.setswitchinterval(args.switch_interval)
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
