"""The dashboard in a real browser (Playwright driving the system's Chromium) against the
embedded mode: devices listed online, charts moving, no console errors."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect, sync_playwright

from tests.e2e.embedded import Embedded

pytestmark = pytest.mark.e2e

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEVICES = ("sim-1", "sim-2", "sim-3")


def chromium_path() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, "Chromium is missing: ./scripts/test installs Debian's chromium package"
    return found


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, tmp_path: Path) -> Iterator[tuple[Page, list[str]]]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            problems.append(f"{message.type}: {message.text}")

    opened.on("console", on_console)
    opened.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    yield opened, problems
    opened.screenshot(path=str(tmp_path / "dashboard.png"))
    context.close()


def points(page: Page, device: str, channel: str) -> int:
    value = page.get_by_test_id(f"chart-{device}-{channel}").get_attribute("data-points")
    return int(value or 0)


def test_the_dashboard_shows_every_device_online_with_moving_charts(
    embedded: Embedded, page: tuple[Page, list[str]]
) -> None:
    tab, problems = page
    tab.goto(embedded.base_url + "/")
    expect(tab.get_by_test_id("connection")).to_have_attribute("data-state", "live", timeout=15_000)
    for device in DEVICES:
        expect(tab.get_by_test_id(f"device-{device}")).to_have_attribute("data-online", "true", timeout=15_000)
    for channel in ("temperature", "humidity", "pressure"):
        expect(tab.get_by_test_id(f"chart-sim-1-{channel}")).to_be_visible()
    before = points(tab, "sim-1", "temperature")
    # Live frames at 5 Hz: the series must grow within a few seconds.
    tab.wait_for_function(
        "([selector, before]) => Number(document.querySelector(selector)?.dataset.points ?? 0) > before + 3",
        arg=['[data-testid="chart-sim-1-temperature"]', before],
        timeout=10_000,
    )
    assert points(tab, "sim-2", "pressure") > 0
    assert problems == []
