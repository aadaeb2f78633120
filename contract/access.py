"""The web tier's roles and the actions a role is checked against, as the REST API names them.

``GET /api/v1/auth/me`` answers a user's :class:`Role` and the :class:`Action` values it
allows, so the dashboard can hide the controls it may not use (the server refuses them
anyway). Which role allows which action is the server's policy
(:mod:`server.accounts.roles`); the names are part of the contract, defined here once.
"""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    """What a user may do, from least to most."""

    VIEWER = "viewer"  # reads devices, readings, history, exports and the live stream
    OPERATOR = "operator"  # also sends commands, acknowledges alerts, writes in rooms
    ADMIN = "admin"  # also manages users, devices and credentials


class Action(enum.StrEnum):
    """Something a request may do that some roles may not."""

    READ = "read"
    SEND_COMMAND = "send_command"
    ACKNOWLEDGE_ALERT = "acknowledge_alert"
    WRITE_ROOM = "write_room"
    MANAGE_USERS = "manage_users"
    MANAGE_DEVICES = "manage_devices"
    MANAGE_CREDENTIALS = "manage_credentials"
