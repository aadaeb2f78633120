"""Who sent a request, and whether over https, when reverse proxies stand in front (pure, standard library only).

:class:`TrustedProxies` holds the networks of ``TRUSTED_PROXIES``; :meth:`TrustedProxies.forwarded`
takes what the connection and the headers say and answers a :class:`Forwarded`. The Django
adapter is :mod:`server.proxy_middleware`. docs/deploy.md tells the rules to users:

* A request whose **direct peer** (the address the TCP connection came from) is not a trusted
  proxy is taken as it is: its client is the peer, its scheme the connection's.
  ``X-Forwarded-For`` and ``X-Forwarded-Proto`` are ignored: anyone can write them.
* From a trusted peer, ``X-Forwarded-For`` is read **from the right**: each entry was appended
  by the hop to its right, so an entry is believed only while every hop to its right is
  trusted. The client is the right-most entry that is not itself a trusted proxy; entries to
  its left were written by the client and are ignored. When every entry is trusted, the
  left-most one is the client. An entry that is not an IP address (``unknown``, a forged
  value a proxy passed on) stops the walk: the hop to its right is the client (fewer
  addresses, never one the client chose).
* From a trusted peer, the right-most ``X-Forwarded-Proto`` value (the nearest proxy's)
  gives the scheme: ``https`` (or ``wss``) marks the request secure, ``http`` (or ``ws``)
  not; anything else, or none, leaves the connection's own scheme.
* ``X-Forwarded-Host`` is never read: the proxy must pass the ``Host`` it was asked for, which
  the Host allow-list (``PUBLIC_URLS``) checks.

Addresses are compared as IP addresses: an IPv4-mapped IPv6 peer (``::ffff:10.0.0.2``, from a
dual-stack listener) is its IPv4 address.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

SCHEMES = {"https": "https", "wss": "https", "http": "http", "ws": "http"}
"""``X-Forwarded-Proto`` values understood (case-insensitive), and the scheme each means."""


def parse_address(text: str) -> IPAddress | None:
    """The IP address ``text`` writes (``[::1]`` brackets allowed); an IPv4-mapped one as IPv4; else ``None``."""
    bare = text.strip()
    if bare.startswith("[") and bare.endswith("]"):
        bare = bare[1:-1]
    try:
        address = ipaddress.ip_address(bare)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


@dataclass(frozen=True, slots=True)
class Forwarded:
    """Who sent one request and over what, as far as trusted proxies vouch for it.

    Attributes:
        client: The client's address: the direct peer's (as the server wrote it) unless a
            trusted proxy named another.
        scheme: ``https`` or ``http`` as the nearest trusted proxy said; ``None``: the
            connection's own scheme stands.
        proxied: The direct peer is a trusted proxy.
    """

    client: str
    scheme: str | None = None
    proxied: bool = False


@dataclass(frozen=True, slots=True)
class TrustedProxies:
    """The networks whose hosts are believed when they forward a request (module docstring).

    Attributes:
        networks: ``TRUSTED_PROXIES``; none: nothing is forwarded, every header is ignored.
    """

    networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def of(cls, entries: Iterable[str]) -> TrustedProxies:
        """The networks written in ``entries`` (``10.0.0.7``, ``172.18.0.0/16``, ``::1``).

        Raises:
            ValueError: an entry is not an address or network; the message names it.
        """
        networks: list[IPNetwork] = []
        for entry in entries:
            try:
                networks.append(ipaddress.ip_network(entry.strip()))
            except ValueError as exc:
                raise ValueError(f"trusted proxy {entry!r}: {exc}") from None
        return cls(tuple(networks))

    def trusts(self, address: IPAddress | None) -> bool:
        """Whether ``address`` is in one of the networks (``None``, no address: never)."""
        if address is None:
            return False
        return any(address.version == network.version and address in network for network in self.networks)

    def forwarded(self, *, peer: str, forwarded_for: str | None, forwarded_proto: str | None) -> Forwarded:
        """Who sent a request: see the module docstring for the rules.

        Args:
            peer: The direct peer's address as the server gave it (``REMOTE_ADDR``, the ASGI
                ``client``); anything that is not an IP address (a Unix socket) is never trusted.
            forwarded_for: The ``X-Forwarded-For`` header, several of them joined by commas.
            forwarded_proto: The ``X-Forwarded-Proto`` header, several joined by commas.
        """
        peer_address = parse_address(peer)
        if not self.trusts(peer_address):
            return Forwarded(client=peer)
        client = peer_address
        for entry in reversed(_entries(forwarded_for)):
            hop = parse_address(entry)
            if hop is None:
                break
            client = hop
            if not self.trusts(hop):
                break
        protos = _entries(forwarded_proto)
        scheme = SCHEMES.get(protos[-1].lower()) if protos else None
        return Forwarded(client=str(client), scheme=scheme, proxied=True)


def _entries(header: str | None) -> list[str]:
    return [entry.strip() for entry in (header or "").split(",") if entry.strip()]
