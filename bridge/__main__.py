"""``python -m bridge``: run one ingest worker until SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

from bridge import config as bridge_config
from bridge.layers import build_sender
from bridge.worker import BridgeWorker
from config import ConfigError
from storage import StoreError, open_store
from storage.factory import describe_store_url
from storage.maintenance import run_maintenance

log = logging.getLogger("sensebridge.bridge")


async def serve(cfg: bridge_config.BridgeConfig) -> None:
    """Open the store and the channel layer, then run the worker (and store maintenance) until cancelled."""
    store = await open_store(cfg.store_url, retention=cfg.retention)
    maintenance = asyncio.create_task(run_maintenance(store), name="bridge-store-maintenance")
    try:
        worker = BridgeWorker(cfg, store=store, layer=build_sender(cfg.channel_layer, cfg.redis_url))
        await worker.run()
    finally:
        maintenance.cancel()
        await asyncio.gather(maintenance, return_exceptions=True)
        await store.close()


def main() -> int:
    """Console entry point (``sensebridge-bridge``)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        cfg = bridge_config.load()
    except ConfigError as exc:
        print(f"sensebridge-bridge: {exc}", file=sys.stderr)
        return 2

    async def runner() -> None:
        task = asyncio.current_task()
        assert task is not None
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, task.cancel)
        log.info(
            "bridge starting: broker %s (MQTT %s), store %s, layer %s, tick %d ms",
            cfg.broker.url,
            cfg.protocol,
            describe_store_url(cfg.store_url),
            cfg.channel_layer,
            cfg.tick_ms,
        )
        try:
            await serve(cfg)
        except asyncio.CancelledError:
            log.info("bridge stopping")

    try:
        asyncio.run(runner())
    except (StoreError, ValueError) as exc:
        print(f"bridge: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
