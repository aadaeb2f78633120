"""The Django admin at ``/admin/``, for admins only (docs/security.md).

Its own site (``SimpleAdminConfig``: nothing registers itself by discovery). A user's role is
edited inline and saved through :func:`server.accounts.services.user_set_role`, which keeps the
staff and superuser flags in step, so those flags are not offered. The admin's login form
goes through the same rate-limited check as ``POST /api/v1/auth/login``. API tokens can be
listed and revoked here; they are created where their secret can be shown once (REST, the
``apitoken`` command).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from contract.access import Action, Role
from server.accounts.errors import BadCredentialsError, ThrottledError
from server.accounts.login import login_attempt
from server.accounts.models import ApiToken, Profile
from server.accounts.selectors import user_allows, user_role
from server.accounts.services import user_set_role
from server.proxy_middleware import client_address


class ThrottledAdminLoginForm(AdminAuthenticationForm):
    """The admin's login form, with the API's per-account and per-address back-off."""

    def clean(self) -> dict[str, Any]:
        """Check the password through :func:`server.accounts.login.login_attempt`."""
        username, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if username is not None and password:
            address = client_address(self.request) if self.request is not None else ""
            try:
                self.user_cache = login_attempt(
                    username=username,
                    password=password,
                    address=address,
                    now_ms=time.time_ns() // 1_000_000,
                    request=self.request,
                )
            except ThrottledError as exc:
                raise ValidationError(str(exc), code="throttled") from None
            except BadCredentialsError:
                raise self.get_invalid_login_error() from None
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class AdminSite(admin.AdminSite):
    """The admin site: only users whose role manages users get in."""

    site_header = "sensebridge administration"
    site_title = "sensebridge admin"
    login_form = ThrottledAdminLoginForm

    def has_permission(self, request: HttpRequest) -> bool:
        """Admins (and superusers) only, whatever the staff flag says."""
        return user_allows(request.user, Action.MANAGE_USERS)


site = AdminSite(name="admin")

# django-stubs makes these generic for the type checker only; Django's classes are not subscriptable.
if TYPE_CHECKING:
    _InlineBase = admin.StackedInline[Profile, User]
    _ModelAdminBase = admin.ModelAdmin[ApiToken]
    _UserAdminBase = UserAdmin[User]
else:
    _InlineBase = admin.StackedInline
    _ModelAdminBase = admin.ModelAdmin
    _UserAdminBase = UserAdmin


class ProfileInline(_InlineBase):
    """The user's role."""

    model = Profile
    can_delete = False
    max_num = 1
    fields = ("role",)

    def get_formset(self, request: HttpRequest, obj: User | None = None, **kwargs: Any) -> Any:
        """Offer the role the user has now (a superuser without a profile is an admin)."""
        formset = super().get_formset(request, obj, **kwargs)
        role = (user_role(obj) if obj is not None else None) or Role.VIEWER
        formset.form.base_fields["role"].initial = role.value
        return formset


class AccountAdmin(_UserAdminBase):
    """Users, with their role; the staff and superuser flags follow the role."""

    inlines = (ProfileInline,)
    list_display = ("username", "email", "role", "is_active", "last_login")
    list_filter = ("is_active", "profile__role")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name", "email")}),
        ("Status", {"fields": ("is_active", "last_login", "date_joined")}),
    )
    readonly_fields = ("last_login", "date_joined")

    @admin.display(description="role")
    def role(self, obj: User) -> str:
        """The role the user has now."""
        found = user_role(obj)
        return found.value if found is not None else "-"

    def save_related(self, request: HttpRequest, form: forms.ModelForm[User], formsets: Any, change: bool) -> None:
        """Save the role, then bring the staff and superuser flags in step with it."""
        super().save_related(request, form, formsets, change)
        user = form.instance
        profile = Profile.objects.filter(user=user).first()
        if profile is not None:
            user_set_role(user=user, role=Role(profile.role))


class ApiTokenAdmin(_ModelAdminBase):
    """API tokens: listed and revoked (deleted) here, created where the secret can be shown once."""

    list_display = ("name", "user", "prefix", "created_at", "last_used_at")
    list_filter = ("user",)
    readonly_fields = ("user", "name", "prefix", "created_at", "last_used_at")
    exclude = ("digest",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        """No: a token's secret is shown once, by the API or the ``apitoken`` command."""
        return False

    def has_change_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        """No: a token is revoked, never edited."""
        return False


site.register(User, AccountAdmin)
site.register(ApiToken, ApiTokenAdmin)
