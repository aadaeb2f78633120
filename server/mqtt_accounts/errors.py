"""Why an MQTT account action is refused.

Exception tree::

    MqttAccountError         .name (the account name asked for); str(): the message
        BadNameError         not a valid account name (device id pattern) or a reserved one
        NameTakenError       an account of any kind already has that name
        UnknownAccountError  no active account of that kind has that name

Pure: no Django.
"""

from __future__ import annotations


class MqttAccountError(ValueError):
    """A refused MQTT account action."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


class BadNameError(MqttAccountError):
    """The name is not a valid account name, or is reserved."""


class NameTakenError(MqttAccountError):
    """An account (of any kind) already has the name."""


class UnknownAccountError(MqttAccountError):
    """No active account of that kind has the name."""
