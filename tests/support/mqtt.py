"""A blocking MQTT v5 test client (paho-mqtt 2.x) whose every step waits on an event with a timeout.

Callbacks run on paho's network thread; they only record what arrived under one condition
variable, and the test thread waits on it: ``publish`` returns once the broker's PUBACK is
in, ``subscribe`` once the SUBACK is in, ``expect`` returns the next message.

Exceptions:
    MqttTestError: a step timed out or the broker refused it; the message says which.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from contract.broker import parse_mqtt_url, tls_context
from contract.codec import decode_ack

DEFAULT_TIMEOUT = 5.0

_T = TypeVar("_T")


class MqttTestError(AssertionError):
    """A test MQTT step timed out or was refused (an AssertionError, so pytest shows it as a failure)."""


@dataclass(frozen=True, slots=True)
class Received:
    """A message as the subscriber got it."""

    topic: str
    payload: bytes
    qos: int
    retain: bool


class MqttTestClient:
    """Connect to a broker URL (``mqtt[s]://[user:password@]host:port``) for the length of a ``with`` block.

    Args:
        url: Broker URL, e.g. the ``mosquitto`` fixture's ``url`` (which carries the test-only
            ``devstack`` account: devstack brokers refuse anonymous clients).
        client_id: Client id; build it from ``unique_id`` so tests never clash.
        timeout: Seconds each step may take.
        clean_start: False to resume a persistent session.
        session_expiry: Session Expiry Interval in seconds (0: the session ends with the connection).
        ca_file: For an ``mqtts://`` URL, the CA that signed the broker's certificate.
    """

    def __init__(
        self,
        url: str,
        *,
        client_id: str,
        timeout: float = DEFAULT_TIMEOUT,
        clean_start: bool = True,
        session_expiry: int = 0,
        ca_file: Path | None = None,
    ) -> None:
        address = replace(parse_mqtt_url(url), ca_file=ca_file)
        self.host = address.host
        self.port = address.port
        self.client_id = client_id
        self.timeout = timeout
        self.messages: queue.Queue[Received] = queue.Queue()
        self._clean_start = clean_start
        self._session_expiry = session_expiry
        self._changed = threading.Condition()
        self._connack: ReasonCode | None = None
        self._subacks: dict[int, list[ReasonCode]] = {}
        self._pubacks: dict[int, ReasonCode] = {}
        self._client = paho.Client(
            CallbackAPIVersion.VERSION2, client_id=client_id, protocol=MQTTProtocolVersion.MQTTv5
        )
        self._client.on_connect = self._on_connect
        self._client.on_subscribe = self._on_subscribe
        self._client.on_publish = self._on_publish
        self._client.on_message = self._on_message
        if address.username is not None:
            self._client.username_pw_set(address.username, address.password)
        if address.tls:
            self._client.tls_set_context(tls_context(address))

    def __enter__(self) -> Self:
        properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
        properties.SessionExpiryInterval = self._session_expiry
        self._client.connect(self.host, self.port, keepalive=30, clean_start=self._clean_start, properties=properties)
        self._client.loop_start()
        connack = self._wait(lambda: self._connack, f"CONNACK from {self.host}:{self.port}")
        if connack.is_failure:
            raise MqttTestError(f"{self.client_id}: connection refused: {connack}")
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._client.disconnect()
        self._client.loop_stop()

    def publish(self, topic: str, payload: bytes, *, qos: int = 1, retain: bool = False) -> ReasonCode:
        """Publish and wait until the broker has it (PUBACK for QoS 1, sent for QoS 0).

        Returns:
            The PUBACK reason code (success, or e.g. "No matching subscribers").

        Raises:
            MqttTestError: no PUBACK in time, or a failure reason code.
        """
        info = self._client.publish(topic, payload, qos=qos, retain=retain)
        code = self._wait(lambda: self._pubacks.pop(info.mid, None), f"PUBACK for {topic}")
        if code.is_failure:
            raise MqttTestError(f"{self.client_id}: publish to {topic} refused: {code}")
        return code

    def subscribe(self, topic_filter: str, *, qos: int = 1) -> None:
        """Subscribe and wait for the SUBACK.

        Raises:
            MqttTestError: no SUBACK in time, or the broker refused the subscription.
        """
        result, mid = self._client.subscribe(topic_filter, qos=qos)
        if mid is None:
            raise MqttTestError(f"{self.client_id}: subscribe to {topic_filter} not sent: {result}")
        codes = self._wait(lambda: self._subacks.pop(mid, None), f"SUBACK for {topic_filter}")
        if any(code.is_failure for code in codes):
            raise MqttTestError(f"{self.client_id}: subscription to {topic_filter} refused: {codes}")

    def expect(self, timeout: float | None = None) -> Received:
        """The next message received.

        Raises:
            MqttTestError: none arrived within ``timeout`` (default: the client's timeout).
        """
        wait = self.timeout if timeout is None else timeout
        try:
            return self.messages.get(timeout=wait)
        except queue.Empty:
            raise MqttTestError(f"{self.client_id}: no message within {wait:.1f} s") from None

    def _wait(self, ready: Callable[[], _T | None], what: str) -> _T:
        deadline = time.monotonic() + self.timeout
        with self._changed:
            while (value := ready()) is None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise MqttTestError(f"{self.client_id}: no {what} within {self.timeout:.1f} s")
                self._changed.wait(remaining)
            return value

    def _on_connect(self, _c: paho.Client, _u: Any, _f: Any, code: ReasonCode, _p: Any) -> None:
        with self._changed:
            self._connack = code
            self._changed.notify_all()

    def _on_subscribe(self, _c: paho.Client, _u: Any, mid: int, codes: list[ReasonCode], _p: Any) -> None:
        with self._changed:
            self._subacks[mid] = codes
            self._changed.notify_all()

    def _on_publish(self, _c: paho.Client, _u: Any, mid: int, code: ReasonCode, _p: Any) -> None:
        with self._changed:
            self._pubacks[mid] = code
            self._changed.notify_all()

    def _on_message(self, _c: paho.Client, _u: Any, message: paho.MQTTMessage) -> None:
        self.messages.put(Received(message.topic, bytes(message.payload), message.qos, bool(message.retain)))


def acked(client: MqttTestClient, want: set[int], *, timeout: float = 10.0) -> set[int]:
    """Collect the sequence numbers of storage acks ``client`` receives until they cover ``want``."""
    seen: set[int] = set()
    deadline = time.monotonic() + timeout
    while not want <= seen:
        left = deadline - time.monotonic()
        assert left > 0, f"acks covered only {sorted(seen)} of {sorted(want)}"
        ack = decode_ack(client.expect(timeout=left).payload)
        for first, last in ack.ranges:
            seen.update(range(first, last + 1))
    return seen
