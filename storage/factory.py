"""Choose and open the store: ``STORE_URL`` (or ``MONGO_URL``), see :mod:`config.table`.

Precedence: a non-empty ``STORE_URL`` wins; otherwise a non-empty ``MONGO_URL``; otherwise the
SQLite default. A Mongo URL names its database in the path (default ``sensebridge``).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from config import Values, urls
from config import table as t
from storage.base import Store
from storage.retention import RetentionPolicy

DEFAULT_STORE_URL = t.STORE_URL.default_value
DEFAULT_MONGO_DATABASE = "sensebridge"
MONGO_SCHEMES = ("mongodb", "mongodb+srv")


def sqlite_path(url: str) -> Path:
    """The file path of a ``sqlite:///relative`` or ``sqlite:////absolute`` URL.

    Raises:
        ValueError: not an SQLite URL.
    """
    try:
        return urls.sqlite_path(url)
    except ValueError as exc:
        raise ValueError(f"STORE_URL {url!r}: {exc}") from None


def is_mongo_url(url: str) -> bool:
    """Whether ``url`` names a MongoDB deployment (by its scheme)."""
    return urlsplit(url).scheme in MONGO_SCHEMES


def describe_store_url(url: str) -> str:
    """``url`` with any password replaced by ``***``, for logs."""
    return urls.masked(url)


def mongo_database(url: str) -> str:
    """The database a Mongo URL names (``sensebridge`` if none).

    Raises:
        ValueError: the URL is not a valid MongoDB connection string (checked without network).
    """
    try:
        return _mongo_database(url)
    except ValueError as exc:
        raise ValueError(f"STORE_URL {describe_store_url(url)!r}: {exc}") from None


def _mongo_database(url: str) -> str:
    """:func:`mongo_database`, raising ``ValueError`` with the reason only."""
    from pymongo.errors import PyMongoError  # noqa: PLC0415 - SQLite-only installs need no pymongo
    from pymongo.uri_parser import parse_uri  # noqa: PLC0415

    scheme = urlsplit(url).scheme
    # parse_uri resolves mongodb+srv names in DNS: check the rest of the syntax without that.
    plain = "mongodb://" + url.split("://", 1)[1] if scheme == "mongodb+srv" else url
    try:
        parsed = parse_uri(plain)
    except (PyMongoError, ValueError) as exc:
        raise ValueError(f"not a MongoDB connection string: {exc}") from None
    if parsed.get("collection"):
        raise ValueError("name a database, not a collection (no '.' in the path)")
    if scheme == "mongodb+srv" and (len(parsed["nodelist"]) != 1 or urlsplit(url).port is not None):
        raise ValueError("mongodb+srv takes exactly one host name and no port")
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


def store_url(values: Values) -> str:
    """The store ``values`` name: ``STORE_URL``, else ``MONGO_URL``, else the SQLite default.

    A MongoDB URL is also checked by pymongo's parser (no network); what is wrong goes to ``values``.
    """
    if values.given(t.STORE_URL):
        setting = t.STORE_URL
    elif values.given(t.MONGO_URL):
        setting = t.MONGO_URL
    else:
        return DEFAULT_STORE_URL
    if not values.valid(setting):
        return DEFAULT_STORE_URL
    url = values[setting]
    if is_mongo_url(url):
        try:
            _mongo_database(url)
        except ValueError as exc:
            values.invalidate(setting)
            values.problem(setting, f"={setting.kind.shown(url)}: {exc}")
            return DEFAULT_STORE_URL
    return url


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
