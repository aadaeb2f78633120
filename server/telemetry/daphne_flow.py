"""Backpressure under daphne: a ``websocket.send`` that waits while Twisted's write buffer is full.

uvicorn's ``send`` waits by itself while the socket's buffer is full. daphne's returns at
once: it hands the message to autobahn, which writes it to the Twisted transport, and the
transport buffers whatever the socket does not take, without limit. Twisted's own flow
control is the way out: a push producer registered on a transport is paused when the
transport's buffer passes its ``bufferSize`` (64 KiB) and resumed once the buffer has
drained into the socket. :func:`flow_controlled` registers one per connection (a :class:`WriteGate`) and
wraps ``send`` so that it waits while the gate is closed. The live consumer's outbox then
behaves as under uvicorn: while a send waits, only the newest frame per device is kept.

One piece of daphne's private structure is relied on, so daphne's version is pinned in
pyproject.toml and ``tests/unit/server/test_daphne_flow.py`` fails when it changes: the
``send`` daphne hands an application is ``functools.partial(Server.handle_reply, protocol)``,
``protocol`` being the connection's autobahn ``WebSocketServerProtocol``. The rest is public:
autobahn's ``registerProducer``/``unregisterProducer``, Twisted's ``IPushProducer`` and the
transport's documented ``producer`` attribute.

Under any other server :func:`flow_controlled` returns ``send`` itself: nothing is added to
the hot path there. Nor where daphne terminates TLS itself: its TLS wrapper hides the
producer it holds, so there is no room for another; such a connection is served as before
(unbounded) and a warning says so once. Nothing here imports daphne or Twisted (importing ``daphne.server``
installs Twisted's reactor); daphne is recognised only once it is already running.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import sys
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

log = logging.getLogger("sensebridge.live")

Send = Callable[[dict[str, Any]], Awaitable[None]]


class Producer(Protocol):
    """Twisted's ``IPushProducer``, as far as a transport calls it."""

    def pauseProducing(self) -> None:  # noqa: N802 - Twisted's interface
        """Stop writing: the consumer's buffer is full."""

    def resumeProducing(self) -> None:  # noqa: N802 - Twisted's interface
        """Write again: the consumer's buffer has drained."""

    def stopProducing(self) -> None:  # noqa: N802 - Twisted's interface
        """Stop for good: the consumer is gone."""


class WriteGate:
    """A push producer that closes :attr:`writable` while the transport's buffer is full.

    It takes the place of the producer registered on the transport before it (daphne leaves
    the HTTP channel that did the upgrade there) and passes every call on to it, so that
    producer sees what it saw before.

    Attributes:
        writable: Set while the transport takes more data without buffering past its limit.
    """

    def __init__(self, previous: Producer | None) -> None:
        """Create an open gate that passes calls on to ``previous``."""
        self.writable = asyncio.Event()
        self.writable.set()
        self._previous = previous

    def pauseProducing(self) -> None:  # noqa: N802 - Twisted's interface
        """The transport's buffer is past its limit: sends wait."""
        self.writable.clear()
        if self._previous is not None:
            self._previous.pauseProducing()

    def resumeProducing(self) -> None:  # noqa: N802 - Twisted's interface
        """The transport's buffer has drained: sends go on."""
        self.writable.set()
        if self._previous is not None:
            self._previous.resumeProducing()

    def stopProducing(self) -> None:  # noqa: N802 - Twisted's interface
        """The connection is gone: nothing will drain, so nothing may wait (daphne drops later sends)."""
        self.writable.set()
        if self._previous is not None:
            self._previous.stopProducing()


def _warn_unbounded(transport: object) -> None:
    global _warned  # noqa: PLW0603 - once per process, not once per connection
    if not _warned:
        _warned = True
        log.warning("no flow control on %r: a client that stops reading will cost memory", transport)


_warned = False


def daphne_protocol(send: Send) -> Any | None:
    """The autobahn protocol behind ``send`` if daphne made it, else None."""
    server = sys.modules.get("daphne.server")
    if server is None or not isinstance(send, functools.partial) or len(send.args) != 1:
        return None
    if not isinstance(getattr(send.func, "__self__", None), server.Server):
        return None
    return send.args[0]


def flow_controlled(send: Send) -> Send:
    """``send``, waiting after each message while the connection's write buffer is full.

    Returns ``send`` itself unless daphne made it (uvicorn's send already waits), if the
    connection has no transport any more, or if its transport takes no producer (TLS).
    """
    protocol = daphne_protocol(send)
    transport = getattr(protocol, "transport", None)
    if protocol is None or transport is None:
        return send
    previous = getattr(transport, "producer", None)
    gate = WriteGate(previous)
    try:
        if previous is not None:
            protocol.unregisterProducer()
        protocol.registerProducer(gate, True)
    except RuntimeError:  # a producer it cannot see holds the place (daphne's own TLS): serve as before
        _warn_unbounded(transport)
        return send
    writable = gate.writable

    async def send_then_wait_for_room(message: dict[str, Any]) -> None:
        await send(message)
        if not writable.is_set():
            await writable.wait()

    return send_then_wait_for_room
