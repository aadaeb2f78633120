"""The accounts endpoints' request bodies: the golden ones are read, every other shape is a bad_body naming its field,
and whatever is read validates against the generated schema; refusals carry the golden error bodies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

import contract
from contract.access import Action, Role
from contract.codec import dumps
from contract.generate.schemas import SCHEMA_DIR
from server.accounts.bodies import MAX_BODY_BYTES, ApiTokenRequest, LoginRequest, api_token_request, login_request
from server.accounts.errors import (
    AccountsError,
    BadBodyError,
    BadCredentialsError,
    CsrfFailedError,
    MethodNotAllowedError,
    NotAuthenticatedError,
    PermissionDeniedError,
    ThrottledError,
    ThrottleScope,
    UnknownTokenError,
    error_body,
)

GOLDEN = Path(contract.__file__).parent / "golden"
LOGIN_SCHEMA = Draft202012Validator(json.loads((SCHEMA_DIR / "rest" / "login.json").read_text()))
TOKEN_SCHEMA = Draft202012Validator(json.loads((SCHEMA_DIR / "rest" / "api-token-request.json").read_text()))


def golden(name: str) -> bytes:
    return (GOLDEN / name).read_bytes()


def test_the_golden_login_body_is_read() -> None:
    assert login_request(golden("rest-login.json")) == LoginRequest("ada", "correct horse battery staple")


def test_the_golden_token_request_is_read_and_may_name_a_user() -> None:
    assert api_token_request(golden("rest-api-token-request.json")) == ApiTokenRequest("grafana")
    assert api_token_request(b'{"name": " backup ", "username": "bob"}') == ApiTokenRequest("backup", "bob")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"", "body"),
        (b"{", "body"),
        (b"\xff", "body"),
        (b'["ada", "pw"]', "body"),
        (b'"ada"', "body"),
        (b'{"username": "ada"}', "password"),
        (b'{"password": "pw"}', "username"),
        (b'{"username": "ada", "password": "pw", "remember": true}', "remember"),
        (b'{"username": 1, "password": "pw"}', "username"),
        (b'{"username": "ada", "password": null}', "password"),
        (b'{"username": "", "password": "pw"}', "username"),
        (b'{"username": "ada", "password": ""}', "password"),
        (json.dumps({"username": "a" * 151, "password": "pw"}).encode(), "username"),
        (json.dumps({"username": "ada", "password": "p" * 4097}).encode(), "password"),
        (b'{"username": "ada", "password": "pw"}' + b" " * MAX_BODY_BYTES, "body"),
    ],
)
def test_a_login_body_of_any_other_shape_is_a_bad_body_naming_the_field(body: bytes, field: str) -> None:
    with pytest.raises(BadBodyError) as refused:
        login_request(body)
    assert refused.value.field == field
    assert (refused.value.status, refused.value.code) == (400, "bad_body")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"{}", "name"),
        (b'{"name": "   "}', "name"),
        (b'{"name": 7}', "name"),
        (json.dumps({"name": "n" * 101}).encode(), "name"),
        (b'{"name": "x", "username": 3}', "username"),
        (b'{"name": "x", "role": "admin"}', "role"),
    ],
)
def test_a_token_request_of_any_other_shape_is_a_bad_body_naming_the_field(body: bytes, field: str) -> None:
    with pytest.raises(BadBodyError) as refused:
        api_token_request(body)
    assert refused.value.field == field


@pytest.mark.parametrize(
    "body",
    [b'{"username": "ada", "password": "pw"}', b'{"password": "\\u00e9\\u00e9", "username": "\\u00e9"}'],
)
def test_every_login_body_read_validates_against_its_schema(body: bytes) -> None:
    login_request(body)
    assert LOGIN_SCHEMA.is_valid(json.loads(body))


def test_every_token_request_read_validates_against_its_schema() -> None:
    for body in (b'{"name": "x"}', b'{"name": "x", "username": "bob"}'):
        api_token_request(body)
        assert TOKEN_SCHEMA.is_valid(json.loads(body))


@pytest.mark.parametrize(
    ("error", "name"),
    [
        (NotAuthenticatedError.no_credentials(), "rest-error-not-authenticated.json"),
        (PermissionDeniedError(Role.VIEWER, Action.SEND_COMMAND), "rest-error-permission-denied.json"),
        (ThrottledError(ThrottleScope.ACCOUNT, 8), "rest-error-rate-limited.json"),
        (CsrfFailedError("CSRF cookie not set."), "rest-error-csrf-failed.json"),
    ],
)
def test_refusals_have_the_golden_error_bodies(error: AccountsError, name: str) -> None:
    assert dumps(error_body(error)) == golden(name).rstrip(b"\n")


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (BadBodyError("name", "missing"), 400),
        (BadCredentialsError(), 401),
        (NotAuthenticatedError.no_credentials(), 401),
        (NotAuthenticatedError.malformed_header(), 401),
        (NotAuthenticatedError.unknown_token(), 401),
        (PermissionDeniedError(Role.OPERATOR, Action.MANAGE_USERS), 403),
        (CsrfFailedError("CSRF token missing."), 403),
        (UnknownTokenError(3), 404),
        (MethodNotAllowedError("GET", ("POST",)), 405),
        (ThrottledError(ThrottleScope.ADDRESS, 2), 429),
    ],
)
def test_each_refusal_has_its_status_and_a_code_of_the_contract(error: AccountsError, status: int) -> None:
    assert error.status == status
    assert error.code in contract.rest.ERROR_CODES


def test_a_wrong_username_and_a_wrong_password_are_refused_alike() -> None:
    assert error_body(BadCredentialsError())["error"]["message"] == "wrong username or password"
