"""Who sent a request behind reverse proxies: X-Forwarded-For and -Proto believed from trusted peers only.

The rules (:mod:`server.proxy`), then the Django middleware that applies them, on bare requests.
"""

from __future__ import annotations

import asyncio
import ipaddress
from types import SimpleNamespace
from typing import Any, cast

import pytest
from asgiref.sync import iscoroutinefunction
from django.http import HttpRequest

from server.proxy import Forwarded, TrustedProxies, parse_address
from server.proxy_middleware import PEER_KEY, SCHEME_KEY, client_address, forwarding

NONE_TRUSTED = TrustedProxies()
PROXIES = TrustedProxies.of(["10.0.0.2", "172.18.0.0/16", "fd00::/8"])


def forwarded(
    peer: str, forwarded_for: str | None = None, proto: str | None = None, proxies: TrustedProxies = PROXIES
) -> Forwarded:
    return proxies.forwarded(peer=peer, forwarded_for=forwarded_for, forwarded_proto=proto)


def test_with_no_trusted_proxy_every_forwarded_header_is_ignored() -> None:
    assert forwarded("10.0.0.2", "203.0.113.9", "https", NONE_TRUSTED) == Forwarded(client="10.0.0.2")


def test_an_untrusted_peer_is_the_client_whatever_it_writes() -> None:
    assert forwarded("198.51.100.7", "203.0.113.9, 10.0.0.2", "https") == Forwarded(client="198.51.100.7")


def test_a_trusted_proxy_names_the_client_and_the_scheme() -> None:
    assert forwarded("10.0.0.2", "203.0.113.9", "https") == Forwarded("203.0.113.9", "https", proxied=True)


def test_entries_a_client_wrote_left_of_what_the_proxy_appended_are_ignored() -> None:
    # The client sent "X-Forwarded-For: 1.2.3.4"; the proxy appended the address it saw.
    assert forwarded("10.0.0.2", "1.2.3.4, 203.0.113.9").client == "203.0.113.9"


def test_a_chain_of_trusted_proxies_is_walked_to_the_first_untrusted_hop() -> None:
    chain = "1.2.3.4, 203.0.113.9, 172.18.0.5, fd00::7"

    assert forwarded("10.0.0.2", chain).client == "203.0.113.9"


def test_a_spoofed_trusted_address_left_of_the_client_does_not_extend_the_walk() -> None:
    assert forwarded("10.0.0.2", "1.2.3.4, 10.0.0.2, 203.0.113.9").client == "203.0.113.9"


def test_when_every_hop_is_trusted_the_left_most_is_the_client() -> None:
    assert forwarded("10.0.0.2", "172.18.0.9, 172.18.0.5").client == "172.18.0.9"


def test_a_trusted_peer_without_x_forwarded_for_is_itself_the_client() -> None:
    assert forwarded("10.0.0.2") == Forwarded("10.0.0.2", None, proxied=True)


@pytest.mark.parametrize("garbage", ["unknown", "203.0.113.9:4711", "_hidden", "999.1.1.1"])
def test_a_hop_that_is_no_address_stops_the_walk_at_the_trusted_hop_to_its_right(garbage: str) -> None:
    assert forwarded("10.0.0.2", f"1.2.3.4, {garbage}").client == "10.0.0.2"
    assert forwarded("10.0.0.2", f"1.2.3.4, {garbage}, 172.18.0.5").client == "172.18.0.5"


def test_several_headers_joined_by_commas_and_blank_entries_are_read_as_one_list() -> None:
    assert forwarded("10.0.0.2", " 1.2.3.4 ,, 203.0.113.9 ,").client == "203.0.113.9"


@pytest.mark.parametrize(
    ("proto", "scheme"),
    [
        ("https", "https"),
        ("HTTPS", "https"),
        ("wss", "https"),
        ("http", "http"),
        ("ws", "http"),
        ("http, https", "https"),  # the nearest proxy's word counts
        ("https, http", "http"),
        ("gopher", None),
        ("", None),
        (None, None),
    ],
)
def test_the_nearest_trusted_proxys_x_forwarded_proto_gives_the_scheme(proto: str | None, scheme: str | None) -> None:
    assert forwarded("10.0.0.2", "203.0.113.9", proto).scheme == scheme


