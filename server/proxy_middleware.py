"""Django middleware: a request forwarded by a trusted proxy gets its client's address and scheme.

The rules are :mod:`server.proxy`'s; this adapter applies them to ``request.META`` first thing
(``MIDDLEWARE[0]`` in ``server/settings.py``), so every later part sees the same answer:

* ``REMOTE_ADDR`` becomes :attr:`~server.proxy.Forwarded.client` (the direct peer's address
  is kept in :data:`PEER_KEY`). :func:`client_address` reads it for the login throttle.
* :data:`SCHEME_KEY` is set only when a trusted proxy said ``X-Forwarded-Proto``, and
  ``SECURE_PROXY_SSL_HEADER`` names that key: ``request.is_secure()`` (HSTS, the CSRF
  Referer check) believes trusted proxies only. Django's own way, ``SECURE_PROXY_SSL_HEADER =
  ("HTTP_X_FORWARDED_PROTO", "https")``, would believe any peer. No client can write
  :data:`SCHEME_KEY`: every header reaches ``META`` as ``HTTP_...``.

With no trusted proxy (the default) the middleware takes itself out (``MiddlewareNotUsed``):
nothing is rewritten and no forwarded header is read. The ASGI servers must not rewrite the
peer either (uvicorn runs with ``--no-proxy-headers``: :func:`server.config.asgi_server_args`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from asgiref.sync import iscoroutinefunction
from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpRequest, HttpResponseBase
from django.utils.decorators import sync_and_async_middleware

from server.proxy import TrustedProxies

PEER_KEY = "SENSEBRIDGE_PEER_ADDR"
"""``request.META`` key of the direct peer's address (``REMOTE_ADDR`` as the server gave it)."""
SCHEME_KEY = "SENSEBRIDGE_FORWARDED_PROTO"
"""``request.META`` key of the scheme a trusted proxy named (``SECURE_PROXY_SSL_HEADER`` reads it)."""

GetResponse = Callable[[HttpRequest], HttpResponseBase] | Callable[[HttpRequest], Awaitable[HttpResponseBase]]


def client_address(request: HttpRequest) -> str:
    """The client's IP address: the peer's, or the one a trusted proxy named (module docstring)."""
    return str(request.META.get("REMOTE_ADDR", ""))


def apply_forwarded(request: HttpRequest, proxies: TrustedProxies) -> None:
    """Rewrite ``request.META`` as :mod:`server.proxy` decides (module docstring)."""
    meta = request.META
    peer = str(meta.get("REMOTE_ADDR", ""))
    forwarded = proxies.forwarded(
        peer=peer,
        forwarded_for=meta.get("HTTP_X_FORWARDED_FOR"),
        forwarded_proto=meta.get("HTTP_X_FORWARDED_PROTO"),
    )
    meta[PEER_KEY] = peer
    meta["REMOTE_ADDR"] = forwarded.client
    if forwarded.scheme is not None:
        meta[SCHEME_KEY] = forwarded.scheme


@sync_and_async_middleware
def proxy_headers(get_response: GetResponse) -> Callable[[HttpRequest], object]:
    """The middleware (``server.proxy_middleware.proxy_headers``); unused when no proxy is trusted.

    Raises:
        MiddlewareNotUsed: ``TRUSTED_PROXIES`` is empty.
    """
    proxies = TrustedProxies.of(settings.CONFIG.trusted_proxies)
    if not proxies.networks:
        raise MiddlewareNotUsed
    return forwarding(get_response, proxies)


def forwarding(get_response: GetResponse, proxies: TrustedProxies) -> Callable[[HttpRequest], object]:
    """``get_response`` behind :func:`apply_forwarded` with ``proxies``, sync or async as it is."""
    if iscoroutinefunction(get_response):
        respond_later: Callable[[HttpRequest], Awaitable[HttpResponseBase]] = get_response

        async def forwarded_async(request: HttpRequest) -> HttpResponseBase:
            apply_forwarded(request, proxies)
            return await respond_later(request)

        return forwarded_async

    respond: Callable[[HttpRequest], HttpResponseBase] = get_response  # type: ignore[assignment]

    def forwarded_sync(request: HttpRequest) -> HttpResponseBase:
        apply_forwarded(request, proxies)
        return respond(request)

    return forwarded_sync
