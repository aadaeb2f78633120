"""The paho-mqtt adapter: client set-up, TLS, TCP_NODELAY and jittered reconnect backoff.

paho (2.x, callback API v2) owns the network thread and reconnects by itself; this
module only configures it. paho's own backoff doubles without jitter, so
:class:`Backoff` picks each wait at random between the minimum and the current
exponential cap ("full jitter") and the agent hands it to paho before every retry:
many devices that lost the same broker do not all knock again in the same second.

TLS (``mqtts://``) uses :func:`contract.broker.tls_context` (certificate and host name verified).
paho's ``on_connect_fail`` does not say why a connection failed, so the context's sockets report a
failed TLS handshake (:func:`report_tls_failures`) and the agent can name the cause.
"""

from __future__ import annotations

import logging
import random
import socket
import ssl
from collections.abc import Callable
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from contract.broker import BrokerAddress, tls_context

KEEPALIVE_S = 30
CONNECT_TIMEOUT_S = 5.0


class _QuietRetries(logging.Filter):
    """Drops paho's ERROR line on every failed reconnect attempt; the agent logs those itself."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Client is not connected")


paho_logger = logging.getLogger("edge.paho")
paho_logger.addFilter(_QuietRetries())


class Backoff:
    """Exponential backoff with full jitter, in whole seconds (what paho accepts)."""

    def __init__(self, minimum_s: int = 1, maximum_s: int = 30, rng: random.Random | None = None) -> None:
        """Create a backoff.

        Args:
            minimum_s: Shortest wait, and the first cap.
            maximum_s: Longest wait.
            rng: Random generator (injectable for tests).

        Raises:
            ValueError: ``minimum_s`` < 1 or ``maximum_s`` < ``minimum_s``.
        """
        if minimum_s < 1 or maximum_s < minimum_s:
            raise ValueError(f"need 1 <= minimum_s <= maximum_s, got {minimum_s}, {maximum_s}")
        self.minimum_s = minimum_s
        self.maximum_s = maximum_s
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not cryptography
        self._attempt = 0

    def cap(self) -> int:
        """The largest wait the next call to :meth:`next_delay` may return."""
        return min(self.maximum_s, self.minimum_s << min(self._attempt, 30))

    def next_delay(self) -> int:
        """The wait before the next attempt; each call doubles the cap (up to the maximum)."""
        delay = self._rng.randint(self.minimum_s, self.cap())
        self._attempt += 1
        return delay

    def reset(self) -> None:
        """Start again from the minimum (after a successful connection)."""
        self._attempt = 0


def set_nodelay(client: mqtt.Client, userdata: Any, sock: object) -> None:
    """Disable Nagle's algorithm on the broker socket (paho ``on_socket_open`` callback).

    paho never sets TCP_NODELAY, which adds a ~40 ms delayed-ACK stall to small QoS 1
    messages.
    """
    if isinstance(sock, socket.socket) and sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


TlsFailureHandler = Callable[[OSError], None]


def report_tls_failures(context: ssl.SSLContext, report: TlsFailureHandler) -> ssl.SSLContext:
    """Make every socket of ``context`` call ``report`` with the error of a failed TLS handshake.

    Uses :attr:`ssl.SSLContext.sslsocket_class`, the standard library's documented hook for this.
    The error is raised on as before, so paho handles the failure as any other (and retries).

    Returns:
        ``context`` itself.
    """

    class ReportingSocket(ssl.SSLSocket):
        def do_handshake(self, block: bool = False) -> None:
            try:
                super().do_handshake(block)
            except OSError as exc:  # SSLError, and a reset or time-out during the handshake
                report(exc)
                raise

    context.sslsocket_class = ReportingSocket
    return context


def describe_tls_failure(error: OSError, broker: BrokerAddress) -> str:
    """One sentence on a failed TLS handshake with ``broker``: the cause and what verified it."""
    if isinstance(error, ssl.SSLCertVerificationError):
        cause = f"its certificate was refused ({error.verify_message})"
    elif isinstance(error, ssl.SSLError):
        cause = f"TLS error {error.reason or error}"
    else:
        cause = f"{error.strerror or error} during the handshake (is it a TLS port?)"
    return f"TLS handshake with {broker.url} failed: {cause}; verified with {broker.trust}"


def client_id(device: str) -> str:
    """The MQTT client id of the agent of ``device``."""
    return f"sensebridge-edge-{device}"


def build_client(
    *,
    device: str,
    broker: BrokerAddress,
    protocol: str,
    will_topic: str,
    will_payload: bytes,
    on_tls_failure: TlsFailureHandler | None = None,
) -> mqtt.Client:
    """A configured, not yet connected paho client (logging to ``edge.paho``).

    Args:
        device: Device id (gives the client id).
        broker: Broker address, credentials and TLS settings.
        protocol: ``"5"`` or ``"3.1.1"``.
        will_topic: Topic of the last will.
        will_payload: Last-will payload (retained, QoS 1).
        on_tls_failure: Called (on paho's thread) with the error of each failed TLS handshake.

    Raises:
        OSError, ssl.SSLError: the CA file cannot be read (the settings loader checked it at start).
    """
    v5 = protocol == "5"
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2,
        client_id=client_id(device),
        protocol=mqtt.MQTTv5 if v5 else mqtt.MQTTv311,
        clean_session=None if v5 else True,
    )
    if broker.username is not None:
        client.username_pw_set(broker.username, broker.password)
    client.will_set(will_topic, will_payload, qos=1, retain=True)
    if broker.tls:
        context = tls_context(broker)
        client.tls_set_context(report_tls_failures(context, on_tls_failure) if on_tls_failure else context)
    client.on_socket_open = set_nodelay
    client.connect_timeout = CONNECT_TIMEOUT_S
    client.enable_logger(paho_logger)
    # A bug in a callback must not kill paho's network thread: paho logs it instead.
    client.suppress_exceptions = True
    return client
