"""``manage.py check --deploy`` with production settings: clean behind an https proxy, as docs/deploy.md says.

The real command runs in a process configured from the environment only, as in production:
``DJANGO_DEBUG`` unset, a strong ``DJANGO_SECRET_KEY``, a PostgreSQL ``DATABASE_URL`` (the check
does not connect to it) and ``PUBLIC_URLS``. With an https public URL it reports nothing but the
three warnings ``server/settings.py`` silences (each a documented decision); with plain http
only, it warns about exactly what plain http cannot have (secure cookies, HSTS), as documented.
"""

from __future__ import annotations

import re
import secrets
import subprocess
import sys

import pytest

from devstack import REPO_ROOT, app_env

pytestmark = pytest.mark.integration

PRODUCTION = {
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DATABASE_URL": "postgresql://sensebridge:change-me@db.internal:5432/sensebridge",
    "PUBLIC_URLS": "https://pi.example.net",
    "TRUSTED_PROXIES": "172.18.0.0/16",
}
SILENCED = 3  # security.W005, W008, W021: docs/deploy.md ("What manage.py check --deploy says")
PLAIN_HTTP_WARNINGS = ["security.W004", "security.W012", "security.W016"]


def check_deploy(**settings: str) -> subprocess.CompletedProcess[str]:
    """``python manage.py check --deploy --fail-level WARNING`` with exactly ``settings``."""
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO_ROOT,
        env=app_env(**settings),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def warnings(done: subprocess.CompletedProcess[str]) -> list[str]:
    return sorted(set(re.findall(r"\((\w+\.[WE]\d+)\)", done.stdout + done.stderr)))


def test_production_behind_an_https_proxy_passes_with_no_warning() -> None:
    done = check_deploy(**PRODUCTION)

    assert done.returncode == 0, done.stdout + done.stderr
    assert warnings(done) == []
    assert f"System check identified no issues ({SILENCED} silenced)." in done.stdout


def test_turning_hsts_off_is_reported() -> None:
    done = check_deploy(**PRODUCTION, HSTS_SECONDS="0")

    assert done.returncode == 1
    assert warnings(done) == ["security.W004"]


def test_plain_http_only_is_reported_for_the_cookies_and_hsts_it_cannot_have() -> None:
    done = check_deploy(**{**PRODUCTION, "PUBLIC_URLS": "http://pi.example.net"})

    assert done.returncode == 1  # a warning fails with --fail-level WARNING; plain `check --deploy` exits 0
    assert warnings(done) == PLAIN_HTTP_WARNINGS


def test_a_weak_secret_key_or_debug_is_still_caught() -> None:
    weak = check_deploy(**{**PRODUCTION, "DJANGO_SECRET_KEY": "short"})
    debug = check_deploy(**PRODUCTION, DJANGO_DEBUG="1")

    assert warnings(weak) == ["security.W009"]
    assert warnings(debug) == ["security.W018"]
