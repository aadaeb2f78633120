"""Django app registration."""

from django.apps import AppConfig


class TelemetryConfig(AppConfig):
    """The telemetry app."""

    name = "server.telemetry"
    label = "telemetry"
