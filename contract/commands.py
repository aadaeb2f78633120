"""Commands of contract v1: limits, the values a command carries, and the life of a command.

A command goes from the web tier through the bridge to one device (topic ``command``); the
device answers on ``command-result`` (received, then succeeded or failed), publishes what it
now does as retained ``state`` and its joystick on ``joystick`` (:mod:`contract.topics`). The
wire definition is in :mod:`contract.spec.mqtt`, the strict codec in
:mod:`contract.command_codec`.

:func:`next_status` is the one rule of a command's life (the server's trail): pure, no clock,
no I/O. Errors::

    ContractError                   (contract.errors)
        reason bad_transition       next_status: the event cannot happen in that status
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from contract.errors import ContractError, Reason

MAX_COMMAND_BYTES = 4 * 1024
MAX_COMMAND_RESULT_BYTES = 2 * 1024
MAX_STATE_BYTES = 4 * 1024
MAX_JOYSTICK_BYTES = 1024

# An opaque id chosen by the issuer (the server writes a UUID): the device's key for running a
# command at most once, and the MQTT 5 correlation data.
COMMAND_ID_PATTERN = r"^[A-Za-z0-9_-]{8,64}$"
# Who issued it: a dashboard user name (Django's ASCII user name characters).
USER_NAME_PATTERN = r"^[A-Za-z0-9_.@+-]{1,150}$"
MAX_TEXT_LENGTH = 200
# Printable ASCII only: what the Sense HAT's font can draw.
TEXT_PATTERN = rf"^[ -~]{{1,{MAX_TEXT_LENGTH}}}$"
MAX_DETAIL_LENGTH = 200
DETAIL_PATTERN = rf"^[ -~]{{1,{MAX_DETAIL_LENGTH}}}$"
MATRIX_PIXELS = 64  # the 8x8 LED matrix, row by row from the top left
CHANNEL_MAX = 255  # one colour channel of an [r, g, b] triple
SCROLL_STEP_MS_MIN = 10
SCROLL_STEP_MS_MAX = 1000
# The edge's sample rate (EDGE_RATE_HZ in config/table.py; a unit test keeps them equal): (0, 50].
RATE_HZ_MIN_EXCLUDED = 0.0
RATE_HZ_MAX = 50.0

Rgb = tuple[int, int, int]


class CommandKind(enum.StrEnum):
    """What a command asks a device to do."""

    SHOW_TEXT = "show_text"
    SET_PIXELS = "set_pixels"
    CLEAR = "clear"
    SET_LOW_LIGHT = "set_low_light"
    SET_RATE = "set_rate"
    PAUSE = "pause"
    RESUME = "resume"


class ResultStatus(enum.StrEnum):
    """What a device says about a command (``command-result``)."""

    RECEIVED = "received"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class FailReason(enum.StrEnum):
    """Why a device did not carry a command out."""

    EXPIRED = "expired"  # its deadline had passed on the device's clock: never run late
    INVALID = "invalid"  # the device refused the payload (a contract rejection)
    UNSUPPORTED = "unsupported"  # this device cannot (no LED matrix, a source without it)
    DEVICE_ERROR = "device_error"  # the hardware or the agent failed while running it


class JoystickDirection(enum.StrEnum):
    """Which way the Sense HAT's stick moved."""

    UP = "up"
    DOWN = "down"
    LEFT = "left"
    RIGHT = "right"
    MIDDLE = "middle"


class JoystickAction(enum.StrEnum):
    """What the stick did (sense_hat's ``InputEvent.action``)."""

    PRESSED = "pressed"
    RELEASED = "released"
    HELD = "held"


# --- the values a command carries -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ShowText:
    """Scroll ``text`` across the matrix once."""

    text: str
    color: Rgb
    background: Rgb
    scroll_step_ms: int


@dataclass(frozen=True, slots=True)
class SetPixels:
    """Set all 64 pixels, row by row from the top left."""

    pixels: tuple[Rgb, ...]


@dataclass(frozen=True, slots=True)
class SetLowLight:
    """Dim the matrix (``True``) or not."""

    low_light: bool


@dataclass(frozen=True, slots=True)
class SetRate:
    """Sample ``hz`` readings per second from now on."""

    hz: float


Params = ShowText | SetPixels | SetLowLight | SetRate | None


@dataclass(frozen=True, slots=True)
class Command:
    """One command to one device.

    Attributes:
        id: Opaque, unique id (:data:`COMMAND_ID_PATTERN`); the device runs an id at most once.
        device: The device it is for.
        issued_by: The user who sent it.
        issued_server_ts: When the web server accepted it, epoch ms, server clock.
        deadline_server_ts: After this (server clock, epoch ms) it must not run: expired.
        kind: What to do.
        params: The kind's parameters; None for clear, pause and resume.
    """

    id: str
    device: str
    issued_by: str
    issued_server_ts: int
    deadline_server_ts: int
    kind: CommandKind
    params: Params = None


