"""The definition itself: time fields name their clock, names are unique, channels and groups agree."""

from __future__ import annotations

import pytest

from contract import codec
from contract.channels import CHANNELS, GROUPS, GROUPS_BY_NAME
from contract.spec import catalog, mqtt, ws
from contract.spec.vocabulary import Clock, Field, Message, Surface, Time, walk_types

MESSAGES = catalog.all_messages()


def _time_fields() -> list[tuple[Message, Field, Time]]:
    found = []
    for message in MESSAGES:
        for field in message.fields:
            times = [kind for kind in walk_types(field.type) if isinstance(kind, Time)]
            found += [(message, field, kind) for kind in times]
    return found


TIME_FIELDS = _time_fields()


def test_there_are_time_fields_on_every_surface_and_both_clocks() -> None:
    assert {m.surface for m, _, _ in TIME_FIELDS} == set(Surface)
    assert {t.clock for _, _, t in TIME_FIELDS} == set(Clock)


# The first MQTT payloads, which devices in the field publish, keep ``ts``; every later one names its clock.
FIRST_MQTT_MESSAGES = {mqtt.READING, mqtt.BATCH_ITEM, mqtt.BATCH, mqtt.STATUS, mqtt.ACK}


@pytest.mark.parametrize(
    ("message", "field", "time"),
    [t for t in TIME_FIELDS if t[0] not in FIRST_MQTT_MESSAGES],
    ids=lambda v: getattr(v, "name", ""),
)
def test_a_time_field_names_its_clock_and_is_epoch_ms(message: Message, field: Field, time: Time) -> None:
    assert field.name.endswith(f"{time.clock.value}_ts"), f"{message.name}.{field.name}"
    assert not time.iso


@pytest.mark.parametrize(("message", "field", "time"), [t for t in TIME_FIELDS if t[0] in FIRST_MQTT_MESSAGES])
def test_the_first_mqtt_payloads_keep_ts_as_the_devices_iso_time(message: Message, field: Field, time: Time) -> None:
    assert (field.name, time.clock, time.iso) == ("ts", Clock.DEVICE, True)


def test_the_commands_carry_server_times_and_the_device_answers_on_its_clock() -> None:
    clocks = {(m.name, f.name): t.clock for m, f, t in TIME_FIELDS if m.surface is Surface.MQTT and f.name != "ts"}
    assert set(clocks.values()) == {Clock.SERVER, Clock.DEVICE}
    assert all(clocks[(c.name, "issued_server_ts")] is Clock.SERVER for c in mqtt.COMMANDS)
    assert clocks[("command-result", "device_ts")] is Clock.DEVICE


def test_each_time_field_name_means_one_clock_everywhere() -> None:
    clocks: dict[str, set[Clock]] = {}
    for _, field, time in TIME_FIELDS:
        clocks.setdefault(field.name, set()).add(time.clock)
    assert all(len(found) == 1 for found in clocks.values()), clocks


def test_message_and_typescript_names_are_unique() -> None:
    assert len({m.ts_name for m in MESSAGES}) == len(MESSAGES)
    assert len({(m.surface, m.name) for m in catalog.MESSAGES}) == len(catalog.MESSAGES)


@pytest.mark.parametrize("message", MESSAGES, ids=lambda m: f"{m.surface.value}-{m.name}")
def test_every_message_and_field_is_described(message: Message) -> None:
    assert message.description
    assert all(field.description for field in message.fields)


def test_the_mqtt_payloads_the_codec_reads_keep_their_field_names() -> None:
    # Devices in the field publish these: renaming one is contract v2 (docs/contract.md).
    assert {"v", "device", "boot", "seq", "ts"} == codec.READING_FIELDS
    assert {"v", "device", "readings"} == codec.BATCH_FIELDS
    assert {"boot", "seq", "ts"} == codec.BATCH_ITEM_FIELDS
    assert {"v", "device", "state", "boot", "ts", "pending", "dropped"} == codec.STATUS_FIELDS
    assert {"v", "device", "boot", "ranges"} == codec.ACK_FIELDS


def test_websocket_messages_carry_their_type_and_client_messages_are_read_strictly() -> None:
    assert [m.kind for m in ws.SERVER_MESSAGES] == ["hello", "subscribed", "frame", "status", "error"]
    assert [m.kind for m in ws.CLIENT_MESSAGES] == ["subscribe", "unsubscribe"]
    assert all(m.direction.strict for m in ws.CLIENT_MESSAGES)
    assert not any(m.direction.strict for m in ws.SERVER_MESSAGES)


def test_every_channel_is_in_a_group_and_a_group_other_than_environment_has_one_unit() -> None:
    assert {c.group for c in CHANNELS} == set(GROUPS_BY_NAME)
    for group in GROUPS:
        units = {c.unit for c in CHANNELS if c.group == group.name}
        assert group.name == "environment" or len(units) == 1, group.name


def test_the_compass_heading_is_drawn_with_the_other_angles() -> None:
    compass = next(c for c in CHANNELS if c.name == "compass")
    assert (compass.group, compass.unit) == ("orientation", "°")


def test_every_channel_has_display_labels() -> None:
    assert all(c.label and c.short_label for c in CHANNELS)
    assert len({c.label for c in CHANNELS}) == len(CHANNELS)
