"""The fast builders (contract.live, contract.rest) build only messages the definition allows.

The bridge builds a frame per device per tick, so its builders stay plain dict literals
rather than a generic validator; these property tests hold them to the generated schemas
and the named checks for any valid input.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from contract_helpers import message_validator
from contract_strategies import boots, devices, readings, relaxed, seqs, statuses, timestamps
from hypothesis import given
from hypothesis import strategies as st

from contract import live, rest
from contract.channels import CHANNEL_NAMES
from contract.errors import Reason
from contract.models import Reading, Status
from contract.spec import rest as rest_spec
from contract.spec import ws
from contract.spec.checks import violations
from contract.spec.vocabulary import Message


def assert_valid(message: Message, body: dict[str, Any]) -> None:
    errors = [f"{list(e.path)}: {e.message}" for e in message_validator(message).iter_errors(body)]
    assert errors == []
    assert violations(message, body) == []


@st.composite
def frames(draw: st.DrawFn) -> list[Reading]:
    """Readings of one device and one boot with consecutive seqs, as the coalescer releases them."""
    first = draw(readings())
    count = draw(st.integers(min_value=1, max_value=8))
    later = [dataclasses.replace(draw(readings()), device=first.device, boot=first.boot) for _ in range(count - 1)]
    return [dataclasses.replace(r, seq=min(first.seq, 2**53 - 9) + i) for i, r in enumerate([first, *later])]


@relaxed
@given(frame=frames())
def test_any_frame_the_bridge_builds_is_a_valid_frame(frame: list[Reading]) -> None:
    assert_valid(ws.FRAME, live.frame_message(frame))


@relaxed
@given(status=statuses, received_ts=timestamps)
def test_any_status_the_bridge_builds_is_a_valid_status(status: Status, received_ts: int) -> None:
    assert_valid(ws.STATUS, live.status_message(status, received_ts=received_ts))


@relaxed
@given(subscribed=st.lists(devices, max_size=20, unique=True), reason=st.sampled_from(list(Reason)))
def test_hello_subscribed_and_error_are_valid(subscribed: list[str], reason: Reason) -> None:
    assert_valid(ws.HELLO, live.hello_message())
    assert_valid(ws.SUBSCRIBED, live.subscribed_message(subscribed))
    assert_valid(ws.ERROR, live.error_message(reason, "why"))
    assert_valid(ws.ERROR, live.error_message("binary_unsupported", "send JSON text messages"))


@relaxed
@given(
    latest=st.none() | readings(),
    status_received_ts=st.none() | timestamps,
    online=st.booleans(),
    boot=st.none() | boots,
    counters=st.tuples(st.none() | seqs, st.none() | seqs),
)
def test_any_device_list_is_valid(
    latest: Reading | None,
    status_received_ts: int | None,
    online: bool,
    boot: str | None,
    counters: tuple[int | None, int | None],
) -> None:
    entry = rest.device_entry(
        device=latest.device if latest else "pi",
        online=online,
        boot=boot,
        status_received_ts=status_received_ts,
        pending=counters[0],
        dropped=counters[1],
        latest=latest,
    )
    assert_valid(rest_spec.DEVICES, rest.device_list([entry]))


@relaxed
@given(page=st.lists(readings("pi"), max_size=10), since=timestamps, truncated=st.booleans())
def test_any_readings_page_is_valid(page: list[Reading], since: int, truncated: bool) -> None:
    body = rest.readings_page(
        device="pi", since_device_ts=since, until_device_ts=since, readings=page, truncated=truncated
    )
    assert_valid(rest_spec.READINGS, body)


@relaxed
@given(reading=readings(), channels=st.lists(st.sampled_from(CHANNEL_NAMES), unique=True))
def test_any_export_row_is_valid(reading: Reading, channels: list[str]) -> None:
    assert_valid(rest_spec.EXPORT_ROW, rest.export_row(reading, channels))


def test_a_frame_whose_seq_range_lies_breaks_the_named_check() -> None:
    reading = Reading(device="pi", boot="b", seq=7, ts_ms=0, values={"temperature": 20.0})
    body = live.frame_message([reading]) | {"seq": [7, 8]}
    assert violations(ws.FRAME, body) == [
        "frame: seq equals [first, last] of the seq of the first and last of readings."
    ]
