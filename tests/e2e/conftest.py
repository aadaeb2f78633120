"""One embedded-mode process (the README's run command) shared by the end-to-end tests, and the browser."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, sync_playwright

from devstack.browser import launch_chromium
from devstack.embedded import Embedded, embedded_mode


@pytest.fixture(scope="session")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Embedded]:
    with embedded_mode(tmp_path_factory.mktemp("embedded"), "--devices", "3", "--rate", "5") as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, launched the way every browser run of the project launches it."""
    with sync_playwright() as playwright:
        launched = launch_chromium(playwright)
        yield launched
        launched.close()
