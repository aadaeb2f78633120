"""URL helpers shared by the settings table and the processes (standard library only)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


def masked(url: str) -> str:
    """``url`` with any password replaced by ``***``, for logs and error messages."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return url
    if password is None:
        return url
    netloc = parts.netloc.replace(f":{password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def sqlite_path(url: str) -> Path:
    """The file of a ``sqlite:///relative/path`` or ``sqlite:////absolute/path`` URL.

    Raises:
        ValueError: with the reason only (callers name the setting).
    """
    parts = urlsplit(url)
    if parts.query or parts.fragment:
        raise ValueError("sqlite URLs take no ?query or #fragment")
    if parts.scheme != "sqlite" or parts.netloc or not parts.path.startswith("/") or len(parts.path) < 2:
        raise ValueError("expected sqlite:///relative/path or sqlite:////absolute/path")
    return Path(parts.path[1:])
