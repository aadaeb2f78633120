"""API tokens and WebSocket tickets: random secrets, stored only as their SHA-256 digest. Pure.

A secret is a kind prefix (``sbt_`` for API tokens, ``sbw_`` for WebSocket tickets) and
32 random bytes in URL-safe base64. With 256 bits of entropy nobody can search a digest
back to its secret, so one fast hash is enough (a password hasher's deliberate slowness
would only cost CPU on every request) and a digest can be looked up directly. The
prefix keeps a leaked secret recognizable (secret scanners, logs) and tells the kinds apart.
"""

from __future__ import annotations

import hashlib
import re
import secrets

API_TOKEN_PREFIX = "sbt_"  # noqa: S105 - the public kind prefix
TICKET_PREFIX = "sbw_"
SECRET_BYTES = 32
SHOWN_CHARS = 12  # the kind prefix and 8 characters: enough to tell tokens apart in a list
_SECRET_PATTERN = re.compile(r"sb[tw]_[A-Za-z0-9_-]{43}")
_BEARER = re.compile(r"Bearer +(\S+) *", re.IGNORECASE)


def new_secret(prefix: str) -> str:
    """A fresh random secret of the kind ``prefix`` (:data:`API_TOKEN_PREFIX` or :data:`TICKET_PREFIX`)."""
    return prefix + secrets.token_urlsafe(SECRET_BYTES)


def secret_digest(secret: str) -> str:
    """What is stored of ``secret``: its SHA-256, 64 hex digits."""
    return hashlib.sha256(secret.encode()).hexdigest()


def shown_prefix(secret: str) -> str:
    """The part of ``secret`` that may be shown again (in token lists)."""
    return secret[:SHOWN_CHARS]


def is_secret(text: str, prefix: str) -> bool:
    """Whether ``text`` has the shape of a secret of the kind ``prefix`` (no lookup wasted on others)."""
    return text.startswith(prefix) and _SECRET_PATTERN.fullmatch(text) is not None


def bearer_secret(header: str) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header value, or None when it is not one."""
    found = _BEARER.fullmatch(header)
    return found.group(1) if found else None
