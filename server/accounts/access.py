"""From a request to a signed-in user, or to a refusal in the contract's error body.

Two kinds of credentials: the session cookie (browsers, after ``POST /api/v1/auth/login``) and
``Authorization: Bearer <API token>`` (scripts). :func:`request_principal` resolves either to
a :class:`Principal`. Views are wrapped by :func:`guarded` (a signed-in user whose role
allows an action) or :func:`endpoint` (anyone: login, logout, the CSRF token), which check,
in this order: the method (405), the credentials (401), CSRF for requests that change
something with the session cookie (403; a bearer token is not sent by browsers on their own,
so it needs none), the role (403). Refusals carry the codes of :mod:`contract.rest`; 401s
carry ``WWW-Authenticate``, 429s ``Retry-After``. Answers are never cached (``no-store``).

Async views run the checks in Django's thread for sync code (sessions and tokens are ORM
reads), then the view on the event loop.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from functools import wraps
from typing import Any, Concatenate, ParamSpec, overload

from asgiref.sync import sync_to_async
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.cache import patch_cache_control
from django.views.decorators.csrf import csrf_exempt

from contract.access import Action, Role
from server.accounts.credentials import bearer_secret
from server.accounts.errors import (
    AccountsError,
    MethodNotAllowedError,
    NotAuthenticatedError,
    PermissionDeniedError,
    ThrottledError,
    error_body,
)
from server.accounts.roles import role_allows
from server.accounts.selectors import user_role
from server.accounts.services import api_token_authenticate

P = ParamSpec("P")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
REALM = 'Bearer realm="sensebridge"'


class Via(enum.StrEnum):
    """Which credentials signed a request in."""

    SESSION = "session"
    TOKEN = "token"  # noqa: S105 - a kind of credential, not one
    TICKET = "ticket"  # a WebSocket's single-use ticket (server.accounts.sockets)


@dataclass(frozen=True, slots=True)
class Principal:
    """The signed-in user of a request, its role and how it signed in."""

    user: User
    role: Role
    via: Via


def request_principal(request: HttpRequest, *, tokens: bool = True) -> Principal:
    """Who sent ``request``: the bearer token's user if it has an ``Authorization`` header, else the session's.

    Args:
        request: Passed through Django's session and authentication middleware.
        tokens: Whether an API token is accepted (token management wants a session).

    Raises:
        NotAuthenticatedError: no valid credentials (a bad token never falls back to the session).
    """
    header = request.headers.get("Authorization")
    if header is not None:
        if not tokens:
            raise NotAuthenticatedError("Authorization", "API tokens cannot manage API tokens: log in with a password")
        secret = bearer_secret(header)
        if secret is None:
            raise NotAuthenticatedError.malformed_header()
        user = api_token_authenticate(secret=secret)
        role = user_role(user) if user is not None else None
        if user is None or role is None:
            raise NotAuthenticatedError.unknown_token()
        return Principal(user, role, Via.TOKEN)
    session_user = request.user
    role = user_role(session_user)
    if not isinstance(session_user, User) or role is None:
        raise NotAuthenticatedError.no_credentials()
    return Principal(session_user, role, Via.SESSION)


def error_response(error: AccountsError) -> JsonResponse:
    """The answer to a refused request: the contract's error body and the headers its status needs."""
    response = JsonResponse(error_body(error), status=error.status)
    if isinstance(error, ThrottledError):
        response["Retry-After"] = str(error.retry_after_s)
    elif isinstance(error, MethodNotAllowedError):
        response["Allow"] = ", ".join(error.allowed)
    elif error.status == 401:
        response["WWW-Authenticate"] = REALM
    return response


def _no_view(request: HttpRequest) -> HttpResponse:
    raise AssertionError("the CSRF check never calls the view")


def _csrf_refusal(request: HttpRequest) -> HttpResponseBase | None:
    """Django's own CSRF check (token, and Origin/Referer where it applies); its refusal is CSRF_FAILURE_VIEW's."""
    check = CsrfViewMiddleware(_no_view)
    check.process_request(request)
    return check.process_view(request, _no_view, (), {})


