"""REST query parsing for readings, history and export (server.telemetry.queries), and the export formats.

Pure: no Django, no store. The HTTP answers themselves are checked in
tests/integration/test_history_api.py against a real server.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from contract.channels import CHANNEL_NAMES
from contract.models import MAX_TIME_MS, Reading
from server.telemetry.exports import csv_header, csv_line, export_filename, json_chunks, json_row
from server.telemetry.queries import (
    QueryError,
    RangeQuery,
    export_query,
    history_query,
    readings_query,
)
from storage.history import HistoryQuery

NOW = 1_795_334_400_000


def test_history_defaults_are_the_last_hour_three_channels_600_points() -> None:
    assert history_query("sim-1", {}, now_ms=NOW) == HistoryQuery(
        "sim-1", NOW + 1 - 3_600_000, NOW + 1, ("temperature", "humidity", "pressure"), 600
    )


def test_history_takes_epoch_ms_or_iso_times_channels_in_order_once_and_points() -> None:
    params = {
        "since": "2026-11-22T07:00:00Z",
        "until": str(NOW),
        "channels": "pressure, temperature,pressure",
        "points": "7",
    }

    assert history_query("sim-1", params, now_ms=0) == HistoryQuery(
        "sim-1", NOW - 3_600_000, NOW, ("pressure", "temperature"), 7
    )


def test_readings_defaults_are_the_last_ten_minutes_and_1000_readings() -> None:
    assert readings_query("sim-1", {}, now_ms=NOW) == RangeQuery("sim-1", NOW + 1 - 600_000, NOW + 1, limit=1000)


def test_export_defaults_to_every_channel() -> None:
    query = export_query("sim-1", {"since": "0", "until": "10"}, now_ms=NOW)

    assert (query.since_ms, query.until_ms, query.channels) == (0, 10, CHANNEL_NAMES)


@pytest.mark.parametrize(
    ("device", "params", "field", "code"),
    [
        pytest.param("Bad Id", {}, "device", "bad_query", id="malformed-device"),
        pytest.param("sim-1", {"channels": "warp"}, "channels", "unknown_channel", id="unknown-channel"),
        pytest.param("sim-1", {"channels": ","}, "channels", "bad_query", id="empty-channels"),
        pytest.param("sim-1", {"since": "5", "until": "5"}, "since", "bad_query", id="empty-range"),
        pytest.param("sim-1", {"since": "6", "until": "5"}, "since", "bad_query", id="reversed"),
        pytest.param("sim-1", {"since": "-5"}, "since", "bad_query", id="negative-epoch"),
        pytest.param("sim-1", {"until": "١٢٣"}, "until", "bad_query", id="non-ascii-digits"),
        pytest.param("sim-1", {"until": str(MAX_TIME_MS + 1)}, "until", "bad_query", id="after-9999"),
        pytest.param("sim-1", {"points": "0"}, "points", "bad_query", id="zero-points"),
        pytest.param("sim-1", {"points": "10001"}, "points", "bad_query", id="too-many-points"),
        pytest.param("sim-1", {"points": " 5"}, "points", "bad_query", id="points-with-space"),
    ],
)
def test_every_bad_history_parameter_names_its_field(
    device: str, params: dict[str, str], field: str, code: str
) -> None:
    with pytest.raises(QueryError) as caught:
        history_query(device, params, now_ms=NOW)

    assert (caught.value.field, caught.value.code) == (field, code)
    assert str(caught.value)


def test_limit_is_checked_for_readings() -> None:
    with pytest.raises(QueryError) as caught:
        readings_query("sim-1", {"limit": "10001"}, now_ms=NOW)

    assert caught.value.field == "limit"


READING = Reading("sim-1", "b1", 7, NOW + 250, {"temperature": 21.5, "pressure": 1013.25}, rx_ms=NOW + 262)


def test_csv_lines_carry_iso_times_and_empty_cells_for_missing_channels() -> None:
    channels = ["temperature", "humidity", "pressure"]

    assert csv_header(channels) == "device,boot,seq,device_ts,received_ts,temperature,humidity,pressure\n"
    assert csv_line(READING, channels) == (
        "sim-1,b1,7,2026-11-22T08:00:00.250Z,2026-11-22T08:00:00.262Z,21.5,,1013.25\n"
    )


async def test_json_export_is_one_array_across_pages() -> None:
    async def pages() -> AsyncIterator[list[Reading]]:
        yield [READING]
        yield [READING, READING]

    chunks = [chunk async for chunk in json_chunks(pages(), ["temperature", "humidity"])]

    rows = json.loads(b"".join(chunks))
    assert rows == [json_row(READING, ["temperature", "humidity"])] * 3
    assert rows[0] == {"boot": "b1", "seq": 7, "device_ts": NOW + 250, "received_ts": NOW + 262, "temperature": 21.5}
    assert len(chunks) == 4  # "[", one chunk per page, "]"


def test_export_filename() -> None:
    assert export_filename("sim-1", 1, 2, "csv") == "sim-1_1_2.csv"
