"""Reads of the accounts tables: a user's role and what it allows, API tokens, admins."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db.models import Q, QuerySet

from contract.access import Action, Role
from server.accounts.models import ApiToken, Profile
from server.accounts.roles import role_actions, role_allows

AnyUser = AbstractBaseUser | AnonymousUser


def user_role(user: AnyUser) -> Role | None:
    """The role of ``user``: a superuser is an admin, a user without a profile a viewer.

    None for the anonymous user and for disabled accounts, which may do nothing.
    """
    if not isinstance(user, User) or not user.is_active:
        return None
    if user.is_superuser:
        return Role.ADMIN
    try:
        return Role(user.profile.role)
    except Profile.DoesNotExist:
        return Role.VIEWER


def user_allows(user: AnyUser, action: Action) -> bool:
    """Whether ``user`` may do ``action`` (the check every guarded endpoint makes)."""
    return role_allows(user_role(user), action)


def user_actions(user: AnyUser) -> list[Action]:
    """Every action ``user`` may do, in the contract's order."""
    return role_actions(user_role(user))


def user_find(*, username: str) -> User | None:
    """The user called ``username``, with its profile, or None."""
    return User.objects.select_related("profile").filter(username=username).first()


def admin_list() -> QuerySet[User]:
    """Active users with the admin role (superusers included), oldest first."""
    admins = Q(is_superuser=True) | Q(profile__role=Role.ADMIN.value)
    return User.objects.filter(admins, is_active=True).order_by("date_joined", "id")


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    """The API tokens of ``user``, newest first."""
    return ApiToken.objects.filter(user=user).select_related("user")


def api_token_visible(*, actor: User, token_id: int) -> ApiToken | None:
    """The token ``token_id`` if ``actor`` may see it: its own, or any when ``actor`` manages users."""
    tokens = ApiToken.objects.select_related("user").filter(pk=token_id)
    if not user_allows(actor, Action.MANAGE_USERS):
        tokens = tokens.filter(user=actor)
    return tokens.first()
