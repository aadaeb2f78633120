"""``/ws/live/`` signs its client in at connect: a ticket, else the session, else a close code.

The consumer runs over ASGI directly with real users, tickets and sessions in an SQLite file
(:mod:`live_accounts`); a refused client is accepted, sent nothing and closed with the
contract's code and reason. The same refusals over real uvicorn and daphne:
tests/integration/test_live_auth.py.
"""

from __future__ import annotations

import asyncio
from typing import Any
from unittest import mock

import pytest
from channels.layers import InMemoryChannelLayer
from live_accounts import disable, session_of, ticket_of  # configures Django with the accounts tables first

from contract.access import Action, Role
from contract.live import (
    WS_CLOSE_FORBIDDEN,
    WS_CLOSE_NOT_AUTHENTICATED,
    WS_CLOSE_PERMISSION_DENIED,
    WS_CLOSE_REASONS,
)
from server.accounts.access import Via
from server.accounts.sockets import SocketRefusedError, admitted, handshake_session_key, handshake_ticket
from server.telemetry import consumers
from server.telemetry.consumers import LiveConsumer

DEADLINE_S = 5.0
HELLO = '{"type":"hello","protocol":2}'


async def handshake(*, query: str = "", cookie: str | None = None, then: str | None = None) -> list[dict[str, Any]]:
    """Open a live socket with this query string and cookie (and send ``then``); what the server sent.

    Returns once the server closed the socket or greeted the client.
    """
    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    sent: list[dict[str, Any]] = []
    done = asyncio.Event()

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)
        if message["type"] == "websocket.close" or message.get("text") == HELLO:
            done.set()

    headers = [(b"cookie", cookie.encode())] if cookie is not None else []
    scope = {"type": "websocket", "path": "/ws/live/", "query_string": query.encode(), "headers": headers}
    with mock.patch.object(consumers, "get_channel_layer", return_value=InMemoryChannelLayer()):
        task = asyncio.create_task(LiveConsumer()(scope, inbox.get, send))
        await inbox.put({"type": "websocket.connect"})
        if then is not None:
            await inbox.put({"type": "websocket.receive", "text": then})
        async with asyncio.timeout(DEADLINE_S):
            await done.wait()
        await inbox.put({"type": "websocket.disconnect", "code": 1000})
        async with asyncio.timeout(DEADLINE_S):
            await task
    return sent


def refused(sent: list[dict[str, Any]], code: int, reason: str) -> bool:
    """Accepted, then closed with ``code`` and ``reason``, and nothing else."""
    return sent == [
        {"type": "websocket.accept", "subprotocol": None},
        {"type": "websocket.close", "code": code, "reason": reason},
    ]


def greeted(sent: list[dict[str, Any]]) -> bool:
    return [m.get("text") for m in sent if m["type"] == "websocket.send"] == [HELLO]


async def test_a_client_without_credentials_is_closed_with_4401_no_credentials_and_sent_nothing() -> None:
    assert refused(await handshake(), WS_CLOSE_NOT_AUTHENTICATED, "no_credentials")


async def test_a_ticket_lets_its_user_in_once_then_it_is_closed_as_used() -> None:
    ticket = await ticket_of("vera")

    assert greeted(await handshake(query=f"ticket={ticket}"))
    assert refused(await handshake(query=f"ticket={ticket}"), WS_CLOSE_NOT_AUTHENTICATED, "ticket_used")


async def test_a_ticket_issued_more_than_thirty_seconds_ago_is_closed_as_expired() -> None:
    ticket = await ticket_of("vera", earlier_s=31)

    assert refused(await handshake(query=f"ticket={ticket}"), WS_CLOSE_NOT_AUTHENTICATED, "ticket_expired")


@pytest.mark.parametrize("ticket", ["sbw_" + "A" * 43, "", "sbt_" + "A" * 43, "%00"])
async def test_a_ticket_never_issued_is_closed_as_unknown(ticket: str) -> None:
    assert refused(await handshake(query=f"ticket={ticket}"), WS_CLOSE_NOT_AUTHENTICATED, "ticket_unknown")


async def test_the_ticket_of_a_disabled_user_is_closed_as_user_disabled() -> None:
    ticket = await ticket_of("dora")
    await disable("dora")

    assert refused(await handshake(query=f"ticket={ticket}"), WS_CLOSE_NOT_AUTHENTICATED, "user_disabled")


async def test_a_signed_in_session_cookie_lets_the_browser_in() -> None:
    session = await session_of("otto", role="operator")

    assert greeted(await handshake(cookie=f"other=1; sessionid={session}"))


async def test_a_bad_ticket_never_falls_back_to_a_valid_session() -> None:
    session = await session_of("otto", role="operator")

    sent = await handshake(query="ticket=sbw_forged", cookie=f"sessionid={session}")

    assert refused(sent, WS_CLOSE_NOT_AUTHENTICATED, "ticket_unknown")


@pytest.mark.parametrize("cookie", ["sessionid=no-such-session", "sessionid=", "csrftoken=abc"])
async def test_a_session_cookie_that_signs_nobody_in_is_closed_as_no_credentials(cookie: str) -> None:
    assert refused(await handshake(cookie=cookie), WS_CLOSE_NOT_AUTHENTICATED, "no_credentials")


async def test_the_session_of_a_user_disabled_since_is_closed_as_no_credentials() -> None:
    session = await session_of("dirk")
    await disable("dirk")

    assert refused(await handshake(cookie=f"sessionid={session}"), WS_CLOSE_NOT_AUTHENTICATED, "no_credentials")


async def test_what_a_refused_client_sends_before_the_close_is_dropped() -> None:
    sent = await handshake(then='{"type": "subscribe", "devices": ["pi-a"]}')

    assert refused(sent, WS_CLOSE_NOT_AUTHENTICATED, "no_credentials")


def test_a_role_that_may_not_do_the_action_is_refused_with_4403() -> None:
    user: Any = object()  # admitted() only passes the user on

    with pytest.raises(SocketRefusedError) as refusal:
        admitted(user, Role.VIEWER, Via.TICKET, action=Action.MANAGE_USERS)

    assert (refusal.value.code, refusal.value.reason) == (WS_CLOSE_FORBIDDEN, WS_CLOSE_PERMISSION_DENIED)
    assert admitted(user, Role.VIEWER, Via.TICKET).role is Role.VIEWER  # every role reads


def test_every_refusal_reason_is_in_the_contract() -> None:
    assert set(WS_CLOSE_REASONS) == {
        "no_credentials",
        "ticket_unknown",
        "ticket_expired",
        "ticket_used",
        "user_disabled",
        "permission_denied",
    }


@pytest.mark.parametrize(
    ("query", "ticket"),
    [(b"", None), (b"ticket=sbw_x", "sbw_x"), (b"a=1&ticket=", ""), (b"ticket=a&ticket=b", "a"), (b"tickets=x", None)],
)
def test_the_ticket_is_read_from_the_query_string_and_an_empty_one_counts(query: bytes, ticket: str | None) -> None:
    assert handshake_ticket(query) == ticket


def test_the_session_key_is_read_from_any_cookie_header() -> None:
    headers = [(b"host", b"x"), (b"Cookie", b"csrftoken=a"), (b"cookie", b"sessionid=k; theme=dark")]

    assert handshake_session_key(headers) == "k"
    assert handshake_session_key([(b"cookie", b"sessionid=")]) is None
