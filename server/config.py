"""Server settings: the ``server`` rows of the settings table (:mod:`config.table`), read once.

Django's settings module (:mod:`server.settings`) takes its :class:`ServerConfig` from
:func:`current`: the one a program installed with :func:`install` before Django was set up
(the embedded runner builds it directly), otherwise :func:`load` from the environment. The
variables, defaults and ranges are in ``docs/settings.md``. Rules between settings, checked by
:func:`load` with every other problem:

* ``DJANGO_SECRET_KEY`` and ``DATABASE_URL`` are required unless ``DJANGO_DEBUG=1`` (which
  gives a development key and ``sqlite:///var/sensebridge-app.sqlite3``);
* the hosts of ``PUBLIC_URLS`` are allowed as well as ``DJANGO_ALLOWED_HOSTS``
  (:func:`server.hosts.allowed_hosts`; docs/security.md);
* an https ``PUBLIC_URLS`` entry turns on secure cookies and ``HSTS_SECONDS`` of HSTS
  (``server/settings.py``; docs/deploy.md);
* ``STORE_URL`` wins over ``MONGO_URL`` (:func:`storage.factory.store_url`);
* a coarser rollup is kept at least as long as a finer one (:func:`storage.retention.retention_policy`).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import config
from config import Process
from config import table as t
from server.database import DEBUG_DATABASE_URL, django_database
from server.hosts import allowed_hosts
from storage.factory import store_url
from storage.retention import RetentionPolicy, retention_policy

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DASHBOARD_DIR = REPO_ROOT / "dashboard" / "dist"
ASGI_APP = "server.asgi:application"
ASGI_SERVERS = t.ASGI_SERVER.choices
DEFAULT_ASGI_SERVER = t.ASGI_SERVER.default_value
DEVELOPMENT_SECRET_KEY = "insecure-development-key"  # noqa: S105 - only with DJANGO_DEBUG=1


@dataclass(frozen=True, slots=True)
class ServerConfig:
    """Typed server settings (``docs/settings.md`` has the variables).

    Attributes:
        secret_key: ``DJANGO_SECRET_KEY``.
        database_url: ``DATABASE_URL``, the application database.
        debug: ``DJANGO_DEBUG``.
        allowed_hosts: The Host allow-list (Django's ``ALLOWED_HOSTS``): ``DJANGO_ALLOWED_HOSTS``
            and the hosts of ``PUBLIC_URLS`` (the embedded mode adds its bind address's names).
        public_urls: ``PUBLIC_URLS``; their origins may open the live WebSocket.
        trusted_proxies: ``TRUSTED_PROXIES``, as networks (``10.0.0.7/32``): only requests from
            them have their ``X-Forwarded-For`` and ``X-Forwarded-Proto`` believed (:mod:`server.proxy`).
        hsts_seconds: ``HSTS_SECONDS``, sent when a public URL is https (0: none).
        store_url: ``STORE_URL`` (or ``MONGO_URL``), the reading store.
        channel_layer: ``CHANNEL_LAYER``.
        redis_url: ``REDIS_URL``.
        dashboard_dir: ``DASHBOARD_DIR``.
        asgi_server: ``ASGI_SERVER``.
        retention: ``RETENTION_*_DAYS``.
    """

    secret_key: str
    database_url: str
    debug: bool = t.DJANGO_DEBUG.default_value
    allowed_hosts: tuple[str, ...] = t.DJANGO_ALLOWED_HOSTS.default_value
    public_urls: tuple[str, ...] = ()
    trusted_proxies: tuple[str, ...] = ()
    hsts_seconds: int = t.HSTS_SECONDS.default_value
    store_url: str = t.STORE_URL.default_value
    channel_layer: str = t.CHANNEL_LAYER.default_value
    redis_url: str = t.REDIS_URL.default_value
    dashboard_dir: Path = DEFAULT_DASHBOARD_DIR
    asgi_server: str = DEFAULT_ASGI_SERVER
    retention: RetentionPolicy = field(default_factory=RetentionPolicy)


def asgi_server_args(server: str, *, host: str, port: int, app: str = ASGI_APP) -> list[str]:
    """The ``python -m`` arguments that serve ``app`` with ``server`` (see docs/benchmarks.md).

    uvicorn runs on uvloop with httptools and without per-message deflate: compression
    would be computed per connection for every frame the bridge serialized once. Its own
    X-Forwarded-* handling is off (``--no-proxy-headers``): by default it believes them from
    127.0.0.1, whatever ``TRUSTED_PROXIES`` says (:mod:`server.proxy_middleware` decides).
    daphne reads them only when asked to (``--proxy-headers``), which it is not.

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
            "--no-proxy-headers",
            app,
        ]
    raise ValueError(f"ASGI_SERVER={server!r}: expected one of {', '.join(ASGI_SERVERS)}")


def _database_url(values: config.Values, *, debug: bool) -> str:
    url = values.get(t.DATABASE_URL)
    if url is None:  # unset, or unreadable (that problem is already listed)
        if not debug and not values.given(t.DATABASE_URL):
            values.problem(
                t.DATABASE_URL,
                "is required: postgresql://user:password@host[:port]/database "
                "(or set DJANGO_DEBUG=1 for a development SQLite file)",
            )
        return DEBUG_DATABASE_URL
    if values.valid(t.DATABASE_URL):
        try:
            django_database(url)
        except ValueError as exc:
            values.invalidate(t.DATABASE_URL)
            values.problem(t.DATABASE_URL, f"={t.DATABASE_URL.kind.shown(url)}: {exc}")
    return url


def load(environ: Mapping[str, str] | None = None) -> ServerConfig:
    """Read and check the server's settings from ``environ`` (default ``os.environ``).

    Raises:
        config.ConfigError: listing every problem at once.
    """
    values = config.read(Process.SERVER, environ)
    debug = values[t.DJANGO_DEBUG]
    secret = values.get(t.DJANGO_SECRET_KEY)
    if secret is None:
        if not debug:
            values.problem(t.DJANGO_SECRET_KEY, "is required (or set DJANGO_DEBUG=1 for development)")
        secret = DEVELOPMENT_SECRET_KEY
    configured_hosts: tuple[str, ...] = values[t.DJANGO_ALLOWED_HOSTS]
    public_urls: tuple[str, ...] = values.get(t.PUBLIC_URLS) or ()
    settings = ServerConfig(
        secret_key=secret,
        database_url=_database_url(values, debug=debug),
        debug=debug,
        allowed_hosts=allowed_hosts(configured=configured_hosts, public_urls=public_urls),
        public_urls=public_urls,
        trusted_proxies=values.get(t.TRUSTED_PROXIES) or (),
        hsts_seconds=values[t.HSTS_SECONDS],
        store_url=store_url(values),
        channel_layer=values[t.CHANNEL_LAYER],
        redis_url=values[t.REDIS_URL],
        dashboard_dir=values.get(t.DASHBOARD_DIR) or DEFAULT_DASHBOARD_DIR,
        asgi_server=values[t.ASGI_SERVER],
        retention=retention_policy(values),
    )
    values.check()
    return settings


_installed: ServerConfig | None = None


def install(settings: ServerConfig) -> None:
    """Make ``settings`` the ones Django uses in this process, instead of the environment's.

    For a program that runs the web tier inside itself and builds its settings directly (the
    embedded runner). Call it before Django is set up.

    Raises:
        RuntimeError: Django's settings module was already imported, so it would not apply.
    """
    global _installed  # noqa: PLW0603 - one slot per process, filled once before Django reads it
    if "server.settings" in sys.modules:
        raise RuntimeError("server.config.install() must come before Django imports server.settings")
    _installed = settings


def current() -> ServerConfig:
    """The settings :func:`install` made current, else those of the environment (:func:`load`).

    Raises:
        config.ConfigError: nothing was installed and the environment's settings are invalid.
    """
    return _installed if _installed is not None else load()
