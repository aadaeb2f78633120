"""Which Host headers and WebSocket Origins the policy accepts, and the reason it gives for the rest."""

from __future__ import annotations

import pytest

from server.host_guard import HostPolicy, Refusal
from server.hosts import allowed_hosts, bind_hosts

PORT = 8000
EMBEDDED = HostPolicy.of(
    allowed_hosts=allowed_hosts(
        configured=("localhost", "127.0.0.1"),
        public_urls=("https://pi.example.net",),
        bind_names=bind_hosts("0.0.0.0", ("raspberrypi", "raspberrypi.local", "192.168.1.20")),
    ),
    public_urls=("https://pi.example.net",),
)
PRODUCTION = HostPolicy.of(allowed_hosts=(".example.org", "localhost"), public_urls=())


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1:8000",
        "127.0.0.1",
        "localhost:8000",
        "LOCALHOST:8000",
        "[::1]:8000",
        "raspberrypi:8000",
        "raspberrypi.local:8000",
        "192.168.1.20:8000",
        "pi.example.net",
        "pi.example.net.",
    ],
)
def test_the_names_the_server_is_reached_by_are_answered(host: str) -> None:
    assert EMBEDDED.check_host([host]) is None


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "192.168.1.21:8000", "127.0.0.2:8000"])
def test_any_other_host_is_refused_as_not_allowed(host: str) -> None:
    assert EMBEDDED.check_host([host]) == Refusal("Host", host, "not an allowed host")


@pytest.mark.parametrize("host", ["", "evil example", "127.0.0.1:80:80", "a/b", "[::1"])
def test_a_malformed_host_is_refused(host: str) -> None:
    assert EMBEDDED.check_host([host]) == Refusal("Host", host, "not a host name")


def test_a_missing_or_repeated_host_is_refused() -> None:
    assert EMBEDDED.check_host([]) == Refusal("Host", None, "exactly one Host header is required")
    assert EMBEDDED.check_host(["127.0.0.1", "evil.example"]) == Refusal(
        "Host", "127.0.0.1, evil.example", "exactly one Host header is required"
    )


def test_a_leading_dot_in_django_allowed_hosts_takes_the_domain_and_its_subdomains() -> None:
    assert PRODUCTION.check_host(["example.org"]) is None
    assert PRODUCTION.check_host(["dash.example.org:443"]) is None
    assert PRODUCTION.check_host(["example.org.evil.example"]) is not None
    assert PRODUCTION.check_host(["127.0.0.1"]) is not None, "only the listed names"


@pytest.mark.parametrize(
    "origin",
    [
        "http://127.0.0.1:8000",
        "https://127.0.0.1:8000",
        "http://localhost:8000",
        "http://[::1]:8000",
        "http://raspberrypi.local:8000",
        "http://192.168.1.20:8000",
        "http://pi.example.net:8000",
        "https://pi.example.net",  # the public URL's own origin, whatever port the proxy forwards to
        "HTTPS://PI.example.net:443",
    ],
)
def test_the_pages_of_the_allowed_hosts_on_the_served_port_and_of_the_public_urls_may_open_a_socket(
    origin: str,
) -> None:
    assert EMBEDDED.check_origin([origin], served_port=PORT) is None


def test_a_handshake_without_an_origin_comes_from_a_program_and_is_accepted() -> None:
    assert EMBEDDED.check_origin([], served_port=PORT) is None


@pytest.mark.parametrize(
    ("origin", "reason"),
    [
        ("http://evil.example", "its host is not an allowed host"),
        ("http://evil.example:8000", "its host is not an allowed host"),
        ("http://127.0.0.1:9000", "not the port this server was reached on (8000)"),
        ("http://127.0.0.1", "not the port this server was reached on (8000)"),
        ("http://pi.example.net", "not the port this server was reached on (8000)"),  # not the public URL's scheme
        ("https://pi.example.net:8443", "not the port this server was reached on (8000)"),
        ("null", "not an http(s) origin"),
        ("file://", "not an http(s) origin"),
        ("chrome-extension://abcdef", "not an http(s) origin"),
        ("ws://127.0.0.1:8000", "not an http(s) origin"),
        ("http://127.0.0.1:8000/page", "not an http(s) origin"),
        ("http://127.0.0.1:port", "not an http(s) origin"),
        ("http://user@127.0.0.1:8000", "not an http(s) origin"),
        ("http://[::1", "not an http(s) origin"),
    ],
)
def test_a_foreign_origin_is_refused_with_the_reason(origin: str, reason: str) -> None:
    assert EMBEDDED.check_origin([origin], served_port=PORT) == Refusal("Origin", origin, reason)


def test_repeated_origins_are_refused_even_when_each_would_pass() -> None:
    origins = ["http://127.0.0.1:8000", "http://127.0.0.1:8000"]
    assert EMBEDDED.check_origin(origins, served_port=PORT) == Refusal(
        "Origin", "http://127.0.0.1:8000, http://127.0.0.1:8000", "more than one Origin header"
    )


def test_without_a_served_port_only_the_public_origins_are_accepted() -> None:
    assert EMBEDDED.check_origin(["https://pi.example.net"], served_port=None) is None
    assert EMBEDDED.check_origin(["http://127.0.0.1:8000"], served_port=None) is not None


def test_a_refusal_says_which_header_what_it_held_and_why() -> None:
    assert (
        str(Refusal("Host", "evil.example", "not an allowed host"))
        == "Host 'evil.example' refused: not an allowed host"
    )
    assert str(Refusal("Host", None, "exactly one Host header is required")).startswith("Host (none) refused")
