"""API token and ticket secrets: random, of their kind, stored only as a digest that gives nothing back."""

from __future__ import annotations

import hashlib
import re

import pytest

from server.accounts.credentials import (
    API_TOKEN_PREFIX,
    SHOWN_CHARS,
    TICKET_PREFIX,
    bearer_secret,
    is_secret,
    new_secret,
    secret_digest,
    shown_prefix,
)


@pytest.mark.parametrize("prefix", [API_TOKEN_PREFIX, TICKET_PREFIX])
def test_a_new_secret_is_its_kind_prefix_and_256_random_bits(prefix: str) -> None:
    secrets = {new_secret(prefix) for _ in range(1000)}
    assert len(secrets) == 1000
    for secret in secrets:
        assert re.fullmatch(re.escape(prefix) + r"[A-Za-z0-9_-]{43}", secret)
        assert is_secret(secret, prefix)


def test_the_digest_is_sha256_hex_and_differs_for_each_secret() -> None:
    secret = new_secret(API_TOKEN_PREFIX)
    digest = secret_digest(secret)
    assert digest == hashlib.sha256(secret.encode()).hexdigest()
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    assert secret_digest(secret) == digest
    assert secret_digest(secret[:-1] + ("A" if secret[-1] != "A" else "B")) != digest


def test_the_digest_holds_no_part_of_the_secret() -> None:
    secret = new_secret(API_TOKEN_PREFIX)
    digest = secret_digest(secret)
    body = secret.removeprefix(API_TOKEN_PREFIX)
    assert not any(body[i : i + 6] in digest for i in range(len(body) - 5))


def test_only_the_shown_prefix_of_a_secret_is_kept_for_lists() -> None:
    secret = new_secret(API_TOKEN_PREFIX)
    assert shown_prefix(secret) == secret[:SHOWN_CHARS]
    assert len(shown_prefix(secret)) == 12


@pytest.mark.parametrize(
    "text",
    [
        "",
        API_TOKEN_PREFIX,
        "sbx_" + "a" * 43,
        API_TOKEN_PREFIX + "a" * 42,
        API_TOKEN_PREFIX + "a" * 44,
        API_TOKEN_PREFIX + "a" * 42 + "!",
        " " + API_TOKEN_PREFIX + "a" * 43,
    ],
)
def test_text_without_the_shape_of_a_token_is_not_one(text: str) -> None:
    assert not is_secret(text, API_TOKEN_PREFIX)


def test_a_ticket_is_not_an_api_token_and_the_other_way_round() -> None:
    assert not is_secret(new_secret(TICKET_PREFIX), API_TOKEN_PREFIX)
    assert not is_secret(new_secret(API_TOKEN_PREFIX), TICKET_PREFIX)


@pytest.mark.parametrize(
    ("header", "secret"),
    [
        ("Bearer sbt_abc", "sbt_abc"),
        ("bearer sbt_abc", "sbt_abc"),
        ("Bearer  sbt_abc ", "sbt_abc"),
        ("Basic YWRhOnB3", None),
        ("Bearer", None),
        ("Bearer ", None),
        ("Bearer a b", None),
        ("sbt_abc", None),
    ],
)
def test_the_bearer_header_gives_its_token_or_nothing(header: str, secret: str | None) -> None:
    assert bearer_secret(header) == secret
