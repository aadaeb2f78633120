"""The committed JSON Schema files are exactly what ``contract.schema`` builds from the codec's constants.

When this fails, someone changed a constant (a channel range, a limit, a pattern) without
running ``python -m contract.schema``: run it and commit the files.
"""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator

from contract.channels import CHANNELS
from contract.models import MAX_BATCH_READINGS, MAX_SEQ
from contract.schema import BASE_ID, SCHEMA_DIR, render, schemas

STEMS = ("reading", "batch", "status", "ack")


def test_one_schema_per_mqtt_message_kind() -> None:
    assert set(schemas()) == set(STEMS)
    assert {p.stem for p in SCHEMA_DIR.glob("*.json")} == set(STEMS)


@pytest.mark.parametrize("stem", STEMS)
def test_committed_schema_file_is_up_to_date(stem: str) -> None:
    committed = (SCHEMA_DIR / f"{stem}.json").read_text(encoding="utf-8")
    assert committed == render(schemas()[stem]), "run: python -m contract.schema"


@pytest.mark.parametrize("stem", STEMS)
def test_schema_is_a_valid_draft_2020_12_schema_with_a_stable_id(stem: str) -> None:
    schema = schemas()[stem]
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"{BASE_ID}{stem}.json"


def test_reading_schema_lists_every_channel_with_its_range() -> None:
    properties = schemas()["reading"]["properties"]
    for channel in CHANNELS:
        assert properties[channel.name]["minimum"] == channel.minimum
        assert properties[channel.name]["maximum"] == channel.maximum
        assert channel.unit in properties[channel.name]["description"]


def test_limits_come_from_the_models() -> None:
    built = schemas()
    assert built["batch"]["properties"]["readings"]["maxItems"] == MAX_BATCH_READINGS
    assert built["reading"]["properties"]["seq"]["maximum"] == MAX_SEQ
    assert built["status"]["properties"]["pending"]["maximum"] == MAX_SEQ


def test_render_is_stable_json_with_a_final_newline() -> None:
    text = render(schemas()["ack"])
    assert text.endswith("}\n")
    assert json.loads(text) == schemas()["ack"]
