"""The accounts bodies the server builds (contract.rest) are the golden files, byte for byte."""

from __future__ import annotations

from contract_helpers import golden_text

from contract import rest
from contract.access import Action, Role
from contract.codec import dumps

GRAFANA = rest.api_token_entry(
    token_id=7,
    name="grafana",
    username="ada",
    prefix="sbt_lbVtjd3E",
    created_server_ts=1_795_336_200_000,
    last_used_server_ts=None,
)
BACKUP = rest.api_token_entry(
    token_id=3,
    name="backup script",
    username="ada",
    prefix="sbt_Q2x9aLmP",
    created_server_ts=1_795_249_800_000,
    last_used_server_ts=1_795_336_140_000,
)


def _text(body: object) -> str:
    return dumps(body).decode()


def test_the_current_user_lists_what_an_operator_may_do(backend: str) -> None:
    actions = [Action.READ, Action.SEND_COMMAND, Action.ACKNOWLEDGE_ALERT, Action.WRITE_ROOM]
    body = rest.current_user_body(username="ada", role=Role.OPERATOR, actions=actions)
    assert _text(body) == golden_text("rest-me.json")


def test_the_csrf_body_carries_the_header_value(backend: str) -> None:
    token = "Xk3vQ9mZt1Lr8WcY2bNf5HpJ0sDg7KaEoU4iRq6TzVyM1nB8xCw3FeGh5jLs9PdA"
    assert _text(rest.csrf_body(csrf_token=token)) == golden_text("rest-csrf.json")


def test_a_ticket_says_when_it_expires_on_the_server_clock(backend: str) -> None:
    body = rest.ticket_body(
        ticket="sbw_mehj1yrXCwOF0jwYf8ctqAeTFgBGrunyvmLvfzX4Ogk", expires_server_ts=1_795_336_230_000
    )
    assert _text(body) == golden_text("rest-ticket.json")


def test_a_token_list_holds_no_secret(backend: str) -> None:
    body = rest.api_token_list([GRAFANA, BACKUP])
    assert _text(body) == golden_text("rest-api-tokens.json")
    assert "token" not in GRAFANA


def test_a_new_token_is_its_entry_and_its_secret_shown_once(backend: str) -> None:
    body = rest.api_token_created(GRAFANA, token="sbt_lbVtjd3EdRZye_uiRfRxyqwGqLOXZk4XWUP1xuxPB6A")
    assert _text(body) == golden_text("rest-api-token-created.json")
    assert str(body["token"]).startswith(str(body["prefix"]))
