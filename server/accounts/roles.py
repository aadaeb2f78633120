"""Which role may do what: one table, pure, tested exhaustively.

Each role allows everything the one below it does, and more (docs/security.md). A
superuser is an admin whatever its stored role (:func:`server.accounts.selectors.user_role`).
"""

from __future__ import annotations

from collections.abc import Mapping

from contract.access import Action, Role

_VIEWER = frozenset({Action.READ})
_OPERATOR = _VIEWER | {Action.SEND_COMMAND, Action.ACKNOWLEDGE_ALERT, Action.WRITE_ROOM}
_ADMIN = _OPERATOR | {Action.MANAGE_USERS, Action.MANAGE_DEVICES, Action.MANAGE_CREDENTIALS}

ALLOWED: Mapping[Role, frozenset[Action]] = {Role.VIEWER: _VIEWER, Role.OPERATOR: _OPERATOR, Role.ADMIN: _ADMIN}


def role_allows(role: Role | None, action: Action) -> bool:
    """Whether ``role`` may do ``action``; no role (anonymous, inactive) may do nothing."""
    return role is not None and action in ALLOWED[role]


def role_actions(role: Role | None) -> list[Action]:
    """Every action ``role`` allows, in the contract's order (what ``/auth/me`` lists)."""
    return [action for action in Action if role_allows(role, action)]
