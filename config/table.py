"""THE settings table: every setting of every sensebridge process, declared once.

Each row names the environment variable, its kind (type and range or choices), its default,
the processes that read it, one sentence of documentation and, for the edge agent, its
command-line flag. The processes' typed settings objects (``bridge.config``, ``server.config``,
``edge.config``, the embedded runner), ``.env.example`` and ``docs/settings.md`` are all built
from these rows (``python -m config.render`` rewrites the two files).

Rows are in documentation order; problems are reported in the same order.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from config.kinds import Choice, File, Flag, Float, Folder, Int, Names, Networks, Text, Url, UrlList
from config.setting import Process, Setting

EDGE, BRIDGE, SERVER, EMBEDDED = Process.EDGE, Process.BRIDGE, Process.SERVER, Process.EMBEDDED

# --- the broker ---------------------------------------------------------------------------------

MQTT_URL = Setting(
    "MQTT_URL",
    Url("mqtt", "mqtts", form="mqtt[s]://[user[:password]@]host[:port]", path=False, query=False),
    "mqtt://127.0.0.1:1883",
    (EDGE, BRIDGE),
    "The MQTT broker and the user name; mqtts:// is TLS (port 8883 unless given). The edge refuses a "
    "password in --mqtt-url (ps shows it): use MQTT_PASSWORD_FILE or this variable.",
    flag="--mqtt-url",
)
MQTT_PASSWORD_FILE = Setting(
    "MQTT_PASSWORD_FILE",
    File(),
    None,
    (EDGE, BRIDGE),
    "A file whose first line is the MQTT password (readable only by the process's user); "
    "MQTT_URL then names the user but holds no password.",
    flag="--mqtt-password-file",
    default_doc="none: the password, if any, is in `MQTT_URL`",
)
MQTT_CA_FILE = Setting(
    "MQTT_CA_FILE",
    File(),
    None,
    (EDGE, BRIDGE),
    "PEM CA bundle that signed an mqtts:// broker's certificate (the host name is always verified); "
    "refused with mqtt://.",
    flag="--mqtt-ca-file",
    default_doc="none: the system's trust store",
)
MQTT_ACCESS_DIR = Setting(
    "MQTT_ACCESS_DIR",
    Folder(),
    Path("var/mqtt-access"),
    (SERVER,),
    "Folder the server writes the broker's password and ACL files into (manage.py mqtt); Mosquitto reads them.",
    default_doc="`var/mqtt-access`; the embedded mode uses `mqtt-access/` in its data folder",
)
MQTT_PROTOCOL = Setting(
    "MQTT_PROTOCOL",
    Choice("5", "3.1.1"),
    "5",
    (EDGE, BRIDGE),
    "MQTT protocol version: 5, or 3.1.1 for brokers that speak only that.",
    flag="--mqtt-protocol",
)

# --- the reading store (docs/storage.md) --------------------------------------------------------

STORE_URL = Setting(
    "STORE_URL",
    Url(
        "sqlite",
        "mongodb",
        "mongodb+srv",
        form="sqlite:///relative/path, sqlite:////absolute/path, mongodb://... or mongodb+srv://...",
    ),
    "sqlite:///var/sensebridge.sqlite3",
    (BRIDGE, SERVER),
    "Where readings are stored: an SQLite file or a MongoDB database (default name sensebridge); "
    "it wins over MONGO_URL.",
    default_doc="`MONGO_URL` if set, else `sqlite:///var/sensebridge.sqlite3`",
)
MONGO_URL = Setting(
    "MONGO_URL",
    Url("mongodb", "mongodb+srv", form="mongodb://... or mongodb+srv://..."),
    None,
    (BRIDGE, SERVER),
    "A MongoDB reading store, used only while STORE_URL is empty.",
)
RETENTION_RAW_DAYS = Setting(
    "RETENTION_RAW_DAYS",
    Int(0, 100 * 366),
    90,
    (BRIDGE, SERVER, EMBEDDED),
    "Days raw readings are kept, 0 = forever; keep them longer than the edge outbox keeps unacknowledged ones.",
)
RETENTION_MINUTE_DAYS = Setting(
    "RETENTION_MINUTE_DAYS",
    Int(0, 100 * 366),
    730,
    (BRIDGE, SERVER, EMBEDDED),
    "Days per-minute rollups are kept, 0 = forever; at least as long as raw readings.",
)
RETENTION_HOUR_DAYS = Setting(
    "RETENTION_HOUR_DAYS",
    Int(0, 100 * 366),
    0,
    (BRIDGE, SERVER, EMBEDDED),
    "Days per-hour rollups are kept, 0 = forever; at least as long as per-minute rollups.",
)

# --- the channel layer between the bridge and the ASGI servers ---------------------------------

CHANNEL_LAYER = Setting(
    "CHANNEL_LAYER",
    Choice("redis-pubsub", "redis", "memory"),
    "redis-pubsub",
    (BRIDGE, SERVER),
    "The Channels layer: redis-pubsub, redis (channels_redis core), or memory (reaches no other process).",
)
REDIS_URL = Setting(
    "REDIS_URL",
    Url("redis", "rediss", "unix", form="redis://host[:port][/db] (or rediss://, unix://)", hostless=("unix",)),
    "redis://127.0.0.1:6379/0",
    (BRIDGE, SERVER),
    "The channel layer's Redis.",
)

# --- the web tier -------------------------------------------------------------------------------

DJANGO_SECRET_KEY = Setting(
    "DJANGO_SECRET_KEY",
    Text(secret=True),
    None,
    (SERVER, EMBEDDED),
    "Django's signing key, a long random string.",
    default_doc="required unless `DJANGO_DEBUG=1`; the embedded mode makes a random one per start",
    example="change-me",
)
DJANGO_DEBUG = Setting(
    "DJANGO_DEBUG",
    Flag(),
    False,
    (SERVER, EMBEDDED),
    "1 for development: error pages, and development defaults for the secret key and the database.",
)
DJANGO_ALLOWED_HOSTS = Setting(
    "DJANGO_ALLOWED_HOSTS",
    Names(),
    ("localhost", "127.0.0.1"),
    (SERVER, EMBEDDED),
    "Host names the server answers to (Django's ALLOWED_HOSTS; .example.net takes its subdomains too); "
    "a WebSocket's Origin must name one of them, on the port it reached.",
    default_doc="`localhost,127.0.0.1`; the embedded mode adds the names its bind address is reached by",
)
PUBLIC_URLS = Setting(
    "PUBLIC_URLS",
    UrlList(Url("http", "https", form="http(s)://host[:port]", path=False, query=False)),
    None,
    (SERVER, EMBEDDED),
    "Where people open the dashboard when a proxy or port forward stands in between: each URL's host is "
    "answered and its exact origin may open the live WebSocket.",
    default_doc="none; the embedded mode's `--public-url` (repeatable) wins over it",
)
TRUSTED_PROXIES = Setting(
    "TRUSTED_PROXIES",
    Networks(),
    None,
    (SERVER, EMBEDDED),
    "The reverse proxies in front of the web server: only a request from one of them has its X-Forwarded-For "
    "(the client's address, for the login throttle and logs) and X-Forwarded-Proto (https) believed.",
    default_doc="none: X-Forwarded-* headers are ignored",
)
HSTS_SECONDS = Setting(
    "HSTS_SECONDS",
    Int(0, 2 * 366 * 86_400),
    365 * 86_400,
    (SERVER, EMBEDDED),
    "How long browsers must reach the server over https only (Strict-Transport-Security), sent when a "
    "PUBLIC_URLS entry is https; 0 sends none.",
)
DATABASE_URL = Setting(
    "DATABASE_URL",
    Url(
        "postgresql",
        "postgres",
        "sqlite",
        form="postgresql://user:password@host[:port]/database[?options], or sqlite:///path",
    ),
    None,
    (SERVER,),
    "The application database (users, commands, rooms, alerts): PostgreSQL in production.",
    default_doc="required unless `DJANGO_DEBUG=1` (then `sqlite:///var/sensebridge-app.sqlite3`); "
    "the embedded mode uses `app.sqlite3` in its data folder",
    example="postgresql://sensebridge:change-me@127.0.0.1:5432/sensebridge",
)
DASHBOARD_DIR = Setting(
    "DASHBOARD_DIR",
    Folder(),
    None,
    (SERVER, EMBEDDED),
    "The built dashboard, served at /.",
    default_doc="`dashboard/dist` in the repository",
)
ASGI_SERVER = Setting(
    "ASGI_SERVER",
    Choice("uvicorn", "daphne"),
    "uvicorn",  # measured faster: docs/benchmarks.md
    (SERVER,),
    "The ASGI server launchers run: uvicorn (measured faster, docs/benchmarks.md) or daphne.",
)

# --- the bridge ---------------------------------------------------------------------------------

BRIDGE_CLIENT_ID = Setting(
    "BRIDGE_CLIENT_ID",
    Text(),
    None,
    (BRIDGE,),
    "A fixed MQTT client id, so the broker keeps the worker's session across restarts.",
    default_doc="`sensebridge-bridge`, or `sensebridge-bridge-<hostname>` with a share group",
)
BRIDGE_SHARE_GROUP = Setting(
    "BRIDGE_SHARE_GROUP",
    Text(),
    None,
    (BRIDGE,),
    "A shared-subscription group (MQTT 5, no / + #): set it and run several workers to split the load.",
)
BRIDGE_SESSION_EXPIRY_S = Setting(
    "BRIDGE_SESSION_EXPIRY_S",
    Int(0, 2**32 - 1),
    86400,
    (BRIDGE,),
    "Seconds the broker queues messages for a stopped worker (MQTT 5 session expiry).",
)
BRIDGE_TICK_MS = Setting(
    "BRIDGE_TICK_MS",
    Int(0, 10_000),
    50,
    (BRIDGE,),
    "Live frames per device at most once per tick (a quiet device's reading goes out at once).",
)
BRIDGE_MAX_FUTURE_S = Setting(
    "BRIDGE_MAX_FUTURE_S",
    Int(0, 86400 * 365),
    300,
    (BRIDGE,),
    "Readings dated further ahead of the bridge's clock are rejected (future_timestamp).",
)
BRIDGE_STORE_BATCH = Setting(
    "BRIDGE_STORE_BATCH",
    Int(1, 1_000_000),
    5000,
    (BRIDGE,),
    "Readings per store transaction at most.",
)
BRIDGE_STORE_LINGER_MS = Setting(
    "BRIDGE_STORE_LINGER_MS",
    Int(0, 10_000),
    20,
    (BRIDGE,),
    "How long a store write waits for more readings (a full batch goes at once; acks wait as long).",
)
BRIDGE_MAX_PENDING = Setting(
    "BRIDGE_MAX_PENDING",
    Int(1000, 100_000_000),
    200_000,
    (BRIDGE,),
    "Readings held while the store is down; beyond it they are dropped unacknowledged (devices re-send).",
)

# --- the edge agent (on the Pi; every variable has a flag that wins over it) -------------------

EDGE_SOURCE = Setting(
    "EDGE_SOURCE",
    Choice("sense-hat", "sense-emu", "simulator"),
    "simulator",
    (EDGE,),
    "Where readings come from: the Sense HAT, its emulator, or the built-in simulator.",
    flag="--source",
)
EDGE_DEVICE_ID = Setting(
    "EDGE_DEVICE_ID",
    Text(),
    None,
    (EDGE,),
    "The device id; with EDGE_SIMULATE, the prefix of the simulated ids.",
    flag="--device-id",
    default_doc="required unless `EDGE_SIMULATE` is set (then prefix `sim`)",
    example="kitchen",
)
EDGE_SIMULATE = Setting(
    "EDGE_SIMULATE",
    Int(0, 1000),
    0,
    (EDGE,),
    "N > 0: N simulated devices <prefix>-1 .. <prefix>-N in one process (simulator source only).",
    flag="--simulate",
)
EDGE_RATE_HZ = Setting(
    "EDGE_RATE_HZ",
    Float(0.0, 50.0, lo_excluded=True),  # contract.commands RATE_HZ_* (set_rate; a test keeps them equal)
    1.0,
    (EDGE,),
    "Readings per second per device.",
    flag="--rate-hz",
)
EDGE_SEED = Setting(
    "EDGE_SEED",
    Int(0, 2**63 - 1),
    0,
    (EDGE,),
    "Simulator seed: same seed, same readings.",
    flag="--seed",
)
EDGE_OUTBOX_DIR = Setting(
    "EDGE_OUTBOX_DIR",
    Folder(),
    Path("var/edge"),
    (EDGE,),
    "Outbox folder, one <device>.sqlite3 each.",
    flag="--outbox-dir",
)
EDGE_OUTBOX_MAX_READINGS = Setting(
    "EDGE_OUTBOX_MAX_READINGS",
    Int(1, 2**62),
    1_000_000,
    (EDGE,),
    "Unacknowledged readings kept per device; the oldest beyond it are dropped and counted.",
    flag="--outbox-max-readings",
)
EDGE_OUTBOX_MAX_AGE_S = Setting(
    "EDGE_OUTBOX_MAX_AGE_S",
    Float(0.0, 10 * 365 * 86400.0, lo_excluded=True),
    30 * 86400.0,
    (EDGE,),
    "Unacknowledged readings older than this many seconds (30 days) are dropped and counted.",
    flag="--outbox-max-age-s",
)
EDGE_ACK_TIMEOUT_S = Setting(
    "EDGE_ACK_TIMEOUT_S",
    Float(0.0, 86400.0, lo_excluded=True),
    10.0,
    (EDGE,),
    "A sent reading without a storage ack is sent again after this many seconds (doubling, up to 8x).",
    flag="--ack-timeout-s",
)
EDGE_RESEND_BATCH = Setting(
    "EDGE_RESEND_BATCH",
    Int(1, 1000),  # contract.models.MAX_BATCH_READINGS (a test keeps them equal)
    500,
    (EDGE,),
    "Most readings per batch message when re-sending.",
    flag="--resend-batch",
)
EDGE_STATUS_INTERVAL_S = Setting(
    "EDGE_STATUS_INTERVAL_S",
    Float(0.0, 86400.0, lo_excluded=True),
    30.0,
    (EDGE,),
    "Seconds between retained online status updates (pending and dropped counters).",
    flag="--status-interval-s",
)
EDGE_LOG_LEVEL = Setting(
    "EDGE_LOG_LEVEL",
    Choice("DEBUG", "INFO", "WARNING", "ERROR", upper=True),
    "INFO",
    (EDGE,),
    "Logging level of the agent.",
    flag="--log-level",
)

SETTINGS: tuple[Setting[Any], ...] = tuple(value for value in globals().values() if isinstance(value, Setting))
"""Every setting, in table order."""

BY_NAME: dict[str, Setting[Any]] = {setting.name: setting for setting in SETTINGS}


def settings_of(process: Process) -> tuple[Setting[Any], ...]:
    """The settings ``process`` reads from its environment, in table order."""
    return tuple(setting for setting in SETTINGS if process in setting.processes)
