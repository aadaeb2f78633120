"""Logging in to the dashboard in a real browser, against the README's run command.

Each role logs in through the login page and sees live data, its name and its role; only a
role that may manage users gets the Admin link; a wrong password is told apart; logging out
returns to the login page and closes the live socket for good; a page loaded without a session
shows the login page and gets no data; a session ended on the server sends the page back to
the login page, and logging in again returns to where the user was.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Response, WebSocket, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from devstack.embedded import Embedded
from tests.e2e.signin import TIMEOUT_MS, Account, log_in_through_page

pytestmark = pytest.mark.e2e

DEVICES = ("sim-1", "sim-2", "sim-3")
DATA_PATHS = ("/api/v1/devices",)  # every telemetry endpoint starts so
NO_SOCKET_MS = 3_000  # a refused or stopped socket must stay closed at least this long (backoff starts at 0.5 s)
# Chromium logs a refused request (401) as a console error: expected exactly while signed out.
REFUSAL_NOISE = ("401 (Unauthorized)",)


@dataclass
class Tab:
    """A page of a fresh browser context, with what it said and what it did on the network."""

    page: Page
    problems: list[str] = field(default_factory=list)
    data_answers: list[tuple[str, int]] = field(default_factory=list)
    sockets: list[WebSocket] = field(default_factory=list)

    def unexpected_problems(self) -> list[str]:
        return [p for p in self.problems if not any(noise in p for noise in REFUSAL_NOISE)]


@pytest.fixture
def tab(browser: Browser) -> Iterator[Tab]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    opened = Tab(page=page)

    def on_console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            opened.problems.append(f"{message.type}: {message.text}")

    def on_response(response: Response) -> None:
        path = urlsplit(response.url).path
        if path.startswith(DATA_PATHS):
            opened.data_answers.append((path, response.status))

    def on_websocket(socket: WebSocket) -> None:
        opened.sockets.append(socket)  # Playwright cannot take a bound builtin as a handler

    page.on("console", on_console)
    page.on("pageerror", lambda exc: opened.problems.append(f"page error: {exc}"))
    page.on("response", on_response)
    page.on("websocket", on_websocket)
    yield opened
    context.close()


def expect_live_data(page: Page) -> None:
    expect(page.get_by_test_id("connection")).to_have_attribute("data-state", "live", timeout=TIMEOUT_MS)
    for device in DEVICES:
        expect(page.get_by_test_id(f"device-{device}")).to_have_attribute("data-online", "true", timeout=TIMEOUT_MS)
        expect(page.get_by_test_id(f"spark-{device}")).not_to_have_attribute("data-points", "0", timeout=TIMEOUT_MS)


def wait_closed(socket: WebSocket) -> None:
    if not socket.is_closed():
        socket.wait_for_event("close", timeout=TIMEOUT_MS)


def no_new_socket(tab: Tab) -> None:
    """No WebSocket is opened within :data:`NO_SOCKET_MS`."""
    before = len(tab.sockets)
    with pytest.raises(PlaywrightTimeoutError):
        tab.page.wait_for_event("websocket", timeout=NO_SOCKET_MS)
    assert len(tab.sockets) == before


@pytest.mark.parametrize("role", ["viewer", "operator", "admin"])
def test_each_role_logs_in_through_the_page_and_sees_live_data_its_name_and_role(
    embedded: Embedded, accounts: dict[str, Account], tab: Tab, role: str
) -> None:
    account = accounts[role]
    tab.page.goto(embedded.base_url + "/")
    expect(tab.page.get_by_test_id("login-form")).to_be_visible(timeout=TIMEOUT_MS)
    log_in_through_page(tab.page, account)
    user = tab.page.get_by_test_id("user")
    expect(user).to_have_attribute("data-role", role)
    expect(user).to_contain_text(account.username)
    expect(user).to_contain_text(role)
    expect_live_data(tab.page)
    admin_link = tab.page.get_by_test_id("admin-link")
    if role == "admin":
        expect(admin_link).to_have_attribute("href", "/admin/")
    else:
        expect(admin_link).to_have_count(0)
    assert tab.unexpected_problems() == []


def test_a_wrong_password_is_told_and_the_page_stays_on_the_login_form(
    embedded: Embedded, accounts: dict[str, Account], tab: Tab
) -> None:
    viewer = accounts["viewer"]
    tab.page.goto(embedded.base_url + "/")
    tab.page.get_by_test_id("login-username").fill(viewer.username)
    tab.page.get_by_test_id("login-password").fill(viewer.password + "-wrong")
    tab.page.get_by_test_id("login-submit").click()
    expect(tab.page.get_by_role("alert")).to_have_text("Wrong user name or password.", timeout=TIMEOUT_MS)
    expect(tab.page.get_by_test_id("login-password")).to_have_value("")
    expect(tab.page.get_by_test_id("user")).to_have_count(0)
    assert tab.data_answers == []
    assert tab.sockets == []


def test_logging_out_returns_to_the_login_page_and_closes_the_live_socket_for_good(
    embedded: Embedded, accounts: dict[str, Account], tab: Tab
) -> None:
    tab.page.goto(embedded.base_url + "/")
    log_in_through_page(tab.page, accounts["operator"])
    expect_live_data(tab.page)
    [socket] = tab.sockets
    assert not socket.is_closed()

    tab.page.get_by_test_id("logout").click()
    expect(tab.page.get_by_test_id("login-form")).to_be_visible(timeout=TIMEOUT_MS)
    expect(tab.page.get_by_role("status")).to_have_text("You have logged out.")
    wait_closed(socket)
    no_new_socket(tab)

    # The session is gone on the server too: the page's own request for data is refused.
    status = tab.page.evaluate("async () => (await fetch('/api/v1/devices')).status")
    assert status == 401
    assert tab.unexpected_problems() == []


def test_a_page_loaded_without_a_session_shows_the_login_page_and_gets_no_data(embedded: Embedded, tab: Tab) -> None:
    tab.page.goto(embedded.base_url + "/#/device/sim-1")
    expect(tab.page.get_by_test_id("login-form")).to_be_visible(timeout=TIMEOUT_MS)
    expect(tab.page.get_by_test_id("device-view")).to_have_count(0)
    no_new_socket(tab)
    assert tab.sockets == [], "the dashboard opens no live socket before a login"
    assert tab.data_answers == [], "the dashboard asks for no data before a login"

    # And the server gives none to a page that tries anyway: REST 401, the live socket closed with 4401.
    refused = tab.page.evaluate(
        """async () => {
            const rest = await Promise.all(['/api/v1/devices', '/api/v1/devices/sim-1/readings?since=0']
                .map(async (path) => (await fetch(path)).status));
            const socket = await new Promise((resolve) => {
                const ws = new WebSocket(`ws://${location.host}/ws/live/`);
                let messages = 0;
                ws.onmessage = () => { messages += 1; };
                ws.onclose = (event) => resolve({ code: event.code, messages });
            });
            return { rest, socket };
        }"""
    )
    assert refused == {"rest": [401, 401], "socket": {"code": 4401, "messages": 0}}


def test_a_session_ended_on_the_server_sends_the_page_to_the_login_page_and_back_after_the_login(
    embedded: Embedded, accounts: dict[str, Account], tab: Tab
) -> None:
    viewer = accounts["viewer"]
    tab.page.goto(embedded.base_url + "/")
    log_in_through_page(tab.page, viewer)
    expect_live_data(tab.page)

    # The session ends on the server behind the page's back (a logout with its cookies, not through the page).
    context = tab.page.context
    csrf = next(c["value"] for c in context.cookies() if c["name"] == "csrftoken")
    ended = context.request.post(
        embedded.base_url + "/api/v1/auth/logout", headers={"X-CSRFToken": csrf, "Origin": embedded.base_url}
    )
    assert ended.status == 204

    # The open socket was authenticated at connect and keeps streaming; the next REST request is refused.
    tab.page.get_by_test_id("device-sim-2").click()
    expect(tab.page.get_by_test_id("login-form")).to_be_visible(timeout=TIMEOUT_MS)
    expect(tab.page.get_by_role("alert")).to_have_text("Your session has ended: log in again.")
    assert "#/device/sim-2" in tab.page.url
    for socket in tab.sockets:
        wait_closed(socket)

    log_in_through_page(tab.page, viewer)
    view = tab.page.get_by_test_id("device-view")
    expect(view).to_have_attribute("data-device", "sim-2", timeout=TIMEOUT_MS)
    expect(view).to_have_attribute("data-phase", "ready", timeout=TIMEOUT_MS)
    assert tab.unexpected_problems() == []
