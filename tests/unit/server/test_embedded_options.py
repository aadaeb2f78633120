"""The embedded mode's command line: ports (0 is any free port), and options refused with a reason."""

from __future__ import annotations

import socket

import pytest

from config import table as t
from server.embedded.__main__ import _parse, _pick_port

LOOPBACK = "127.0.0.1"


def test_port_zero_means_any_free_port_for_http_and_mqtt() -> None:
    picked = _pick_port(LOOPBACK, 0, 8000, "MQTT")

    assert picked > 0
    with socket.socket() as sock:
        sock.bind((LOOPBACK, picked))  # free: the broker can listen on it


def test_a_taken_explicit_port_is_refused() -> None:
    with socket.socket() as taken:
        taken.bind((LOOPBACK, 0))
        taken.listen()
        port = taken.getsockname()[1]

        with pytest.raises(SystemExit, match=f"port {port} on {LOOPBACK} is in use"):
            _pick_port(LOOPBACK, port, 8000, "HTTP")


def test_a_taken_default_port_moves_to_a_free_one(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind((LOOPBACK, 0))
        taken.listen()
        default = taken.getsockname()[1]

        picked = _pick_port(LOOPBACK, None, default, "HTTP")

    assert picked != default
    assert f"HTTP port {default} is in use, using {picked}" in capsys.readouterr().err


@pytest.mark.parametrize("option", ["--port", "--mqtt-port"])
@pytest.mark.parametrize("value", ["-1", "65536"])
def test_ports_outside_the_tcp_range_are_refused_with_the_option(
    option: str, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        _parse([option, value])

    assert f"{option} must be 0..65535" in capsys.readouterr().err


def test_rate_seed_and_tick_default_to_the_settings_table() -> None:
    args = _parse([])

    assert (args.rate, args.seed, args.tick_ms) == (
        t.EDGE_RATE_HZ.default,
        t.EDGE_SEED.default,
        t.BRIDGE_TICK_MS.default,
    )
    assert _parse(["--rate", "2.5", "--seed", "7", "--tick-ms", "0"]).rate == 2.5


def test_rate_and_tick_outside_the_tables_ranges_are_refused_together(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        _parse(["--rate", "0", "--tick-ms", "fast", "--seed", "-1"])

    err = capsys.readouterr().err
    assert "--rate must be in (0, 50]" in err
    assert "--tick-ms not an integer" in err
    assert "--seed must be an integer in [0, " in err


def test_public_urls_are_repeatable_and_kept_in_order() -> None:
    assert _parse([]).public_url == ()
    args = _parse(["--public-url", "https://pi.example.net", "--public-url", " http://pi.lan:8080 "])

    assert args.public_url == ("https://pi.example.net", "http://pi.lan:8080")


def test_a_public_url_that_is_no_web_origin_is_refused_with_the_option(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        _parse(["--public-url", "pi.example.net", "--public-url", "https://pi.example.net/dashboard"])

    err = capsys.readouterr().err
    assert "--public-url 'pi.example.net': expected http(s)://host[:port]" in err
    assert "--public-url 'https://pi.example.net/dashboard': only http(s)://host[:port] is understood" in err
