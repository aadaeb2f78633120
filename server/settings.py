"""Django settings: everything comes from one :class:`server.config.ServerConfig`, taken once here.

That object is the one a program installed before setting Django up (the embedded runner,
:func:`server.config.install`), otherwise the environment's (:func:`server.config.load`).
"""

from __future__ import annotations

from bridge.layers import channel_layers_setting
from server.config import current
from server.database import django_database
from server.hosts import public_origins

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
    "server.telemetry",
]
# Sessions, CSRF and the user are lazy: a request that sends no cookie costs no database query,
# and the telemetry views answer without login until they are guarded (server.accounts.access).
MIDDLEWARE = [
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
