"""Faults on the ingest path, with real processes: the bridge killed mid-stream (with the SQLite
store, and with the Mongo store over the wire on SecantusDB, a stand-in for MongoDB), its SQLite
writer process killed mid-stream, Redis (the channel layer) restarted mid-stream. A real edge
agent samples throughout; afterwards every reading it made is stored exactly once (no gaps, no
duplicates) or still waits in its outbox, and the outbox drains.

Why these hold: the edge deletes a reading only on a storage ack, which the bridge sends only
after the write committed; a write that dies with its process is never acknowledged, so the
device re-sends it, and the (device, boot, seq) key makes a re-send of a committed reading a
duplicate, not a second row.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from pymongo import MongoClient

from contract.broker import parse_mqtt_url
from devstack import ServerHandle, descendants, has_ended, wait_until
from edge.agent import Agent
from edge.config import EdgeConfig
from edge.runner import build_agents, start_all, stop_all
from tests.integration.stack import Stack, receive_json, receive_until, running_stack

pytestmark = pytest.mark.integration

RATE_HZ = 100.0
# Over SecantusDB a storage ack takes longer than 10 ms, so at 100 Hz the outbox is never empty at
# any one moment; at 25 Hz it is between samples, which is when the test looks.
MONGO_RATE_HZ = 25.0


@pytest.fixture
def stack(mosquitto: ServerHandle, redis_server: ServerHandle, tmp_path: Path, unique_id: str) -> Iterator[Stack]:
    workdir = tmp_path / "stack"
    workdir.mkdir()
    with running_stack(
        workdir, mqtt_url=mosquitto.url, redis_url=redis_server.url, client_id=f"bridge-{unique_id}"
    ) as running:
        yield running


@pytest.fixture
def mongo_stack(
    mosquitto: ServerHandle, redis_server: ServerHandle, mongo_wire: ServerHandle, tmp_path: Path, unique_id: str
) -> Iterator[Stack]:
    """The stack with ``STORE_URL`` on a database of this test on the SecantusDB stand-in (dropped afterwards)."""
    workdir = tmp_path / "stack"
    workdir.mkdir()
    with running_stack(
        workdir,
        mqtt_url=mosquitto.url,
        redis_url=redis_server.url,
        client_id=f"bridge-{unique_id}",
        store_url=f"{mongo_wire.url}/{unique_id}",
    ) as running:
        yield running
    with MongoClient(mongo_wire.url, serverSelectionTimeoutMS=5000) as client:
        client.drop_database(unique_id)


@contextmanager
def running_agent(mqtt_url: str, outbox_dir: Path, device: str, rate_hz: float) -> Iterator[Agent]:
    config = EdgeConfig(
        broker=parse_mqtt_url(mqtt_url), devices=(device,), rate_hz=rate_hz, outbox_dir=outbox_dir, ack_timeout_s=1.0
    )
    (made,) = build_agents(config)
    start_all([made])
    try:
        yield made
    finally:
        stop_all([made])


@pytest.fixture
def agent(mosquitto: ServerHandle, tmp_path: Path, unique_id: str) -> Iterator[Agent]:
    with running_agent(mosquitto.url, tmp_path / "outbox", unique_id, RATE_HZ) as made:
        yield made


@pytest.fixture
def mongo_agent(mosquitto: ServerHandle, tmp_path: Path, unique_id: str) -> Iterator[Agent]:
    with running_agent(mosquitto.url, tmp_path / "outbox", unique_id, MONGO_RATE_HZ) as made:
        yield made


def stored_seqs(stack: Stack, device: str) -> list[int]:
    status, body = stack.get_json(f"/api/v1/devices/{device}/readings?since=0&limit=10000")
    assert status == 200, body
    assert not body["truncated"], "the test must stay under one page of readings"
    return [row["seq"] for row in body["readings"]]


def writer_of(stack: Stack) -> int:
    """The bridge's SQLite writer process (started on its first write)."""
    assert stack.bridge.pid is not None
    children = wait_until(lambda: descendants(stack.bridge.pid or 0), timeout=10, what="the bridge's writer process")
    assert len(children) == 1, children
    return children[0]


