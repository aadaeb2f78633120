"""The telemetry REST API and ``/ws/live/`` let only signed-in users in, on real uvicorn and daphne.

Everything real (the ``stack`` fixture: Mosquitto, the bridge, the ASGI server on an
application database prepared with ``manage.py``), once per server in ``SERVERS_UNDER_TEST``.
REST: no credentials or a bad token get 401 with ``WWW-Authenticate`` and no data; a viewer's
API token and a browser's session read. WebSocket: a socket without credentials, with an
unknown, used or expired ticket is accepted, sent nothing and closed with 4401 and the reason
(daphne drops the reason text, the code arrives);
a ticket or the session cookie of a real login gets frames. Credentials are checked at connect
only: logging out leaves an open socket streaming, and the cookie opens no new one. The same
refusals over ASGI directly, disabled users and 4403: tests/unit/server/test_ws_auth.py.
"""

from __future__ import annotations

import time

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection

from contract.codec import encode_reading
from contract.live import WS_CLOSE_NOT_AUTHENTICATED
from contract.models import Reading
from contract.topics import Kind, topic
from devstack import ServerHandle
from tests.integration.accounts_stack import probe
from tests.integration.stack import Stack, receive_json, receive_until
from tests.support.mqtt import MqttTestClient, acked
from tests.support.web import WebClient, bearer

pytestmark = pytest.mark.integration

FORGED_TOKEN = "sbt_" + "A" * 43


@pytest.fixture(scope="module")
def device(stack: Stack, mosquitto_session: ServerHandle) -> str:
    """A device with one stored reading, so a refused request has data it could have leaked."""
    name = f"auth-{time.monotonic_ns()}"
    publish(mosquitto_session, name, 1)
    return name


def publish(broker: ServerHandle, device: str, seq: int) -> None:
    """Publish one reading of ``device`` and wait until the bridge acknowledged (stored) it."""
    now = time.time_ns() // 1_000_000
    reading = Reading(device=device, boot="b1", seq=seq, ts_ms=now, values={"temperature": 20.0 + seq})
    with MqttTestClient(broker.url, client_id=f"dev-{device}-{seq}") as mqtt:
        mqtt.subscribe(topic(device, Kind.ACK))
        mqtt.publish(topic(device, Kind.READING), encode_reading(reading))
        acked(mqtt, {seq})


def telemetry_paths(device: str) -> list[str]:
    return [
        "/api/v1/devices",
        f"/api/v1/devices/{device}/readings?since=0",
        f"/api/v1/devices/{device}/history?since=0",
        f"/api/v1/devices/{device}/export.csv?since=0",
        f"/api/v1/devices/{device}/export.json?since=0",
    ]


def refused_as(stack: Stack, ws: ClientConnection, reason: str) -> bool:
    """Whether the server closed ``ws`` with 4401 and ``reason`` before sending anything.

    daphne (4.2) drops the reason text of an ASGI close: there only the code arrives.
    """
    try:
        message = ws.recv(timeout=5)
    except ConnectionClosed as closed:
        received = closed.rcvd
    else:
        pytest.fail(f"the server sent {message!r} before closing")
    assert received is not None, "closed without a close frame"
    sent_reason = "" if stack.server.name == "daphne" else reason
    return (received.code, received.reason) == (WS_CLOSE_NOT_AUTHENTICATED, sent_reason)


def streams(ws: ClientConnection, broker: ServerHandle, device: str, seq: int) -> bool:
    """Whether ``ws`` (already greeted) gets the frame of a reading published now."""
    ws.send(f'{{"type": "subscribe", "devices": ["{device}"]}}')
    receive_until(ws, lambda m: m["type"] == "subscribed")
    publish(broker, device, seq)
    frame = receive_until(ws, lambda m: m["type"] == "frame" and m["device"] == device)
    return [row["seq"] for row in frame["readings"]] == [seq]


@pytest.fixture
def browser(stack: Stack) -> WebClient:
    """A browser signed in as the viewer with her password."""
    client = stack.client(token=False)
    assert client.login("vera", stack.database.password("vera")).status == 200
    return client


# --- REST ----------------------------------------------------------------------------------


@pytest.mark.parametrize("which", range(5), ids=["devices", "readings", "history", "export.csv", "export.json"])
def test_telemetry_without_credentials_is_refused_with_401_and_no_data(stack: Stack, device: str, which: int) -> None:
    answer = stack.client(token=False).get(telemetry_paths(device)[which])

    assert answer.status == 401
    assert answer.headers["WWW-Authenticate"] == 'Bearer realm="sensebridge"'
    assert answer.error["code"] == "not_authenticated"
    assert device.encode() not in answer.body


