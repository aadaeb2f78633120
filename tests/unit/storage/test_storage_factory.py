"""``STORE_URL`` -> store: which URLs name an SQLite file, and which are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.factory import sqlite_path, validate_store_url


@pytest.mark.parametrize(
    ("url", "path"),
    [
        pytest.param("sqlite:///var/sensebridge.sqlite3", Path("var/sensebridge.sqlite3"), id="relative"),
        pytest.param("sqlite:///a.db", Path("a.db"), id="relative-bare-name"),
        pytest.param("sqlite:////data/readings.sqlite3", Path("/data/readings.sqlite3"), id="absolute"),
        pytest.param("sqlite:////a", Path("/a"), id="absolute-short"),
    ],
)
def test_sqlite_urls_name_a_file(url: str, path: Path) -> None:
    assert sqlite_path(url) == path
    assert sqlite_path(url).is_absolute() is url.startswith("sqlite:////")
    assert validate_store_url(url) == url


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("", id="empty"),
        pytest.param("mongodb://localhost:27017/sensebridge", id="mongodb"),
        pytest.param("postgres://db/readings", id="postgres"),
        pytest.param("sqlite://host/readings.sqlite3", id="sqlite-with-host"),
        pytest.param("sqlite:///", id="sqlite-without-path"),
        pytest.param("sqlite://", id="sqlite-nothing"),
        pytest.param("sqlite:readings.sqlite3", id="sqlite-without-slashes"),
        pytest.param("/data/readings.sqlite3", id="bare-path"),
    ],
)
def test_other_urls_are_refused_with_the_url(url: str) -> None:
    with pytest.raises(ValueError, match="STORE_URL") as caught:
        sqlite_path(url)
    assert repr(url) in str(caught.value)
    with pytest.raises(ValueError, match="STORE_URL"):
        validate_store_url(url)


def test_query_string_is_refused_not_ignored() -> None:
    with pytest.raises(ValueError, match="STORE_URL"):
        sqlite_path("sqlite:///readings.sqlite3?mode=ro")
