"""Choose the store from ``STORE_URL``."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from storage.base import Store


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


def validate_store_url(url: str) -> str:
    """Return ``url`` if a store can be opened from it.

    Raises:
        ValueError: with what is wrong.
    """
    sqlite_path(url)
    return url


async def open_store(url: str) -> Store:
    """Open (and create if needed) the store ``url`` names.

    Raises:
        ValueError: unsupported URL.
        StoreError: the store cannot be opened.
    """
    from storage.sqlite import SqliteStore  # noqa: PLC0415 - other backends must not need sqlite3 set-up

    return await SqliteStore.open(sqlite_path(url))
