"""The Host allow-list is derived from the bind address, the public URLs and DJANGO_ALLOWED_HOSTS, never ``*``."""

from __future__ import annotations

import pytest

from server.embedded.network import lan_address, machine_names
from server.hosts import (
    LOOPBACK_HOSTS,
    allowed_hosts,
    bind_hosts,
    host_entry,
    public_https,
    public_origins,
    url_host,
    url_origin,
)

MACHINE = ("raspberrypi", "raspberrypi.local", "192.168.1.20", "fd00::20")


@pytest.mark.parametrize("bind", ["127.0.0.1", "localhost", "::1"])
def test_a_loopback_bind_is_reached_by_the_loopback_names_only(bind: str) -> None:
    assert bind_hosts(bind, MACHINE) == LOOPBACK_HOSTS == ("localhost", "127.0.0.1", "[::1]")


@pytest.mark.parametrize("bind", ["0.0.0.0", "::", ""])
def test_a_wildcard_bind_is_reached_by_the_loopback_names_and_the_machines_names_and_addresses(bind: str) -> None:
    assert bind_hosts(bind, MACHINE) == (
        *LOOPBACK_HOSTS,
        "raspberrypi",
        "raspberrypi.local",
        "192.168.1.20",
        "[fd00::20]",
    )


def test_a_bind_to_one_address_is_reached_by_that_address_and_the_loopback_names() -> None:
    assert bind_hosts("192.168.1.20", ("other-name",)) == (*LOOPBACK_HOSTS, "192.168.1.20")
    assert bind_hosts("fe80::1", ()) == (*LOOPBACK_HOSTS, "[fe80::1]")


def test_the_allow_list_is_bind_names_then_public_hosts_then_the_configured_names_each_once() -> None:
    hosts = allowed_hosts(
        configured=("localhost", "127.0.0.1", ".example.org"),
        public_urls=("https://Pi.Example.net", "http://pi.example.net:8080/", "http://[2001:db8::1]:8000"),
        bind_names=bind_hosts("0.0.0.0", MACHINE),
    )

    assert hosts == (*bind_hosts("0.0.0.0", MACHINE), "pi.example.net", "[2001:db8::1]", ".example.org")


def test_production_allows_the_configured_hosts_and_the_public_urls_hosts() -> None:
    assert allowed_hosts(configured=("localhost",), public_urls=("https://dash.example.net",)) == (
        "dash.example.net",
        "localhost",
    )
    assert allowed_hosts(configured=("localhost", "127.0.0.1"), public_urls=()) == ("localhost", "127.0.0.1")


def test_nothing_derived_ever_allows_every_host() -> None:
    for bind in ("0.0.0.0", "::", "127.0.0.1", "10.0.0.5"):
        hosts = allowed_hosts(
            configured=("localhost",), public_urls=("https://a.example",), bind_names=bind_hosts(bind)
        )
        assert "*" not in hosts
        assert all(host and not host.startswith(".") for host in hosts)


@pytest.mark.parametrize(
    ("name", "entry"),
    [
        ("Pi.Example.NET.", "pi.example.net"),
        ("10.0.0.5", "10.0.0.5"),
        ("::1", "[::1]"),
        ("[FD00:0:0::20]", "[fd00::20]"),
    ],
)
def test_names_and_addresses_are_written_as_a_host_header_carries_them(name: str, entry: str) -> None:
    assert host_entry(name) == entry


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://pi.example.net", "https://pi.example.net"),
        ("https://Pi.Example.net:443/", "https://pi.example.net"),
        ("http://pi.example.net:80", "http://pi.example.net"),
        ("http://pi.example.net:8080/", "http://pi.example.net:8080"),
        ("HTTPS://pi.example.net:8443", "https://pi.example.net:8443"),
        ("http://[2001:DB8::1]:8000", "http://[2001:db8::1]:8000"),
    ],
)
def test_a_public_urls_origin_is_what_a_browser_sends_as_origin(url: str, origin: str) -> None:
    assert url_origin(url) == origin


def test_public_origins_are_listed_once_each() -> None:
    urls = ("https://pi.example.net", "https://pi.example.net:443/", "http://pi.example.net")
    assert public_origins(urls) == ("https://pi.example.net", "http://pi.example.net")


def test_a_url_without_a_host_has_no_host() -> None:
    with pytest.raises(ValueError, match="names no host"):
        url_host("https:///path")


def test_this_machines_names_start_with_its_name_and_include_the_address_the_banner_prints() -> None:
    names = machine_names()

    assert names, "at least the host name"
    assert names[0] == names[0].lower()
    assert len(set(names)) == len(names)
    assert not any(name.startswith("127.") or name == "::1" for name in names)
    lan = lan_address()
    if lan is not None:  # the banner prints a LAN URL only when the host name resolves to one
        assert lan in names


@pytest.mark.parametrize(
    ("public_urls", "https"),
    [
        ((), False),
        (("http://10.0.0.5:8080",), False),
        (("https://pi.example.net",), True),
        (("http://10.0.0.5:8080", " HTTPS://pi.example.net:8443"), True),
    ],
)
def test_the_server_is_reached_over_https_when_any_public_url_is_https(
    public_urls: tuple[str, ...], https: bool
) -> None:
    assert public_https(public_urls) is https
