"""Django app registration."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Users' roles, login throttling, API tokens and WebSocket tickets."""

    name = "server.accounts"
    label = "accounts"
    verbose_name = "Accounts"
