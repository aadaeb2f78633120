"""The MQTT payloads of contract v1 (topics in :mod:`contract.topics`).

The strict codec (:mod:`contract.codec`) reads these field lists; it also enforces what a
schema cannot say (byte limits, calendar dates, future times, ordered ack ranges).
``ts`` keeps its name: it is only ever the device's time here, and devices in the field
publish it.
"""

from __future__ import annotations

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
    ChannelValues,
    Choice,
    Clock,
    Const,
    Direction,
    Field,
    Integer,
    Message,
    Object,
    Pair,
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

MESSAGES: tuple[Message, ...] = (READING, BATCH, STATUS, ACK)