@pytest.mark.parametrize(
    "header", [f"Bearer {FORGED_TOKEN}", "Bearer sbt_short", "Basic dmVyYTpwdw==", "Bearer sbw_" + "A" * 43]
)
def test_a_bad_token_is_refused_with_401_and_never_falls_back_to_the_session(
    stack: Stack, device: str, browser: WebClient, header: str
) -> None:
    answer = browser.get("/api/v1/devices", headers={"Authorization": header})

    assert answer.status == 401
    assert answer.headers["WWW-Authenticate"] == 'Bearer realm="sensebridge"'
    assert device.encode() not in answer.body


def test_a_viewers_token_reads_every_telemetry_endpoint(stack: Stack, device: str) -> None:
    viewer = stack.client("vera")
    for path in telemetry_paths(device):
        answer = viewer.get(path)
        assert answer.status == 200, path
        assert answer.headers["Cache-Control"] == "no-store", path
    assert device.encode() in viewer.get(f"/api/v1/devices/{device}/export.csv?since=0").body


def test_a_browsers_session_reads_and_logging_out_ends_it(stack: Stack, device: str, browser: WebClient) -> None:
    assert device in {d["device"] for d in browser.get_json("/api/v1/devices")[1]["devices"]}

    assert browser.post("/api/v1/auth/logout").status in (200, 204)

    assert browser.get("/api/v1/devices").status == 401


def test_health_stays_open_and_head_is_allowed_but_writes_are_not(stack: Stack) -> None:
    assert stack.client(token=False).get_json("/api/v1/health") == (200, {"status": "ok"})
    viewer = stack.client("vera")
    assert viewer.request("HEAD", "/api/v1/devices").status == 200
    refused = viewer.request("POST", "/api/v1/devices", headers=bearer(stack.database.tokens["vera"]))
    assert (refused.status, refused.headers["Allow"]) == (405, "GET, HEAD")


# --- WebSocket -----------------------------------------------------------------------------


def test_a_socket_without_credentials_is_closed_with_4401_before_any_message(stack: Stack) -> None:
    with stack.unsigned_websocket() as ws:
        assert refused_as(stack, ws, "no_credentials")


def test_a_ticket_opens_one_socket_and_is_refused_as_used_the_second_time(
    stack: Stack, mosquitto_session: ServerHandle, device: str
) -> None:
    ticket = stack.client("vera").ticket()
    with stack.unsigned_websocket(query=f"ticket={ticket}") as ws:
        assert receive_json(ws)["type"] == "hello"
        assert streams(ws, mosquitto_session, device, 2)

    with stack.unsigned_websocket(query=f"ticket={ticket}") as again:
        assert refused_as(stack, again, "ticket_used")


def test_a_ticket_issued_more_than_thirty_seconds_ago_is_refused_as_expired(stack: Stack) -> None:
    old = probe("issue", "vera", "--earlier-s", "31", database_url=stack.database.url)["ticket"]

    with stack.unsigned_websocket(query=f"ticket={old}") as ws:
        assert refused_as(stack, ws, "ticket_expired")


@pytest.mark.parametrize("ticket", ["sbw_" + "A" * 43, "", FORGED_TOKEN])
def test_a_ticket_never_issued_is_refused_as_unknown(stack: Stack, ticket: str) -> None:
    with stack.unsigned_websocket(query=f"ticket={ticket}") as ws:
        assert refused_as(stack, ws, "ticket_unknown")


def test_an_api_token_is_no_ticket(stack: Stack) -> None:
    with stack.unsigned_websocket(query=f"ticket={stack.database.tokens['ada']}") as ws:
        assert refused_as(stack, ws, "ticket_unknown")


def test_a_real_logins_session_cookie_opens_the_socket_and_gets_frames(
    stack: Stack, mosquitto_session: ServerHandle, device: str, browser: WebClient
) -> None:
    with browser.live(via="session") as ws:
        assert receive_json(ws)["type"] == "hello"
        assert streams(ws, mosquitto_session, device, 3)


def test_a_bad_ticket_never_falls_back_to_the_session(stack: Stack, browser: WebClient) -> None:
    with stack.unsigned_websocket(query="ticket=sbw_forged", cookie=browser.session_cookie()) as ws:
        assert refused_as(stack, ws, "ticket_unknown")


def test_credentials_are_checked_at_connect_only_so_logging_out_keeps_an_open_socket(
    stack: Stack, mosquitto_session: ServerHandle, device: str, browser: WebClient
) -> None:
    cookie = browser.session_cookie()
    with browser.live(via="session") as ws:
        assert receive_json(ws)["type"] == "hello"
        assert browser.post("/api/v1/auth/logout").status in (200, 204)

        assert streams(ws, mosquitto_session, device, 4)
        with stack.unsigned_websocket(cookie=cookie) as after:
            assert refused_as(stack, after, "no_credentials")
