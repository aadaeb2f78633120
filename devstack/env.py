"""The environment a sensebridge process starts with: its settings cross the process boundary as variables.

A child gets this interpreter's environment WITHOUT any sensebridge setting (a developer's
``MQTT_URL`` or ``DJANGO_DEBUG`` must not leak into a test), the repository importable, and
exactly the settings its caller names. The variable names are the settings' own (``.env.example``).
"""

from __future__ import annotations

import os
from pathlib import Path

from config.table import SETTINGS

REPO_ROOT = Path(__file__).resolve().parents[1]

# Every setting of every process (the settings table), and Django's own variables
# (DJANGO_SETTINGS_MODULE), which are not rows of the table but change how a child starts.
SETTING_NAMES = frozenset(setting.name for setting in SETTINGS)
OTHER_PREFIXES = ("DJANGO_",)


def app_env(**settings: str) -> dict[str, str]:
    """This interpreter's environment without sensebridge settings, the repo importable, ``settings`` on top.

    Args:
        settings: Variables to set, e.g. ``MQTT_URL="mqtt://127.0.0.1:1883"``.
    """
    env = {k: v for k, v in os.environ.items() if k not in SETTING_NAMES and not k.startswith(OTHER_PREFIXES)}
    env["PYTHONPATH"] = str(REPO_ROOT)
    env.update(settings)
    return env
