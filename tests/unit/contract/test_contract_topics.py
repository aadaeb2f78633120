"""Topic names of contract v1: ``sensebridge/v1/<device>/<kind>``, built and parsed only here."""

from __future__ import annotations

import pytest

from contract.errors import ContractError, Reason
from contract.topics import PREFIX, DeviceTopic, Kind, parse, subscription, topic, validate_device_id


@pytest.mark.parametrize("kind", list(Kind))
def test_topic_and_parse_round_trip_for_every_kind(kind: Kind) -> None:
    name = topic("pi-kitchen", kind)
    assert name == f"sensebridge/v1/pi-kitchen/{kind.value}"
    assert parse(name) == DeviceTopic(device="pi-kitchen", kind=kind)


def test_the_kinds_of_v1() -> None:
    assert [k.value for k in Kind] == [
        "reading",
        "batch",
        "status",
        "ack",
        "command",
        "command-result",
        "state",
        "joystick",
    ]
    assert PREFIX == "sensebridge/v1"


@pytest.mark.parametrize("device", ["a", "0", "pi-kitchen", "pi_kitchen_2", "x" * 64, "9-lives"])
def test_valid_device_ids(device: str) -> None:
    assert validate_device_id(device) == device


@pytest.mark.parametrize(
    "device",
    ["", "Pi", "pi/kitchen", "pi+", "pi#", "x" * 65, "-pi", "_pi", "pi kitchen", "pi.kitchen", "pi\n", "pï"],
    ids=repr,
)
def test_topic_refuses_a_bad_device_id(device: str) -> None:
    with pytest.raises(ContractError) as caught:
        topic(device, Kind.READING)
    assert (caught.value.reason, caught.value.field) == (Reason.BAD_DEVICE_ID, "device")


def test_validate_device_id_refuses_non_strings() -> None:
    with pytest.raises(ContractError) as caught:
        validate_device_id(42)  # type: ignore[arg-type]
    assert caught.value.reason is Reason.BAD_DEVICE_ID


@pytest.mark.parametrize(
    "name",
    [
        "",
        "sensebridge/v1/pi-kitchen",
        "sensebridge/v1/pi-kitchen/reading/extra",
        "sensebridge/v1/pi-kitchen/readings",
        "sensebridge/v1/pi-kitchen/Reading",
        "sensebridge/v2/pi-kitchen/reading",
        "other/v1/pi-kitchen/reading",
        "/sensebridge/v1/pi-kitchen/reading",
        "$share/bridge/sensebridge/v1/+/reading",
        "sensebridge/v1/pi-kitchen/",
    ],
)
def test_parse_refuses_what_is_not_a_v1_device_topic(name: str) -> None:
    with pytest.raises(ContractError) as caught:
        parse(name)
    assert caught.value.reason is Reason.BAD_TOPIC


@pytest.mark.parametrize("device", ["+", "#", "Pi", "", "x" * 65])
def test_parse_refuses_a_bad_device_in_a_well_formed_topic(device: str) -> None:
    with pytest.raises(ContractError) as caught:
        parse(f"sensebridge/v1/{device}/reading")
    assert (caught.value.reason, caught.value.field) == (Reason.BAD_DEVICE_ID, "device")


@pytest.mark.parametrize("kind", list(Kind))
def test_subscription_matches_every_device(kind: Kind) -> None:
    assert subscription(kind) == f"sensebridge/v1/+/{kind.value}"


@pytest.mark.parametrize("kind", list(Kind))
def test_subscription_with_a_share_group_splits_messages_between_workers(kind: Kind) -> None:
    assert subscription(kind, share_group="bridge") == f"$share/bridge/sensebridge/v1/+/{kind.value}"


def test_an_empty_share_group_means_no_share_group() -> None:
    assert subscription(Kind.READING, share_group="") == "sensebridge/v1/+/reading"


@pytest.mark.parametrize("group", ["a/b", "a+", "#"])
def test_subscription_refuses_a_share_group_mqtt_forbids(group: str) -> None:
    with pytest.raises(ContractError) as caught:
        subscription(Kind.READING, share_group=group)
    assert (caught.value.reason, caught.value.field) == (Reason.BAD_TOPIC, "share_group")
