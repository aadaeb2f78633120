"""The Host allow-list and the public origins, derived from the settings (pure, standard library only).

Read with the settings, before Django is imported; :mod:`server.host_guard` checks requests
against the result. docs/security.md ("Host and Origin") tells the rules to users:

* The allowed hosts are ``DJANGO_ALLOWED_HOSTS`` plus the host of every ``PUBLIC_URLS`` entry;
  the embedded mode adds the names its bind address is reached by (:func:`bind_hosts`).
* The public origins are the ``PUBLIC_URLS`` entries as ``scheme://host[:port]``
  (:func:`url_origin`), the form a browser's ``Origin`` header takes.
* Nothing here ever adds ``*``: only a user who writes it into ``DJANGO_ALLOWED_HOSTS`` gets it.
* The server is reached over https when any ``PUBLIC_URLS`` entry is https (:func:`public_https`).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit

LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")
"""The names of this machine seen from itself: always allowed in the embedded mode."""
WILDCARD_BINDS = ("", "0.0.0.0", "::")  # noqa: S104 - bind addresses compared, not bound
"""Bind addresses that listen on every interface."""
DEFAULT_PORTS = {"http": 80, "https": 443}
"""The port a URL or an Origin of each web scheme means when it names none."""


def host_entry(name: str) -> str:
    """``name`` (a host name or an IP address) as an allowed-hosts entry matches it.

    Lower case without a trailing dot; an IPv6 address in brackets (``[::1]``), as it
    appears in a ``Host`` header.
    """
    bare = name.strip().strip("[]").lower().removesuffix(".")
    try:
        address = ipaddress.ip_address(bare)
    except ValueError:
        return bare
    return f"[{address.compressed}]" if address.version == 6 else address.compressed


def url_host(url: str) -> str:
    """The host of ``url`` as an allowed-hosts entry (``https://Pi.example.net:8443/`` -> ``pi.example.net``).

    Raises:
        ValueError: ``url`` has no host.
    """
    hostname = urlsplit(url).hostname
    if not hostname:
        raise ValueError(f"{url!r} names no host")
    return host_entry(hostname)


def url_origin(url: str) -> str:
    """The origin of ``url``, as a browser writes it in an ``Origin`` header.

    ``scheme://host[:port]`` in lower case, the port left out when it is the scheme's
    default: ``https://Pi.example.net:443/x`` -> ``https://pi.example.net``.

    Raises:
        ValueError: ``url`` has no host, or a bad port.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    port = parts.port
    shown_port = "" if port is None or port == DEFAULT_PORTS.get(scheme) else f":{port}"
    return f"{scheme}://{url_host(url)}{shown_port}"


def public_origins(public_urls: Iterable[str]) -> tuple[str, ...]:
    """The origins of ``public_urls`` (:func:`url_origin`), each once, in order."""
    return _unique(url_origin(url) for url in public_urls)


def public_https(public_urls: Iterable[str]) -> bool:
    """Whether people reach the server over https: any ``PUBLIC_URLS`` entry is ``https://``.

    Then its cookies are sent over https only and browsers are told to keep to https (HSTS):
    ``server/settings.py``, docs/deploy.md.
    """
    return any(urlsplit(url.strip()).scheme.lower() == "https" for url in public_urls)


def bind_hosts(bind: str, machine_names: Iterable[str] = ()) -> tuple[str, ...]:
    """The names a browser reaches a server bound to ``bind`` by.

    Always the loopback names (the embedded banner's first URL is ``http://127.0.0.1:<port>/``);
    for a wildcard bind (``0.0.0.0``, ``::``) also ``machine_names``: this machine's host name
    and LAN addresses; for any other address, that address (or name).

    Args:
        bind: The HTTP bind address.
        machine_names: This machine's names and addresses on its networks (found by
            :func:`server.embedded.network.machine_names`).
    """
    bind = bind.strip()
    if bind in WILDCARD_BINDS:
        names: Iterable[str] = machine_names
    else:
        names = (bind,)
    return _unique((*LOOPBACK_HOSTS, *(host_entry(name) for name in names if name.strip())))


def allowed_hosts(
    *, configured: Iterable[str], public_urls: Iterable[str], bind_names: Iterable[str] = ()
) -> tuple[str, ...]:
    """The Host allow-list: ``bind_names``, then the public URLs' hosts, then ``configured``, each once.

    Args:
        configured: ``DJANGO_ALLOWED_HOSTS``, kept as written (patterns such as ``.example.net``
            or ``*`` included: Django's rules apply).
        public_urls: ``PUBLIC_URLS``.
        bind_names: The embedded mode's :func:`bind_hosts`; nothing in production.
    """
    return _unique((*bind_names, *(url_host(url) for url in public_urls), *configured))


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))
