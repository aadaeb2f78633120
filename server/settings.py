"""Django settings: everything comes from one :class:`server.config.ServerConfig`, taken once here.

That object is the one a program installed before setting Django up (the embedded runner,
:func:`server.config.install`), otherwise the environment's (:func:`server.config.load`).
"""

from __future__ import annotations

from bridge.layers import channel_layers_setting
from server.config import current
from server.database import django_database

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
    "server.telemetry",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.common.CommonMiddleware",
]
ROOT_URLCONF = "server.urls"
ASGI_APPLICATION = "server.asgi.application"
DATABASES = {"default": django_database(CONFIG.database_url)}
CHANNEL_LAYERS = channel_layers_setting(CONFIG.channel_layer, CONFIG.redis_url)

# The built dashboard: index.html at "/", hashed assets under /assets/ cached forever.
STATIC_URL = "/static/"  # WhiteNoise needs one; the dashboard itself is served from WHITENOISE_ROOT
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
