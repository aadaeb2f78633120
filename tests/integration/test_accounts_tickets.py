"""WebSocket tickets, the login limiter under concurrency and the role guard, on real PostgreSQL and SQLite.

A ticket comes from ``POST /api/v1/auth/ticket`` on a real uvicorn; it is redeemed by the
service the WebSocket will call (:func:`server.accounts.services.ticket_redeem`), in a
process of its own (:mod:`tests.integration.accounts_probe`): once, never twice, never after
it expired, and of two redemptions racing in two threads (two database connections) exactly
one wins. Parallel wrong logins get exactly the free tries. The guard the telemetry views will
wear refuses each role the actions the role table does not give it, sync and async views alike.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from devstack import ServerHandle
from tests.integration.accounts_stack import (
    USERS,
    AccountsServer,
    accounts_server,
    postgres_database,
    prepare,
    probe,
)
from tests.support.web import WebClient, bearer

pytestmark = pytest.mark.integration

TICKET_TTL_S = 30


@pytest.fixture(scope="module")
def api(postgres_session: ServerHandle, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AccountsServer]:
    with postgres_database(postgres_session) as database_url:
        prepare(database_url)
        with accounts_server(tmp_path_factory.mktemp("accounts-tickets"), database_url) as server:
            yield server


@pytest.fixture(scope="module")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path: Path = tmp_path_factory.mktemp("accounts-sqlite") / "app.sqlite3"
    url = f"sqlite:///{path}"
    prepare(url)
    return url


def ticket_of(api: AccountsServer, name: str) -> dict[str, object]:
    browser = WebClient(api.url)
    assert browser.login(name, USERS[name][1]).status == 200
    answer = browser.post("/api/v1/auth/ticket")
    assert answer.status == 201, answer.body
    body = answer.json()
    assert isinstance(body, dict)
    return body


def test_a_ticket_lets_its_user_in_once_and_is_refused_the_second_time(api: AccountsServer) -> None:
    ticket = str(ticket_of(api, "vera")["ticket"])
    assert probe("redeem", ticket, database_url=api.database_url) == {"user": "vera"}
    assert probe("redeem", ticket, database_url=api.database_url) == {"refused": "used"}


def test_a_ticket_expires_thirty_seconds_after_it_was_issued(api: AccountsServer) -> None:
    issued_ms = time.time_ns() // 1_000_000
    body = ticket_of(api, "otto")
    expires = body["expires_server_ts"]
    assert isinstance(expires, int)
    assert issued_ms + (TICKET_TTL_S - 5) * 1000 <= expires <= issued_ms + (TICKET_TTL_S + 5) * 1000
    ticket = str(body["ticket"])
    late = probe("redeem", ticket, "--later-s", str(TICKET_TTL_S + 1), database_url=api.database_url)
    assert late == {"refused": "expired"}
    assert probe("redeem", ticket, database_url=api.database_url) == {"user": "otto"}  # late was not a use


def test_a_ticket_never_issued_is_unknown(api: AccountsServer) -> None:
    forged = "sbw_" + "A" * 43
    assert probe("redeem", forged, database_url=api.database_url) == {"refused": "unknown"}
    assert probe("redeem", "sbt_" + "A" * 43, database_url=api.database_url) == {"refused": "unknown"}


def test_a_script_gets_a_ticket_with_its_api_token_and_nobody_without_credentials(api: AccountsServer) -> None:
    browser = WebClient(api.url)
    assert browser.login("ada", USERS["ada"][1]).status == 200
    token = browser.post("/api/v1/auth/tokens", {"name": "live reader"}).json()["token"]
    answer = WebClient(api.url).post("/api/v1/auth/ticket", csrf=False, headers=bearer(token))
    assert answer.status == 201
    assert probe("redeem", answer.json()["ticket"], database_url=api.database_url) == {"user": "ada"}
    refused = WebClient(api.url).post("/api/v1/auth/ticket")
    assert (refused.status, refused.error["code"]) == (401, "not_authenticated")


def test_two_concurrent_redemptions_on_postgresql_let_exactly_one_in(api: AccountsServer) -> None:
    answer = probe(
        "ticket-race", "--username", "vera", "--rounds", "25", "--racers", "2", database_url=api.database_url
    )
    assert answer["rounds"] == [{"user:vera": 1, "used": 1}] * 25


def test_two_concurrent_redemptions_on_sqlite_let_exactly_one_in(sqlite_url: str) -> None:
    answer = probe("ticket-race", "--username", "vera", "--rounds", "25", "--racers", "2", database_url=sqlite_url)
    assert answer["rounds"] == [{"user:vera": 1, "used": 1}] * 25


@pytest.mark.parametrize("where", ["postgresql", "sqlite"])
def test_parallel_wrong_logins_get_exactly_the_free_tries(api: AccountsServer, sqlite_url: str, where: str) -> None:
    database_url = api.database_url if where == "postgresql" else sqlite_url
    answer = probe("login-race", "--username", "ada", "--racers", "12", database_url=database_url, stdin="wrong-pw\n")
    assert answer["outcomes"] == {"bad_credentials": 5, "throttled:username": 7}


ROLE_OF = {name: role for name, (role, _) in USERS.items()}


@pytest.mark.parametrize(
    ("action", "allowed"),
    [
        ("read", {"viewer", "operator", "admin"}),
        ("send_command", {"operator", "admin"}),
        ("write_room", {"operator", "admin"}),
        ("manage_users", {"admin"}),
        ("manage_credentials", {"admin"}),
    ],
)
def test_the_guard_refuses_each_role_what_it_may_not_do_with_403_and_strangers_with_401(
    api: AccountsServer, action: str, allowed: set[str]
) -> None:
    answers = probe("guard-check", action, database_url=api.database_url)
    for name, role in ROLE_OF.items():
        expected = 200 if role in allowed else 403
        assert answers[name] == [expected, expected], (name, action)
    assert answers["anonymous"] == [401, 401]