@dataclass(frozen=True, slots=True)
class CommandResult:
    """A device's answer about one command.

    Attributes:
        id: The command's id.
        device: The answering device.
        status: Received, succeeded or failed.
        device_ts: When the device answered, epoch ms, device clock.
        reason: Why it failed (only when failed).
        detail: A short human-readable explanation, if any.
    """

    id: str
    device: str
    status: ResultStatus
    device_ts: int
    reason: FailReason | None = None
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class DeviceState:
    """What a device reports it does now (retained ``state``).

    Attributes:
        device: Device id.
        device_ts: When it published this, epoch ms, device clock.
        rate_hz: Its sample rate.
        paused: Whether sampling is paused.
        low_light: Whether the matrix is dimmed.
        pixels: The 64 pixels shown, or None while text scrolls.
        text: The text scrolling now, or None.
        last_command_id: The last command it carried out, or None since it started.
    """

    device: str
    device_ts: int
    rate_hz: float
    paused: bool
    low_light: bool
    pixels: tuple[Rgb, ...] | None
    text: str | None
    last_command_id: str | None


@dataclass(frozen=True, slots=True)
class JoystickEvent:
    """One move of the Sense HAT's stick.

    Attributes:
        device: Device id.
        boot: The agent run (with ``seq`` the key that stores it once).
        seq: Per-boot event number, counted apart from the readings' ``seq``.
        device_ts: When it happened, epoch ms, device clock.
        direction: Which way.
        action: Pressed, released or held.
    """

    device: str
    boot: str
    seq: int
    device_ts: int
    direction: JoystickDirection
    action: JoystickAction


# --- the life of a command (the server's trail) ---------------------------------------------


class CommandStatus(enum.StrEnum):
    """Where a command is in its life."""

    QUEUED = "queued"  # accepted and stored by the web tier, not yet published
    SENT = "sent"  # published to the device's command topic (QoS 1)
    RECEIVED = "received"  # the device said it has it
    SUCCEEDED = "succeeded"  # final: the device carried it out
    FAILED = "failed"  # final: the device (or the bridge, for a garbage answer) says it failed
    EXPIRED = "expired"  # final: the deadline passed before a final answer


class CommandEvent(enum.StrEnum):
    """What can happen to a command; the device's answers share the names of :class:`ResultStatus`."""

    PUBLISHED = "published"  # the bridge published it (again, after a restart: no change)
    RECEIVED = "received"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    DEADLINE_PASSED = "deadline_passed"  # the server's clock passed deadline_server_ts


FINAL_STATUSES = frozenset({CommandStatus.SUCCEEDED, CommandStatus.FAILED, CommandStatus.EXPIRED})

_S, _E = CommandStatus, CommandEvent
# (status, event) -> new status; a pair not listed is refused. The device's answers may overtake
# what the server recorded (a bridge killed after publishing, before saving "sent"), so a
# queued or sent command takes them too. A repeated event (QoS 1 re-delivery) changes nothing.
TRANSITIONS: dict[tuple[CommandStatus, CommandEvent], CommandStatus] = {
    (_S.QUEUED, _E.PUBLISHED): _S.SENT,
    (_S.QUEUED, _E.RECEIVED): _S.RECEIVED,
    (_S.QUEUED, _E.SUCCEEDED): _S.SUCCEEDED,
    (_S.QUEUED, _E.FAILED): _S.FAILED,
    (_S.QUEUED, _E.DEADLINE_PASSED): _S.EXPIRED,
    (_S.SENT, _E.PUBLISHED): _S.SENT,
    (_S.SENT, _E.RECEIVED): _S.RECEIVED,
    (_S.SENT, _E.SUCCEEDED): _S.SUCCEEDED,
    (_S.SENT, _E.FAILED): _S.FAILED,
    (_S.SENT, _E.DEADLINE_PASSED): _S.EXPIRED,
    (_S.RECEIVED, _E.RECEIVED): _S.RECEIVED,
    (_S.RECEIVED, _E.SUCCEEDED): _S.SUCCEEDED,
    (_S.RECEIVED, _E.FAILED): _S.FAILED,
    (_S.RECEIVED, _E.DEADLINE_PASSED): _S.EXPIRED,
    (_S.SUCCEEDED, _E.SUCCEEDED): _S.SUCCEEDED,
    (_S.FAILED, _E.FAILED): _S.FAILED,
    (_S.EXPIRED, _E.DEADLINE_PASSED): _S.EXPIRED,
}


def next_status(current: CommandStatus, event: CommandEvent) -> CommandStatus:
    """The status a command in ``current`` has after ``event``.

    A final status never changes: a late answer to an expired command, or a second final
    answer that disagrees with the first, is refused (the caller records it as an anomaly).

    Raises:
        ContractError: ``bad_transition``, the event cannot happen in ``current``.
    """
    try:
        return TRANSITIONS[(current, event)]
    except KeyError:
        detail = f"a {current.value} command cannot be {event.value}"
        raise ContractError(Reason.BAD_TRANSITION, detail, field="status") from None
