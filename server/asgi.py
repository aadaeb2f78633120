"""ASGI entry point: HTTP to Django, WebSockets to the Channels consumers, Host and Origin checked first.

Invalid settings stop the ASGI server at start-up with every problem listed (no traceback).
Every request passes :class:`~server.host_guard.HostGuard` before anything else sees it
(WhiteNoise serves the dashboard before Django's own Host check would run): a bad Host gets
HTTP 400, a WebSocket handshake from a foreign Origin HTTP 403 (docs/security.md).

No session or authentication middleware wraps the WebSocket router: ``/ws/live/`` signs its
client in itself, once at connect (:mod:`server.accounts.sockets`: a ticket or the session
cookie, read with the configured session engine), so a live frame passes through no
middleware on its way out.
"""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

from config import ConfigError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "server.settings")
try:
    django_http = get_asgi_application()  # sets Django up before the consumers are imported
except ConfigError as exc:
    raise SystemExit(f"sensebridge server: {exc}") from None

from channels.routing import ProtocolTypeRouter, URLRouter
from django.conf import settings
from django.urls import path

from server.host_guard import HostGuard, HostPolicy
from server.telemetry.consumers import LiveConsumer

application = HostGuard(
    ProtocolTypeRouter(
        {
            "http": django_http,
            "websocket": URLRouter([path("ws/live/", LiveConsumer.as_asgi())]),
        }
    ),
    HostPolicy.of(allowed_hosts=tuple(settings.ALLOWED_HOSTS), public_urls=settings.CONFIG.public_urls),
)
