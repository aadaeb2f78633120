"""The accounts tables: a role per user, login tallies, API tokens and WebSocket tickets.

Users are Django's ``auth.User``. The role is a column of :class:`Profile` rather than Django
groups: a user has exactly one role (groups would allow none or several and need a rule for
conflicts), it is read with the user in one join, and Django's per-model permissions do not
describe "sends commands". Admins are also Django superusers and staff (kept in step by
:func:`server.accounts.services.user_set_role`), which is what the Django admin site checks.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from contract.access import Role
from server.accounts.credentials import SHOWN_CHARS


class Profile(models.Model):
    """What the web tier knows of a user beyond ``auth.User``: its role."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    role = models.CharField(max_length=16, choices=[(r.value, r.value) for r in Role], default=Role.VIEWER.value)

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"


class LoginThrottle(models.Model):
    """One key's failed logins (:mod:`server.accounts.limiter`): an account or a client address."""

    key = models.CharField(max_length=200, unique=True)
    failures = models.PositiveIntegerField(default=0)
    last_failure_ms = models.BigIntegerField(default=0, db_index=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.failures}"


class ApiToken(models.Model):
    """A user's API token for scripts; only the digest of its secret is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=SHOWN_CHARS)
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:  # noqa: D106 - Django's model options
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}...)"


class WsTicket(models.Model):
    """A single-use ticket that opens one WebSocket; only the digest of its secret is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(db_index=True)
    redeemed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"ticket of {self.user_id} until {self.expires_at:%H:%M:%S}"
