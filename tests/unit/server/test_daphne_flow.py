"""daphne's send made to wait while Twisted's write buffer is full (server/telemetry/daphne_flow.py).

The first test is the one that fails when daphne changes underneath: a real daphne
``Server`` builds an application's ``send`` and :func:`daphne_protocol` must find the
connection behind it. The others drive the gate through a real autobahn protocol (daphne's
own subclass) on Twisted's ``StringTransport``, calling the producer as a transport does
when its buffer fills and drains; tests/integration/test_slow_client.py shows the whole
thing against a client that really stops reading.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest
from twisted.internet.testing import StringTransport

from server.telemetry.daphne_flow import Send, WriteGate, daphne_protocol, flow_controlled

DEADLINE_S = 5.0
MESSAGE = {"type": "websocket.send", "text": "a frame"}


class Recorder:
    """A producer registered before ours (daphne leaves the upgraded HTTP channel there)."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def pauseProducing(self) -> None:
        self.calls.append("pause")

    def resumeProducing(self) -> None:
        self.calls.append("resume")

    def stopProducing(self) -> None:
        self.calls.append("stop")


@pytest.fixture(scope="module")
def daphne_server() -> ModuleType:
    # Importing it installs Twisted's asyncio reactor, as in every daphne process: only here.
    import daphne.server  # noqa: PLC0415

    module: ModuleType = daphne.server
    return module


def make_server(module: ModuleType, application: Any) -> Any:
    return module.Server(application=application, endpoints=["tcp:port=0:interface=127.0.0.1"], signal_handlers=False)


class Replies(list[dict[str, Any]]):
    """What daphne's protocol was asked to write; ``arrived`` is set by each message."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived = asyncio.Event()

    def handle(self, message: dict[str, Any]) -> None:
        self.append(message)
        self.arrived.set()


def connection(module: ModuleType, *, producer: bool = True) -> tuple[Any, StringTransport, Replies]:
    """daphne's WebSocket protocol on a transport, with a producer already registered unless told otherwise."""
    from daphne.ws_protocol import WebSocketProtocol  # noqa: PLC0415 - after the reactor is installed

    protocol = WebSocketProtocol()
    transport = StringTransport()  # type: ignore[no-untyped-call]
    if producer:
        transport.registerProducer(Recorder(), streaming=True)  # type: ignore[no-untyped-call]
    protocol.transport = transport
    replies = Replies()
    protocol.handle_reply = replies.handle  # what would go to autobahn's sendMessage
    return protocol, transport, replies


async def started_send(module: ModuleType, protocol: Any) -> Send:
    """The ``send`` a real daphne server hands the application of ``protocol``'s connection."""
    handed: asyncio.Future[Send] = asyncio.get_running_loop().create_future()

    async def application(scope: dict[str, Any], receive: Callable[..., Any], send: Send) -> None:
        handed.set_result(send)

    server = make_server(module, application)
    server.connections = {}  # what Server.run() starts with, without listening or running the reactor
    server.protocol_connected(protocol)
    server.create_application(protocol, {"type": "websocket", "path": "/ws/live/"})
    async with asyncio.timeout(DEADLINE_S):
        return await handed


async def test_daphne_hands_an_application_a_send_that_leads_to_its_connection(daphne_server: ModuleType) -> None:
    protocol, _, _ = connection(daphne_server)

    send = await started_send(daphne_server, protocol)

    assert daphne_protocol(send) is protocol


async def test_under_any_other_server_send_is_returned_as_it_is() -> None:
    async def send(message: dict[str, Any]) -> None:
        pass

    assert flow_controlled(send) is send


async def test_a_send_waits_while_the_transport_buffer_is_full_and_goes_on_once_it_drains(
    daphne_server: ModuleType,
) -> None:
    protocol, transport, replies = connection(daphne_server)
    previous = transport.producer
    send = flow_controlled(await started_send(daphne_server, protocol))
    gate = transport.producer
    assert isinstance(gate, WriteGate)

    await send(MESSAGE)  # room in the buffer: returns at once
    gate.pauseProducing()  # the transport's buffer passed its limit
    replies.arrived.clear()
    waiting = asyncio.ensure_future(send(MESSAGE))
    async with asyncio.timeout(DEADLINE_S):
        await replies.arrived.wait()
    assert not waiting.done()  # handed to the transport, then waiting for room
    assert len(replies) == 2
    gate.resumeProducing()  # drained
    async with asyncio.timeout(DEADLINE_S):
        await waiting

    assert isinstance(previous, Recorder)
    assert previous.calls == ["pause", "resume"]


async def test_a_send_waiting_when_the_connection_is_lost_goes_on(daphne_server: ModuleType) -> None:
    protocol, transport, _ = connection(daphne_server, producer=False)
    send = flow_controlled(await started_send(daphne_server, protocol))
    gate = transport.producer
    assert isinstance(gate, WriteGate)

    gate.pauseProducing()
    waiting = asyncio.ensure_future(send(MESSAGE))
    gate.stopProducing()  # what a transport does when the connection is lost
    async with asyncio.timeout(DEADLINE_S):
        await waiting


class HiddenProducerTransport:
    """Like Twisted's TLS wrapper: a producer is registered below it, and it does not say which."""

    def registerProducer(self, producer: object, streaming: bool) -> None:
        raise RuntimeError("Cannot register producer, because producer ... was never unregistered.")


async def test_a_connection_with_no_room_for_a_producer_is_served_as_before(daphne_server: ModuleType) -> None:
    protocol, _, _ = connection(daphne_server, producer=False)
    protocol.transport = HiddenProducerTransport()
    send = await started_send(daphne_server, protocol)

    assert flow_controlled(send) is send
