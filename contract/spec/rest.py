"""The REST API v1 response bodies (``/api/v1/...``, docs/api.md).

Query parameters ``since`` and ``until`` select by the device's clock, as epoch
milliseconds or ISO 8601 UTC; the answers echo them as ``since_device_ts`` and
``until_device_ts``. The builders are in :mod:`contract.rest`.

The accounts endpoints (``/api/v1/auth/...``) answer the bodies after the telemetry ones and
read two request bodies (``login``, ``api-token-request``), strictly like browser messages.
"""

from __future__ import annotations

from contract.access import Action, Role
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
# The accounts endpoints' codes, and the statuses that carry them (docs/api.md).
BAD_BODY = "bad_body"  # 400
BAD_CREDENTIALS = "bad_credentials"  # 401, login only
NOT_AUTHENTICATED = "not_authenticated"  # 401
PERMISSION_DENIED = "permission_denied"  # 403
CSRF_FAILED = "csrf_failed"  # 403
UNKNOWN_TOKEN = "unknown_token"  # noqa: S105 - 404, an error code
METHOD_NOT_ALLOWED = "method_not_allowed"  # 405
RATE_LIMITED = "rate_limited"  # 429, with Retry-After
ERROR_CODES = (
    BAD_QUERY,
    UNKNOWN_DEVICE,
    UNKNOWN_CHANNEL,
    BAD_BODY,
    BAD_CREDENTIALS,
    NOT_AUTHENTICATED,
    PERMISSION_DENIED,
    CSRF_FAILED,
    UNKNOWN_TOKEN,
    METHOD_NOT_ALLOWED,
    RATE_LIMITED,
)
MAX_USERNAME_CHARS = 150  # Django's User.username
MAX_PASSWORD_CHARS = 4096  # longer is refused before hashing (hashing cost grows with length)
MAX_TOKEN_NAME_CHARS = 100

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
        Field(
            "field",
            Text(),
            "What to blame: a query parameter, path part or body field; a header (Authorization, "
            "X-CSRFToken); session; or, for permission_denied, the action refused.",
        ),
        Field("message", Text(), "Human-readable explanation."),
    ),
    nested=True,
)

ERROR = Message(
    Surface.REST,
    "error",
    "ErrorBody",
    "Error",
    "The body of every 4xx answer of the API: a bad query or body, missing credentials (401), "
    "an action the role may not do (403), too many login attempts (429).",
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

# --- accounts: /api/v1/auth/... ----------------------------------------------------------

USERNAME = Text()
ROLE = Choice(tuple(r.value for r in Role))
ACTIONS = Array(Choice(tuple(a.value for a in Action)))

LOGIN = Message(
    Surface.REST,
    "login",
    "LoginRequest",
    "Login",
    f"POST /api/v1/auth/login: the request body (with the X-CSRFToken header). A username over "
    f"{MAX_USERNAME_CHARS} or a password over {MAX_PASSWORD_CHARS} characters is a bad_body.",
    Direction.CLIENT,
    (
        Field("username", USERNAME, "The account's name."),
        Field("password", Text(), "Its password."),
    ),
)

CURRENT_USER = Message(
    Surface.REST,
    "me",
    "CurrentUser",
    "CurrentUser",
    "GET /api/v1/auth/me, and POST /api/v1/auth/login's answer: who is signed in and what the role allows.",
    Direction.SERVER,
    (
        Field("username", USERNAME, "The account's name."),
        Field("role", ROLE, "viewer, operator or admin (a superuser is an admin)."),
        Field("actions", ACTIONS, "Every action the role allows; the dashboard shows only their controls."),
    ),
)

CSRF = Message(
    Surface.REST,
    "csrf",
    "CsrfToken",
    "CsrfToken",
    "GET /api/v1/auth/csrf: also sets the csrftoken cookie; send the token as X-CSRFToken with every "
    "POST and DELETE made with the session cookie.",
    Direction.SERVER,
    (Field("csrf_token", Text(), "The value for the X-CSRFToken header (it changes at login)."),),
)

TICKET = Message(
    Surface.REST,
    "ticket",
    "WsTicket",
    "WsTicket",
    "POST /api/v1/auth/ticket: a short-lived, single-use ticket for opening one WebSocket.",
    Direction.SERVER,
    (
        Field("ticket", Text(), "Pass it once when connecting; it is void after one use or when it expires."),
        Field("expires_server_ts", Time(Clock.SERVER), "When it stops being accepted."),
    ),
)

API_TOKEN_FIELDS = (
    Field("id", Integer(1, MAX_SEQ), "Token id (revoke with DELETE /api/v1/auth/tokens/{id})."),
    Field("name", Text(), "What it is for, as its owner named it."),
    Field("username", USERNAME, "Its owner: the token acts as this user, with this user's role."),
    Field("prefix", Text(), "Its first characters, to tell tokens apart (the rest is never shown again)."),
    Field("created_server_ts", Time(Clock.SERVER), "When it was created."),
    Field(
        "last_used_server_ts",
        Nullable(Time(Clock.SERVER)),
        "When it last authenticated a request (to the minute); null if never.",
    ),
)

API_TOKEN = Message(
    Surface.REST,
    "api-token",
    "ApiToken",
    "ApiToken",
    "One API token, without its secret.",
    Direction.SERVER,
    API_TOKEN_FIELDS,
    nested=True,
)

API_TOKENS = Message(
    Surface.REST,
    "api-tokens",
    "ApiTokenList",
    "ApiTokens",
    "GET /api/v1/auth/tokens: the user's API tokens, newest first (an admin may ask for ?username=).",
    Direction.SERVER,
    (Field("tokens", Array(Object(API_TOKEN)), "The tokens."),),
)

API_TOKEN_REQUEST = Message(
    Surface.REST,
    "api-token-request",
    "ApiTokenRequest",
    "ApiTokenRequest",
    f"POST /api/v1/auth/tokens: the request body. A name of 1-{MAX_TOKEN_NAME_CHARS} characters.",
    Direction.CLIENT,
    (
        Field("name", Text(), "What the token is for (a script, an integration)."),
        Field("username", USERNAME, "Admins only: create it for this user instead.", required=False),
    ),
)

API_TOKEN_CREATED = Message(
    Surface.REST,
    "api-token-created",
    "ApiTokenCreated",
    "ApiTokenCreated",
    "POST /api/v1/auth/tokens (201): the new token, with its secret shown this once.",
    Direction.SERVER,
    (
        *API_TOKEN_FIELDS,
        Field("token", Text(), "The secret: send it as Authorization: Bearer <token>. Only its hash is stored."),
    ),
)

MESSAGES: tuple[Message, ...] = (
    DEVICES,
    READINGS,
    HISTORY,
    ERROR,
    HEALTH,
    EXPORT_ROW,
    LOGIN,
    CURRENT_USER,
    CSRF,
    TICKET,
    API_TOKENS,
    API_TOKEN_REQUEST,
    API_TOKEN_CREATED,
)
