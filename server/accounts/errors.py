"""Why an accounts request is refused: each error carries its REST code, status and field.

Exception tree::

    AccountsError                .code (contract.rest), .status (HTTP), .field, str(): the message
        BadBodyError             400  a request body field is missing or wrong
        BadCredentialsError      401  login: wrong username or password (never says which)
        NotAuthenticatedError    401  no session and no valid API token
        PermissionDeniedError    403  the role may not do the action (.field is the action)
        CsrfFailedError          403  a session request without a valid CSRF token
        UnknownTokenError        404  no such API token (or not one the caller may see)
        MethodNotAllowedError    405  .allowed lists the methods
        ThrottledError           429  too many failed logins; .retry_after_s for Retry-After
    TicketRefusedError           a WebSocket ticket is unknown, expired, used, or its user
                                 disabled (.problem); the WebSocket maps it to a close code

Pure: no Django; :func:`error_body` gives the contract's error body of any of them.
"""

from __future__ import annotations

import enum
from typing import Any

from contract import rest
from contract.access import Action, Role


class AccountsError(Exception):
    """A refused accounts request."""

    code: str = rest.BAD_BODY
    status: int = 400

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class BadBodyError(AccountsError):
    """A request body field is missing or wrong."""

    code, status = rest.BAD_BODY, 400


class BadCredentialsError(AccountsError):
    """Login refused: the username or the password is wrong (the answer never says which)."""

    code, status = rest.BAD_CREDENTIALS, 401

    def __init__(self) -> None:
        super().__init__("password", "wrong username or password")


class NotAuthenticatedError(AccountsError):
    """No session and no valid API token."""

    code, status = rest.NOT_AUTHENTICATED, 401

    @classmethod
    def no_credentials(cls) -> NotAuthenticatedError:
        """Neither a session cookie nor an ``Authorization`` header."""
        return cls("session", "not signed in: log in, or send Authorization: Bearer <token>")

    @classmethod
    def malformed_header(cls) -> NotAuthenticatedError:
        """An ``Authorization`` header that is not ``Bearer <token>``."""
        return cls("Authorization", "expected Authorization: Bearer <token>")

    @classmethod
    def unknown_token(cls) -> NotAuthenticatedError:
        """A bearer token that matches no token (never issued, revoked, or its user disabled)."""
        return cls("Authorization", "unknown or revoked API token")


class PermissionDeniedError(AccountsError):
    """The signed-in user's role may not do ``action``."""

    code, status = rest.PERMISSION_DENIED, 403

    def __init__(self, role: Role | None, action: Action, message: str | None = None) -> None:
        super().__init__(action.value, message or f"a {role or 'user without a role'} may not {action.value}")
        self.role = role
        self.action = action


class CsrfFailedError(AccountsError):
    """A request made with the session cookie lacks a valid CSRF token (or comes from a foreign origin)."""

    code, status = rest.CSRF_FAILED, 403

    def __init__(self, reason: str) -> None:
        super().__init__("X-CSRFToken", reason)


class UnknownTokenError(AccountsError):
    """No API token with that id that the caller may see."""

    code, status = rest.UNKNOWN_TOKEN, 404

    def __init__(self, token_id: int) -> None:
        super().__init__("id", f"no API token {token_id}")


class MethodNotAllowedError(AccountsError):
    """The endpoint does not take this HTTP method."""

    code, status = rest.METHOD_NOT_ALLOWED, 405

    def __init__(self, method: str, allowed: tuple[str, ...]) -> None:
        super().__init__("method", f"{method} is not allowed here; use {' or '.join(allowed)}")
        self.allowed = allowed


class ThrottleScope(enum.StrEnum):
    """Which login limit was hit; the value is the error body's ``field``."""

    ACCOUNT = "username"
    ADDRESS = "address"


class ThrottledError(AccountsError):
    """Too many failed logins for an account or from an address: try again in ``retry_after_s``."""

    code, status = rest.RATE_LIMITED, 429

    def __init__(self, scope: ThrottleScope, retry_after_s: int) -> None:
        what = "account" if scope is ThrottleScope.ACCOUNT else "address"
        super().__init__(scope.value, f"too many failed logins for this {what}: try again in {retry_after_s} s")
        self.scope = scope
        self.retry_after_s = retry_after_s


def error_body(error: AccountsError) -> dict[str, Any]:
    """The contract's error body for ``error``."""
    return rest.error_body(code=error.code, field=error.field, message=str(error))


class TicketProblem(enum.StrEnum):
    """Why a WebSocket ticket was not accepted."""

    UNKNOWN = "unknown"  # never issued (or purged long after it expired)
    EXPIRED = "expired"
    USED = "used"
    USER_DISABLED = "user_disabled"


class TicketRefusedError(Exception):
    """A WebSocket ticket was not accepted; ``.problem`` says why."""

    def __init__(self, problem: TicketProblem) -> None:
        super().__init__(f"ticket {problem.value}")
        self.problem = problem
