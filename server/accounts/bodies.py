"""The accounts endpoints' request bodies, read strictly. Pure.

``login`` and ``api-token-request`` of :mod:`contract.spec.rest`: a JSON object with exactly
the defined fields. Raises :class:`~server.accounts.errors.BadBodyError` naming the field to blame.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from contract import rest
from contract.codec import loads
from contract.spec.rest import API_TOKEN_REQUEST, LOGIN
from contract.spec.vocabulary import Message
from server.accounts.errors import BadBodyError

MAX_BODY_BYTES = 16 * 1024


@dataclass(frozen=True, slots=True)
class LoginRequest:
    """``POST /api/v1/auth/login``."""

    username: str
    password: str


@dataclass(frozen=True, slots=True)
class ApiTokenRequest:
    """``POST /api/v1/auth/tokens``: a token named ``name``, for ``username`` (admins) or the caller."""

    name: str
    username: str | None = None


def _object(body: bytes, message: Message) -> dict[str, Any]:
    if len(body) > MAX_BODY_BYTES:
        raise BadBodyError("body", f"over {MAX_BODY_BYTES} bytes")
    try:
        obj = loads(body)
    except ValueError:
        raise BadBodyError("body", "expected a JSON object") from None
    if not isinstance(obj, dict):
        raise BadBodyError("body", "expected a JSON object")
    for name in obj:
        if name not in message.field_names:
            raise BadBodyError(str(name)[:64], "unknown field")
    for field in message.fields:
        if field.required and field.name not in obj:
            raise BadBodyError(field.name, "missing")
    return obj


def _text(obj: dict[str, Any], name: str, *, longest: int, shortest: int = 1) -> str:
    value = obj[name]
    if not isinstance(value, str):
        raise BadBodyError(name, "expected a string")
    if not shortest <= len(value) <= longest:
        raise BadBodyError(name, f"expected {shortest}-{longest} characters")
    return value


def login_request(body: bytes) -> LoginRequest:
    """Read a login body.

    Raises:
        BadBodyError: not exactly ``{"username": str, "password": str}`` within the length limits.
    """
    obj = _object(body, LOGIN)
    return LoginRequest(
        username=_text(obj, "username", longest=rest.MAX_USERNAME_CHARS),
        password=_text(obj, "password", longest=rest.MAX_PASSWORD_CHARS),
    )


def api_token_request(body: bytes) -> ApiTokenRequest:
    """Read a token creation body.

    Raises:
        BadBodyError: not ``{"name": str[, "username": str]}`` within the length limits.
    """
    obj = _object(body, API_TOKEN_REQUEST)
    name = _text(obj, "name", longest=rest.MAX_TOKEN_NAME_CHARS).strip()
    if not name:
        raise BadBodyError("name", "expected some text")
    username = _text(obj, "username", longest=rest.MAX_USERNAME_CHARS) if "username" in obj else None
    return ApiTokenRequest(name=name, username=username)
