"""The REST API v1 response bodies (``/api/v1/...``, docs/api.md).

Query parameters ``since`` and ``until`` select by the device's clock, as epoch
milliseconds or ISO 8601 UTC; the answers echo them as ``since_device_ts`` and
``until_device_ts``. The builders are in :mod:`contract.rest`.
"""

from __future__ import annotations

from contract.models import MAX_SEQ
from contract.spec.mqtt import BOOT, COUNT, DEVICE, SEQ
from contract.spec.vocabulary import (
    Array,
    Ascending,
    Boolean,
    ChannelMap,
    ChannelName,
    ChannelValues,
    Choice,
    Clock,
    Const,
    Direction,
    Field,
    Integer,
    KeysListed,
    Message,
    Nullable,
    Number,
    Object,
    Pair,
    RequiredWhen,
    SameLength,
    Surface,
    Text,
    Time,
)
from contract.spec.ws import READING_ROW

MAX_READINGS_LIMIT = 10_000
MAX_HISTORY_POINTS = 10_000
BAD_QUERY = "bad_query"
UNKNOWN_DEVICE = "unknown_device"
UNKNOWN_CHANNEL = "unknown_channel"
ERROR_CODES = (BAD_QUERY, UNKNOWN_DEVICE, UNKNOWN_CHANNEL)

DEVICE_FIELD = Field("device", DEVICE, "Device id, as in the path.")
SINCE = Field("since_device_ts", Time(Clock.DEVICE), "Start of the range asked for (inclusive).")
UNTIL = Field("until_device_ts", Time(Clock.DEVICE), "End of the range asked for (exclusive).")
ROWS = Array(Object(READING_ROW))

DEVICE_INFO = Message(
    Surface.REST,
    "device-info",
    "DeviceInfo",
    "DeviceInfo",
    "One device of the fleet: presence, when the bridge last heard from it, latest reading.",
    Direction.SERVER,
    (
        DEVICE_FIELD,
        Field("online", Boolean(), "Last presence the device (or its last will) reported; false if never."),
        Field("boot", Nullable(BOOT), "Boot id of its last status; null before any."),
        Field("status_received_ts", Nullable(Time(Clock.RECEIVED)), "When the bridge received its last status."),
        Field(
            "last_received_ts",
            Nullable(Time(Clock.RECEIVED)),
            "When the bridge last heard from it: the newer of status_received_ts and latest.received_ts.",
        ),
        Field("pending", Nullable(COUNT), "Readings in its outbox not yet stored, as of its last status."),
        Field("dropped", Nullable(COUNT), "Readings its outbox had to drop, as of its last status."),
        Field("latest", Nullable(Object(READING_ROW)), "Its newest stored reading (by device time)."),
    ),
    nested=True,
)

DEVICES = Message(
    Surface.REST,
    "devices",
    "DeviceList",
    "Devices",
    "GET /api/v1/devices: every device the store knows, by id.",
    Direction.SERVER,
    (Field("devices", Array(Object(DEVICE_INFO)), "The devices."),),
)

READINGS = Message(
    Surface.REST,
    "readings",
    "ReadingsPage",
    "Readings",
    "GET /api/v1/devices/{id}/readings: raw readings of the range, oldest first.",
    Direction.SERVER,
    (
        DEVICE_FIELD,
        SINCE,
        UNTIL,
        Field("readings", ROWS, "At most limit readings."),
        Field("truncated", Boolean(), "More readings follow the last one (ask again from its device_ts)."),
    ),
)

CHANNEL_COLUMNS = Message(
    Surface.REST,
    "channel-columns",
    "ChannelColumns",
    "ChannelColumns",
    "One channel's columns of a history answer; null where the channel had no value in that bucket.",
    Direction.SERVER,
    (
        Field("min", Array(Nullable(Number())), "Smallest value per bucket."),
        Field("max", Array(Nullable(Number())), "Largest value per bucket."),
        Field("mean", Array(Nullable(Number())), "Mean value per bucket."),
    ),
    nested=True,
)

HISTORY = Message(
    Surface.REST,
    "history",
    "HistoryAnswer",
    "History",
    "GET /api/v1/devices/{id}/history: downsampled columns with gap markers (docs/api.md).",
    Direction.SERVER,
    (
        DEVICE_FIELD,
        SINCE,
        UNTIL,
        Field("bucket_ms", Integer(0, MAX_SEQ), "Bucket width in ms; 0 when the answer holds the raw readings."),
        Field("channels", Array(ChannelName()), "The channels asked for, in that order."),
        Field("device_ts", Array(Time(Clock.DEVICE)), "Each bucket's start, or each raw reading's device_ts."),
        Field("n", Array(Integer(1, MAX_SEQ)), "Readings in each bucket (1 when raw)."),
        Field("seq", Array(SEQ), "Raw answers only: each reading's sequence number.", required=False),
        Field("boot", Array(BOOT), "Raw answers only: each reading's boot id.", required=False),
        Field("series", ChannelMap(Object(CHANNEL_COLUMNS)), "Channel name -> its columns."),
        Field(
            "gaps_device_ts",
            Array(Pair(Time(Clock.DEVICE), ("from", "to"))),
            "Stretches without readings although the device should have sent some; never interpolate across.",
        ),
    ),
    checks=(
        Ascending("device_ts"),
        SameLength("device_ts", ("n", "seq", "boot"), map_field="series"),
        RequiredWhen(("seq", "boot"), "bucket_ms", 0),
        KeysListed("series", "channels"),
    ),
)

ERROR_DETAIL = Message(
    Surface.REST,
    "error-detail",
    "ErrorDetail",
    "ErrorDetail",
    "What was wrong with a request.",
    Direction.SERVER,
    (
        Field("code", Choice(ERROR_CODES), "Machine-readable error code."),
        Field("field", Text(), "The query parameter (or path part) to blame."),
        Field("message", Text(), "Human-readable explanation."),
    ),
    nested=True,
)

ERROR = Message(
    Surface.REST,
    "error",
    "ErrorBody",
    "Error",
    "The body of a 400 answer (a bad query, an unknown device or channel).",
    Direction.SERVER,
    (Field("error", Object(ERROR_DETAIL), "What was wrong."),),
)

HEALTH = Message(
    Surface.REST,
    "health",
    "HealthBody",
    "Health",
    "GET /api/v1/health: the process answers.",
    Direction.SERVER,
    (Field("status", Const("ok"), "Always ok."),),
)

EXPORT_ROW = Message(
    Surface.REST,
    "export-row",
    "ExportRow",
    "ExportRow",
    "One item of the array GET /api/v1/devices/{id}/export.json streams: a reading row with its boot id.",
    Direction.SERVER,
    (
        Field("boot", BOOT, "Boot id (an export may span several boots)."),
        Field("seq", SEQ, "Per-device, per-boot sequence number."),
        Field("device_ts", Time(Clock.DEVICE), "When the device sampled it."),
        Field("received_ts", Time(Clock.RECEIVED), "When the bridge received it."),
    ),
    # The export's channels parameter may pick none of the channels a reading has.
    channels=ChannelValues(at_least_one=False),
)

MESSAGES: tuple[Message, ...] = (DEVICES, READINGS, HISTORY, ERROR, HEALTH, EXPORT_ROW)
