"""The MQTT payloads of contract v1 (topics in :mod:`contract.topics`).

The strict codec (:mod:`contract.codec`) reads these field lists; it also enforces what a
schema cannot say (byte limits, calendar dates, future times, ordered ack ranges).
``ts`` keeps its name: it is only ever the device's time here, and devices in the field
publish it.
"""

from __future__ import annotations

from contract.commands import (
    CHANNEL_MAX,
    COMMAND_ID_PATTERN,
    DETAIL_PATTERN,
    MATRIX_PIXELS,
    MAX_COMMAND_BYTES,
    MAX_COMMAND_RESULT_BYTES,
    MAX_JOYSTICK_BYTES,
    MAX_STATE_BYTES,
    RATE_HZ_MAX,
    RATE_HZ_MIN_EXCLUDED,
    SCROLL_STEP_MS_MAX,
    SCROLL_STEP_MS_MIN,
    TEXT_PATTERN,
    USER_NAME_PATTERN,
    CommandKind,
    FailReason,
    JoystickAction,
    JoystickDirection,
    ResultStatus,
)
from contract.errors import Reason
from contract.models import (
    BOOT_ID_PATTERN,
    MAX_ACK_BYTES,
    MAX_BATCH_BYTES,
    MAX_BATCH_READINGS,
    MAX_READING_BYTES,
    MAX_SEQ,
    MAX_STATUS_BYTES,
    VERSION,
)
from contract.spec.vocabulary import (
    Array,
    Boolean,
    ChannelValues,
    Choice,
    Clock,
    Const,
    Direction,
    Field,
    Integer,
    Later,
    Message,
    Nullable,
    Number,
    Object,
    Pair,
    RequiredWhen,
    Surface,
    Text,
    Time,
)
from contract.topics import DEVICE_ID_PATTERN

STATES = ("online", "offline")
SEQ = Integer(0, MAX_SEQ)
COUNT = Integer(0, MAX_SEQ)
DEVICE = Text(DEVICE_ID_PATTERN, Reason.BAD_DEVICE_ID)
BOOT = Text(BOOT_ID_PATTERN, Reason.OUT_OF_RANGE)

V = Field("v", Const(VERSION, Reason.UNSUPPORTED_VERSION), "Contract version.")
DEVICE_FIELD = Field("device", DEVICE, "Device id; also in the topic.")
BOOT_FIELD = Field("boot", BOOT, "New on every agent start.")
SEQ_FIELD = Field("seq", SEQ, "Per-device, per-boot sequence.")
TS_FIELD = Field("ts", Time(Clock.DEVICE, iso=True), "Device time, ISO 8601 UTC.")

READING = Message(
    Surface.MQTT,
    "reading",
    "Reading",
    "Reading",
    "One Sense HAT sample, topic sensebridge/v1/<device>/reading.",
    Direction.DEVICE,
    (V, DEVICE_FIELD, BOOT_FIELD, SEQ_FIELD, TS_FIELD),
    channels=ChannelValues(),
    max_bytes=MAX_READING_BYTES,
)

BATCH_ITEM = Message(
    Surface.MQTT,
    "batch-item",
    "BatchItem",
    "BatchItem",
    "A reading inside a batch: without v and device, which the batch gives once.",
    Direction.DEVICE,
    (BOOT_FIELD, SEQ_FIELD, TS_FIELD),
    channels=ChannelValues(),
    nested=True,
)

BATCH = Message(
    Surface.MQTT,
    "batch",
    "Batch",
    "Batch",
    "Readings for backfill, topic sensebridge/v1/<device>/batch.",
    Direction.DEVICE,
    (
        V,
        DEVICE_FIELD,
        Field(
            "readings",
            Array(Object(BATCH_ITEM), 1, MAX_BATCH_READINGS, too_short=Reason.EMPTY_BATCH),
            "The readings; items may belong to different boots.",
        ),
    ),
    max_bytes=MAX_BATCH_BYTES,
)

STATUS = Message(
    Surface.MQTT,
    "status",
    "Status",
    "Status",
    "Retained presence, topic sensebridge/v1/<device>/status.",
    Direction.DEVICE,
    (
        V,
        DEVICE_FIELD,
        Field("state", Choice(STATES), "Birth or periodic update, or last will or clean stop."),
        BOOT_FIELD,
        Field(
            "ts",
            Time(Clock.DEVICE, iso=True),
            "When the agent published it, ISO 8601 UTC; absent on the last will.",
            required=False,
        ),
        Field("pending", COUNT, "Readings awaiting a storage ack.", required=False),
        Field("dropped", COUNT, "Readings dropped by outbox overflow.", required=False),
    ),
    max_bytes=MAX_STATUS_BYTES,
)

