"""The dashboard in a real browser against the production-shaped stack: real Mosquitto and
Redis, the bridge and the ASGI server (daphne, or what ``ASGI_SERVER`` names) as separate
processes, simulated Sense HATs (real edge agents) and an hour of stored history of one
more device, seeded into the store before start.

One stack and one browser serve the whole module (each test opens its own page, signed in as
devstack's viewer, vera, of the stack's application database): the page loads, charts move,
pause holds and resume catches up without losing a reading, zoom asks
history again at a finer resolution, export downloads exactly the visible range, and a
killed and restarted server leaves no hole once the dashboard has reconnected.
"""

from __future__ import annotations

import asyncio
import csv
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, expect

from bench.dashboard.probe import Probe
from contract.models import Reading
from devstack import ServerHandle, start_mosquitto, start_redis, wait_until
from edge.agent import Agent
from edge.config import load_config
from edge.runner import build_agents, start_all, stop_all
from edge.sources.simulator import SimulatedDevice
from storage import open_store
from tests.e2e.signin import Account, signed_in_context
from tests.integration.stack import READER as VIEWER
from tests.integration.stack import Stack, running_stack

pytestmark = pytest.mark.e2e

LIVE_DEVICES = ("live-1", "live-2")
RATE_HZ = 5.0
HISTORY_DEVICE = "hist-1"
HISTORY_STEP_MS = 400  # 2.5 Hz for the past hour...
HISTORY_GAP = (40, 30)  # ... except from 40 to 30 minutes ago: offline
MINUTE_MS = 60_000
TIMEOUT_MS = 15_000

# Chromium logs a refused connection as a console error; only while the server is down is that expected.
OUTAGE_NOISE = ("WebSocket connection to", "net::ERR_CONNECTION_REFUSED", "Failed to load resource")


@dataclass
class Live:
    """The running stack, its simulated devices and the seeded history's range."""

    stack: Stack
    agents: list[Agent]
    history_until: int

    def get(self, path: str) -> Any:
        """GET a JSON endpoint as the viewer."""
        status, body = self.stack.get_json(path)
        assert status == 200, body
        return body

    def stored(self, device: str, since: int, until: int) -> list[dict[str, Any]]:
        """Every stored reading of ``device`` with ``since <= ts < until``."""
        body = self.get(f"/api/v1/devices/{device}/readings?since={since}&until={until}&limit=10000")
        assert not body["truncated"], "the test ranges hold fewer than 10000 readings"
        rows: list[dict[str, Any]] = body["readings"]
        return rows


