"""docs/asyncapi.yaml, docs/contract.md and docs/api.md say what the code does, and fail here when they fall behind."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from contract_helpers import DOCS_DIR, GOLDEN_DIR, golden_text, validator

from contract.channels import CHANNELS, Channel
from contract.commands import (
    COMMAND_ID_PATTERN,
    MAX_COMMAND_BYTES,
    MAX_COMMAND_RESULT_BYTES,
    MAX_JOYSTICK_BYTES,
    MAX_STATE_BYTES,
    TEXT_PATTERN,
    USER_NAME_PATTERN,
)
from contract.errors import Reason
from contract.generate import COMMAND
from contract.generate.schemas import SCHEMA_DIR
from contract.live import (
    MAX_CLIENT_MESSAGE_BYTES,
    MAX_SUBSCRIPTIONS,
    PROTOCOL,
    WS_CLOSE_FORBIDDEN,
    WS_CLOSE_NOT_AUTHENTICATED,
    WS_CLOSE_REASONS,
)
from contract.models import (
    MAX_ACK_BYTES,
    MAX_BATCH_BYTES,
    MAX_BATCH_READINGS,
    MAX_READING_BYTES,
    MAX_SEQ,
    MAX_STATUS_BYTES,
)
from contract.rest import ERROR_CODES
from contract.spec import catalog
from contract.spec.vocabulary import Time, walk_types
from contract.topics import DEVICE_ID_PATTERN, Kind, topic

ASYNCAPI = DOCS_DIR / "asyncapi.yaml"
CONTRACT_MD = DOCS_DIR / "contract.md"
API_MD = DOCS_DIR / "api.md"


@cache
def asyncapi() -> dict[str, Any]:
    document = yaml.safe_load(ASYNCAPI.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


@cache
def contract_md() -> str:
    return CONTRACT_MD.read_text(encoding="utf-8")


@cache
def api_md() -> str:
    return API_MD.read_text(encoding="utf-8")


def _golden(prefixes: tuple[str, ...]) -> list[str]:
    return sorted(p.name for p in GOLDEN_DIR.glob("*.json") if p.name.startswith(prefixes))


MQTT_AND_WS_GOLDEN = sorted(p.name for p in GOLDEN_DIR.glob("*.json") if not p.name.startswith("rest-"))
REST_GOLDEN = _golden(("rest-",))


def _refs(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                assert isinstance(value, str)
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _resolve(pointer: str) -> object:
    node: object = asyncapi()
    for part in pointer.removeprefix("#/").split("/"):
        assert isinstance(node, dict), pointer
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


# --- AsyncAPI -------------------------------------------------------------------------------


def test_asyncapi_document_is_yaml_of_version_3() -> None:
    assert asyncapi()["asyncapi"] == "3.0.0"
    assert asyncapi()["info"]["version"] == "1.0.0"


def test_asyncapi_references_every_schema_file_and_only_existing_ones() -> None:
    external = {ref for ref in _refs(asyncapi()) if not ref.startswith("#")}
    for ref in external:
        assert (ASYNCAPI.parent / ref).is_file(), ref
    referenced = {(ASYNCAPI.parent / ref).resolve() for ref in external}
    assert referenced == {p.resolve() for p in SCHEMA_DIR.glob("*.json")}


def test_asyncapi_internal_references_resolve() -> None:
    internal = [ref for ref in _refs(asyncapi()) if ref.startswith("#")]
    assert internal
    for ref in internal:
        _resolve(ref)


@pytest.mark.parametrize("kind", list(Kind))
def test_asyncapi_channel_address_is_the_contract_topic(kind: Kind) -> None:
    channel = asyncapi()["channels"][kind.value]
    assert channel["address"].replace("{device}", "pi-kitchen") == topic("pi-kitchen", kind)


def test_asyncapi_has_a_channel_per_kind_only() -> None:
    assert set(asyncapi()["channels"]) == {k.value for k in Kind}


def test_asyncapi_device_parameter_states_the_device_id_pattern() -> None:
    assert DEVICE_ID_PATTERN in asyncapi()["components"]["parameters"]["device"]["description"]


def test_asyncapi_qos_1_everywhere_and_only_status_and_state_retained() -> None:
    for name, operation in asyncapi()["operations"].items():
        binding = operation["bindings"]["mqtt"]
        assert binding["qos"] == 1, name
        channel = _resolve(operation["channel"]["$ref"])
        assert isinstance(channel, dict)
        if operation["action"] == "send":
            assert binding["retain"] == (channel["address"].endswith(("/status", "/state"))), name


def _examples() -> Iterator[tuple[str, dict[str, Any]]]:
    for kind, message in asyncapi()["components"]["messages"].items():
        for example in message["examples"]:
            yield kind, example


def test_asyncapi_examples_are_the_golden_messages() -> None:
    shown = set()
    for _, example in _examples():
        name = f"{example['name']}.json"
        assert example["payload"] == json.loads(golden_text(name)), name
        shown.add(name)
    assert shown == {p.name for p in GOLDEN_DIR.glob("*.json") if not p.name.startswith(("ws-", "rest-"))}


def test_asyncapi_examples_match_the_referenced_schemas() -> None:
    for kind, example in _examples():
        schema_ref = asyncapi()["components"]["messages"][kind]["payload"]["schema"]["$ref"]
        assert Path(schema_ref).stem == kind
        assert validator(kind).is_valid(example["payload"]), example["name"]


# --- contract.md ----------------------------------------------------------------------------


@pytest.mark.parametrize("channel", CHANNELS, ids=lambda c: c.name)
def test_contract_md_lists_each_channel_as_in_channels_py(channel: Channel) -> None:
    row = (
        f"| `{channel.name}` | {channel.unit} | {channel.minimum:g} | {channel.maximum:g} "
        f"| {channel.group} | {channel.label} | {channel.short_label} | {channel.description} |"
    )
    assert row in contract_md()


def test_contract_md_lists_only_real_channels() -> None:
    section = contract_md().split("| Channel | Unit |", 1)[1].split("\n\n", 1)[0]
    assert re.findall(r"^\| `(\w+)` \|", section, flags=re.MULTILINE) == [c.name for c in CHANNELS]


@pytest.mark.parametrize("reason", list(Reason))
def test_contract_md_explains_each_rejection_reason(reason: Reason) -> None:
    assert f"\n| `{reason.value}` | " in contract_md()


@pytest.mark.parametrize("name", MQTT_AND_WS_GOLDEN)
def test_contract_md_shows_each_mqtt_and_websocket_golden_message(name: str) -> None:
    assert f"\n{golden_text(name)}\n" in contract_md()


@pytest.mark.parametrize("name", REST_GOLDEN)
def test_api_md_shows_each_rest_golden_body(name: str) -> None:
    assert f"\n{golden_text(name)}\n" in api_md()


@pytest.mark.parametrize("code", ERROR_CODES)
def test_api_md_lists_each_rest_error_code(code: str) -> None:
    assert f"`{code}`" in api_md()


def test_contract_md_explains_the_pipeline_and_names_the_command() -> None:
    section = contract_md().split("## The contract pipeline", 1)[1].split("\n## ", 1)[0]
    assert f"`{COMMAND}`" in section
    for generated in ("contract/schemas/ws/", "contract/schemas/rest/", "dashboard/src/generated/contract.ts"):
        assert generated in section


def _time_field_names() -> set[str]:
    return {
        field.name
        for message in catalog.all_messages()
        for field in message.fields
        if any(isinstance(kind, Time) for kind in walk_types(field.type))
    }


@pytest.mark.parametrize("name", sorted(_time_field_names()))
def test_contract_md_lists_each_time_field_with_its_clock(name: str) -> None:
    section = contract_md().split("## Time fields", 1)[1].split("\n## ", 1)[0]
    assert f"`{name}`" in section


def test_contract_md_states_the_websocket_protocol_version() -> None:
    assert f'{{"type": "hello", "protocol": {PROTOCOL}}}' in contract_md()


@pytest.mark.parametrize("reason", WS_CLOSE_REASONS)
def test_contract_md_lists_each_websocket_close_reason(reason: str) -> None:
    assert f"`{reason}`" in contract_md().split("### WebSocket protocol", 1)[1].split("Browser -> server", 1)[0]


@pytest.mark.parametrize("code", [WS_CLOSE_NOT_AUTHENTICATED, WS_CLOSE_FORBIDDEN])
def test_contract_md_lists_each_websocket_close_code(code: int) -> None:
    assert f"\n| `{code}` | " in contract_md()


@pytest.mark.parametrize(
    "fact",
    [
        f"{MAX_READING_BYTES} bytes",
        f"{MAX_BATCH_BYTES} bytes",
        f"{MAX_STATUS_BYTES} bytes",
        f"{MAX_ACK_BYTES} bytes",
        f"1-{MAX_BATCH_READINGS}",
        str(MAX_SEQ),
        f"{MAX_CLIENT_MESSAGE_BYTES} bytes",
        f"{MAX_SUBSCRIPTIONS} devices",
        DEVICE_ID_PATTERN,
        f"Limit: {MAX_COMMAND_BYTES} bytes",
        f"Limit: {MAX_COMMAND_RESULT_BYTES} bytes",
        f"Limit: {MAX_STATE_BYTES} bytes",
        f"Limit: {MAX_JOYSTICK_BYTES} bytes",
        COMMAND_ID_PATTERN,
        USER_NAME_PATTERN,
        TEXT_PATTERN,
    ],
)
def test_contract_md_states_the_limits_of_the_code(fact: str) -> None:
    assert fact in contract_md()
