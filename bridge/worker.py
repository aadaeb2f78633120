"""The bridge worker: carries out the pipeline's outcomes against MQTT, the store and the layer.

Hot path (:meth:`BridgeWorker.handle`, synchronous, on the event loop): classify the
message and append to in-memory buffers; no await, no task per message. Three loops
do the I/O in batches:

* storage: write buffered readings in one transaction per batch, *then* publish the
  storage acks (a device forgets a reading only once it is durable here); on a store
  failure nothing is acknowledged and the batch is retried with backoff. A write waits
  up to ``BRIDGE_STORE_LINGER_MS`` for more readings (unless a batch is full): a steady
  trickle becomes a few transactions and acks per second instead of one per reading;
* live: coalesced frames (one per device per tick), serialized once, and everything ready
  sent in one go (one pipelined Redis round trip with the pub/sub layer); independent of
  storage so the dashboard never waits for the disk;
* MQTT: a persistent session, reconnected with jittered backoff.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
from dataclasses import dataclass, field
from typing import Any

from bridge.coalescer import Coalescer
from bridge.config import BridgeConfig
from bridge.layers import GroupSender, LayerSender
from bridge.mqtt import FastClient, broker_options, connect_options, sleep_backoff
from bridge.pipeline import Accepted, Incoming, Presence, Rejected, classify
from contract.codec import encode_ack
from contract.live import FLEET_GROUP, device_group, frame_event, frame_message, status_event, status_message, to_text
from contract.models import Reading, Status, StorageAck, seq_ranges
from contract.topics import Kind, subscription, topic
from storage.base import QuarantinedMessage, Store

log = logging.getLogger("sensebridge.bridge")

MAX_LIVE_BACKLOG = 10_000
STATS_INTERVAL_S = 30.0


@dataclass(slots=True)
class BridgeStats:
    """Counters, for logs, tests and the metrics endpoint."""

    received: int = 0
    readings_accepted: int = 0
    stored: int = 0
    duplicates: int = 0
    acks_sent: int = 0
    statuses: int = 0
    ignored: int = 0
    rejected: collections.Counter[str] = field(default_factory=collections.Counter)
    frames_sent: int = 0
    store_errors: int = 0
    layer_errors: int = 0
    overflow_dropped: int = 0
    live_dropped: int = 0

    def summary(self) -> str:
        """One log line."""
        rejected = sum(self.rejected.values())
        return (
            f"received={self.received} stored={self.stored} duplicates={self.duplicates} "
            f"acks={self.acks_sent} frames={self.frames_sent} rejected={rejected} "
            f"store_errors={self.store_errors} overflow_dropped={self.overflow_dropped}"
        )


class BridgeWorker:
    """One ingest worker; run several on a shared subscription to scale out."""

    def __init__(self, config: BridgeConfig, *, store: Store, layer: Any) -> None:
        """Create a worker.

        Args:
            config: Settings.
            store: Where readings go.
            layer: A :class:`~bridge.layers.GroupSender`, or any Channels layer (anything
                with ``async group_send(group, message)``).
        """
        self.config = config
        self.stats = BridgeStats()
        self.connected = asyncio.Event()
        self._store = store
        self._sender: GroupSender = layer if hasattr(layer, "group_send_many") else LayerSender(layer)
        self._layer_down = False
        self._client: FastClient | None = None
        self._pending: list[Reading] = []
        self._statuses: list[tuple[Status, int]] = []
        self._quarantine: list[QuarantinedMessage] = []
        self._store_wakeup = asyncio.Event()
        self._batch_full = asyncio.Event()
        self._coalescer = Coalescer(config.tick_ms)
        self._live_out: collections.deque[tuple[str, dict[str, Any]]] = collections.deque()
        self._live_wakeup = asyncio.Event()
        self._release_soon = False
        self._release_timer: asyncio.TimerHandle | None = None
        self._stopping = False
        self._loop = asyncio.get_running_loop()

    # --- hot path ---------------------------------------------------------------

    def handle(self, msg: Incoming) -> None:
        """Take one MQTT message (synchronous; called for every message)."""
        self.stats.received += 1
        outcome = classify(msg, max_future_ms=self.config.max_future_ms)
        if isinstance(outcome, Accepted):
            self.stats.readings_accepted += len(outcome.readings)
            room = self.config.max_pending - len(self._pending)
            if room < len(outcome.readings):
                # Safe to drop: unacknowledged readings stay in the device's outbox and come back.
                self.stats.overflow_dropped += len(outcome.readings)
            else:
                self._pending.extend(outcome.readings)
            self._store_wakeup.set()
            if len(self._pending) >= self.config.store_batch:
                self._batch_full.set()
            if outcome.live:
                for reading in outcome.readings:
                    self._coalescer.add(reading)
                self._schedule_release()
        elif isinstance(outcome, Presence):
            self.stats.statuses += 1
            self._statuses.append((outcome.status, msg.rx_ms))
            self._store_wakeup.set()
            message = status_message(outcome.status, received_ts=msg.rx_ms)
            self._publish_live(FLEET_GROUP, status_event(to_text(message)))
        elif isinstance(outcome, Rejected):
            self.stats.rejected[outcome.message.reason] += 1
            self._quarantine.append(outcome.message)
            self._store_wakeup.set()
            log.warning(
                "rejected message on %s: %s (%s)",
                outcome.message.topic,
                outcome.message.reason,
                outcome.message.detail,
            )
        else:
            self.stats.ignored += 1

    # --- live path --------------------------------------------------------------

    def _schedule_release(self) -> None:
        if not self._release_soon:
            self._release_soon = True
            self._loop.call_soon(self._release_frames)

    def _release_frames(self) -> None:
        self._release_soon = False
        if self._release_timer is not None:
            self._release_timer.cancel()
            self._release_timer = None
        now_ms = self._loop.time() * 1000
        for readings in self._coalescer.due(now_ms):
            text = to_text(frame_message(readings))
            device = readings[0].device
            self._publish_live(device_group(device), frame_event(text, device=device))
        next_ms = self._coalescer.next_due_ms()
        if next_ms is not None:
            self._release_timer = self._loop.call_at(next_ms / 1000, self._release_frames)

    def _publish_live(self, group: str, event: dict[str, Any]) -> None:
        if len(self._live_out) >= MAX_LIVE_BACKLOG:
            self._live_out.popleft()
            self.stats.live_dropped += 1
        self._live_out.append((group, event))
        self._live_wakeup.set()

    async def _live_loop(self) -> None:
        while True:
            await self._live_wakeup.wait()
            self._live_wakeup.clear()
            while self._live_out:
                batch = list(self._live_out)
                self._live_out.clear()
                try:
                    await self._sender.group_send_many(batch)
                except Exception as exc:  # supervisor boundary: a layer outage must not stop ingest
                    self.stats.layer_errors += len(batch)
                    if not self._layer_down:
                        self._layer_down = True
                        log.warning("live frames not sent, channel layer unavailable: %r", exc)
                else:
                    self.stats.frames_sent += len(batch)
                    if self._layer_down:
                        self._layer_down = False
                        log.info("channel layer back: live frames flowing again")

    # --- storage path -----------------------------------------------------------

    def _buffered(self) -> bool:
        return bool(self._pending or self._statuses or self._quarantine)

    async def _store_loop(self) -> None:
        attempt = 0
        while not (self._stopping and not self._buffered()):
            await self._store_wakeup.wait()
            self._store_wakeup.clear()
            while self._buffered():
                await self._linger()
                try:
                    await self._flush_once()
                except Exception as exc:  # supervisor boundary: never acknowledge, retry, keep ingesting
                    self.stats.store_errors += 1
                    log.warning("store failed, nothing acknowledged, retrying: %r", exc)
                    await sleep_backoff(attempt, base_s=0.1, cap_s=5.0)
                    attempt += 1
                else:
                    attempt = 0

    async def _linger(self) -> None:
        """Give more readings the chance to join this write, unless a batch is full or we stop."""
        if self.config.store_linger_ms and not self._stopping and len(self._pending) < self.config.store_batch:
            self._batch_full.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._batch_full.wait(), self.config.store_linger_ms / 1000)

    async def _flush_once(self) -> None:
        if self._quarantine:
            quarantine = list(self._quarantine)
            await self._store.quarantine(quarantine)
            del self._quarantine[: len(quarantine)]
        if self._statuses:
            statuses = list(self._statuses)
            await self._store.record_statuses(statuses)
            del self._statuses[: len(statuses)]
        if self._pending:
            batch = self._pending[: self.config.store_batch]
            result = await self._store.insert_readings(batch)
            del self._pending[: len(batch)]
            self.stats.stored += result.stored
            self.stats.duplicates += result.duplicates
            self._acknowledge(batch)

    def _acknowledge(self, batch: list[Reading]) -> None:
        """Tell each device which of its readings are now durable (duplicates included)."""
        seqs: dict[tuple[str, str], list[int]] = {}
        for reading in batch:
            seqs.setdefault((reading.device, reading.boot), []).append(reading.seq)
        client = self._client
        if client is None:
            return  # the devices re-send after their ack timeout and get acknowledged then
        for (device, boot), numbers in seqs.items():
            ack = StorageAck(device=device, boot=boot, ranges=seq_ranges(numbers))
            if client.publish_nowait(topic(device, Kind.ACK), encode_ack(ack), qos=1):
                self.stats.acks_sent += 1

    async def _finish_storing(self, store_task: asyncio.Task[None], timeout_s: float) -> None:
        """Let the store loop write what is buffered, then end it (used on shutdown).

        The loop is never cancelled in the middle of a write: the batch would be written
        but kept in the buffer, and written again.
        """
        self._stopping = True
        self._store_wakeup.set()
        self._batch_full.set()
        try:
            await asyncio.wait_for(asyncio.shield(store_task), timeout=timeout_s)
        except TimeoutError:
            log.warning("shutdown: %d readings not stored (the devices will re-send)", len(self._pending))
        finally:
            store_task.cancel()
            await asyncio.gather(store_task, return_exceptions=True)

    # --- MQTT session -----------------------------------------------------------

    async def _mqtt_loop(self) -> None:
        cfg = self.config
        filters = [(subscription(kind, share_group=cfg.share_group), 1) for kind in (Kind.READING, Kind.BATCH)]
        filters.append((subscription(Kind.STATUS), 1))  # every worker tracks presence
        attempt = 0
        while True:
            try:
                client = FastClient(
                    **broker_options(cfg.broker),
                    handler=self.handle,
                    **connect_options(
                        protocol=cfg.protocol, client_id=cfg.client_id, session_expiry_s=cfg.session_expiry_s
                    ),
                )
                async with client:
                    await client.subscribe(filters)
                    self._client = client
                    self.connected.set()
                    attempt = 0
                    log.info("bridge connected to %s as %s", cfg.broker.url, cfg.client_id)
                    await client.wait_disconnected()
            except Exception as exc:  # supervisor boundary: log once, reconnect
                # With TLS, say what verified the broker: a wrong CA file is the usual cause.
                trust = f" (TLS verified with {cfg.broker.trust})" if cfg.broker.tls else ""
                log.warning("MQTT connection to %s failed or lost: %s%s", cfg.broker.url, exc, trust)
            finally:
                self._client = None
                self.connected.clear()
            await sleep_backoff(attempt)
            attempt += 1

    async def _stats_loop(self) -> None:
        last = ""
        while True:
            await asyncio.sleep(STATS_INTERVAL_S)
            line = self.stats.summary()
            if line != last:
                log.info("bridge: %s", line)
                last = line

    async def run(self) -> None:
        """Run until cancelled; on cancellation, store what is buffered (bounded wait)."""
        store_task = asyncio.create_task(self._store_loop(), name="bridge-store")
        tasks = [
            asyncio.create_task(self._live_loop(), name="bridge-live"),
            asyncio.create_task(self._stats_loop(), name="bridge-stats"),
            asyncio.create_task(self._mqtt_loop(), name="bridge-mqtt"),
        ]
        try:
            # Not gather(): cancelling gather() would cancel the store loop mid-write.
            done, _ = await asyncio.wait([store_task, *tasks], return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()  # a loop only ends by a bug: raise it
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await self._finish_storing(store_task, timeout_s=5.0)
            log.info("bridge stopped: %s", self.stats.summary())