ACK = Message(
    Surface.MQTT,
    "ack",
    "StorageAck",
    "StorageAck",
    "Bridge -> device, topic sensebridge/v1/<device>/ack.",
    Direction.BRIDGE,
    (
        V,
        DEVICE_FIELD,
        BOOT_FIELD,
        Field(
            "ranges",
            Array(Pair(SEQ), 1, too_short=Reason.WRONG_TYPE),
            "Inclusive [first, last] sequence ranges now stored.",
        ),
    ),
    max_bytes=MAX_ACK_BYTES,
)

# --- commands, their results, the device's state and its joystick ------------------------------
# Times here are epoch milliseconds named by their clock, as on the WebSocket and in REST: only the
# first four messages keep ``ts`` (ISO 8601, device clock), which devices in the field publish.

COMMAND_ID = Text(COMMAND_ID_PATTERN, Reason.OUT_OF_RANGE)
RGB = Array(Integer(0, CHANNEL_MAX), 3, 3, too_short=Reason.WRONG_TYPE, too_long=Reason.WRONG_TYPE)
PIXELS = Array(RGB, MATRIX_PIXELS, MATRIX_PIXELS)
TEXT = Text(TEXT_PATTERN, Reason.OUT_OF_RANGE)
RATE_HZ = Number(RATE_HZ_MIN_EXCLUDED, RATE_HZ_MAX, min_excluded=True)
DEVICE_TS_FIELD = Field("device_ts", Time(Clock.DEVICE), "When the device published it.")


def _params(name: str, description: str, *fields: Field) -> Message:
    return Message(
        Surface.MQTT,
        f"{name}-params",
        f"{name.title().replace('-', '')}Params",
        f"{name.title().replace('-', '')}Params",
        description,
        Direction.BRIDGE,
        fields,
        nested=True,
    )


SHOW_TEXT_PARAMS = _params(
    "show-text",
    "Scroll a text across the LED matrix once.",
    Field("text", TEXT, "1-200 printable ASCII characters (what the Sense HAT's font draws)."),
    Field("color", RGB, "Text colour, [r, g, b], each 0-255."),
    Field("background", RGB, "Background colour, [r, g, b], each 0-255."),
    Field(
        "scroll_step_ms",
        Integer(SCROLL_STEP_MS_MIN, SCROLL_STEP_MS_MAX),
        "Milliseconds before the text moves one pixel on: smaller scrolls faster (sense_hat scroll_speed x 1000).",
    ),
)
SET_PIXELS_PARAMS = _params(
    "set-pixels",
    "Set every pixel of the LED matrix.",
    Field("pixels", PIXELS, "Exactly 64 [r, g, b] colours, row by row from the top left, each 0-255."),
)
SET_LOW_LIGHT_PARAMS = _params(
    "set-low-light",
    "Dim the LED matrix or not.",
    Field("low_light", Boolean(), "True dims the matrix (sense_hat low_light)."),
)
SET_RATE_PARAMS = _params(
    "set-rate",
    "Change how often the device samples, without a restart and without renumbering readings.",
    Field("hz", RATE_HZ, "Readings per second, more than 0 and at most 50 (the edge's EDGE_RATE_HZ range)."),
)

COMMAND_FIELDS = (
    V,
    Field("id", COMMAND_ID, "Unique command id (a UUID): the device runs an id at most once; MQTT 5 correlation data."),
    Field("device", DEVICE, "The device it is for; also in the topic."),
    Field("issued_by", Text(USER_NAME_PATTERN, Reason.OUT_OF_RANGE), "User name of the operator who sent it."),
    Field("issued_server_ts", Time(Clock.SERVER), "When the web server accepted it."),
    Field("deadline_server_ts", Time(Clock.SERVER), "It must not run after this; then it is expired."),
)


def _command(kind: CommandKind, description: str, params: Message | None = None) -> Message:
    name = kind.value.replace("_", "-")
    ts_name = "Command" + name.title().replace("-", "")
    fields: tuple[Field, ...] = (
        *COMMAND_FIELDS,
        Field("kind", Const(kind.value, Reason.UNEXPECTED_KIND), "What to do."),
    )
    if params is not None:
        fields = (*fields, Field("params", Object(params), "The parameters of the kind."))
    return Message(
        Surface.MQTT,
        f"command-{name}",
        ts_name,
        ts_name,
        f"{description} Bridge -> device, topic sensebridge/v1/<device>/command.",
        Direction.BRIDGE,
        fields,
        checks=(Later("issued_server_ts", "deadline_server_ts"),),
        max_bytes=MAX_COMMAND_BYTES,
    )


