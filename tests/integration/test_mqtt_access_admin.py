"""MQTT accounts in the Django admin, on a real ASGI server: admins add, rotate and revoke; the new
password is shown once on the answer page; the broker's files follow; other roles are kept out."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest

from devstack import ServerHandle
from devstack.appdb import app_database
from devstack.apps import start_asgi
from server.mqtt_accounts.passwords import verify_password
from tests.support.web import Answer, WebClient

pytestmark = pytest.mark.integration

ACCOUNTS = "/admin/mqtt_accounts/mqttaccount/"


@dataclass
class AdminSite:
    server: ServerHandle
    access_dir: Path
    passwords: dict[str, str]

    def signed_in(self, name: str) -> WebClient:
        browser = WebClient(self.server.url)
        assert browser.login(name, self.passwords[name]).status == 200
        return browser

    def hash_of(self, username: str) -> str | None:
        for line in (self.access_dir / "passwords").read_text().splitlines():
            name, _, hashed = line.partition(":")
            if name == username:
                return hashed
        return None


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AdminSite]:
    workdir = tmp_path_factory.mktemp("mqtt-admin")
    database = app_database(workdir)
    access_dir = workdir / "mqtt-access"
    server = start_asgi(
        workdir,
        server="uvicorn",
        store_url=f"sqlite:///{workdir / 'store.sqlite3'}",
        layer="memory",
        database=database,
        extra_env={"MQTT_ACCESS_DIR": str(access_dir)},
    )
    try:
        yield AdminSite(server, access_dir, {name: database.password(name) for name in ("ada", "otto", "vera")})
    finally:
        server.stop()


def form_post(browser: WebClient, path: str, fields: dict[str, str]) -> Answer:
    token = browser.csrf_token()
    return browser.request(
        "POST",
        path,
        body=urlencode({**fields, "csrfmiddlewaretoken": token}).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded", "X-CSRFToken": token},
    )


def shown_password(answer: Answer) -> str:
    assert answer.status == 200, answer.body[:500]
    assert "no-store" in answer.headers["Cache-Control"]
    match = re.search(r"password: +(\S+)", answer.body.decode())
    assert match, answer.body[:2000]
    return match.group(1)


def account_id(browser: WebClient, username: str) -> str:
    listing = browser.get(f"{ACCOUNTS}?q={username}").body.decode()
    match = re.search(rf'href="{ACCOUNTS}(\d+)/change/[^"]*">{re.escape(username)}<', listing)
    assert match, listing[-3000:]
    return match.group(1)


def test_only_admins_see_the_mqtt_accounts(site: AdminSite) -> None:
    for name in ("vera", "otto"):
        assert site.signed_in(name).get(ACCOUNTS).status == 302  # to the admin's login page
    assert site.signed_in("ada").get(ACCOUNTS).status == 200


def test_an_admin_adds_rotates_and_revokes_a_device_and_sees_each_password_once(site: AdminSite) -> None:
    ada = site.signed_in("ada")
    added = form_post(ada, f"{ACCOUNTS}add/", {"kind": "device", "username": "admin-made-pi"})
    first = shown_password(added)
    assert "MQTT_PASSWORD_FILE=" in added.body.decode()
    hashed = site.hash_of("admin-made-pi")
    assert hashed is not None
    assert verify_password(first, hashed)
    assert first not in ada.get(f"{ACCOUNTS}{account_id(ada, 'admin-made-pi')}/change/").body.decode()

    pk = account_id(ada, "admin-made-pi")
    rotated = form_post(ada, ACCOUNTS, {"action": "rotate_passwords", "_selected_action": pk})
    second = shown_password(rotated)
    hashed = site.hash_of("admin-made-pi")
    assert hashed is not None
    assert second != first
    assert verify_password(second, hashed)

    deleted = form_post(ada, f"{ACCOUNTS}{pk}/delete/", {"post": "yes"})
    assert deleted.status == 302, deleted.body[:500]
    assert site.hash_of("admin-made-pi") is None
    assert "user admin-made-pi" not in (site.access_dir / "acl").read_text()


def test_the_admin_refuses_bad_reserved_and_taken_names(site: AdminSite) -> None:
    ada = site.signed_in("ada")
    shown_password(form_post(ada, f"{ACCOUNTS}add/", {"kind": "integration", "username": "admin-made-ha"}))
    refusals = (("Bad/Name", "is not a valid"), ("bridge", "is reserved"), ("admin-made-ha", "already exists"))
    for name, reason in refusals:
        answer = form_post(ada, f"{ACCOUNTS}add/", {"kind": "device", "username": name})
        assert answer.status == 200
        assert reason in answer.body.decode(), name
        assert "password:" not in answer.body.decode()
