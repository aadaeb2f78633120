"""Where this process writes the broker's access files (``MQTT_ACCESS_DIR``) and the broker URL it prints.

The embedded runner installs its data folder's own path with :func:`install` before any
account is written; every other process reads the ``MQTT_ACCESS_DIR`` row of the settings
table from the environment the first time it is needed.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from urllib.parse import urlsplit

from config import table as t

_installed: Path | None = None


def install(folder: Path) -> None:
    """Write the access files into ``folder`` from now on (the embedded mode's data folder)."""
    global _installed  # noqa: PLW0603 - one process-wide setting, installed once at start
    _installed = folder


def access_dir() -> Path:
    """The folder of ``passwords`` and ``acl`` (installed, else ``MQTT_ACCESS_DIR``, else its default).

    Raises:
        ValueError: ``MQTT_ACCESS_DIR`` is not a usable path.
    """
    if _installed is not None:
        return _installed
    text = os.environ.get(t.MQTT_ACCESS_DIR.name, "").strip()
    folder: Path = t.MQTT_ACCESS_DIR.kind.parse(text) if text else t.MQTT_ACCESS_DIR.default_value
    return folder


def default_broker_url() -> str:
    """The broker URL printed for a new account: ``mqtt://<host>:1883``.

    The host is the first ``PUBLIC_URLS`` entry's (where people reach this deployment), else
    this machine's name; ``manage.py mqtt ... --broker-url`` overrides it.
    """
    from server.config import current  # noqa: PLC0415 - the server's settings, only when asked

    public = current().public_urls
    host = (urlsplit(public[0]).hostname if public else None) or socket.getfqdn()
    return f"mqtt://{host}:1883"
