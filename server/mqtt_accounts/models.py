"""The MQTT accounts table: one row per account the broker lets in.

One table for every kind, with a unique name, so a device can never be called like the
bridge or an integration. Only the ``$7$`` hash of the password is stored (the broker's own
format, copied into its ``password_file``). A revoked account is deleted: it is in neither
the table nor the broker's files.
"""

from __future__ import annotations

from django.db import models

from server.mqtt_accounts.rules import AccountKind


class MqttAccount(models.Model):
    """An account of the broker (a device's name is its device id)."""

    username = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=16, choices=[(k.value, k.value) for k in AccountKind])
    password_hash = models.CharField(max_length=200)
    created_at = models.DateTimeField()
    rotated_at = models.DateTimeField(null=True, blank=True)

    class Meta:  # noqa: D106 - Django's model options
        ordering = ("kind", "username")
        verbose_name = "MQTT account"

    def __str__(self) -> str:
        return f"{self.kind} {self.username}"

    @property
    def account_kind(self) -> AccountKind:
        """The kind as the enum."""
        return AccountKind(self.kind)
