"""``STORE_URL`` / ``MONGO_URL`` -> store: which URLs are accepted, precedence, and what is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

import config
from config import Process
from storage.factory import (
    DEFAULT_STORE_URL,
    describe_store_url,
    is_mongo_url,
    mongo_database,
    sqlite_path,
    store_url,
    validate_store_url,
)
from storage.retention import RetentionPolicy, retention_policy


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
    assert not is_mongo_url(url)


@pytest.mark.parametrize(
    ("url", "database"),
    [
        pytest.param("mongodb://mongo:27017/sensebridge", "sensebridge", id="host-port-db"),
        pytest.param("mongodb://mongo", "sensebridge", id="default-database"),
        pytest.param("mongodb://u:p%40ss@a:1,b:2/telemetry?replicaSet=rs0&w=majority", "telemetry", id="replica-set"),
        pytest.param("mongodb+srv://user:pw@cluster0.example.net/prod?retryWrites=true", "prod", id="srv"),
    ],
)
def test_mongo_urls_name_a_database(url: str, database: str) -> None:
    assert is_mongo_url(url)
    assert mongo_database(url) == database
    assert validate_store_url(url) == url


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("", id="empty"),
        pytest.param("postgres://db/readings", id="postgres"),
        pytest.param("sqlite://host/readings.sqlite3", id="sqlite-with-host"),
        pytest.param("sqlite:///", id="sqlite-without-path"),
        pytest.param("sqlite://", id="sqlite-nothing"),
        pytest.param("sqlite:readings.sqlite3", id="sqlite-without-slashes"),
        pytest.param("/data/readings.sqlite3", id="bare-path"),
        pytest.param("mongodb://", id="mongo-without-host"),
        pytest.param("mongodb://mongo/db?nonsense=1", id="mongo-unknown-option"),
        pytest.param("mongodb://mongo:99999/db", id="mongo-bad-port"),
        pytest.param("mongodb://mongo/readings.collection", id="mongo-collection-not-database"),
        pytest.param("mongodb://mongo/bad name", id="mongo-bad-database-name"),
        pytest.param("mongodb+srv://cluster0.example.net:27017/db", id="srv-with-port"),
        pytest.param("mongodb+srv://a.example.net,b.example.net/db", id="srv-with-two-hosts"),
    ],
)
def test_other_urls_are_refused_with_the_url(url: str) -> None:
    with pytest.raises(ValueError, match="STORE_URL") as caught:
        validate_store_url(url)
    assert repr(url) in str(caught.value)


def test_query_string_is_refused_not_ignored() -> None:
    with pytest.raises(ValueError, match="STORE_URL"):
        sqlite_path("sqlite:///readings.sqlite3?mode=ro")


def test_passwords_never_reach_logs_or_error_messages() -> None:
    url = "mongodb://sensebridge:s3cret@mongo:27017/db?nonsense=1"

    assert describe_store_url(url) == "mongodb://sensebridge:***@mongo:27017/db?nonsense=1"
    assert describe_store_url("sqlite:///a.db") == "sqlite:///a.db"
    with pytest.raises(ValueError, match="STORE_URL") as caught:
        validate_store_url(url)
    assert "s3cret" not in str(caught.value)


@pytest.mark.parametrize(
    ("env", "url"),
    [
        pytest.param({}, DEFAULT_STORE_URL, id="nothing-set-is-sqlite"),
        pytest.param({"STORE_URL": "sqlite:////d/x.db"}, "sqlite:////d/x.db", id="store-url"),
        pytest.param({"MONGO_URL": "mongodb://mongo/sb"}, "mongodb://mongo/sb", id="mongo-url-alone"),
        pytest.param(
            {"STORE_URL": "sqlite:////d/x.db", "MONGO_URL": "mongodb://mongo/sb"},
            "sqlite:////d/x.db",
            id="store-url-wins",
        ),
        pytest.param({"STORE_URL": " ", "MONGO_URL": "mongodb://mongo/sb"}, "mongodb://mongo/sb", id="blank-is-unset"),
    ],
)
def test_store_url_precedence(env: dict[str, str], url: str) -> None:
    values = config.read(Process.BRIDGE, env)

    assert (store_url(values), retention_policy(values)) == (url, RetentionPolicy())
    assert values.problems == []


def test_every_store_problem_is_listed() -> None:
    values = config.read(Process.SERVER, {"MONGO_URL": "redis://x", "RETENTION_RAW_DAYS": "soon"})

    assert store_url(values) == DEFAULT_STORE_URL
    problems = [str(problem) for problem in values.problems]
    assert len(problems) == 2
    assert "MONGO_URL" in problems[0]
    assert "RETENTION_RAW_DAYS" in problems[1]


@pytest.mark.parametrize("setting", ["STORE_URL", "MONGO_URL"])
def test_a_mongo_url_pymongo_refuses_is_a_problem_of_the_setting_that_named_it(setting: str) -> None:
    values = config.read(Process.BRIDGE, {setting: "mongodb://user:s3cret@mongo/db?nonsense=1"})

    assert store_url(values) == DEFAULT_STORE_URL
    [problem] = values.problems
    assert problem.setting == setting
    assert "not a MongoDB connection string" in str(problem)
    assert "s3cret" not in str(problem)
