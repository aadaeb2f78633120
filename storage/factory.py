"""Choose and open the store: ``STORE_URL`` (or ``MONGO_URL``) and the retention settings.

| Variable | Default | Meaning |
|---|---|---|
| ``STORE_URL`` | ``sqlite:///var/sensebridge.sqlite3`` | ``sqlite:///rel``, ``sqlite:////abs``, ``mongodb[+srv]://`` |
| ``MONGO_URL`` | (empty) | A ``mongodb://`` URL used when ``STORE_URL`` is not set |
| ``RETENTION_RAW_DAYS`` | ``90`` | Raw readings kept (0 = forever) |
| ``RETENTION_MINUTE_DAYS`` | ``730`` | Per-minute rollups kept (0 = forever) |
| ``RETENTION_HOUR_DAYS`` | ``0`` | Per-hour rollups kept (0 = forever) |

Precedence: a non-empty ``STORE_URL`` wins; otherwise a non-empty ``MONGO_URL``; otherwise the
SQLite default. A Mongo URL names its database in the path (default ``sensebridge``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from storage.base import Store
from storage.retention import RetentionPolicy, read_retention

DEFAULT_STORE_URL = "sqlite:///var/sensebridge.sqlite3"
DEFAULT_MONGO_DATABASE = "sensebridge"
MONGO_SCHEMES = ("mongodb", "mongodb+srv")


def sqlite_path(url: str) -> Path:
    """The file path of a ``sqlite:///relative`` or ``sqlite:////absolute`` URL.

    Raises:
        ValueError: not an SQLite URL.
    """
    parts = urlsplit(url)
    if parts.query or parts.fragment:
        raise ValueError(f"STORE_URL {url!r}: sqlite URLs take no ?query or #fragment")
    if parts.scheme != "sqlite" or parts.netloc or not parts.path.startswith("/") or len(parts.path) < 2:
        raise ValueError(f"STORE_URL {url!r}: expected sqlite:///relative/path or sqlite:////absolute/path")
    return Path(parts.path[1:])


def is_mongo_url(url: str) -> bool:
    """Whether ``url`` names a MongoDB deployment (by its scheme)."""
    return urlsplit(url).scheme in MONGO_SCHEMES


def describe_store_url(url: str) -> str:
    """``url`` with any password replaced by ``***``, for logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def mongo_database(url: str) -> str:
    """The database a Mongo URL names (``sensebridge`` if none).

    Raises:
        ValueError: the URL is not a valid MongoDB connection string (checked without network).
    """
    from pymongo.errors import PyMongoError  # noqa: PLC0415 - SQLite-only installs need no pymongo
    from pymongo.uri_parser import parse_uri  # noqa: PLC0415

    shown = describe_store_url(url)
    scheme = urlsplit(url).scheme
    # parse_uri resolves mongodb+srv names in DNS: check the rest of the syntax without that.
    plain = "mongodb://" + url.split("://", 1)[1] if scheme == "mongodb+srv" else url
    try:
        parsed = parse_uri(plain)
    except (PyMongoError, ValueError) as exc:
        raise ValueError(f"STORE_URL {shown!r}: not a MongoDB connection string: {exc}") from None
    if parsed.get("collection"):
        raise ValueError(f"STORE_URL {shown!r}: name a database, not a collection (no '.' in the path)")
    if scheme == "mongodb+srv" and (len(parsed["nodelist"]) != 1 or urlsplit(url).port is not None):
        raise ValueError(f"STORE_URL {shown!r}: mongodb+srv takes exactly one host name and no port")
    return str(parsed.get("database") or DEFAULT_MONGO_DATABASE)


def validate_store_url(url: str) -> str:
    """Return ``url`` if a store can be opened from it.

    Raises:
        ValueError: with what is wrong.
    """
    if is_mongo_url(url):
        mongo_database(url)
    else:
        sqlite_path(url)
    return url


def read_store_settings(env: Mapping[str, str], problems: list[str]) -> tuple[str, RetentionPolicy]:
    """The store URL (``STORE_URL``, else ``MONGO_URL``, else SQLite) and the retention policy.

    Every problem is appended to ``problems``; the returned values are then defaults.
    """
    url = env.get("STORE_URL", "").strip()
    mongo = env.get("MONGO_URL", "").strip()
    if not url:
        url = mongo or DEFAULT_STORE_URL
        if mongo and not is_mongo_url(mongo):
            problems.append(f"MONGO_URL {describe_store_url(mongo)!r}: expected mongodb://... or mongodb+srv://...")
            url = DEFAULT_STORE_URL
    try:
        validate_store_url(url)
    except ValueError as exc:
        problems.append(str(exc))
    return url, read_retention(env, problems)


async def open_store(url: str, *, retention: RetentionPolicy | None = None) -> Store:
    """Open (and create if needed) the store ``url`` names.

    Raises:
        ValueError: unsupported URL.
        StoreError: the store cannot be opened.
    """
    if is_mongo_url(url):
        from pymongo import AsyncMongoClient  # noqa: PLC0415 - SQLite-only installs need no pymongo

        from storage.mongo import MongoStore  # noqa: PLC0415

        database = mongo_database(url)
        client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(url, tz_aware=True)
        return await MongoStore.open(client.get_database(database), retention=retention, on_close=client.close)

    from storage.sqlite import SqliteStore  # noqa: PLC0415 - other backends must not need sqlite3 set-up

    return await SqliteStore.open(sqlite_path(url), retention=retention)
