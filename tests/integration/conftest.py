"""Fixtures of the integration tests: the production-shaped stack as real processes."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from devstack import ServerHandle
from tests.integration.stack import SERVERS_UNDER_TEST, Stack, running_stack


@pytest.fixture(scope="module", params=SERVERS_UNDER_TEST)
def stack(
    mosquitto_session: ServerHandle,
    redis_session: ServerHandle,
    tmp_path_factory: pytest.TempPathFactory,
    request: pytest.FixtureRequest,
) -> Iterator[Stack]:
    """A bridge and an ASGI server (once per server under test) on the session's Mosquitto and Redis."""
    with running_stack(
        tmp_path_factory.mktemp("stack"),
        mqtt_url=mosquitto_session.url,
        redis_url=redis_session.url,
        client_id=f"bridge-{time.monotonic_ns()}",
        asgi_server=request.param,
    ) as running:
        yield running
