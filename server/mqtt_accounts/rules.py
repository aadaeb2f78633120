"""Who may do what on the broker: account kinds, account names and the ACL table (pure).

The table, derived from :mod:`contract.topics` (docs/security.md, "MQTT accounts and ACLs"):

============================  =====================================  ==========================================
account                       publish                                subscribe
============================  =====================================  ==========================================
device ``<id>``               ``sensebridge/v1/<id>/reading``,       ``sensebridge/v1/<id>/ack``
                              ``/batch``, ``/status``
service ``bridge``            ``sensebridge/v1/+/ack``               ``sensebridge/v1/+/reading``, ``/batch``,
                                                                     ``/status`` (also as ``$share/<group>/...``)
integration ``<name>``        nothing                                ``sensebridge/v1/+/reading``,
                                                                     ``sensebridge/v1/+/status``
============================  =====================================  ==========================================

Every rule is in the account's own section of the ACL file: there are no global ``pattern``
lines, so an account that is not in the file may do nothing. A device account's user name IS
its device id; all kinds share one name space, so a device can never be called like the
bridge or an integration.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from contract.topics import DEVICE_ID_PATTERN, Kind, subscription, topic
from server.mqtt_accounts.errors import BadNameError

BRIDGE_ACCOUNT = "bridge"
"""The bridge's service account (every bridge worker shares it)."""
RESERVED_NAMES = frozenset({BRIDGE_ACCOUNT, "devstack", "admin", "root", "mosquitto"})
"""Names no device or integration may take: the service account, the test broker's account, obvious ones."""
_NAME = re.compile(DEVICE_ID_PATTERN)


class AccountKind(enum.StrEnum):
    """What an account is for; its kind decides its ACL."""

    DEVICE = "device"
    INTEGRATION = "integration"
    SERVICE = "service"


class Access(enum.StrEnum):
    """Mosquitto ACL access words."""

    READ = "read"  # subscribe and receive
    WRITE = "write"  # publish
    READWRITE = "readwrite"


@dataclass(frozen=True, slots=True)
class Rule:
    """One ``topic <access> <filter>`` line of an account's section."""

    access: Access
    topic_filter: str

    @property
    def line(self) -> str:
        """The ACL file line."""
        return f"topic {self.access.value} {self.topic_filter}"


def validate_name(name: str, kind: AccountKind) -> str:
    """Return ``name`` if a ``kind`` account may be called that, else raise.

    Device and integration names follow the device id pattern (lower-case letters, digits,
    ``-`` and ``_``, 1-64 characters: safe in topics, file lines and URLs); service names are
    fixed (:data:`BRIDGE_ACCOUNT`).

    Raises:
        BadNameError: with what is wrong.
    """
    if kind is AccountKind.SERVICE:
        if name != BRIDGE_ACCOUNT:
            raise BadNameError(name, f"unknown service account {name!r}: the only one is {BRIDGE_ACCOUNT!r}")
        return name
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise BadNameError(
            str(name)[:80],
            f"{str(name)[:80]!r} is not a valid {kind.value} name: lower-case letters, digits, '-' and '_', "
            "at most 64 characters, starting with a letter or digit",
        )
    if name in RESERVED_NAMES:
        raise BadNameError(name, f"{name!r} is reserved; choose another {kind.value} name")
    return name


def device_rules(device: str) -> tuple[Rule, ...]:
    """A device publishes its own readings, batches and status and reads its own acks."""
    writes = tuple(Rule(Access.WRITE, topic(device, kind)) for kind in (Kind.READING, Kind.BATCH, Kind.STATUS))
    return (*writes, Rule(Access.READ, topic(device, Kind.ACK)))


def bridge_rules() -> tuple[Rule, ...]:
    """The bridge reads every device's readings, batches and status and publishes acks.

    Its shared subscriptions (``$share/<group>/sensebridge/v1/+/reading``) need no rule of
    their own: Mosquitto 2.0 grants every SUBSCRIBE and checks ``read`` access on each
    message's concrete topic when it delivers it (tested).
    """
    reads = tuple(Rule(Access.READ, subscription(kind)) for kind in (Kind.READING, Kind.BATCH, Kind.STATUS))
    return (Rule(Access.WRITE, subscription(Kind.ACK)), *reads)


def integration_rules() -> tuple[Rule, ...]:
    """An integration reads every device's readings and status, and publishes nothing."""
    return tuple(Rule(Access.READ, subscription(kind)) for kind in (Kind.READING, Kind.STATUS))


def rules_for(kind: AccountKind, name: str) -> tuple[Rule, ...]:
    """The ACL of the ``kind`` account ``name``."""
    if kind is AccountKind.DEVICE:
        return device_rules(name)
    if kind is AccountKind.SERVICE:
        return bridge_rules()
    return integration_rules()


SUPERUSER_RULES = (Rule(Access.READWRITE, "#"),)
"""Everything: ONLY for the test broker's ``devstack`` account (never rendered from the database)."""