def seed_history(store_path: Path, now_ms: int) -> int:
    """An hour of 2.5 Hz readings of HISTORY_DEVICE ending a minute ago, with a 10-minute gap."""
    sim = SimulatedDevice(seed=7, index=9)
    start = now_ms - 60 * MINUTE_MS
    end = now_ms - MINUTE_MS
    gap = (now_ms - HISTORY_GAP[0] * MINUTE_MS, now_ms - HISTORY_GAP[1] * MINUTE_MS)
    readings = [
        Reading(device=HISTORY_DEVICE, boot="seeded", seq=i, ts_ms=ts, values=sim.at(ts / 1000), rx_ms=ts + 5)
        for i, ts in enumerate(range(start, end, HISTORY_STEP_MS))
        if not gap[0] <= ts < gap[1]
    ]

    async def insert() -> None:
        store = await open_store(f"sqlite:///{store_path}")
        try:
            await store.insert_readings(readings)
        finally:
            await store.close()

    # Playwright's sync API may own this thread's event loop: the store gets a thread of its own.
    failures: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(insert())
        except BaseException as exc:  # re-raised in the test thread below
            failures.append(exc)

    worker = threading.Thread(target=run, name="seed-history")
    worker.start()
    worker.join(timeout=60)
    if failures:
        raise failures[0]
    return end


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    work = tmp_path_factory.mktemp("dashboard-live")
    broker = start_mosquitto(tmp_path_factory.mktemp("dashboard-mosquitto"))
    redis = start_redis(tmp_path_factory.mktemp("dashboard-redis"))
    servers: list[ServerHandle] = [broker, redis]
    agents: list[Agent] = []
    try:
        history_until = seed_history(work / "store.sqlite3", time.time_ns() // 1_000_000)
        with running_stack(
            work,
            mqtt_url=broker.url,
            redis_url=f"redis://127.0.0.1:{redis.port}/0",
            client_id="dashboard-e2e-bridge",
        ) as stack:
            config = load_config(
                argv=[],
                environ={
                    "MQTT_URL": broker.url,
                    "EDGE_DEVICE_ID": "live",
                    "EDGE_SIMULATE": str(len(LIVE_DEVICES)),
                    "EDGE_RATE_HZ": str(RATE_HZ),
                    "EDGE_OUTBOX_DIR": str(work / "edge"),
                },
            )
            agents = build_agents(config)
            start_all(agents)
            yield Live(stack=stack, agents=agents, history_until=history_until)
    finally:
        stop_all(agents)
        for server in servers:
            server.stop()


@dataclass
class Tab:
    """A page with what its console said and the history requests it made."""

    page: Page
    problems: list[str]
    history: list[str]

    def data(self, name: str, test_id: str = "device-view") -> str:
        value = self.page.get_by_test_id(test_id).get_attribute(f"data-{name}")
        assert value is not None, f"{test_id} has no data-{name}"
        return value

    def number(self, name: str, test_id: str = "device-view") -> int:
        return int(self.data(name, test_id))

    def wait_for(self, expression: str, arg: Any = None, timeout: float = TIMEOUT_MS) -> None:
        """Wait until a JavaScript expression over ``view`` (the device view's dataset) holds."""
        self.page.wait_for_function(
            f"(arg) => {{ const view = document.querySelector('[data-testid=device-view]')?.dataset;"
            f" return view !== undefined && ({expression}); }}",
            arg=arg,
            timeout=timeout,
        )


@pytest.fixture
def tab(browser: Browser, live: Live) -> Iterator[Tab]:
    viewer = Account(VIEWER, live.stack.database.password(VIEWER), role="viewer")
    context = signed_in_context(
        browser, live.stack.base_url, viewer, viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    page = context.new_page()
    problems: list[str] = []
    history: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            problems.append(f"{message.type}: {message.text}")

    def on_request(request: Request) -> None:
        if "/history?" in request.url:
            history.append(request.url)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("request", on_request)
    yield Tab(page=page, problems=problems, history=history)
    context.close()


def open_device(tab: Tab, live: Live, device: str, query: str = "") -> None:
    tab.page.goto(f"{live.stack.base_url}/#/device/{device}{query}")
    tab.wait_for("view.phase === 'ready' && Number(view.readings) > 0")


def test_the_fleet_shows_every_device_and_a_card_opens_its_moving_charts(tab: Tab, live: Live) -> None:
    tab.page.goto(live.stack.base_url + "/")
    expect(tab.page.get_by_test_id("connection")).to_have_attribute("data-state", "live", timeout=TIMEOUT_MS)
    for device in LIVE_DEVICES:
        card = tab.page.get_by_test_id(f"device-{device}")
        expect(card).to_have_attribute("data-online", "true", timeout=TIMEOUT_MS)
        expect(card).to_contain_text("°C")
        expect(tab.page.get_by_test_id(f"spark-{device}")).not_to_have_attribute("data-points", "0", timeout=TIMEOUT_MS)
    expect(tab.page.get_by_test_id(f"device-{HISTORY_DEVICE}")).to_have_attribute("data-online", "false")
    expect(tab.page.get_by_test_id("connection")).to_have_attribute(
        "data-latency-ms", re.compile(r"^-?\d+$"), timeout=TIMEOUT_MS
    )

    tab.page.get_by_test_id(f"device-{LIVE_DEVICES[0]}").click()
    tab.wait_for("view.phase === 'ready' && Number(view.readings) > 0")
    assert tab.data("device") == LIVE_DEVICES[0]
    groups = ("temperature", "humidity", "pressure", "orientation", "accelerometer", "gyroscope", "magnetometer")
    for group in groups:
        expect(tab.page.get_by_test_id(f"chart-{group}")).not_to_have_attribute("data-points", "0")
    before = tab.number("readings")
    tab.wait_for("Number(view.readings) >= arg + 5", before)
    expect(tab.page.get_by_test_id("chart-status")).to_contain_text("readings")
    assert tab.problems == []


def test_pause_holds_the_charts_and_resume_catches_up_without_losing_a_reading(tab: Tab, live: Live) -> None:
    device = LIVE_DEVICES[1]
    open_device(tab, live, device)
    tab.page.get_by_test_id("pause").click()
    expect(tab.page.get_by_test_id("connection")).to_have_attribute("data-state", "paused")
    held = (tab.data("readings"), tab.data("last-ts"), tab.data("until"))
    tab.wait_for("Number(view.queued) >= 8")  # readings arrive and wait...
    assert (tab.data("readings"), tab.data("last-ts"), tab.data("until")) == held  # ...the view holds still

    queued = tab.number("queued")
    tab.page.get_by_test_id("pause").click()
    expect(tab.page.get_by_test_id("connection")).to_have_attribute("data-state", "live")
    tab.wait_for("Number(view.queued) === 0 && Number(view.readings) >= arg", int(held[0]) + queued)
    tab.page.get_by_test_id("pause").click()  # hold still to compare with the store
    tab.wait_for("view.holes === '0'")
    first, last = tab.number("first"), tab.number("last-ts")
    # Live frames leave the bridge before its store write commits (by design), so the store may trail briefly.
    shown = tab.number("readings")
    wait_until(lambda: len(live.stored(device, first, last + 1)) == shown, timeout=5, what=f"{shown} readings stored")
    assert tab.data("gaps") == "0"
    assert tab.problems == []


def test_history_shows_its_gap_and_zoom_asks_again_at_a_finer_resolution(tab: Tab, live: Live) -> None:
    open_device(tab, live, HISTORY_DEVICE, "?window=1h")
    coarse = tab.number("bucket-ms")
    assert coarse >= 4000, "an hour at 2.5 Hz comes in buckets of several seconds"
    assert tab.data("gaps") == "1", "the seeded ten minutes offline show as one gap"

    chart = tab.page.get_by_test_id("chart-temperature").bounding_box()
    assert chart is not None
    y = chart["y"] + chart["height"] / 2
    tab.page.mouse.move(chart["x"] + chart["width"] * 0.80, y)
    tab.page.mouse.down()
    tab.page.mouse.move(chart["x"] + chart["width"] * 0.84, y, steps=4)
    tab.page.mouse.move(chart["x"] + chart["width"] * 0.88, y, steps=4)
    tab.page.mouse.up()
    tab.wait_for("view.window.startsWith('fixed:') && view.phase === 'ready' && Number(view.bucketMs) < arg", coarse)
    since, until = tab.number("since"), tab.number("until")
    assert f"since={since}&until={until}" in tab.history[-1]
    assert until - since < 10 * MINUTE_MS
    assert f"since={since}&until={until}" in tab.page.url, "the zoomed range is in the address"
    assert tab.problems == []


def test_export_downloads_exactly_the_visible_range_as_csv(tab: Tab, live: Live) -> None:
    since = live.history_until - 5 * MINUTE_MS
    until = live.history_until - 3 * MINUTE_MS
    open_device(tab, live, HISTORY_DEVICE, f"?since={since}&until={until}")
    with tab.page.expect_download() as info:
        tab.page.get_by_test_id("export-csv").click()
    download = info.value
    assert download.suggested_filename == f"{HISTORY_DEVICE}_{since}_{until}.csv"
    with Path(download.path()).open(newline="") as file:
        rows = list(csv.DictReader(file))
    expected = live.stored(HISTORY_DEVICE, since, until)
    assert len(rows) == len(expected) == 2 * MINUTE_MS // HISTORY_STEP_MS
    assert [int(row["seq"]) for row in rows] == [r["seq"] for r in expected]
    assert {row["device"] for row in rows} == {HISTORY_DEVICE}
    assert float(rows[0]["temperature"]) == expected[0]["temperature"]
    assert tab.problems == []


def test_a_server_restart_leaves_no_hole_after_the_reconnect(tab: Tab, live: Live) -> None:
    device = LIVE_DEVICES[0]
    open_device(tab, live, device)
    connection = tab.page.get_by_test_id("connection")
    live.stack.server.kill()
    expect(connection).to_have_attribute("data-socket", "reconnecting", timeout=TIMEOUT_MS)
    down_since = time.monotonic()
    # The bridge keeps storing while the web tier is down: a second of readings to recover.
    wait_until(lambda: time.monotonic() - down_since > 1, timeout=5, what="a second of outage")
    live.stack.server.start()
    expect(connection).to_have_attribute("data-socket", "live", timeout=30_000)
    outage = len(tab.problems)
    tab.wait_for("view.holes === '0' && Number(view.lastTs) > Date.now() - 2000")
    tab.page.get_by_test_id("pause").click()
    tab.wait_for("view.holes === '0'")
    first, last = tab.number("first"), tab.number("last-ts")
    # Live frames leave the bridge before its store write commits (by design), so the store may trail briefly.
    shown = tab.number("readings")
    wait_until(lambda: len(live.stored(device, first, last + 1)) == shown, timeout=5, what=f"{shown} readings stored")
    assert tab.data("gaps") == "0"
    assert all(any(noise in p for noise in OUTAGE_NOISE) for p in tab.problems[:outage]), tab.problems
    assert tab.problems[outage:] == []


def test_the_benchmark_probe_measures_a_live_page(tab: Tab, live: Live) -> None:
    """The smoke version of ``python -m bench.dashboard``: the probe works; no timing is asserted."""
    tab.page.goto(live.stack.base_url + "/")
    expect(tab.page.get_by_test_id("connection")).to_have_attribute("data-state", "live", timeout=TIMEOUT_MS)
    measured = Probe(tab.page).measure("smoke", 1.0)
    assert measured.fps > 0
    assert measured.busy >= 0
    assert measured.heap_mb > 0
    assert measured.ws_per_s > 0, "frames of the live devices were counted"
