"""History and export over HTTP: a real daphne serving ``server.asgi`` on a prepared SQLite store.

The store is filled directly (two hours of 1 Hz readings with a ten-minute outage and a spike),
then the REST answers, read by a viewer with her API token, are checked against the pure
reference (storage.history) and docs/api.md: downsampled series, raw answers, gap markers, 400s
naming the field, streamed exports of exactly the range, and the ``export_readings`` management
command giving the same bytes as the API.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from contract.codec import format_ts
from contract.generate.schemas import SCHEMA_DIR
from contract.models import Reading
from contract.spec import catalog
from contract.spec.checks import violations
from contract.spec.vocabulary import Surface
from devstack import app_env
from devstack.appdb import app_database
from devstack.apps import DJANGO_SETTINGS, start_asgi
from server.telemetry.selectors import history_body
from storage.history import HistoryQuery, history_from_readings
from storage.retention import RetentionPolicy
from storage.sqlite import SqliteStore
from tests.support.web import WebClient

pytestmark = pytest.mark.integration

T0 = 1_795_334_400_000  # 2026-11-22T08:00:00Z
DEVICE = "hist-1"
OUTAGE = (T0 + 1800 * 1000, T0 + 2400 * 1000)  # no readings in [30 min, 40 min)
SPIKE_SEQ = 4321


def dataset() -> list[Reading]:
    readings = []
    for i in range(7200):
        ts = T0 + i * 1000
        if OUTAGE[0] <= ts < OUTAGE[1]:
            continue
        values = {"temperature": 80.0 if i == SPIKE_SEQ else 20.0 + (i % 60) / 10, "humidity": 40.0 + (i % 7)}
        if i % 10 == 0:
            values["pressure"] = 1013.25
        readings.append(Reading(DEVICE, "boot-a" if i < 3600 else "boot-b", i, ts, values, rx_ms=ts + 12))
    return readings


DATA = dataset()


@dataclass
class Api:
    """The server, read by the viewer with her API token."""

    client: WebClient

    def get(self, path: str) -> tuple[int, dict[str, str], bytes]:
        answer = self.client.get(path)
        return answer.status, dict(answer.headers), answer.body

    def get_json(self, path: str) -> tuple[int, Any]:
        status, _, body = self.get(path)
        return status, json.loads(body)


def server_env(store_url: str) -> dict[str, str]:
    return app_env(**DJANGO_SETTINGS, STORE_URL=store_url, CHANNEL_LAYER="memory")


@pytest.fixture(scope="module")
def store_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("history-api") / "store.sqlite3"

    async def fill() -> None:
        store = await SqliteStore.open(path)
        try:
            await store.insert_readings(DATA)
            await store.insert_readings([Reading("other", "x", 1, T0, {"temperature": 1.0}, rx_ms=T0)])
        finally:
            await store.close()

    asyncio.run(fill())
    return f"sqlite:///{path}"


@pytest.fixture(scope="module")
def api(store_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    workdir = tmp_path_factory.mktemp("daphne")
    database = app_database(workdir)
    server = start_asgi(workdir, server="daphne", store_url=store_url, layer="memory", database=database)
    try:
        yield Api(WebClient(server.url, token=database.tokens["vera"]))
    finally:
        server.stop()


def expected(query: HistoryQuery) -> dict[str, Any]:
    return history_body(history_from_readings(DATA, query, retention=RetentionPolicy(), now_ms=T0 + 86_400_000))


def assert_body_matches(got: dict[str, Any], want: dict[str, Any]) -> None:
    series_got, series_want = got.pop("series"), want.pop("series")
    assert got == want
    assert series_got.keys() == series_want.keys()
    for name, columns in series_want.items():
        assert series_got[name]["min"] == columns["min"], name
        assert series_got[name]["max"] == columns["max"], name
        assert series_got[name]["mean"] == [pytest.approx(v) if v is not None else None for v in columns["mean"]]


# --- history -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "bucket_ms"),
    [
        pytest.param({"points": 100}, 120_000, id="two-hours-in-minute-rollup-buckets"),
        pytest.param({"points": 600}, 12_000, id="two-hours-in-12s-buckets-from-raw"),
        pytest.param({"points": 1, "channels": "temperature"}, 2 * 3_600_000, id="one-point-from-the-hour-rollup"),
    ],
)
def test_history_is_downsampled_with_min_max_mean_count_and_gaps(
    api: Api, params: dict[str, Any], bucket_ms: int
) -> None:
    channels = tuple(params.get("channels", "temperature,humidity,pressure").split(","))
    query = HistoryQuery(DEVICE, T0, T0 + 7200 * 1000, channels, params["points"])
    qs = "&".join(f"{k}={v}" for k, v in params.items())

    status, body = api.get_json(f"/api/v1/devices/{DEVICE}/history?since={T0}&until={T0 + 7_200_000}&{qs}")

    assert status == 200
    assert body["bucket_ms"] == bucket_ms
    assert len(body["device_ts"]) == len(body["n"]) <= params["points"]
    assert sum(body["n"]) == len(DATA)
    assert max(body["series"]["temperature"]["max"]) == 80.0  # the spike survives any bucket size
    assert_body_matches(body, expected(query))


def test_the_outage_is_a_gap_and_never_interpolated(api: Api) -> None:
    status, body = api.get_json(
        f"/api/v1/devices/{DEVICE}/history?since=2026-11-22T08:00:00Z&until=2026-11-22T10:00:00Z&points=600"
    )

    assert status == 200
    assert body["gaps_device_ts"] == [[OUTAGE[0] - 1000, OUTAGE[1]]]
    assert not any(OUTAGE[0] <= t < OUTAGE[1] - body["bucket_ms"] for t in body["device_ts"])


def test_zooming_in_ends_in_raw_readings_with_seq_and_boot(api: Api) -> None:
    since, until = T0 + 3590 * 1000, T0 + 3610 * 1000  # across the reboot

    status, body = api.get_json(f"/api/v1/devices/{DEVICE}/history?since={since}&until={until}&channels=temperature")

    assert status == 200
    assert body["bucket_ms"] == 0
    assert body["seq"] == list(range(3590, 3610))
    assert body["boot"] == ["boot-a"] * 10 + ["boot-b"] * 10
    assert body["n"] == [1] * 20
    temperature = body["series"]["temperature"]
    assert temperature["min"] == temperature["max"] == temperature["mean"]
    assert body["gaps_device_ts"] == []


def test_history_defaults_to_the_last_hour_of_three_channels(api: Api) -> None:
    status, body = api.get_json(f"/api/v1/devices/{DEVICE}/history")

    assert status == 200
    assert body["until_device_ts"] - body["since_device_ts"] == 3_600_000
    assert body["channels"] == ["temperature", "humidity", "pressure"]


@pytest.mark.parametrize(
    ("query", "code", "field"),
    [
        pytest.param("", "unknown_device", "device", id="unknown-device"),
        pytest.param("channels=temperature,warp", "unknown_channel", "channels", id="unknown-channel"),
        pytest.param("channels=temperature,,humidity", "bad_query", "channels", id="empty-channel"),
        pytest.param(f"since={T0 + 10}&until={T0}", "bad_query", "since", id="reversed-range"),
        pytest.param(f"since={T0}&until={T0}", "bad_query", "since", id="empty-range"),
        pytest.param("since=yesterday", "bad_query", "since", id="malformed-since"),
        pytest.param("until=2026-11-22T25:00:00Z", "bad_query", "until", id="malformed-until"),
        pytest.param("until=2026-11-22T08:00:00+02:00", "bad_query", "until", id="not-utc"),
        pytest.param("until=99999999999999999999", "bad_query", "until", id="after-year-9999"),
        pytest.param("points=0", "bad_query", "points", id="zero-points"),
        pytest.param("points=10001", "bad_query", "points", id="too-many-points"),
        pytest.param("points=-5", "bad_query", "points", id="negative-points"),
        pytest.param("points=1e3", "bad_query", "points", id="points-not-an-integer"),
    ],
)
def test_bad_history_queries_get_400_naming_the_field(api: Api, query: str, code: str, field: str) -> None:
    device = "nobody" if code == "unknown_device" else DEVICE

    status, body = api.get_json(f"/api/v1/devices/{device}/history?{query}")

    assert status == 400
    assert body["error"]["code"] == code
    assert body["error"]["field"] == field
    assert body["error"]["message"]


def test_a_malformed_device_id_is_a_bad_query(api: Api) -> None:
    status, body = api.get_json("/api/v1/devices/Not%20A%20Device/history")

    assert (status, body["error"]["code"], body["error"]["field"]) == (400, "bad_query", "device")


# --- export ------------------------------------------------------------------------------

RANGE = (T0 + 1000 * 1000, T0 + 7000 * 1000)  # 6000 s across the outage and the reboot: over one store page
IN_RANGE = [r for r in DATA if RANGE[0] <= r.ts_ms < RANGE[1]]


def test_csv_export_is_exactly_the_range_streamed(api: Api) -> None:
    status, headers, body = api.get(f"/api/v1/devices/{DEVICE}/export.csv?since={RANGE[0]}&until={RANGE[1]}")

    assert status == 200
    assert headers["Content-Type"] == "text/csv; charset=utf-8"
    assert headers["Content-Disposition"] == f'attachment; filename="{DEVICE}_{RANGE[0]}_{RANGE[1]}.csv"'
    assert "Content-Length" not in headers
    assert headers.get("Transfer-Encoding") == "chunked"
    rows = list(csv.reader(io.StringIO(body.decode())))
    assert rows[0][:5] == ["device", "boot", "seq", "device_ts", "received_ts"]
    assert len(rows[0]) == 5 + 16
    assert len(rows) - 1 == len(IN_RANGE) == 5400
    first, last = IN_RANGE[0], IN_RANGE[-1]
    times = [format_ts(first.ts_ms), format_ts(first.rx_ms)]
    values = [repr(first.values["temperature"]), repr(first.values["humidity"])]
    assert rows[1][:7] == [DEVICE, first.boot, str(first.seq), *times, *values]
    assert rows[-1][2:4] == [str(last.seq), format_ts(last.ts_ms)]
    assert [int(row[2]) for row in rows[1:]] == [r.seq for r in IN_RANGE]


def test_json_export_of_chosen_channels(api: Api) -> None:
    status, headers, body = api.get(
        f"/api/v1/devices/{DEVICE}/export.json?since={RANGE[0]}&until={RANGE[1]}&channels=pressure,temperature"
    )

    assert status == 200
    assert headers["Content-Type"] == "application/json"
    assert headers["Content-Disposition"].endswith(f'{DEVICE}_{RANGE[0]}_{RANGE[1]}.json"')
    rows = json.loads(body)
    assert rows == [
        {"boot": r.boot, "seq": r.seq, "device_ts": r.ts_ms, "received_ts": r.rx_ms}
        | {name: r.values[name] for name in ("pressure", "temperature") if name in r.values}
        for r in IN_RANGE
    ]


def test_export_of_an_empty_range_is_an_empty_document(api: Api) -> None:
    status, _, body = api.get(f"/api/v1/devices/{DEVICE}/export.json?since={OUTAGE[0]}&until={OUTAGE[1]}")

    assert (status, json.loads(body)) == (200, [])


@pytest.mark.parametrize("ext", ["csv", "json"])
def test_bad_export_queries_get_400(api: Api, ext: str) -> None:
    unknown_status, unknown = api.get_json(f"/api/v1/devices/nobody/export.{ext}")
    channel_status, channel = api.get_json(f"/api/v1/devices/{DEVICE}/export.{ext}?channels=nope")

    assert (unknown_status, unknown["error"]["code"]) == (400, "unknown_device")
    assert (channel_status, channel["error"]["code"]) == (400, "unknown_channel")


def test_the_management_command_exports_the_same_bytes_as_the_api(api: Api, store_url: str, tmp_path: Path) -> None:
    out = tmp_path / "export.csv"
    _, _, from_api = api.get(f"/api/v1/devices/{DEVICE}/export.csv?since={RANGE[0]}&until={RANGE[1]}")

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "django",
            "export_readings",
            "--device",
            DEVICE,
            "--since",
            format_ts(RANGE[0]),
            "--until",
            str(RANGE[1]),
            "--format",
            "csv",
        ],
        env=server_env(store_url),
        cwd=tmp_path,
        capture_output=True,
        timeout=60,
        check=False,
    )
    out.write_bytes(result.stdout)

    assert result.returncode == 0, result.stderr.decode()
    assert out.read_bytes() == from_api


def test_the_management_command_refuses_an_unknown_device(store_url: str, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "django", "export_readings", "--device", "nobody", "--since", "0", "--until", "1"],
        env=server_env(store_url),
        cwd=tmp_path,
        capture_output=True,
        timeout=60,
        check=False,
    )

    assert result.returncode != 0
    assert b"no device 'nobody'" in result.stderr


# --- what was there before keeps working -------------------------------------------------


def test_raw_readings_and_latest_values_still_answer(api: Api) -> None:
    status, body = api.get_json(f"/api/v1/devices/{DEVICE}/readings?since={T0}&until={T0 + 3_600_000}&limit=3")
    _, devices = api.get_json("/api/v1/devices")

    assert status == 200
    assert ([r["seq"] for r in body["readings"]], body["truncated"]) == ([0, 1, 2], True)
    latest = {d["device"]: d["latest"] for d in devices["devices"]}
    assert latest[DEVICE]["seq"] == DATA[-1].seq
    assert latest["other"]["temperature"] == 1.0


@pytest.mark.parametrize(
    ("path", "schema", "status"),
    [
        ("/api/v1/health", "health", 200),
        ("/api/v1/devices", "devices", 200),
        (f"/api/v1/devices/{DEVICE}/readings?since={T0}&until={T0 + 60_000}", "readings", 200),
        (f"/api/v1/devices/{DEVICE}/history?since={T0}&until={T0 + 7_200_000}&points=100", "history", 200),
        (f"/api/v1/devices/{DEVICE}/history?since={T0}&until={T0 + 20_000}&channels=compass", "history", 200),
        (f"/api/v1/devices/{DEVICE}/history?since=yesterday", "error", 400),
        (f"/api/v1/devices/{DEVICE}/history?channels=smell", "error", 400),
    ],
)
def test_every_answer_follows_its_generated_schema_and_named_checks(
    api: Api, path: str, schema: str, status: int
) -> None:
    got, body = api.get_json(path)

    assert got == status
    validator = Draft202012Validator(json.loads((SCHEMA_DIR / "rest" / f"{schema}.json").read_text(encoding="utf-8")))
    assert [e.message for e in validator.iter_errors(body)] == []
    assert violations(catalog.message(Surface.REST, schema), body) == []
