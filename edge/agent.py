"""The edge agent: one per device, sampling into the outbox and publishing over MQTT.

Threads. paho's network thread (``loop_start``) runs the MQTT callbacks, which only set
the ``connected`` flag, publish the ``online`` birth message and turn incoming storage
acks into events on a queue. One worker thread per agent owns the source and the outbox:
it samples at the configured rate, applies acks, re-sends what is due and publishes the
periodic status. Keeping every outbox access on that one thread needs no locks.

Per reading: source -> :class:`~edge.sampler.Sequencer` (next ``seq`` of this boot) ->
:meth:`Outbox.add <edge.outbox.Outbox.add>` (durable first) -> publish on the
``reading`` topic if connected. While disconnected readings only go to the outbox; after
a reconnect, or when an ack is overdue, they go out again as ``batch`` messages (one boot
per batch), with at most :data:`BATCHES_IN_FLIGHT` batches awaiting their PUBACK so a
long backlog never piles up in paho's memory.

Presence: the last will is a retained ``offline`` status; on every connect the agent
publishes a retained ``online`` status with the outbox's pending and dropped counters,
again every ``status_interval_s``, and a clean :meth:`Agent.stop` publishes ``offline``.
"""

from __future__ import annotations

import enum
import logging
import math
import queue
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.reasoncodes import ReasonCode

from contract.codec import decode_ack, encode_reading, encode_status
from contract.errors import ContractError
from contract.models import Status, StorageAck
from contract.topics import Kind, topic
from edge.config import EdgeConfig
from edge.mqtt import KEEPALIVE_S, Backoff, build_client, describe_tls_failure
from edge.outbox import Outbox, OutboxPolicy
from edge.resend import plan_batches
from edge.sampler import Sequencer, new_boot_id
from edge.sources.base import Source

logger = logging.getLogger(__name__)

BATCHES_IN_FLIGHT = 2
RESEND_POLL_S = 0.5
RESEND_BUSY_POLL_S = 0.02
MAINTAIN_INTERVAL_S = 1.0
ERROR_LOG_INTERVAL_S = 60.0


class _Signal(enum.Enum):
    CONNECTED = "connected"
    STOP = "stop"


_Event = StorageAck | _Signal


@dataclass(frozen=True, slots=True)
class AgentStats:
    """A snapshot of an agent's counters.

    Attributes:
        device: Device id.
        boot: Boot id of this run.
        connected: Whether the MQTT connection is up.
        sampled: Readings created (sequence numbers used) this run.
        published: Readings published live on the ``reading`` topic.
        resent: Readings published in ``batch`` messages (re-sends and backfill).
        acked: Readings removed from the outbox by storage acks.
        pending: Readings in the outbox awaiting a storage ack.
        dropped: Readings the outbox had to drop (over its life, persisted).
        skipped: Samples without any valid value (no reading made).
        source_errors: Samples the source failed to read.
        bad_acks: Ack messages rejected (invalid or for another device).
        errors: Unexpected errors caught by the worker's supervisor.
    """

    device: str
    boot: str
    connected: bool
    sampled: int
    published: int
    resent: int
    acked: int
    pending: int
    dropped: int
    skipped: int
    source_errors: int
    bad_acks: int
    errors: int


def _settled(info: mqtt.MQTTMessageInfo) -> bool:
    # A publish paho refused (rc != 0) will never be acknowledged; the outbox re-sends it.
    return info.rc != mqtt.MQTT_ERR_SUCCESS or info.is_published()


