"""Mosquitto's ``$7$`` password hashes and generated passwords (pure, standard library only).

The format ``mosquitto_passwd`` (2.0) writes, checked against its output by
``tests/unit/server/test_mqtt_passwords.py``::

    $7$<iterations>$<base64 salt, 12 bytes>$<base64 PBKDF2-HMAC-SHA512(password, salt), 64 bytes>

Mosquitto reads the iteration count from each line, so a higher count than its default (101)
is honoured; it costs every CONNECT that much CPU on the broker, which is why the default stays.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

ITERATIONS = 101
"""mosquitto_passwd's default; each CONNECT pays for it, and passwords are 128-bit random."""
SALT_BYTES = 12
HASH_NAME = "sha512"
PASSWORD_BYTES = 24
"""Generated passwords: 24 random bytes, 32 URL-safe characters (safe in a URL's user info too)."""


def new_password() -> str:
    """A random password (32 URL-safe characters): never typed, never chosen by a person."""
    return secrets.token_urlsafe(PASSWORD_BYTES)


def hash_password(password: str, *, salt: bytes | None = None, iterations: int = ITERATIONS) -> str:
    """The ``$7$`` hash of ``password`` (a fresh random salt unless one is given)."""
    salt = secrets.token_bytes(SALT_BYTES) if salt is None else salt
    digest = hashlib.pbkdf2_hmac(HASH_NAME, password.encode(), salt, iterations)
    return f"$7${iterations}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def verify_password(password: str, hashed: str) -> bool:
    """Whether ``password`` matches the ``$7$`` hash ``hashed`` (False for any other format)."""
    parts = hashed.split("$")
    if len(parts) != 5 or parts[:2] != ["", "7"] or not parts[2].isdigit():
        return False
    try:
        salt, expected = base64.b64decode(parts[3], validate=True), base64.b64decode(parts[4], validate=True)
    except ValueError:
        return False
    digest = hashlib.pbkdf2_hmac(HASH_NAME, password.encode(), salt, int(parts[2]))
    return hmac.compare_digest(digest, expected)
