"""From a WebSocket handshake to a signed-in user, or to the close code that refuses it.

Checked once, when the socket connects (never per frame: a live frame costs no lookup, and
logging out or disabling a user does not cut the sockets it already has open). Two kinds
of credentials, in this order:

* ``?ticket=sbw_...`` in the URL: a single-use ticket from ``POST /api/v1/auth/ticket``
  (scripts get one with their API token). When the parameter is there it decides: a bad
  ticket is refused, never retried as the session.
* the session cookie a browser sends with a same-origin WebSocket.

A refusal is a :class:`SocketRefusedError` whose ``code`` and ``reason`` are the contract's
(:data:`contract.live.WS_CLOSE_NOT_AUTHENTICATED` / :data:`~contract.live.WS_CLOSE_FORBIDDEN`
and one of :data:`~contract.live.WS_CLOSE_REASONS`); the consumer accepts, sends nothing and
closes with them. :func:`socket_principal` runs its database reads in one worker thread.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib import import_module
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth import get_user
from django.contrib.auth.models import User
from django.http import HttpRequest, parse_cookie

from contract.access import Action, Role
from contract.live import (
    WS_CLOSE_FORBIDDEN,
    WS_CLOSE_NO_CREDENTIALS,
    WS_CLOSE_NOT_AUTHENTICATED,
    WS_CLOSE_PERMISSION_DENIED,
    WS_CLOSE_TICKET_EXPIRED,
    WS_CLOSE_TICKET_UNKNOWN,
    WS_CLOSE_TICKET_USED,
    WS_CLOSE_USER_DISABLED,
)
from server.accounts.access import Principal, Via
from server.accounts.errors import TicketProblem, TicketRefusedError
from server.accounts.roles import role_allows
from server.accounts.selectors import user_role
from server.accounts.services import ticket_redeem

TICKET_PARAMETER = "ticket"
CLOSE_REASON_OF_TICKET = {
    TicketProblem.UNKNOWN: WS_CLOSE_TICKET_UNKNOWN,
    TicketProblem.EXPIRED: WS_CLOSE_TICKET_EXPIRED,
    TicketProblem.USED: WS_CLOSE_TICKET_USED,
    TicketProblem.USER_DISABLED: WS_CLOSE_USER_DISABLED,
}


class SocketRefusedError(Exception):
    """A WebSocket connection is refused: close it with ``code`` and the reason text ``reason``."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(f"{code} {reason}")
        self.code = code
        self.reason = reason

    @classmethod
    def not_authenticated(cls, reason: str) -> SocketRefusedError:
        """No usable credentials (:data:`~contract.live.WS_CLOSE_NOT_AUTHENTICATED`)."""
        return cls(WS_CLOSE_NOT_AUTHENTICATED, reason)


def handshake_ticket(query_string: bytes) -> str | None:
    """The ``ticket`` parameter of a handshake's query string (``""`` when given empty), None when absent."""
    values = parse_qs(query_string.decode("latin-1"), keep_blank_values=True).get(TICKET_PARAMETER)
    return values[0] if values else None


def handshake_session_key(headers: Iterable[tuple[bytes, bytes]]) -> str | None:
    """The session cookie's value among a handshake's headers, if it sent one."""
    for name, value in headers:
        if name.lower() == b"cookie":
            key = parse_cookie(value.decode("latin-1")).get(settings.SESSION_COOKIE_NAME)
            if key:
                return key
    return None


def admitted(user: User, role: Role | None, via: Via, *, action: Action = Action.READ) -> Principal:
    """``user`` signed in ``via`` some credentials, if its role allows ``action``.

    Raises:
        SocketRefusedError: disabled (no role: 4401 ``user_disabled``) or the role may not (4403).
    """
    if role is None:
        raise SocketRefusedError.not_authenticated(WS_CLOSE_USER_DISABLED)
    if not role_allows(role, action):
        raise SocketRefusedError(WS_CLOSE_FORBIDDEN, WS_CLOSE_PERMISSION_DENIED)
    return Principal(user, role, via)


def _ticket_principal(ticket: str) -> Principal:
    try:
        user = ticket_redeem(ticket=ticket)
    except TicketRefusedError as exc:
        raise SocketRefusedError.not_authenticated(CLOSE_REASON_OF_TICKET[exc.problem]) from None
    return admitted(user, user_role(user), Via.TICKET)


def _session_principal(session_key: str) -> Principal:
    # Django's own reading of a session (its engine, the password-change hash check, disabled
    # users turned away by the backend), on a request that carries nothing but the session.
    request = HttpRequest()
    request.session = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    user = get_user(request)
    if not isinstance(user, User):
        raise SocketRefusedError.not_authenticated(WS_CLOSE_NO_CREDENTIALS)
    return admitted(user, user_role(user), Via.SESSION)


def _principal(ticket: str | None, session_key: str | None) -> Principal:
    if ticket is not None:
        return _ticket_principal(ticket)
    if session_key is not None:
        return _session_principal(session_key)
    raise SocketRefusedError.not_authenticated(WS_CLOSE_NO_CREDENTIALS)


async def socket_principal(scope: dict[str, Any]) -> Principal:
    """Who opens the WebSocket of ``scope``: its ticket's user if it names one, else its session's.

    Raises:
        SocketRefusedError: no credentials, a refused ticket, no valid session, or a role that
            may not read.
    """
    ticket = handshake_ticket(scope.get("query_string", b""))
    session_key = None if ticket is not None else handshake_session_key(scope.get("headers", ()))
    if ticket is None and session_key is None:
        raise SocketRefusedError.not_authenticated(WS_CLOSE_NO_CREDENTIALS)  # no thread hop for strangers
    principal: Principal = await database_sync_to_async(_principal)(ticket, session_key)
    return principal