@dataclass(frozen=True, slots=True)
class _Rule:
    methods: tuple[str, ...]
    action: Action | None = None
    tokens: bool = True


def _check_method(request: HttpRequest, methods: tuple[str, ...]) -> str:
    method = request.method or ""
    if method not in methods:
        raise MethodNotAllowedError(method, methods)
    return method


def _admit(request: HttpRequest, rule: _Rule) -> Principal | HttpResponseBase:
    """The signed-in principal, or the refusal to answer."""
    try:
        method = _check_method(request, rule.methods)
        principal = request_principal(request, tokens=rule.tokens)
        if method not in SAFE_METHODS and principal.via is Via.SESSION:
            refusal = _csrf_refusal(request)
            if refusal is not None:
                return refusal
        if rule.action is not None and not role_allows(principal.role, rule.action):
            raise PermissionDeniedError(principal.role, rule.action)
    except AccountsError as exc:
        return error_response(exc)
    return principal


def _admit_anyone(request: HttpRequest, methods: tuple[str, ...]) -> HttpResponseBase | None:
    """None when the request may go on, else the refusal to answer."""
    try:
        method = _check_method(request, methods)
    except AccountsError as exc:
        return error_response(exc)
    return _csrf_refusal(request) if method not in SAFE_METHODS else None


def _answer(response: HttpResponseBase) -> HttpResponseBase:
    patch_cache_control(response, no_store=True)
    return response


GuardedSync = Callable[Concatenate[HttpRequest, Principal, P], HttpResponseBase]
GuardedAsync = Callable[Concatenate[HttpRequest, Principal, P], Coroutine[Any, Any, HttpResponseBase]]


class _Guard:
    def __init__(self, rule: _Rule) -> None:
        self.rule = rule

    @overload
    def __call__(
        self, view: GuardedAsync[P]
    ) -> Callable[Concatenate[HttpRequest, P], Coroutine[Any, Any, HttpResponseBase]]: ...

    @overload
    def __call__(self, view: GuardedSync[P]) -> Callable[Concatenate[HttpRequest, P], HttpResponseBase]: ...

    def __call__(self, view: Callable[..., Any]) -> Callable[..., Any]:
        rule = self.rule
        if asyncio.iscoroutinefunction(view):

            @wraps(view)
            async def guarded_async(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
                admitted = await sync_to_async(_admit)(request, rule)
                if not isinstance(admitted, Principal):
                    return _answer(admitted)
                try:
                    response: HttpResponseBase = await view(request, admitted, *args, **kwargs)
                except AccountsError as exc:
                    response = error_response(exc)
                return _answer(response)

            return csrf_exempt(guarded_async)

        @wraps(view)
        def guarded_sync(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            admitted = _admit(request, rule)
            if not isinstance(admitted, Principal):
                return _answer(admitted)
            try:
                response: HttpResponseBase = view(request, admitted, *args, **kwargs)
            except AccountsError as exc:
                response = error_response(exc)
            return _answer(response)

        return csrf_exempt(guarded_sync)


def guarded(*, methods: tuple[str, ...], action: Action | None = Action.READ, tokens: bool = True) -> _Guard:
    """Wrap a view (sync or async) that a signed-in user whose role allows ``action`` may call.

    The view is called as ``view(request, principal, **url_kwargs)``.

    Args:
        methods: The HTTP methods it takes.
        action: What the role must allow; None: any signed-in user.
        tokens: Whether an API token signs in too (else only a session).
    """
    return _Guard(_Rule(methods=methods, action=action, tokens=tokens))


OpenView = Callable[[HttpRequest], HttpResponseBase]


def endpoint(*, methods: tuple[str, ...]) -> Callable[[OpenView], OpenView]:
    """Wrap a sync view anyone may call (login, logout, the CSRF token): method, CSRF and error body only."""

    def wrap(view: OpenView) -> OpenView:
        @wraps(view)
        def open_view(request: HttpRequest) -> HttpResponseBase:
            refusal = _admit_anyone(request, methods)
            if refusal is not None:
                return _answer(refusal)
            try:
                response = view(request)
            except AccountsError as exc:
                response = error_response(exc)
            return _answer(response)

        return csrf_exempt(open_view)

    return wrap
