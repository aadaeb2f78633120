"""The accounts API over HTTP: a real uvicorn serving ``server.asgi`` on a real PostgreSQL.

Each attack is tried and refused: no credentials (401), a login or a session POST without the
CSRF token or from a foreign origin (403), a viewer at an admin's action (403), a revoked or
forged token (401), a token managing tokens, a wrong method (405), brute force on one account,
across accounts from one address, and in a parallel burst (429 with Retry-After). Tokens are
stored hashed: PostgreSQL itself is asked. The telemetry endpoints still answer without login
(enforcement is the next step).
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

from devstack import ServerHandle, wait_until
from tests.integration.accounts_stack import (
    PUBLIC_URL,
    USERS,
    AccountsServer,
    accounts_server,
    manage,
    postgres_database,
    prepare,
)
from tests.support.web import WebClient, bearer

pytestmark = pytest.mark.integration

ALL_ACTIONS = [
    "read",
    "send_command",
    "acknowledge_alert",
    "write_room",
    "manage_users",
    "manage_devices",
    "manage_credentials",
]
ACTIONS = {"viewer": ALL_ACTIONS[:1], "operator": ALL_ACTIONS[:4], "admin": ALL_ACTIONS}


@pytest.fixture(scope="module")
def api(postgres_session: ServerHandle, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AccountsServer]:
    with postgres_database(postgres_session) as database_url:
        prepare(database_url)
        with accounts_server(tmp_path_factory.mktemp("accounts-api"), database_url) as server:
            yield server


@pytest.fixture(autouse=True)
def no_failed_logins(api: AccountsServer) -> None:
    """Every test starts with no failed logins counted (all of them come from 127.0.0.1)."""
    with psycopg.connect(api.database_url, autocommit=True) as conn:
        conn.execute("DELETE FROM accounts_loginthrottle")


def client(api: AccountsServer) -> WebClient:
    return WebClient(api.url)


def signed_in(api: AccountsServer, name: str) -> WebClient:
    browser = client(api)
    answer = browser.login(name, USERS[name][1])
    assert answer.status == 200, answer.body
    return browser


def new_token(api: AccountsServer, name: str, label: str = "script") -> str:
    answer = signed_in(api, name).post("/api/v1/auth/tokens", {"name": label})
    assert answer.status == 201, answer.body
    token = answer.json()["token"]
    assert isinstance(token, str)
    return token


# --- sessions and CSRF ---------------------------------------------------------------------


def test_without_credentials_me_is_401_with_the_contract_error_and_www_authenticate(api: AccountsServer) -> None:
    answer = client(api).get("/api/v1/auth/me")
    assert answer.status == 401
    assert answer.error["code"] == "not_authenticated"
    assert answer.headers["WWW-Authenticate"] == 'Bearer realm="sensebridge"'
    assert answer.headers["Cache-Control"] == "no-store"


def test_a_login_without_the_csrf_token_is_refused_and_starts_no_session(api: AccountsServer) -> None:
    browser = client(api)
    answer = browser.post("/api/v1/auth/login", {"username": "ada", "password": USERS["ada"][1]}, csrf=False)
    assert answer.status == 403
    assert answer.error == {"code": "csrf_failed", "field": "X-CSRFToken", "message": "CSRF cookie not set."}
    assert browser.cookie("sessionid") is None
    browser.csrf_token()  # the cookie alone is not enough either: the header must repeat it
    answer = browser.post("/api/v1/auth/login", {"username": "ada", "password": USERS["ada"][1]}, csrf=False)
    assert (answer.status, answer.error["code"]) == (403, "csrf_failed")
    assert browser.get("/api/v1/auth/me").status == 401


def test_a_login_from_a_foreign_origin_is_refused_even_with_the_token(api: AccountsServer) -> None:
    browser = client(api)
    body = {"username": "ada", "password": USERS["ada"][1]}
    answer = browser.post("/api/v1/auth/login", body, headers={"Origin": "http://evil.example"})
    assert (answer.status, answer.error["code"]) == (403, "csrf_failed")
    assert "origin" in answer.error["message"].lower()
    assert browser.get("/api/v1/auth/me").status == 401


def test_a_login_from_the_public_url_behind_a_proxy_is_accepted(api: AccountsServer) -> None:
    browser = client(api)
    answer = browser.post(
        "/api/v1/auth/login", {"username": "ada", "password": USERS["ada"][1]}, headers={"Origin": PUBLIC_URL}
    )
    assert answer.status == 200, answer.body


@pytest.mark.parametrize("name", list(USERS))
def test_a_login_starts_a_session_that_knows_the_role_and_what_it_allows(api: AccountsServer, name: str) -> None:
    browser = client(api)
    token_before = browser.csrf_token()
    answer = browser.login(name, USERS[name][1])
    role = USERS[name][0]
    assert answer.status == 200, answer.body
    assert answer.json() == {"username": name, "role": role, "actions": ACTIONS[role]}
    session = browser.cookie("sessionid")
    assert session is not None
    assert session.has_nonstandard_attr("HttpOnly")
    assert browser.get("/api/v1/auth/me").json() == answer.json()
    assert browser.csrf_token() != token_before  # login rotates the CSRF secret


def test_a_wrong_password_and_an_unknown_user_get_the_same_401(api: AccountsServer) -> None:
    wrong = client(api).login("ada", "not-the-password-1")
    unknown = client(api).login("nobody-" + uuid.uuid4().hex[:6], "not-the-password-1")
    assert wrong.status == unknown.status == 401
    assert (
        wrong.error
        == unknown.error
        == {
            "code": "bad_credentials",
            "field": "password",
            "message": "wrong username or password",
        }
    )


def test_logout_ends_the_session(api: AccountsServer) -> None:
    browser = signed_in(api, "otto")
    assert browser.post("/api/v1/auth/logout").status == 204
    assert browser.get("/api/v1/auth/me").status == 401
    assert browser.post("/api/v1/auth/logout").status == 204  # again: nothing to end, same answer


def test_a_session_post_needs_the_csrf_token_but_a_bearer_token_needs_none(api: AccountsServer) -> None:
    browser = signed_in(api, "vera")
    refused = browser.post("/api/v1/auth/ticket", csrf=False)
    assert (refused.status, refused.error["code"]) == (403, "csrf_failed")
    assert browser.post("/api/v1/auth/ticket").status == 201
    script = client(api)
    assert script.post("/api/v1/auth/ticket", csrf=False, headers=bearer(new_token(api, "vera"))).status == 201


def test_a_bad_login_body_is_400_naming_the_field(api: AccountsServer) -> None:
    answer = client(api).post("/api/v1/auth/login", {"username": "ada"})
    assert answer.status == 400
    assert answer.error == {"code": "bad_body", "field": "password", "message": "missing"}
    answer = client(api).post("/api/v1/auth/login", b"not json")
    assert (answer.status, answer.error["field"]) == (400, "body")


def test_a_method_the_path_does_not_take_is_405_with_allow(api: AccountsServer) -> None:
    answer = client(api).get("/api/v1/auth/login")
    assert answer.status == 405
    assert answer.headers["Allow"] == "POST"
    assert answer.error["code"] == "method_not_allowed"


# --- roles ----------------------------------------------------------------------------------


def test_a_viewer_may_not_manage_other_users_tokens_but_an_admin_may(api: AccountsServer) -> None:
    viewer = signed_in(api, "vera")
    listing = viewer.get("/api/v1/auth/tokens?username=ada")
    assert listing.status == 403
    assert listing.error["code"] == "permission_denied"
    assert listing.error["field"] == "manage_users"
    created = viewer.post("/api/v1/auth/tokens", {"name": "for otto", "username": "otto"})
    assert (created.status, created.error["code"]) == (403, "permission_denied")

    admin = signed_in(api, "ada")
    created = admin.post("/api/v1/auth/tokens", {"name": "for otto", "username": "otto"})
    assert created.status == 201
    assert created.json()["username"] == "otto"
    assert client(api).get("/api/v1/auth/me", headers=bearer(created.json()["token"])).json()["role"] == "operator"


def test_a_role_change_applies_to_the_next_request_of_a_running_session(api: AccountsServer) -> None:
    name, password = "rita-" + uuid.uuid4().hex[:6], "rita-changes-roles-2026"
    assert (
        manage("adduser", name, "--role", "viewer", database_url=api.database_url, stdin=password + "\n").returncode
        == 0
    )
    browser = client(api)
    assert browser.login(name, password).json()["role"] == "viewer"
    changed = manage("setrole", name, "--role", "operator", database_url=api.database_url)
    assert changed.returncode == 0, changed.stderr
    assert browser.get("/api/v1/auth/me").json()["actions"] == ACTIONS["operator"]


def test_the_admin_site_lets_in_admins_only(api: AccountsServer) -> None:
    assert client(api).get("/admin/").status == 302
    assert signed_in(api, "otto").get("/admin/").status == 302  # to the admin's login page
    admin = signed_in(api, "ada").get("/admin/")
    assert admin.status == 200
    assert b"sensebridge administration" in admin.body


def test_health_answers_without_login_and_the_telemetry_endpoints_do_not(api: AccountsServer) -> None:
    health = client(api).get("/api/v1/health")
    assert health.status == 200
    assert "Vary" not in health.headers  # no session was even looked at
    answer = client(api).get("/api/v1/devices")
    assert (answer.status, answer.error["code"]) == (401, "not_authenticated")
    assert signed_in(api, "vera").get("/api/v1/devices").status == 200


# --- API tokens ----------------------------------------------------------------------------


def test_an_api_token_is_shown_once_stored_only_as_its_hash_and_works_until_revoked(api: AccountsServer) -> None:
    browser = signed_in(api, "otto")
    created = browser.post("/api/v1/auth/tokens", {"name": "grafana"})
    assert created.status == 201
    body = created.json()
    secret = body["token"]
    assert body["prefix"] == secret[:12]
    assert body["last_used_server_ts"] is None

    with psycopg.connect(api.database_url) as conn:
        rows = conn.execute("SELECT * FROM accounts_apitoken WHERE id = %s", (body["id"],)).fetchall()
        digest = conn.execute("SELECT digest FROM accounts_apitoken WHERE id = %s", (body["id"],)).fetchone()
    assert len(rows) == 1
    assert not any(secret in str(value) for value in rows[0])
    assert digest == (hashlib.sha256(secret.encode()).hexdigest(),)

    listed = browser.get("/api/v1/auth/tokens").json()["tokens"]
    assert [t["id"] for t in listed if t["name"] == "grafana"] == [body["id"]]
    assert secret not in str(listed)

    script = client(api)
    assert script.get("/api/v1/auth/me", headers=bearer(secret)).json()["username"] == "otto"
    used = [t for t in browser.get("/api/v1/auth/tokens").json()["tokens"] if t["id"] == body["id"]]
    assert used[0]["last_used_server_ts"] is not None

    assert browser.delete(f"/api/v1/auth/tokens/{body['id']}").status == 204
    refused = script.get("/api/v1/auth/me", headers=bearer(secret))
    assert (refused.status, refused.error) == (
        401,
        {"code": "not_authenticated", "field": "Authorization", "message": "unknown or revoked API token"},
    )


@pytest.mark.parametrize(
    "header",
    ["Bearer sbt_" + "A" * 43, "Bearer not-a-token", "Basic YWRhOnB3", "Bearer"],
    ids=["unknown", "malformed", "basic", "empty"],
)
def test_a_bad_authorization_header_is_401_and_never_falls_back_to_the_session(
    api: AccountsServer, header: str
) -> None:
    browser = signed_in(api, "ada")
    answer = browser.get("/api/v1/auth/me", headers={"Authorization": header})
    assert answer.status == 401
    assert answer.error["field"] == "Authorization"


def test_api_tokens_cannot_manage_api_tokens(api: AccountsServer) -> None:
    token = new_token(api, "ada")
    script = client(api)
    assert script.get("/api/v1/auth/tokens", headers=bearer(token)).status == 401
    assert script.post("/api/v1/auth/tokens", {"name": "more"}, csrf=False, headers=bearer(token)).status == 401


def test_another_users_token_cannot_be_revoked_and_looks_unknown(api: AccountsServer) -> None:
    owner = signed_in(api, "ada")
    token_id = owner.post("/api/v1/auth/tokens", {"name": "mine"}).json()["id"]
    answer = signed_in(api, "otto").delete(f"/api/v1/auth/tokens/{token_id}")
    assert (answer.status, answer.error["code"]) == (404, "unknown_token")
    assert [t["id"] for t in owner.get("/api/v1/auth/tokens").json()["tokens"] if t["id"] == token_id] == [token_id]


def test_the_apitoken_command_prints_a_token_once_and_revokes_it(api: AccountsServer) -> None:
    created = manage("apitoken", "create", "vera", "--name", "cron job", database_url=api.database_url)
    assert created.returncode == 0, created.stderr
    secret = created.stdout.strip()
    assert client(api).get("/api/v1/auth/me", headers=bearer(secret)).json()["username"] == "vera"
    listed = manage("apitoken", "list", "vera", database_url=api.database_url)
    assert "cron job" in listed.stdout
    assert secret not in listed.stdout
    token_id = next(line.split("\t")[0] for line in listed.stdout.splitlines() if "cron job" in line)
    assert manage("apitoken", "revoke", token_id, database_url=api.database_url).returncode == 0
    assert client(api).get("/api/v1/auth/me", headers=bearer(secret)).status == 401


def test_adduser_refuses_a_weak_password_and_an_existing_name(api: AccountsServer) -> None:
    weak = manage("adduser", "wendy", "--role", "viewer", database_url=api.database_url, stdin="12345\n")
    assert weak.returncode != 0
    assert "password refused" in weak.stderr
    taken = manage("adduser", "ada", "--role", "viewer", database_url=api.database_url, stdin="long-enough-pw-1\n")
    assert taken.returncode != 0
    assert "exists" in taken.stderr
    assert client(api).login("wendy", "12345").status == 401


# --- rate limiting ---------------------------------------------------------------------------


def test_brute_force_on_one_account_is_slowed_and_the_right_password_waits_too(api: AccountsServer) -> None:
    attacker = client(api)
    statuses = [attacker.login("otto", f"guess-{n}-xxxxxx").status for n in range(5)]
    assert statuses == [401] * 5
    throttled = attacker.login("otto", "guess-6-xxxxxx")
    assert throttled.status == 429
    assert throttled.error["code"] == "rate_limited"
    assert throttled.error["field"] == "username"
    assert 1 <= int(throttled.headers["Retry-After"]) <= 2
    # Even the right password is not checked while the account must wait.
    assert attacker.login("otto", USERS["otto"][1]).status == 429

    started = time.monotonic()
    answer = wait_until(
        lambda: (a := client(api).login("otto", USERS["otto"][1])).status != 429 and a,
        timeout=10,
        what="the account's wait to pass",
        interval=0.2,
    )
    assert answer.status == 200
    assert time.monotonic() - started >= 0.5
    # A success clears the account's count: five free tries again.
    assert [attacker.login("otto", f"again-{n}-xxxxxx").status for n in range(5)] == [401] * 5


def test_failures_from_one_address_across_accounts_are_limited_and_a_success_does_not_reset_them(
    api: AccountsServer,
) -> None:
    attacker = client(api)
    names = [f"guess-{uuid.uuid4().hex[:8]}" for _ in range(20)]
    assert [attacker.login(name, "x-password-guess").status for name in names[:10]] == [401] * 10
    assert signed_in(api, "vera").get("/api/v1/auth/me").status == 200  # a success from the same address
    assert [attacker.login(name, "x-password-guess").status for name in names[10:]] == [401] * 10
    throttled = attacker.login("ada", USERS["ada"][1])
    assert throttled.status == 429
    assert throttled.error["field"] == "address"
    assert int(throttled.headers["Retry-After"]) >= 1


def test_a_burst_of_parallel_guesses_gets_no_more_tries_than_a_sequence(api: AccountsServer) -> None:
    def guess(n: int) -> int:
        return client(api).login("ada", f"parallel-guess-{n}").status

    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = Counter(pool.map(guess, range(12)))
    # Five free tries; a sixth only if the burst outlasted the first 2 s wait (a very slow machine).
    assert 5 <= statuses[401] <= 6, statuses
    assert statuses[429] == 12 - statuses[401], statuses
