"""Django settings: everything comes from one :class:`server.config.ServerConfig`, taken once here.

That object is the one a program installed before setting Django up (the embedded runner,
:func:`server.config.install`), otherwise the environment's (:func:`server.config.load`).
"""

from __future__ import annotations

from bridge.layers import channel_layers_setting
from server.config import current
from server.database import django_database
from server.hosts import public_https, public_origins
from server.proxy_middleware import SCHEME_KEY

CONFIG = current()

SECRET_KEY = CONFIG.secret_key
DEBUG = CONFIG.debug
ALLOWED_HOSTS = list(CONFIG.allowed_hosts)

INSTALLED_APPS = [
    "daphne",
    "channels",
    # The application database's first tables; users, roles, commands, rooms and alerts build on them.
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    # The Django admin at /admin/ (admins only): its own site, so nothing registers into it by discovery.
    "django.contrib.admin.apps.SimpleAdminConfig",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "server.accounts",
    "server.mqtt_accounts",
    "server.telemetry",
]
# Sessions, CSRF and the user are lazy: a request that sends no cookie costs no database query,
# and every view that is not public is guarded (server.accounts.access).
MIDDLEWARE = [
    # First: every later part sees the client's address and scheme (TRUSTED_PROXIES; docs/deploy.md).
    "server.proxy_middleware.proxy_headers",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]
# Accounts (docs/security.md): /api/v1/auth/ answers a CSRF refusal in the contract's error body.
CSRF_FAILURE_VIEW = "server.accounts.views.csrf_failure"
# A login through a proxy that sends the upstream's Host comes from the public URL's origin.
CSRF_TRUSTED_ORIGINS = list(public_origins(CONFIG.public_urls))

# HTTPS behind a reverse proxy (docs/deploy.md). The proxy terminates TLS; the server speaks
# plain http to it. request.is_secure() believes X-Forwarded-Proto from TRUSTED_PROXIES only:
# server.proxy_middleware copies it into a META key that no client header can write (headers
# arrive as HTTP_*), whereas ("HTTP_X_FORWARDED_PROTO", "https") would believe anyone.
SECURE_PROXY_SSL_HEADER = (SCHEME_KEY, "https")
USE_X_FORWARDED_HOST = False  # the proxy passes the Host it was asked for; PUBLIC_URLS allows it
USE_X_FORWARDED_PORT = False
# An https public URL means people sign in over https: the cookies never travel in clear, and
# browsers are told to keep to https for HSTS_SECONDS. The server never redirects to https
# itself (SECURE_SSL_REDIRECT stays off): it cannot see http from a client that reached it
# through the proxy's http port, and its plain-http LAN or health-check URLs must keep working.
HTTPS = public_https(CONFIG.public_urls)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = CONFIG.hsts_seconds if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = False  # it speaks for its own host name, not for its neighbours
SECURE_HSTS_PRELOAD = False  # a browser-vendor list that is slow to leave: the operator's choice
SESSION_COOKIE_HTTPONLY = True  # no script reads the session; the dashboard asks /api/v1/auth/me
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# manage.py check --deploy: these warnings are decisions, each explained in docs/deploy.md.
SILENCED_SYSTEM_CHECKS = [
    "security.W005",  # HSTS without includeSubDomains: other hosts of the domain are not ours to pin
    "security.W008",  # no SECURE_SSL_REDIRECT: the reverse proxy redirects http to https
    "security.W021",  # HSTS without preload: submitting the domain to browsers' lists is the operator's call
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
ROOT_URLCONF = "server.urls"
ASGI_APPLICATION = "server.asgi.application"
DATABASES = {"default": django_database(CONFIG.database_url)}
CHANNEL_LAYERS = channel_layers_setting(CONFIG.channel_layer, CONFIG.redis_url)

# The built dashboard: index.html at "/", hashed assets under /assets/ cached forever.
STATIC_URL = "/static/"  # the admin's CSS and scripts; the dashboard itself is served from WHITENOISE_ROOT
WHITENOISE_USE_FINDERS = True  # serve the admin's static files from the installed apps: no collectstatic step
WHITENOISE_ROOT = CONFIG.dashboard_dir
WHITENOISE_INDEX_FILE = True
# Vite names built assets by content hash (assets/index-3f9a1c2b.js): those may be cached forever.
WHITENOISE_IMMUTABLE_FILE_TEST = r"^/?assets/.+-[A-Za-z0-9_-]{8,}\.\w+$"
WHITENOISE_AUTOREFRESH = DEBUG

USE_TZ = True
TIME_ZONE = "UTC"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"django.channels.server": {"level": "WARNING"}},
}
