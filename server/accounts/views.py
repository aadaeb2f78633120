"""The accounts endpoints under ``/api/v1/auth/`` (docs/api.md): thin, the checks are in :mod:`.access`."""

from __future__ import annotations

import time
from datetime import datetime

from django.contrib.auth import login as session_login
from django.contrib.auth import logout as session_logout
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.middleware.csrf import get_token
from django.views.csrf import csrf_failure as django_csrf_failure

from contract import rest
from contract.access import Action
from server.accounts import bodies, selectors, services
from server.accounts.access import Principal, endpoint, error_response, guarded
from server.accounts.errors import (
    BadBodyError,
    CsrfFailedError,
    NotAuthenticatedError,
    PermissionDeniedError,
    UnknownTokenError,
)
from server.accounts.login import login_attempt
from server.accounts.models import ApiToken
from server.accounts.roles import role_actions
from server.proxy_middleware import client_address

API_PREFIX = "/api/"


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _me(user: User) -> dict[str, object]:
    role = selectors.user_role(user)
    if role is None:
        raise NotAuthenticatedError.no_credentials()
    return rest.current_user_body(username=user.get_username(), role=role, actions=selectors.user_actions(user))


def _token_entry(token: ApiToken) -> dict[str, object]:
    return rest.api_token_entry(
        token_id=token.pk,
        name=token.name,
        username=token.user.get_username(),
        prefix=token.prefix,
        created_server_ts=_ms(token.created_at),
        last_used_server_ts=_ms(token.last_used_at) if token.last_used_at is not None else None,
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: the API answers in the contract's error body, other pages as Django does."""
    if request.path.startswith(API_PREFIX):
        return error_response(CsrfFailedError(reason))
    return django_csrf_failure(request, reason)


@endpoint(methods=("GET",))
def csrf(request: HttpRequest) -> HttpResponseBase:
    """``GET /api/v1/auth/csrf``: sets the ``csrftoken`` cookie and answers its header value."""
    return JsonResponse(rest.csrf_body(csrf_token=get_token(request)))


@endpoint(methods=("POST",))
def login(request: HttpRequest) -> HttpResponseBase:
    """``POST /api/v1/auth/login``: checks the password (rate-limited) and starts a session."""
    asked = bodies.login_request(request.body)
    user = login_attempt(
        username=asked.username,
        password=asked.password,
        address=client_address(request),
        now_ms=time.time_ns() // 1_000_000,
        request=request,
    )
    session_login(request, user)  # a new session id, and a new CSRF token for the client to read again
    return JsonResponse(_me(user))


@endpoint(methods=("POST",))
def logout(request: HttpRequest) -> HttpResponseBase:
    """``POST /api/v1/auth/logout``: ends the session (also when there was none)."""
    session_logout(request)
    return HttpResponse(status=204)


@guarded(methods=("GET",), action=None)
async def me(request: HttpRequest, principal: Principal) -> HttpResponseBase:
    """``GET /api/v1/auth/me``: who is signed in (session or token) and what the role allows."""
    return JsonResponse(
        rest.current_user_body(
            username=principal.user.get_username(),
            role=principal.role,
            actions=role_actions(principal.role),
        )
    )


@guarded(methods=("POST",), action=Action.READ)
def ticket(request: HttpRequest, principal: Principal) -> HttpResponseBase:
    """``POST /api/v1/auth/ticket``: a single-use WebSocket ticket, valid for a few seconds."""
    secret, expires_at = services.ticket_issue(user=principal.user)
    return JsonResponse(rest.ticket_body(ticket=secret, expires_server_ts=_ms(expires_at)), status=201)


def _owner(principal: Principal, username: str | None) -> User:
    """The user whose tokens are meant: the caller, or (for admins) the one named."""
    if username is None or username == principal.user.get_username():
        return principal.user
    if not selectors.user_allows(principal.user, Action.MANAGE_USERS):
        raise PermissionDeniedError(principal.role, Action.MANAGE_USERS, "only an admin manages other users' tokens")
    owner = selectors.user_find(username=username)
    if owner is None:
        raise BadBodyError("username", f"no user {username!r}")
    return owner


@guarded(methods=("GET", "POST"), action=None, tokens=False)
def tokens(request: HttpRequest, principal: Principal) -> HttpResponseBase:
    """``GET /api/v1/auth/tokens[?username=]`` lists API tokens; ``POST`` creates one (its secret shown once)."""
    if request.method == "GET":
        owner = _owner(principal, request.GET.get("username"))
        entries = [_token_entry(t) for t in selectors.api_token_list(user=owner)]
        return JsonResponse(rest.api_token_list(entries))
    asked = bodies.api_token_request(request.body)
    token, secret = services.api_token_create(user=_owner(principal, asked.username), name=asked.name)
    return JsonResponse(rest.api_token_created(_token_entry(token), token=secret), status=201)


@guarded(methods=("DELETE",), action=None, tokens=False)
def token_detail(request: HttpRequest, principal: Principal, token_id: int) -> HttpResponseBase:
    """``DELETE /api/v1/auth/tokens/<id>``: revokes one of the caller's tokens (an admin: anyone's)."""
    token = selectors.api_token_visible(actor=principal.user, token_id=token_id)
    if token is None:
        raise UnknownTokenError(token_id)
    services.api_token_revoke(token=token)
    return HttpResponse(status=204)
