"""MQTT topic names of contract v1: the only place a topic string is built or parsed.

Layout: ``sensebridge/v1/<device>/<kind>`` where kind is one of :class:`Kind`.

* ``reading``  device -> anyone    one reading (QoS 1)
* ``batch``    device -> anyone    several readings, for backfill after an outage (QoS 1)
* ``status``   device -> anyone    ``online`` birth / ``offline`` last will (retained, QoS 1)
* ``ack``      bridge -> device    which sequence numbers are durably stored (QoS 1)
* ``command``  bridge -> device    one command (QoS 1; MQTT 5: response topic ``command-result``)
* ``command-result``  device -> bridge    received / succeeded / failed of a command (QoS 1)
* ``state``    device -> anyone    what the device does now: rate, paused, LED matrix (retained, QoS 1)
* ``joystick`` device -> anyone    one move of the Sense HAT's stick (QoS 1)
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from contract.errors import ContractError, Reason

PREFIX = "sensebridge/v1"
DEVICE_ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"
_DEVICE_ID = re.compile(DEVICE_ID_PATTERN)


class Kind(enum.StrEnum):
    """The message kinds a device topic can carry."""

    READING = "reading"
    BATCH = "batch"
    STATUS = "status"
    ACK = "ack"
    COMMAND = "command"
    COMMAND_RESULT = "command-result"
    STATE = "state"
    JOYSTICK = "joystick"


def validate_device_id(device: str) -> str:
    """Return ``device`` if it is a valid device id, else raise.

    Device ids are lower-case letters, digits, ``-`` and ``_`` (1-64 chars), so they
    are safe in MQTT topics, Channels group names, URLs and file names.

    Raises:
        ContractError: with reason ``bad_device_id``.
    """
    if not isinstance(device, str) or not _DEVICE_ID.fullmatch(device):
        raise ContractError(Reason.BAD_DEVICE_ID, f"invalid device id {device!r}", field="device")
    return device


def topic(device: str, kind: Kind) -> str:
    """The topic of ``kind`` messages for ``device``."""
    return f"{PREFIX}/{validate_device_id(device)}/{kind.value}"


def subscription(kind: Kind, *, share_group: str | None = None) -> str:
    """Topic filter matching ``kind`` messages of every device.

    Args:
        kind: Message kind.
        share_group: If given (and not empty), an MQTT v5 shared subscription so
            several workers split the messages between them.

    Raises:
        ContractError: with reason ``bad_topic`` if ``share_group`` holds ``/``,
            ``+`` or ``#`` (MQTT v5 forbids them in a share name).
    """
    flt = f"{PREFIX}/+/{kind.value}"
    if not share_group:
        return flt
    if any(c in share_group for c in "/+#"):
        raise ContractError(Reason.BAD_TOPIC, f"invalid share group {share_group[:64]!r}", field="share_group")
    return f"$share/{share_group}/{flt}"


@dataclass(frozen=True, slots=True)
class DeviceTopic:
    """A parsed device topic."""

    device: str
    kind: Kind


_KINDS = {k.value: k for k in Kind}


def parse(name: str) -> DeviceTopic:
    """Parse a concrete topic name into device id and kind.

    Raises:
        ContractError: with reason ``bad_topic`` or ``bad_device_id``.
    """
    parts = name.split("/")
    if len(parts) != 4 or f"{parts[0]}/{parts[1]}" != PREFIX or parts[3] not in _KINDS:
        raise ContractError(Reason.BAD_TOPIC, f"not a sensebridge v1 device topic: {name[:200]!r}")
    return DeviceTopic(device=validate_device_id(parts[2]), kind=_KINDS[parts[3]])
