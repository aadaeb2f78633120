"""Writes of the accounts tables: users and roles, API tokens, WebSocket tickets.

Each service is ``<entity>_<action>`` with keyword-only arguments. Times come in as ``now``
(default: the clock), so expiry can be tested without waiting. Permissions are the
caller's business (the views ask :mod:`server.accounts.selectors`; management commands are
run by whoever can reach the database anyway).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from contract.access import Role
from server.accounts.credentials import (
    API_TOKEN_PREFIX,
    TICKET_PREFIX,
    is_secret,
    new_secret,
    secret_digest,
    shown_prefix,
)
from server.accounts.errors import TicketProblem, TicketRefusedError
from server.accounts.models import ApiToken, Profile, WsTicket

TICKET_TTL = timedelta(seconds=30)
TICKET_KEPT = timedelta(hours=1)  # expired tickets are deleted after this (until then: "expired", not "unknown")
LAST_USED_RESOLUTION = timedelta(minutes=1)  # a token in steady use costs one write a minute, not one per request


def _now(now: datetime | None) -> datetime:
    return now if now is not None else timezone.now()


# --- users and roles ---------------------------------------------------------------------


def user_set_role(*, user: User, role: Role) -> None:
    """Give ``user`` the role ``role``.

    Admins are also Django superusers and staff (the Django admin site checks those flags);
    any other role clears both, so a superuser set to ``operator`` is an operator.
    """
    with transaction.atomic():
        Profile.objects.update_or_create(user=user, defaults={"role": role.value})
        user.is_staff = user.is_superuser = role is Role.ADMIN
        user.save(update_fields=["is_staff", "is_superuser"])


def user_create(*, username: str, password: str, role: Role, validate: bool = True) -> User:
    """A new user with ``role``.

    Args:
        username: Its name (unique).
        password: Its password, checked by ``AUTH_PASSWORD_VALIDATORS`` unless ``validate`` is false.
        role: Its role.
        validate: False for generated passwords, which need no policy.

    Raises:
        django.core.exceptions.ValidationError: the password is too weak.
        django.db.IntegrityError: the name is taken.
    """
    if validate:
        validate_password(password, user=User(username=username))
    with transaction.atomic():
        user = User.objects.create_user(username=username, password=password)
        user_set_role(user=user, role=role)
    return user


# --- API tokens ---------------------------------------------------------------------------


def api_token_create(*, user: User, name: str, now: datetime | None = None) -> tuple[ApiToken, str]:
    """A new API token of ``user`` called ``name``; returns it and its secret, which is not stored."""
    secret = new_secret(API_TOKEN_PREFIX)
    token = ApiToken.objects.create(
        user=user, name=name, digest=secret_digest(secret), prefix=shown_prefix(secret), created_at=_now(now)
    )
    return token, secret


def api_token_revoke(*, token: ApiToken) -> None:
    """Revoke ``token``: it authenticates nothing from now on."""
    token.delete()


def api_token_authenticate(*, secret: str, now: datetime | None = None) -> User | None:
    """The active user whose API token ``secret`` is, else None; records the use (to the minute)."""
    if not is_secret(secret, API_TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user", "user__profile").filter(digest=secret_digest(secret)).first()
    if token is None or not token.user.is_active:
        return None
    at = _now(now)
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=at - LAST_USED_RESOLUTION)
    ApiToken.objects.filter(pk=token.pk).filter(stale).update(last_used_at=at)
    return token.user


# --- WebSocket tickets --------------------------------------------------------------------


def ticket_issue(*, user: User, now: datetime | None = None) -> tuple[str, datetime]:
    """A new single-use WebSocket ticket of ``user``; returns its secret and when it expires."""
    at = _now(now)
    WsTicket.objects.filter(expires_at__lt=at - TICKET_KEPT).delete()
    secret = new_secret(TICKET_PREFIX)
    ticket = WsTicket.objects.create(user=user, digest=secret_digest(secret), expires_at=at + TICKET_TTL)
    return secret, ticket.expires_at


def ticket_redeem(*, ticket: str, now: datetime | None = None) -> User:
    """Use ``ticket`` up and return its user.

    The ticket is claimed by one conditional ``UPDATE`` (not redeemed yet, not expired): the
    database runs it atomically, so of two concurrent redemptions exactly one claims it, on
    PostgreSQL (row lock, the WHERE re-checked) and SQLite (one writer at a time) alike.

    Raises:
        TicketRefusedError: unknown, expired, already used, or its user is disabled.
    """
    at = _now(now)
    if not is_secret(ticket, TICKET_PREFIX):
        raise TicketRefusedError(TicketProblem.UNKNOWN)
    digest = secret_digest(ticket)
    claimed = WsTicket.objects.filter(digest=digest, redeemed_at__isnull=True, expires_at__gt=at).update(redeemed_at=at)
    row = WsTicket.objects.select_related("user", "user__profile").filter(digest=digest).first()
    if claimed != 1 or row is None:
        if row is None:
            raise TicketRefusedError(TicketProblem.UNKNOWN)
        raise TicketRefusedError(TicketProblem.USED if row.redeemed_at is not None else TicketProblem.EXPIRED)
    if not row.user.is_active:
        raise TicketRefusedError(TicketProblem.USER_DISABLED)
    return row.user
