"""Server settings: read once from an environment mapping, every problem listed at once.

Only ``server.config`` is imported: ``server.settings`` reads the settings at import.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from bridge.config import LAYERS
from config import ConfigError
from server.config import (
    ASGI_SERVERS,
    DEFAULT_ASGI_SERVER,
    REPO_ROOT,
    ServerConfig,
    asgi_server_args,
    load,
)

DATABASE = "postgresql://sensebridge:pw@db:5432/sensebridge"
SECRET = {"DJANGO_SECRET_KEY": "a-long-test-secret", "DATABASE_URL": DATABASE}


def test_defaults_with_a_secret() -> None:
    assert load(SECRET) == ServerConfig(
        secret_key="a-long-test-secret",
        database_url=DATABASE,
        debug=False,
        allowed_hosts=("localhost", "127.0.0.1"),
        store_url="sqlite:///var/sensebridge.sqlite3",
        channel_layer="redis-pubsub",
        redis_url="redis://127.0.0.1:6379/0",
        dashboard_dir=REPO_ROOT / "dashboard" / "dist",
    )


def test_repo_root_is_the_checkout() -> None:
    assert (REPO_ROOT / "server" / "config.py").is_file()


def test_every_variable_is_read() -> None:
    env = {
        **SECRET,
        "DJANGO_DEBUG": "1",
        "DJANGO_ALLOWED_HOSTS": " dash.lan , 10.0.0.5,,",
        "STORE_URL": "sqlite:////data/readings.sqlite3",
        "CHANNEL_LAYER": "memory",
        "REDIS_URL": "redis://cache:6380/2",
        "DASHBOARD_DIR": "/srv/dashboard",
        "ASGI_SERVER": "daphne" if DEFAULT_ASGI_SERVER == "uvicorn" else "uvicorn",
    }

    assert load(env) == ServerConfig(
        secret_key="a-long-test-secret",
        database_url=DATABASE,
        debug=True,
        allowed_hosts=("dash.lan", "10.0.0.5"),
        store_url="sqlite:////data/readings.sqlite3",
        channel_layer="memory",
        redis_url="redis://cache:6380/2",
        dashboard_dir=Path("/srv/dashboard"),
        asgi_server="daphne" if DEFAULT_ASGI_SERVER == "uvicorn" else "uvicorn",
    )


@pytest.mark.parametrize(
    ("raw", "debug"),
    [("1", True), ("true", True), ("YES", True), ("0", False), ("false", False), ("no", False), ("", False)],
)
def test_debug_flag_spellings(raw: str, debug: bool) -> None:
    assert load({**SECRET, "DJANGO_DEBUG": raw}).debug is debug


@pytest.mark.parametrize("layer", LAYERS)
def test_every_channel_layer_kind_is_allowed_including_memory(layer: str) -> None:
    assert load({**SECRET, "CHANNEL_LAYER": layer}).channel_layer == layer


def test_debug_without_secret_uses_a_development_key() -> None:
    config = load({"DJANGO_DEBUG": "1"})

    assert config.debug is True
    assert config.secret_key


def test_secret_is_required_without_debug() -> None:
    with pytest.raises(ConfigError) as caught:
        load({"DATABASE_URL": DATABASE})

    [problem] = caught.value.problems
    assert problem.setting == "DJANGO_SECRET_KEY"
    assert "DJANGO_SECRET_KEY" in str(problem)


def test_every_problem_is_listed_at_once() -> None:
    env = {
        "DJANGO_DEBUG": "maybe",
        "DJANGO_ALLOWED_HOSTS": " , ",
        "STORE_URL": "postgres://db/readings",
        "CHANNEL_LAYER": "kafka",
        "ASGI_SERVER": "gunicorn",
    }

    with pytest.raises(ConfigError) as caught:
        load(env)

    problems = [str(problem) for problem in caught.value.problems]
    expected = [
        "DJANGO_DEBUG",
        "DJANGO_SECRET_KEY",
        "DJANGO_ALLOWED_HOSTS",
        "DATABASE_URL",
        "STORE_URL",
        "CHANNEL_LAYER",
        "ASGI_SERVER",
    ]
    assert len(problems) == len(expected)
    for words in expected:
        assert any(words in problem for problem in problems), words
    for problem in problems:
        assert problem in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_bad_redis_url_is_a_start_up_problem() -> None:
    with pytest.raises(ConfigError) as caught:
        load({**SECRET, "CHANNEL_LAYER": "redis-pubsub", "REDIS_URL": "cache:6379"})

    assert [problem.setting for problem in caught.value.problems] == ["REDIS_URL"]


@pytest.mark.parametrize("server", ASGI_SERVERS)
def test_every_asgi_server_is_allowed_and_has_a_command(server: str) -> None:
    args = asgi_server_args(server, host="0.0.0.0", port=8000)

    assert load({**SECRET, "ASGI_SERVER": server}).asgi_server == server
    assert args[0] == server
    assert args[-1] == "server.asgi:application"


def test_uvicorn_runs_on_uvloop_with_the_sansio_websockets_and_no_compression() -> None:
    args = asgi_server_args("uvicorn", host="127.0.0.1", port=9000, app="bench.baseline.asgi:application")
    pairs = set(itertools.pairwise(args))

    for option in [
        ("--host", "127.0.0.1"),
        ("--port", "9000"),
        ("--loop", "uvloop"),
        ("--ws", "websockets-sansio"),
        ("--ws-per-message-deflate", "false"),
        ("--lifespan", "off"),
    ]:
        assert option in pairs, option
    assert args[-1] == "bench.baseline.asgi:application"


def test_daphne_binds_host_and_port() -> None:
    assert asgi_server_args("daphne", host="127.0.0.1", port=9000) == [
        "daphne",
        "-b",
        "127.0.0.1",
        "-p",
        "9000",
        "server.asgi:application",
    ]


def test_an_unknown_asgi_server_has_no_command() -> None:
    with pytest.raises(ValueError, match="ASGI_SERVER"):
        asgi_server_args("gunicorn", host="127.0.0.1", port=8000)


def test_the_public_urls_hosts_are_answered_besides_the_allowed_hosts() -> None:
    config = load({**SECRET, "PUBLIC_URLS": "https://dash.example.net, http://10.0.0.5:8080"})

    assert config.public_urls == ("https://dash.example.net", "http://10.0.0.5:8080")
    assert config.allowed_hosts == ("dash.example.net", "10.0.0.5", "localhost", "127.0.0.1")


def test_a_public_url_with_a_path_is_a_start_up_problem() -> None:
    with pytest.raises(ConfigError) as caught:
        load({**SECRET, "PUBLIC_URLS": "https://dash.example.net/sensebridge"})

    [problem] = caught.value.problems
    assert problem.setting == "PUBLIC_URLS"
    assert "only http(s)://host[:port] is understood" in str(problem)


def test_uvicorn_believes_no_forwarded_headers_itself() -> None:
    """By default uvicorn rewrites the peer from X-Forwarded-For sent by 127.0.0.1; server.proxy decides instead."""
    args = asgi_server_args("uvicorn", host="127.0.0.1", port=9000)

    assert "--no-proxy-headers" in args
    assert "--proxy-headers" not in args
    assert "--forwarded-allow-ips" not in args
    assert "--proxy-headers" not in asgi_server_args("daphne", host="127.0.0.1", port=9000)


def test_no_proxy_is_trusted_and_hsts_lasts_a_year_by_default() -> None:
    config = load(SECRET)

    assert config.trusted_proxies == ()
    assert config.hsts_seconds == 365 * 86_400


def test_trusted_proxies_are_read_as_networks_and_hsts_can_be_turned_off() -> None:
    config = load({**SECRET, "TRUSTED_PROXIES": " 10.0.0.2, 172.18.0.0/16 ,::1", "HSTS_SECONDS": "0"})

    assert config.trusted_proxies == ("10.0.0.2/32", "172.18.0.0/16", "::1/128")
    assert config.hsts_seconds == 0


@pytest.mark.parametrize(
    ("entries", "reason"),
    [
        ("10.0.0.2, caddy", "'caddy': not an IP address or network (names are not resolved"),
        ("10.0.0.2/8", "'10.0.0.2/8': host bits set (the network is 10.0.0.0/8)"),
        ("10.0.0.0/33", "'10.0.0.0/33': not an IP address or network"),
        (" , ", "is empty"),
    ],
)
def test_a_bad_trusted_proxy_entry_is_a_start_up_problem_that_names_it(entries: str, reason: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load({**SECRET, "TRUSTED_PROXIES": entries, "HSTS_SECONDS": "-1"})

    assert [problem.setting for problem in caught.value.problems] == ["TRUSTED_PROXIES", "HSTS_SECONDS"]
    assert reason in str(caught.value.problems[0])
    assert "must be an integer in [0, 63244800]" in str(caught.value.problems[1])