def drained_and_stored_once(stack: Stack, agent: Agent, *, after_acks: int, rate_hz: float = RATE_HZ) -> None:
    """Wait for a moment when the outbox is empty, then check what the store holds."""
    wait_until(
        lambda: agent.acked >= after_acks and agent.pending == 0,
        timeout=30,
        what=f"an empty outbox after {after_acks} acks (when the wait began: acked {agent.acked}, "
        f"pending {agent.pending})",
    )
    sampled = agent.sampled
    seqs = stored_seqs(stack, agent.device)
    assert seqs == list(range(len(seqs))), "each reading stored once, none missing"
    # Sampling goes on, so the store may be a second of readings ahead of the moment we looked.
    assert len(seqs) >= sampled - int(rate_hz)


def test_a_bridge_killed_mid_stream_loses_nothing_and_stores_each_reading_once(stack: Stack, agent: Agent) -> None:
    wait_until(lambda: agent.acked >= 200, timeout=15, what="200 acks before the kill")
    writer = writer_of(stack)

    stack.bridge.kill()  # SIGKILL: a crash in the middle of whatever it was writing
    wait_until(lambda: agent.pending >= 100, timeout=10, what="readings piling up while the bridge is down")
    assert wait_until(lambda: has_ended(writer), timeout=10, what="the orphaned writer to end")
    stack.bridge.start()

    drained_and_stored_once(stack, agent, after_acks=agent.sampled)


def test_a_bridge_killed_mid_stream_loses_nothing_and_stores_each_reading_once_in_mongo(
    mongo_stack: Stack, mongo_agent: Agent
) -> None:
    """The Mongo store through pymongo's real client on SecantusDB, a STAND-IN for MongoDB, not MongoDB
    (single node; replica sets, failover and performance unverified): what is proven is the store's
    own logic, the unique (device, boot, seq) index turning the re-sends after the crash into
    duplicates, not rows."""
    agent = mongo_agent
    wait_until(lambda: agent.acked >= 50, timeout=15, what="50 acks before the kill")

    mongo_stack.bridge.kill()  # SIGKILL: a crash in the middle of whatever it was writing
    wait_until(lambda: agent.pending >= 25, timeout=10, what="readings piling up while the bridge is down")
    mongo_stack.bridge.start()

    drained_and_stored_once(mongo_stack, agent, after_acks=agent.sampled, rate_hz=MONGO_RATE_HZ)


def test_a_killed_writer_process_costs_a_retry_not_a_reading(stack: Stack, agent: Agent) -> None:
    wait_until(lambda: agent.acked >= 200, timeout=15, what="200 acks before the kill")
    writer = writer_of(stack)

    os.kill(writer, signal.SIGKILL)
    wait_until(
        lambda: "store failed, nothing acknowledged" in stack.bridge.log_path.read_text(errors="replace"),
        timeout=10,
        what="the bridge to report the failed write",
    )

    drained_and_stored_once(stack, agent, after_acks=agent.sampled)
    assert stack.bridge.running
    assert writer_of(stack) != writer


def test_a_redis_restart_interrupts_live_frames_not_storage_and_the_stream_resumes(
    stack: Stack, agent: Agent, redis_server: ServerHandle
) -> None:
    with stack.websocket() as ws:
        assert receive_json(ws)["type"] == "hello"
        ws.send(f'{{"type": "subscribe", "devices": ["{agent.device}"]}}')
        receive_until(ws, lambda m: m["type"] == "frame" and m["device"] == agent.device, timeout=15)

        redis_server.restart()  # empty, same port: the bridge and the server must reconnect
        restarted_at = agent.sampled

        resumed = receive_until(
            ws, lambda m: m["type"] == "frame" and m["seq"][0] > restarted_at + int(RATE_HZ), timeout=30
        )
    assert resumed["device"] == agent.device
    drained_and_stored_once(stack, agent, after_acks=agent.sampled)