def test_x_forwarded_proto_from_an_untrusted_peer_leaves_the_connections_scheme() -> None:
    assert forwarded("198.51.100.7", None, "https").scheme is None


@pytest.mark.parametrize(
    ("peer", "trusted"),
    [
        ("10.0.0.2", True),
        ("10.0.0.3", False),
        ("172.18.255.254", True),
        ("172.19.0.1", False),
        ("::ffff:10.0.0.2", True),  # a dual-stack listener's view of an IPv4 peer
        ("fd00::1", True),
        ("[fd00::1]", True),
        ("fe80::1", False),
        ("", False),
        ("/run/sensebridge.sock", False),
    ],
)
def test_the_direct_peer_is_trusted_when_its_address_is_in_a_trusted_network(peer: str, trusted: bool) -> None:
    assert forwarded(peer, "203.0.113.9").proxied is trusted


def test_an_ipv6_client_is_written_compressed_and_a_mapped_ipv4_one_as_ipv4() -> None:
    assert forwarded("10.0.0.2", "2001:DB8:0:0::1").client == "2001:db8::1"
    assert forwarded("10.0.0.2", "::ffff:203.0.113.9").client == "203.0.113.9"


def test_addresses_are_parsed_as_a_peer_or_a_hop_writes_them() -> None:
    assert parse_address(" 10.0.0.2 ") == ipaddress.ip_address("10.0.0.2")
    assert parse_address("[::1]") == ipaddress.ip_address("::1")
    assert parse_address("::ffff:127.0.0.1") == ipaddress.ip_address("127.0.0.1")
    assert parse_address("localhost") is None


def test_a_bad_trusted_proxy_entry_is_named() -> None:
    with pytest.raises(ValueError, match="trusted proxy 'caddy'"):
        TrustedProxies.of(["10.0.0.2", "caddy"])


def test_no_trusted_networks_trust_nothing_not_even_loopback() -> None:
    assert not NONE_TRUSTED.trusts(ipaddress.ip_address("127.0.0.1"))


def request_from(peer: str, **headers: str) -> HttpRequest:
    """A request as the middleware sees it: only ``META`` (a real ``HttpRequest`` needs Django's settings)."""
    meta = {"REMOTE_ADDR": peer, **{f"HTTP_{name.upper()}": value for name, value in headers.items()}}
    return cast("HttpRequest", SimpleNamespace(META=meta))


def answered(request: HttpRequest) -> Any:
    """A view's stand-in: answers the address it was given (a real response needs Django's settings)."""
    return request.META["REMOTE_ADDR"]


async def answered_later(request: HttpRequest) -> Any:
    return answered(request)


def test_the_middleware_gives_django_the_client_and_the_scheme_a_trusted_proxy_named() -> None:
    request = request_from("10.0.0.2", x_forwarded_for="1.2.3.4, 203.0.113.9", x_forwarded_proto="https")

    assert forwarding(answered, PROXIES)(request) == "203.0.113.9"
    assert client_address(request) == "203.0.113.9"
    assert request.META[PEER_KEY] == "10.0.0.2"
    assert request.META[SCHEME_KEY] == "https"


def test_the_middleware_serves_async_views_the_same() -> None:
    request = request_from("10.0.0.2", x_forwarded_for="203.0.113.9", x_forwarded_proto="http")
    middleware = forwarding(answered_later, PROXIES)

    assert iscoroutinefunction(middleware)
    assert asyncio.run(middleware(request)) == "203.0.113.9"  # type: ignore[arg-type]
    assert request.META[SCHEME_KEY] == "http"


def test_the_middleware_leaves_an_untrusted_peers_request_as_it_came() -> None:
    request = request_from("198.51.100.7", x_forwarded_for="203.0.113.9", x_forwarded_proto="https")

    forwarding(answered, PROXIES)(request)

    assert client_address(request) == "198.51.100.7"
    assert SCHEME_KEY not in request.META
