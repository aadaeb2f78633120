"""Server settings, read once from the environment (``server.settings`` calls :func:`load`).

| Variable | Default | Meaning |
|---|---|---|
| ``DJANGO_SECRET_KEY`` | (required unless ``DJANGO_DEBUG=1``) | Django's signing key |
| ``DJANGO_DEBUG`` | ``0`` | ``1`` for development error pages |
| ``DJANGO_ALLOWED_HOSTS`` | ``localhost,127.0.0.1`` | Comma-separated; also the WebSocket origin allow-list |
| ``STORE_URL`` | ``sqlite:///var/sensebridge.sqlite3`` | Reading store, as the bridge's (``MONGO_URL`` if unset) |
| ``RETENTION_*_DAYS`` | ``90``/``730``/``0`` | Raw/minute/hour retention, 0 = forever (:mod:`storage.retention`) |
| ``CHANNEL_LAYER`` | ``redis-pubsub`` | ``redis-pubsub``, ``redis``, or ``memory`` (embedded mode only) |
| ``REDIS_URL`` | ``redis://127.0.0.1:6379/0`` | Channel layer's Redis |
| ``DASHBOARD_DIR`` | ``<repo>/dashboard/dist`` | The built dashboard served at ``/`` |
| ``ASGI_SERVER`` | ``uvicorn`` | ``uvicorn`` or ``daphne``: what launchers run (:func:`asgi_server_args`) |
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bridge.layers import read_layer_settings
from storage.factory import read_store_settings
from storage.retention import RetentionPolicy

REPO_ROOT = Path(__file__).resolve().parent.parent
ASGI_APP = "server.asgi:application"
ASGI_SERVERS = ("daphne", "uvicorn")
DEFAULT_ASGI_SERVER = "uvicorn"  # measured: docs/benchmarks.md


class ConfigError(ValueError):
    """Settings are missing or invalid; ``problems`` lists every one."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("invalid server settings:\n  " + "\n  ".join(problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class ServerConfig:
    """Typed server settings (see the module docstring for the variables)."""

    secret_key: str
    debug: bool
    allowed_hosts: tuple[str, ...]
    store_url: str
    channel_layer: str
    redis_url: str
    dashboard_dir: Path
    asgi_server: str = DEFAULT_ASGI_SERVER
    retention: RetentionPolicy = field(default_factory=RetentionPolicy)


def asgi_server_args(server: str, *, host: str, port: int, app: str = ASGI_APP) -> list[str]:
    """The ``python -m`` arguments that serve ``app`` with ``server`` (see docs/benchmarks.md).

    uvicorn runs on uvloop with httptools and without per-message deflate: compression
    would be computed per connection for every frame the bridge serialized once.

    Raises:
        ValueError: ``server`` is not one of :data:`ASGI_SERVERS`.
    """
    if server == "daphne":
        return ["daphne", "-b", host, "-p", str(port), app]
    if server == "uvicorn":
        return [
            "uvicorn",
            "--host",
            host,
            "--port",
            str(port),
            "--loop",
            "uvloop",
            "--http",
            "httptools",
            "--ws",
            "websockets-sansio",
            "--ws-per-message-deflate",
            "false",
            "--lifespan",
            "off",
            "--no-access-log",
            app,
        ]
    raise ValueError(f"ASGI_SERVER={server!r}: expected one of {', '.join(ASGI_SERVERS)}")


def _flag(env: Mapping[str, str], name: str, problems: list[str]) -> bool:
    raw = env.get(name, "0").strip().lower()
    if raw not in ("0", "1", "true", "false", "yes", "no", ""):
        problems.append(f"{name}={raw!r}: expected 0 or 1")
    return raw in ("1", "true", "yes")


def load(env: Mapping[str, str] | None = None) -> ServerConfig:
    """Read and validate the settings.

    Raises:
        ConfigError: listing every problem at once.
    """
    env = os.environ if env is None else env
    problems: list[str] = []
    debug = _flag(env, "DJANGO_DEBUG", problems)
    secret = env.get("DJANGO_SECRET_KEY", "")
    if not secret:
        if debug:
            secret = "insecure-development-key"  # noqa: S105 - only with DJANGO_DEBUG=1
        else:
            problems.append("DJANGO_SECRET_KEY is required (or set DJANGO_DEBUG=1 for development)")
    hosts = tuple(h.strip() for h in env.get("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1").split(",") if h.strip())
    if not hosts:
        problems.append("DJANGO_ALLOWED_HOSTS is empty")
    store_url, retention = read_store_settings(env, problems)
    layer, redis_url = read_layer_settings(env, problems)
    asgi_server = env.get("ASGI_SERVER", "").strip() or DEFAULT_ASGI_SERVER
    if asgi_server not in ASGI_SERVERS:
        problems.append(f"ASGI_SERVER={asgi_server!r}: expected one of {', '.join(ASGI_SERVERS)}")
    config = ServerConfig(
        secret_key=secret,
        debug=debug,
        allowed_hosts=hosts,
        store_url=store_url,
        channel_layer=layer,
        redis_url=redis_url,
        dashboard_dir=Path(env.get("DASHBOARD_DIR", str(REPO_ROOT / "dashboard" / "dist"))),
        asgi_server=asgi_server,
        retention=retention,
    )
    if problems:
        raise ConfigError(problems)
    return config
