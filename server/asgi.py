"""ASGI entry point: HTTP to Django, WebSockets to the Channels consumers.

Invalid settings stop the ASGI server at start-up with every problem listed (no traceback).
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
from channels.security.websocket import AllowedHostsOriginValidator
from django.urls import path

from server.telemetry.consumers import LiveConsumer

application = ProtocolTypeRouter(
    {
        "http": django_http,
        "websocket": AllowedHostsOriginValidator(URLRouter([path("ws/live/", LiveConsumer.as_asgi())])),
    }
)