COMMANDS: tuple[Message, ...] = (
    _command(CommandKind.SHOW_TEXT, "Scroll a text across the LED matrix.", SHOW_TEXT_PARAMS),
    _command(CommandKind.SET_PIXELS, "Set all 64 pixels of the LED matrix.", SET_PIXELS_PARAMS),
    _command(CommandKind.CLEAR, "Turn every pixel of the LED matrix off."),
    _command(CommandKind.SET_LOW_LIGHT, "Dim the LED matrix or not.", SET_LOW_LIGHT_PARAMS),
    _command(CommandKind.SET_RATE, "Change the sample rate.", SET_RATE_PARAMS),
    _command(CommandKind.PAUSE, "Stop sampling (the device stays online)."),
    _command(CommandKind.RESUME, "Sample again at the current rate."),
)
"""One message per command kind, in the order of :class:`~contract.commands.CommandKind`."""

COMMAND_RESULT = Message(
    Surface.MQTT,
    "command-result",
    "CommandResult",
    "CommandResult",
    "Device -> bridge, topic sensebridge/v1/<device>/command-result (the MQTT 5 response topic).",
    Direction.DEVICE,
    (
        V,
        Field("id", COMMAND_ID, "The command's id (also the MQTT 5 correlation data, when the command had it)."),
        DEVICE_FIELD,
        Field("status", Choice(tuple(s.value for s in ResultStatus)), "received first, then succeeded or failed."),
        Field("device_ts", Time(Clock.DEVICE), "When the device answered."),
        Field("reason", Choice(tuple(r.value for r in FailReason)), "Why it failed.", required=False),
        Field("detail", Text(DETAIL_PATTERN, Reason.OUT_OF_RANGE), "1-200 printable ASCII characters.", required=False),
    ),
    checks=(RequiredWhen(("reason",), "status", ResultStatus.FAILED.value),),
    max_bytes=MAX_COMMAND_RESULT_BYTES,
)

STATE = Message(
    Surface.MQTT,
    "state",
    "DeviceState",
    "DeviceState",
    "Retained: what the device does now (reported state), topic sensebridge/v1/<device>/state.",
    Direction.DEVICE,
    (
        V,
        DEVICE_FIELD,
        DEVICE_TS_FIELD,
        Field("rate_hz", RATE_HZ, "Its sample rate, readings per second."),
        Field("paused", Boolean(), "Whether sampling is paused."),
        Field("low_light", Boolean(), "Whether the LED matrix is dimmed."),
        Field(
            "pixels", Nullable(PIXELS), "The 64 pixels shown, row by row from the top left; null while text scrolls."
        ),
        Field("text", Nullable(TEXT), "The text scrolling now, or null."),
        Field(
            "last_command_id", Nullable(COMMAND_ID), "The last command it carried out; null since the agent started."
        ),
    ),
    max_bytes=MAX_STATE_BYTES,
)

JOYSTICK = Message(
    Surface.MQTT,
    "joystick",
    "JoystickEvent",
    "JoystickEvent",
    "One move of the Sense HAT's stick, topic sensebridge/v1/<device>/joystick.",
    Direction.DEVICE,
    (
        V,
        DEVICE_FIELD,
        BOOT_FIELD,
        Field(
            "seq", SEQ, "Per-boot event number, counted apart from the readings: (device, boot, seq) stores it once."
        ),
        Field("device_ts", Time(Clock.DEVICE), "When the stick moved."),
        Field("direction", Choice(tuple(d.value for d in JoystickDirection)), "Which way."),
        Field("action", Choice(tuple(a.value for a in JoystickAction)), "Pressed, released or held."),
    ),
    max_bytes=MAX_JOYSTICK_BYTES,
)

BROWSER_MESSAGES: tuple[Message, ...] = (*COMMANDS, COMMAND_RESULT, STATE, JOYSTICK)
"""The MQTT messages the dashboard's generated module also types and decodes."""

MESSAGES: tuple[Message, ...] = (READING, BATCH, STATUS, ACK, *BROWSER_MESSAGES)
