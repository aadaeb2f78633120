"""The WebSocket protocol between the server (``/ws/live/``) and the browser.

Server messages may grow fields within a protocol version, so receivers ignore unknown
fields; browser messages are read strictly (:func:`contract.live.parse_client_message`).
The fast builders are in :mod:`contract.live`.
"""

from __future__ import annotations

from contract.errors import Reason
from contract.models import MAX_SEQ
from contract.spec.mqtt import BOOT, COUNT, DEVICE, SEQ
from contract.spec.vocabulary import (
    Array,
    Boolean,
    ChannelValues,
    Clock,
    Const,
    Direction,
    Field,
    Integer,
    Message,
    Nullable,
    Object,
    Pair,
    SeqMatchesReadings,
    Surface,
    Text,
    Time,
)

# 2: time fields name their clock (device_ts / received_ts); a status carries received_ts.
PROTOCOL = 2
MAX_CLIENT_MESSAGE_BYTES = 16 * 1024
MAX_SUBSCRIPTIONS = 256
PROTOCOL_ERROR_CODES = ("binary_unsupported",)

# Close codes of a refused /ws/live/ connection: accepted, nothing sent, then closed with
# one of these (4000-4999: private use, RFC 6455 7.4.2; the last three digits mirror HTTP).
# Credentials are checked at connect only, never per frame.
WS_CLOSE_NOT_AUTHENTICATED = 4401
WS_CLOSE_FORBIDDEN = 4403
# The close reason text: a short machine reason.
WS_CLOSE_NO_CREDENTIALS = "no_credentials"  # neither a ?ticket= nor a signed-in session
WS_CLOSE_TICKET_UNKNOWN = "ticket_unknown"
WS_CLOSE_TICKET_EXPIRED = "ticket_expired"
WS_CLOSE_TICKET_USED = "ticket_used"
WS_CLOSE_USER_DISABLED = "user_disabled"
WS_CLOSE_PERMISSION_DENIED = "permission_denied"  # with WS_CLOSE_FORBIDDEN: the role may not read
WS_CLOSE_REASONS = (
    WS_CLOSE_NO_CREDENTIALS,
    WS_CLOSE_TICKET_UNKNOWN,
    WS_CLOSE_TICKET_EXPIRED,
    WS_CLOSE_TICKET_USED,
    WS_CLOSE_USER_DISABLED,
    WS_CLOSE_PERMISSION_DENIED,
)

DEVICE_FIELD = Field("device", DEVICE, "Device id.")
BOOT_FIELD = Field("boot", BOOT, "Boot id of the agent run the message belongs to.")
DEVICES = Array(DEVICE, 0, MAX_SUBSCRIPTIONS)


def _type(kind: str) -> Field:
    return Field("type", Const(kind, Reason.UNEXPECTED_KIND), "Message type.")


READING_ROW = Message(
    Surface.WS,
    "reading-row",
    "ReadingRow",
    "ReadingRow",
    "One reading as the browser sees it, in frames and in REST answers alike.",
    Direction.SERVER,
    (
        Field("seq", SEQ, "Per-device, per-boot sequence number."),
        Field("device_ts", Time(Clock.DEVICE), "When the device sampled it."),
        Field("received_ts", Time(Clock.RECEIVED), "When the bridge received it."),
    ),
    channels=ChannelValues(),
    nested=True,
)

HELLO = Message(
    Surface.WS,
    "hello",
    "HelloMessage",
    "Hello",
    "Server -> browser, first on every connection: the protocol version it speaks.",
    Direction.SERVER,
    (_type("hello"), Field("protocol", Integer(1, MAX_SEQ), f"Protocol version ({PROTOCOL} here).")),
)

SUBSCRIBED = Message(
    Surface.WS,
    "subscribed",
    "SubscribedMessage",
    "Subscribed",
    "Server -> browser: the connection's full subscription set after a change, sorted.",
    Direction.SERVER,
    (_type("subscribed"), Field("devices", DEVICES, "Device ids.")),
)

FRAME = Message(
    Surface.WS,
    "frame",
    "FrameMessage",
    "Frame",
    "Server -> browser: consecutive live readings of one device and one boot, in the order received.",
    Direction.SERVER,
    (
        _type("frame"),
        DEVICE_FIELD,
        BOOT_FIELD,
        Field("seq", Pair(SEQ), "Sequence numbers of the first and the last reading."),
        Field("readings", Array(Object(READING_ROW), 1, too_short=Reason.EMPTY_BATCH), "The readings."),
    ),
    checks=(SeqMatchesReadings(),),
)

STATUS = Message(
    Surface.WS,
    "status",
    "StatusMessage",
    "Status",
    "Server -> browser (every connection): a device's presence, as the bridge received it.",
    Direction.SERVER,
    (
        _type("status"),
        DEVICE_FIELD,
        Field("online", Boolean(), "True for a birth or periodic update, false for a last will or clean stop."),
        BOOT_FIELD,
        Field("device_ts", Nullable(Time(Clock.DEVICE)), "When the agent published it; null on a last will."),
        Field("received_ts", Time(Clock.RECEIVED), "When the bridge received it."),
        Field("pending", Nullable(COUNT), "Readings in the device's outbox not yet stored; null if not told."),
        Field("dropped", Nullable(COUNT), "Readings the device's outbox had to drop; null if not told."),
    ),
)

ERROR = Message(
    Surface.WS,
    "error",
    "ErrorMessage",
    "Error",
    "Server -> browser: something the browser sent was refused; the socket stays open.",
    Direction.SERVER,
    (
        _type("error"),
        Field(
            "code",
            Text(),
            "A contract.errors.Reason value, or a protocol code: " + ", ".join(PROTOCOL_ERROR_CODES) + ".",
        ),
        Field("message", Text(), "Human-readable explanation."),
    ),
)

SUBSCRIBE = Message(
    Surface.WS,
    "subscribe",
    "SubscribeMessage",
    "Subscribe",
    "Browser -> server: add devices to the connection's subscriptions (an empty list is a no-op).",
    Direction.CLIENT,
    (_type("subscribe"), Field("devices", DEVICES, "Device ids.")),
    max_bytes=MAX_CLIENT_MESSAGE_BYTES,
)

UNSUBSCRIBE = Message(
    Surface.WS,
    "unsubscribe",
    "UnsubscribeMessage",
    "Unsubscribe",
    "Browser -> server: remove devices from the connection's subscriptions.",
    Direction.CLIENT,
    (_type("unsubscribe"), Field("devices", DEVICES, "Device ids.")),
    max_bytes=MAX_CLIENT_MESSAGE_BYTES,
)

SERVER_MESSAGES: tuple[Message, ...] = (HELLO, SUBSCRIBED, FRAME, STATUS, ERROR)
CLIENT_MESSAGES: tuple[Message, ...] = (SUBSCRIBE, UNSUBSCRIBE)
MESSAGES: tuple[Message, ...] = SERVER_MESSAGES + CLIENT_MESSAGES
