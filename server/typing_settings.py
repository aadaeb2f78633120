"""Django settings for the type checker: django-stubs imports these, and they need no environment.

``pyproject.toml`` ([tool.django-stubs]) names this module; the server itself reads
:mod:`server.settings` with the environment's (or an installed) :class:`~server.config.ServerConfig`.
"""

from __future__ import annotations

from server.config import ServerConfig, install

install(ServerConfig(secret_key="type-checking-only", database_url="sqlite:///:memory:"))  # noqa: S106 - never served

from server.settings import *  # noqa: E402, F403
