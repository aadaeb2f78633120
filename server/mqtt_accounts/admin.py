"""MQTT accounts in the Django admin: add, rotate, revoke (admins only; docs/security.md).

The same services as ``manage.py mqtt``. A new or rotated password is shown once, on the
page that answers the action (never stored, never put in a message cookie). Accounts are
not edited: a name is changed by revoking and adding; the bridge's service account is set by
its deployment (``manage.py mqtt service bridge`` or the embedded mode).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse

from contract.access import Action
from server.accounts.admin import site
from server.accounts.selectors import user_allows
from server.mqtt_accounts.errors import MqttAccountError
from server.mqtt_accounts.instructions import device_instructions, integration_instructions
from server.mqtt_accounts.location import default_broker_url
from server.mqtt_accounts.models import MqttAccount
from server.mqtt_accounts.rules import AccountKind, validate_name
from server.mqtt_accounts.services import mqtt_account_create, mqtt_account_revoke, mqtt_account_rotate

if TYPE_CHECKING:
    _ModelAdminBase = admin.ModelAdmin[MqttAccount]
    _ModelFormBase = forms.ModelForm[MqttAccount]
else:
    _ModelAdminBase = admin.ModelAdmin
    _ModelFormBase = forms.ModelForm

ADDABLE_KINDS = (AccountKind.DEVICE, AccountKind.INTEGRATION)
_SHOWN_ONCE = "_mqtt_shown_once"  # the request attribute carrying the new password to the response


def _instructions(kind: AccountKind, name: str, password: str, action: str) -> str:
    broker_url = default_broker_url()
    if kind is AccountKind.DEVICE:
        return device_instructions(broker_url=broker_url, device=name, password=password, action=action)
    return integration_instructions(broker_url=broker_url, name=name, password=password, action=action)


class MqttAccountAddForm(_ModelFormBase):
    """A device id or an integration name; the password is generated."""

    kind = forms.ChoiceField(choices=[(k.value, k.value) for k in ADDABLE_KINDS])

    class Meta:  # noqa: D106 - Django's form options
        model = MqttAccount
        fields = ("kind", "username")

    def clean(self) -> dict[str, Any]:
        """Refuse bad and reserved names (taken ones are refused by the unique check)."""
        cleaned = super().clean() or {}
        username, kind = cleaned.get("username"), cleaned.get("kind")
        if username and kind:
            try:
                validate_name(username, AccountKind(kind))
            except MqttAccountError as exc:
                self.add_error("username", str(exc))
        return cleaned


class MqttAccountAdmin(_ModelAdminBase):
    """Devices and integrations: added, rotated (an action) and revoked (deleted) here."""

    list_display = ("username", "kind", "created_at", "rotated_at")
    list_filter = ("kind",)
    search_fields = ("username",)
    readonly_fields = ("username", "kind", "created_at", "rotated_at")
    exclude = ("password_hash",)
    actions = ("rotate_passwords",)

    def _allowed(self, request: HttpRequest) -> bool:
        return user_allows(request.user, Action.MANAGE_CREDENTIALS)

    def has_module_permission(self, request: HttpRequest) -> bool:
        """Admins only."""
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: MqttAccount | None = None) -> bool:
        """Admins only."""
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        """Admins only."""
        return self._allowed(request)

    def has_change_permission(self, request: HttpRequest, obj: MqttAccount | None = None) -> bool:
        """No: an account is rotated or revoked, never edited."""
        return False

    def has_delete_permission(self, request: HttpRequest, obj: MqttAccount | None = None) -> bool:
        """Admins only, and never the bridge's service account (its deployment sets it)."""
        return self._allowed(request) and (obj is None or obj.kind != AccountKind.SERVICE.value)

    def get_form(
        self, request: HttpRequest, obj: MqttAccount | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        """The add form (name and kind); an existing account shows read-only fields."""
        if obj is None:
            kwargs["form"] = MqttAccountAddForm
        return super().get_form(request, obj, change, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: MqttAccount | None = None) -> Any:
        """Everything is read-only once the account exists."""
        return self.readonly_fields if obj is not None else ()

    def get_exclude(self, request: HttpRequest, obj: MqttAccount | None = None) -> Any:
        """Never the hash; on the add form, only name and kind."""
        return ("password_hash", "created_at", "rotated_at") if obj is None else ("password_hash",)

    def save_model(self, request: HttpRequest, obj: MqttAccount, form: Any, change: bool) -> None:
        """Create through the service (generated password, files re-rendered); keep the password for the answer."""
        kind = AccountKind(form.cleaned_data["kind"])
        account, password = mqtt_account_create(kind=kind, username=form.cleaned_data["username"])
        obj.pk, obj.created_at = account.pk, account.created_at
        setattr(request, _SHOWN_ONCE, _instructions(kind, account.username, password, "created"))

    def response_add(
        self, request: HttpRequest, obj: MqttAccount, post_url_continue: str | None = None
    ) -> HttpResponse:
        """The page that shows the new password, once."""
        return self._shown_once(request, f"{obj.kind} {obj.username} added", [getattr(request, _SHOWN_ONCE)])

    def delete_model(self, request: HttpRequest, obj: MqttAccount) -> None:
        """Revoke through the service (files re-rendered; the broker disconnects it)."""
        mqtt_account_revoke(kind=obj.account_kind, username=obj.username)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[MqttAccount]) -> None:
        """Revoke each selected account through the service."""
        for account in queryset.exclude(kind=AccountKind.SERVICE.value):
            mqtt_account_revoke(kind=account.account_kind, username=account.username)

    @admin.action(description="Rotate the passwords of the selected accounts (shown once)")
    def rotate_passwords(self, request: HttpRequest, queryset: QuerySet[MqttAccount]) -> HttpResponse:
        """New passwords for the selected devices and integrations, shown on the answer page."""
        texts = []
        for account in queryset.exclude(kind=AccountKind.SERVICE.value):
            rotated, password = mqtt_account_rotate(kind=account.account_kind, username=account.username)
            texts.append(_instructions(rotated.account_kind, rotated.username, password, "given a new password"))
        return self._shown_once(request, f"{len(texts)} password(s) rotated", texts)

    def _shown_once(self, request: HttpRequest, heading: str, texts: list[str]) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": heading,
            "heading": heading,
            "texts": texts,
            "back_url": reverse(f"{self.admin_site.name}:mqtt_accounts_mqttaccount_changelist"),
        }
        response = TemplateResponse(request, "mqtt_accounts/shown_once.html", context)
        response["Cache-Control"] = "no-store"
        return response


site.register(MqttAccount, MqttAccountAdmin)