class Agent:
    """The agent of one device; embeddable (``start``/``stop``) or run by ``python -m edge``."""

    def __init__(
        self,
        config: EdgeConfig,
        source: Source,
        *,
        device: str | None = None,
        clock: Callable[[], float] = time.time,
        reconnect_min_s: int = 1,
        reconnect_max_s: int = 30,
        rng: random.Random | None = None,
    ) -> None:
        """Create the agent (no I/O until :meth:`start`).

        Args:
            config: Settings.
            source: Where readings come from.
            device: Device id; may be left out when ``config`` has exactly one device.
            clock: Wall clock, seconds since the epoch (reading and status timestamps).
            reconnect_min_s: Shortest wait before reconnecting.
            reconnect_max_s: Longest wait before reconnecting.
            rng: Random generator for the reconnect jitter.

        Raises:
            ValueError: ``device`` missing and ambiguous, or invalid.
        """
        if device is None:
            if len(config.devices) != 1:
                raise ValueError(f"config has devices {config.devices}; pass device=")
            device = config.devices[0]
        self.config = config
        self.source = source
        self.device = device
        self.boot = new_boot_id()
        self._clock = clock
        self._sequencer = Sequencer(device=device, boot=self.boot)
        self._backoff = Backoff(reconnect_min_s, reconnect_max_s, rng)
        self._topics = {kind: topic(device, kind) for kind in Kind}
        self._events: queue.SimpleQueue[_Event] = queue.SimpleQueue()
        self._in_flight: list[mqtt.MQTTMessageInfo] = []
        self._client: mqtt.Client | None = None
        self._outbox: Outbox | None = None
        self._worker: threading.Thread | None = None
        self._started = False
        self._stopping = False
        self._connected = False
        self._rejected_channels: set[str] = set()
        self._last_error: tuple[str, float] = ("", -math.inf)
        self._tls_failure: OSError | None = None
        self._answered = False  # the broker answered the current connection attempt (CONNACK)
        self._failure_logged = ""
        self.sampled = self.published = self.resent = self.acked = 0
        self.skipped = self.source_errors = self.bad_acks = self.errors = 0

    # --- public API -------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        """Whether the MQTT connection is up."""
        return self._connected

    @property
    def pending(self) -> int:
        """Readings in the outbox awaiting a storage ack (0 before start)."""
        return self._outbox.pending if self._outbox else 0

    @property
    def dropped(self) -> int:
        """Readings the outbox has dropped over its life (0 before start)."""
        return self._outbox.dropped if self._outbox else 0

    def stats(self) -> AgentStats:
        """A snapshot of the counters."""
        return AgentStats(
            device=self.device,
            boot=self.boot,
            connected=self._connected,
            sampled=self.sampled,
            published=self.published,
            resent=self.resent,
            acked=self.acked,
            pending=self.pending,
            dropped=self.dropped,
            skipped=self.skipped,
            source_errors=self.source_errors,
            bad_acks=self.bad_acks,
            errors=self.errors,
        )

    def start(self) -> None:
        """Open the outbox, start connecting (in the background) and start sampling.

        Raises:
            OutboxError: the outbox cannot be opened (for example, in use by another agent).
            RuntimeError: called twice.
        """
        if self._started:
            raise RuntimeError("an Agent starts once; create a new one (new boot id) to run again")
        self._started = True
        config = self.config
        self._outbox = Outbox(
            config.outbox_path(self.device),
            device=self.device,
            policy=OutboxPolicy(
                max_readings=config.outbox_max_readings,
                max_age_ms=round(config.outbox_max_age_s * 1000),
                ack_timeout_ms=round(config.ack_timeout_s * 1000),
            ),
        )
        try:
            self._connect()
        except BaseException:
            self._outbox.close()
            raise
        self._worker = threading.Thread(target=self._run, name=f"edge-agent-{self.device}", daemon=True)
        self._worker.start()
        logger.info(
            "%s: started with boot %s, broker %s (MQTT %s), %g Hz, outbox %s (%d pending)",
            self.device,
            self.boot,
            config.broker.url,
            config.mqtt_protocol,
            config.rate_hz,
            config.outbox_path(self.device),
            self.pending,
        )

    def _connect(self) -> None:
        """Configure the paho client and start its network thread (connecting in the background)."""
        broker = self.config.broker
        client = build_client(
            device=self.device,
            broker=broker,
            protocol=self.config.mqtt_protocol,
            will_topic=self._topics[Kind.STATUS],
            will_payload=encode_status(Status(device=self.device, online=False, boot=self.boot)),
            on_tls_failure=self._on_tls_failure,
        )
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_connect_fail = self._on_connect_fail
        client.on_message = self._on_message
        client.reconnect_delay_set(self._backoff.minimum_s, self._backoff.minimum_s)
        client.connect_async(broker.host, broker.port, keepalive=KEEPALIVE_S)
        # Set before the network thread starts: its callbacks publish through it.
        self._client = client
        client.loop_start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop sampling, publish the ``offline`` status, disconnect and close the outbox.

        Args:
            timeout: Seconds to wait for the worker and for the ``offline`` PUBACK.
        """
        if not self._started or self._stopping:
            return
        self._stopping = True
        deadline = time.monotonic() + timeout
        self._events.put(_Signal.STOP)
        if self._worker is not None:
            self._worker.join(timeout)
        client = self._client
        if client is not None:
            if self._connected:
                info = self._publish_status(online=False)
                try:
                    info.wait_for_publish(max(0.0, deadline - time.monotonic()))
                except (RuntimeError, ValueError):
                    logger.warning("%s: offline status not confirmed by the broker", self.device)
            client.disconnect()
            client.loop_stop()
        if self._outbox is not None and (self._worker is None or not self._worker.is_alive()):
            self._outbox.close()
        self._connected = False
        logger.info("%s: stopped (boot %s, %s)", self.device, self.boot, self.stats())

    # --- paho callbacks (network thread) ----------------------------------------------

    def _on_connect(
        self, client: mqtt.Client, userdata: Any, flags: mqtt.ConnectFlags, reason: ReasonCode, properties: Any
    ) -> None:
        self._answered = True
        if reason.is_failure:
            logger.error("%s: broker refused the connection: %s", self.device, reason)
            return
        self._connected = True
        self._backoff.reset()
        self._failure_logged = ""
        client.subscribe(self._topics[Kind.ACK], qos=1)
        self._publish_status(online=True)
        self._events.put(_Signal.CONNECTED)
        logger.info("%s: connected to %s (pending %d)", self.device, self.config.broker.url, self.pending)

    def _retry_later(self, client: mqtt.Client) -> int:
        delay = self._backoff.next_delay()
        client.reconnect_delay_set(delay, delay)
        return delay

    def _on_disconnect(
        self, client: mqtt.Client, userdata: Any, flags: mqtt.DisconnectFlags, reason: ReasonCode, properties: Any
    ) -> None:
        was_connected, self._connected = self._connected, False
        answered, self._answered = self._answered, False
        if self._stopping:
            return
        delay = self._retry_later(client)
        if was_connected:
            logger.warning("%s: disconnected (%s); reconnecting in %d s", self.device, reason, delay)
        elif not answered:
            hint = "" if self.config.broker.tls else " (a TLS port needs an mqtts:// MQTT_URL)"
            self._log_failure(f"{self.config.broker.url} closed the connection without answering{hint}", delay)

    def _on_tls_failure(self, error: OSError) -> None:
        self._tls_failure = error  # on paho's thread, just before _on_connect_fail

    def _on_connect_fail(self, client: mqtt.Client, userdata: Any) -> None:
        delay = self._retry_later(client)
        failure, self._tls_failure = self._tls_failure, None
        if failure is None:
            logger.info("%s: cannot reach %s; retrying in %d s", self.device, self.config.broker.url, delay)
        else:
            self._log_failure(describe_tls_failure(failure, self.config.broker), delay)

    def _log_failure(self, text: str, delay: int) -> None:
        """Log why connecting failed: ERROR the first time, INFO while the same cause repeats.

        A wrong CA file, host name or scheme stays wrong until someone fixes the settings.
        """
        level = logging.INFO if text == self._failure_logged else logging.ERROR
        self._failure_logged = text
        logger.log(level, "%s: %s; retrying in %d s (readings stay in the outbox)", self.device, text, delay)

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        if message.topic != self._topics[Kind.ACK]:
            return
        try:
            ack = decode_ack(bytes(message.payload))
        except ContractError as exc:
            self.bad_acks += 1
            logger.warning("%s: rejected ack: %s", self.device, exc)
            return
        if ack.device != self.device:
            self.bad_acks += 1
            logger.warning("%s: ack for device %r on my topic ignored", self.device, ack.device)
            return
        self._events.put(ack)

    # --- publishing (either thread; paho's publish is thread-safe) --------------------

    def _now_ms(self) -> int:
        return math.floor(self._clock() * 1000)

    def _publish_status(self, *, online: bool) -> mqtt.MQTTMessageInfo:
        status = Status(
            device=self.device,
            online=online,
            boot=self.boot,
            ts_ms=self._now_ms(),
            pending=self.pending,
            dropped=self.dropped,
        )
        assert self._client is not None
        return self._client.publish(self._topics[Kind.STATUS], encode_status(status), qos=1, retain=True)

    # --- worker thread ----------------------------------------------------------------

    def _run(self) -> None:
        period = 1.0 / self.config.rate_hz
        now = time.monotonic()
        next_sample, next_resend = now, now
        next_maintain = now + MAINTAIN_INTERVAL_S
        next_status = now + self.config.status_interval_s
        while True:
            wait = min(next_sample, next_resend, next_maintain, next_status) - time.monotonic()
            try:
                event = self._events.get(timeout=max(0.0, wait))
            except queue.Empty:
                event = None
            if event is _Signal.STOP:
                break
            if event is _Signal.CONNECTED:
                next_resend = time.monotonic()
            elif isinstance(event, StorageAck):
                self._guard(self._apply_ack, event)
            now = time.monotonic()
            if now >= next_sample:
                # Missed ticks are skipped, not caught up in a burst.
                next_sample = max(next_sample + period, now)
                self._guard(self._sample)
            if now >= next_resend:
                busy = self._guard(self._resend)
                next_resend = now + (RESEND_BUSY_POLL_S if busy else RESEND_POLL_S)
            if now >= next_maintain:
                next_maintain = now + MAINTAIN_INTERVAL_S
                self._guard(self._maintain)
            if now >= next_status:
                next_status = now + self.config.status_interval_s
                if self._connected:
                    self._guard(self._publish_status, online=True)

    def _guard(self, step: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """The worker's supervisor: one failing step is logged and counted, the loop goes on."""
        try:
            return step(*args, **kwargs)
        except Exception as exc:  # the supervisor: the one place that catches all
            self.errors += 1
            text, when = f"{type(exc).__name__}: {exc}", time.monotonic()
            if text != self._last_error[0] or when - self._last_error[1] >= ERROR_LOG_INTERVAL_S:
                self._last_error = (text, when)
                logger.exception("%s: %s failed (%d errors so far)", self.device, step.__name__, self.errors)
            return None

    def _sample(self) -> None:
        assert self._outbox is not None
        assert self._client is not None
        try:
            raw = self.source.read()
        except OSError as exc:
            self.source_errors += 1
            if self.source_errors == 1 or self.source_errors % 100 == 0:
                logger.warning("%s: source read failed (%d so far): %s", self.device, self.source_errors, exc)
            return
        now_ms = self._now_ms()
        reading, clean = self._sequencer.reading(raw, now_ms)
        fresh = clean.rejected.keys() - self._rejected_channels
        if fresh:
            self._rejected_channels |= fresh
            logger.warning("%s: channel values rejected: %s", self.device, {k: clean.rejected[k] for k in fresh})
        if reading is None:
            self.skipped += 1
            return
        self.sampled += 1
        connected = self._connected
        dropped = self._outbox.add(reading, now_ms=now_ms, sent=connected)
        if dropped:
            logger.warning(
                "%s: outbox full, dropped %d oldest readings (%d in total)", self.device, dropped, self.dropped
            )
        if connected:
            self._client.publish(self._topics[Kind.READING], encode_reading(reading), qos=1)
            self.published += 1

    def _apply_ack(self, ack: StorageAck) -> None:
        assert self._outbox is not None
        self.acked += self._outbox.acknowledge(ack)

    def _resend(self) -> bool:
        """Publish due readings as batches; True if more may be due right away."""
        assert self._outbox is not None
        assert self._client is not None
        self._in_flight = [info for info in self._in_flight if not _settled(info)]
        limit = self.config.resend_batch
        while self._connected and len(self._in_flight) < BATCHES_IN_FLIGHT:
            now_ms = self._now_ms()
            due = self._outbox.due(now_ms, limit)
            if not due:
                return False
            for batch in plan_batches([item.reading for item in due], limit):
                self._in_flight.append(self._client.publish(self._topics[Kind.BATCH], batch.payload, qos=1))
                self.resent += len(batch.readings)
            self._outbox.mark_sent(due, now_ms)
            if len(due) < limit:
                return False
        return self._connected

    def _maintain(self) -> None:
        assert self._outbox is not None
        dropped = self._outbox.maintain(self._now_ms())
        if dropped:
            logger.warning(
                "%s: dropped %d readings older than %g s (%d in total)",
                self.device,
                dropped,
                self.config.outbox_max_age_s,
                self.dropped,
            )
