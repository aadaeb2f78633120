"""The dashboard in a real browser (Playwright driving the system's Chromium) against the
README's run command: devices listed online with moving sparklines, a device's charts, a
phone-sized screen in the dark theme, the theme switch, no console errors. Each page is
signed in as the viewer (logging in itself: test_dashboard_login.py).

The production-shaped stack (bridge and daphne apart, server restarts, pause, zoom,
export) is in test_dashboard_live.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from devstack.embedded import Embedded
from tests.e2e.signin import Account, signed_in_context

pytestmark = pytest.mark.e2e

DEVICES = ("sim-1", "sim-2", "sim-3")
TIMEOUT_MS = 15_000
PHONE = {"width": 390, "height": 844}


def open_page(
    browser: Browser, embedded: Embedded, viewer: Account, tmp_path: Path, **context: object
) -> Iterator[tuple[Page, list[str]]]:
    ctx = signed_in_context(browser, embedded.base_url, viewer, **context)
    opened = ctx.new_page()
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            problems.append(f"{message.type}: {message.text}")

    opened.on("console", on_console)
    opened.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    yield opened, problems
    opened.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
    ctx.close()


@pytest.fixture
def page(
    browser: Browser, embedded: Embedded, accounts: dict[str, Account], tmp_path: Path
) -> Iterator[tuple[Page, list[str]]]:
    yield from open_page(browser, embedded, accounts["viewer"], tmp_path, viewport={"width": 1280, "height": 900})


@pytest.fixture
def phone(
    browser: Browser, embedded: Embedded, accounts: dict[str, Account], tmp_path: Path
) -> Iterator[tuple[Page, list[str]]]:
    yield from open_page(
        browser,
        embedded,
        accounts["viewer"],
        tmp_path,
        viewport=PHONE,
        color_scheme="dark",
        has_touch=True,
        is_mobile=True,
    )


def no_horizontal_scroll(tab: Page) -> None:
    width = tab.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide on a {PHONE['width']} px screen"


def test_the_dashboard_shows_every_device_online_with_moving_charts(
    embedded: Embedded, page: tuple[Page, list[str]]
) -> None:
    tab, problems = page
    tab.goto(embedded.base_url + "/")
    expect(tab.get_by_test_id("connection")).to_have_attribute("data-state", "live", timeout=TIMEOUT_MS)
    for device in DEVICES:
        expect(tab.get_by_test_id(f"device-{device}")).to_have_attribute("data-online", "true", timeout=TIMEOUT_MS)
        expect(tab.get_by_test_id(f"spark-{device}")).not_to_have_attribute("data-points", "0", timeout=TIMEOUT_MS)
    tab.get_by_test_id("device-sim-1").click()
    view = tab.get_by_test_id("device-view")
    expect(view).to_have_attribute("data-phase", "ready", timeout=TIMEOUT_MS)
    before = int(view.get_attribute("data-readings") or 0)
    # Live frames at 5 Hz: the charts must grow within a few seconds.
    tab.wait_for_function(
        "(before) => Number(document.querySelector('[data-testid=device-view]').dataset.readings) > before + 3",
        arg=before,
        timeout=10_000,
    )
    for group in ("temperature", "orientation", "magnetometer"):
        expect(tab.get_by_test_id(f"chart-{group}")).not_to_have_attribute("data-points", "0")
    assert problems == []


def test_a_phone_gets_one_column_in_the_dark_theme_and_can_switch_it(
    embedded: Embedded, phone: tuple[Page, list[str]]
) -> None:
    tab, problems = phone
    tab.goto(embedded.base_url + "/")
    expect(tab.locator("html")).to_have_attribute("data-theme", "dark")
    expect(tab.get_by_test_id("device-sim-1")).to_have_attribute("data-online", "true", timeout=TIMEOUT_MS)
    no_horizontal_scroll(tab)

    tab.goto(embedded.base_url + "/#/device/sim-2")
    expect(tab.get_by_test_id("device-view")).to_have_attribute("data-phase", "ready", timeout=TIMEOUT_MS)
    first = tab.get_by_test_id("chart-temperature").bounding_box()
    second = tab.get_by_test_id("chart-humidity").bounding_box()
    assert first is not None
    assert second is not None
    assert second["y"] > first["y"] + first["height"], "charts stack in one column"
    assert first["width"] > PHONE["width"] * 0.7
    no_horizontal_scroll(tab)

    theme = tab.get_by_test_id("theme")
    theme.click()  # system (dark here) -> light
    expect(tab.locator("html")).to_have_attribute("data-theme", "light")
    theme.click()  # light -> dark
    expect(tab.locator("html")).to_have_attribute("data-theme", "dark")
    assert problems == []
