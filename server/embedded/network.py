"""This machine's names and addresses as other machines on its LAN reach it (no traffic is sent).

The embedded banner prints :func:`lan_address`; the Host allow-list of a wildcard bind
(:func:`server.hosts.bind_hosts`) takes :func:`machine_names`, which starts with the same
address, so every URL the banner prints is answered.
"""

from __future__ import annotations

import contextlib
import socket

# A TEST-NET-1 address (RFC 5737): connecting a UDP socket to it only asks the kernel which
# local address the default route leaves from; no packet is sent.
_ROUTE_PROBE = ("192.0.2.1", 9)


def lan_address() -> str | None:
    """This machine's address as other LAN hosts would use it, if it can be told (no traffic sent)."""
    with contextlib.suppress(OSError):
        address = socket.gethostbyname(socket.gethostname())
        if not address.startswith("127."):
            return address
    return None


def _route_address() -> str | None:
    """The local address of the default route (where the host name resolves to 127.0.1.1, as on Debian)."""
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(_ROUTE_PROBE)
        address: str = probe.getsockname()[0]
        if not address.startswith(("127.", "0.")):
            return address
    return None


def _resolved_addresses(hostname: str) -> list[str]:
    """The non-loopback addresses the host name resolves to locally (``/etc/hosts``, mDNS, DNS)."""
    with contextlib.suppress(OSError):
        infos = socket.getaddrinfo(hostname, None, type=socket.SOCK_STREAM)
        addresses = [str(info[4][0]).split("%")[0] for info in infos]
        return [a for a in addresses if not a.startswith("127.") and a != "::1" and not a.startswith("fe80:")]
    return []


def machine_names() -> tuple[str, ...]:
    """This machine's host name (also as ``<name>.local``, its mDNS name) and LAN addresses.

    The banner's :func:`lan_address` comes first among the addresses; then the address of the
    default route and whatever else the host name resolves to. Loopback and link-local
    addresses are left out (the loopback names are always allowed).
    """
    hostname = socket.gethostname().strip().lower()
    short = hostname.split(".")[0]
    names = [hostname, short, f"{short}.local"] if short else []
    addresses = [lan_address(), _route_address(), *(_resolved_addresses(hostname) if hostname else [])]
    return tuple(dict.fromkeys([*names, *(a for a in addresses if a)]))
