"""Signing in to the embedded mode and the dashboard, one way for every end-to-end test.

Accounts as a user gets them (the first admin's password file, users added with the README's
command); a browser context signed in through the same endpoints the login page calls (for
tests about something else); the login page itself for the tests about logging in; and a
blocking client signed in as a browser is (session cookie + CSRF) for REST and the live socket.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.support.web import WebClient

TIMEOUT_MS = 15_000


@dataclass(frozen=True)
class Account:
    """A user of the server under test."""

    username: str
    password: str
    role: str


def signed_in_client(base_url: str, account: Account) -> WebClient:
    """A blocking client of ``base_url`` with ``account``'s session, as a browser has after logging in."""
    client = WebClient(base_url)
    answer = client.login(account.username, account.password)
    assert answer.status == 200, answer.body
    return client


def signed_in_context(browser: Browser, base_url: str, account: Account, **options: Any) -> BrowserContext:
    """A new browser context whose cookies hold ``account``'s session (the login page's two calls, made directly).

    The context's request client shares the context's cookies, so every page of it is signed in.
    """
    context = browser.new_context(**options)
    csrf = context.request.get(base_url + "/api/v1/auth/csrf")
    assert csrf.ok, csrf.text()
    answer = context.request.post(
        base_url + "/api/v1/auth/login",
        data={"username": account.username, "password": account.password},
        headers={"X-CSRFToken": csrf.json()["csrf_token"], "Origin": base_url},
    )
    assert answer.ok, answer.text()
    return context


def log_in_through_page(page: Page, account: Account) -> None:
    """Fill in and send the login page on screen; wait until the header names the user."""
    page.get_by_test_id("login-username").fill(account.username)
    page.get_by_test_id("login-password").fill(account.password)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("user")).to_have_attribute("data-username", account.username, timeout=TIMEOUT_MS)
