"""Django with the accounts tables, for the unit tests of the live consumer and its sign-in.

The consumer signs its client in at connect (:mod:`server.accounts.sockets`), so its unit
tests need real users and tickets: Django is configured here, once per process, on an SQLite
file of its own (the consumer reads it from a worker thread, which an in-memory database
would not share), migrated with Django's own ``migrate`` on first use.
"""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

import django
from asgiref.sync import sync_to_async
from django.conf import settings

_FOLDER = tempfile.TemporaryDirectory(prefix="live-accounts-")  # removed at interpreter exit

if not settings.configured:
    settings.configure(
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(Path(_FOLDER.name) / "app.db")}},
        INSTALLED_APPS=[
            "django.contrib.contenttypes",
            "django.contrib.auth",
            "django.contrib.sessions",
            "server.accounts",
        ],
        # Fast hashing: these users' passwords are never typed, and the tests make many.
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        SECRET_KEY="unit-tests-only",
        USE_TZ=True,
    )
    django.setup()


@functools.cache
def _migrated() -> None:
    from django.core.management import call_command  # noqa: PLC0415 - after settings are configured

    call_command("migrate", verbosity=0, interactive=False)


def _user(username: str, role: str, active: bool) -> object:
    from django.contrib.auth.models import User  # noqa: PLC0415

    from contract.access import Role  # noqa: PLC0415
    from server.accounts.services import user_create  # noqa: PLC0415

    _migrated()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = user_create(username=username, password=f"{username}-unit-pw", role=Role(role), validate=False)
    if user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
    return user


def _ticket(username: str, role: str, active: bool, earlier_s: float) -> str:
    from datetime import timedelta  # noqa: PLC0415

    from django.contrib.auth.models import User  # noqa: PLC0415
    from django.utils import timezone  # noqa: PLC0415

    from server.accounts.services import ticket_issue  # noqa: PLC0415

    user = _user(username, role, active)
    assert isinstance(user, User)
    secret, _ = ticket_issue(user=user, now=timezone.now() - timedelta(seconds=earlier_s))
    return secret


def _session(username: str, role: str) -> str:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: PLC0415
    from django.contrib.auth.models import User  # noqa: PLC0415
    from django.contrib.sessions.backends.db import SessionStore  # noqa: PLC0415

    user = _user(username, role, True)
    assert isinstance(user, User)
    # What django.contrib.auth.login() stores in a session.
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    assert store.session_key is not None
    return store.session_key


async def ticket_of(username: str, *, role: str = "viewer", active: bool = True, earlier_s: float = 0.0) -> str:
    """A fresh WebSocket ticket of ``username`` (created with ``role`` when new), issued ``earlier_s`` ago."""
    return await sync_to_async(_ticket)(username, role, active, earlier_s)


async def session_of(username: str, *, role: str = "viewer") -> str:
    """The key of a new signed-in session of ``username``, as a login makes it."""
    return await sync_to_async(_session)(username, role)


async def disable(username: str) -> None:
    """Disable ``username`` (``is_active`` false)."""
    await sync_to_async(_user)(username, "viewer", False)
