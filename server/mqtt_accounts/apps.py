"""Django app registration."""

from django.apps import AppConfig


class MqttAccountsConfig(AppConfig):
    """MQTT accounts: devices, read-only integrations and the bridge's service account."""

    name = "server.mqtt_accounts"
    label = "mqtt_accounts"
    verbose_name = "MQTT accounts"

    def ready(self) -> None:
        """Register the accounts with the admin site (it discovers nothing by itself)."""
        from server.mqtt_accounts import admin  # noqa: F401, PLC0415 - registers on import
