"""One embedded-mode process (the README's run command) shared by the end-to-end tests, its users, and the browser."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, sync_playwright

from devstack.appdb import USERS
from devstack.browser import launch_chromium
from devstack.embedded import Embedded, embedded_mode
from tests.e2e.signin import Account

VIEWER, OPERATOR = "vera", "otto"  # devstack's users of those roles, with their passwords


@pytest.fixture(scope="session")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Embedded]:
    with embedded_mode(tmp_path_factory.mktemp("embedded"), "--devices", "3", "--rate", "5") as running:
        yield running


@pytest.fixture(scope="session")
def accounts(embedded: Embedded) -> dict[str, Account]:
    """One account per role on the shared embedded process, by role.

    The admin is the first start's (its password file); the viewer and the operator are added
    with the README's ``adduser`` command against the running process's database.
    """
    found = {"admin": Account(*embedded.admin_login(), role="admin")}
    for name in (VIEWER, OPERATOR):
        role, password = USERS[name]
        embedded.add_user(name, role, password)
        found[role] = Account(name, password, role)
    return found


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, launched the way every browser run of the project launches it."""
    with sync_playwright() as playwright:
        launched = launch_chromium(playwright)
        yield launched
        launched.close()
