"""Bridge settings: read once from an environment mapping, every problem listed at once."""

from __future__ import annotations

import socket
import ssl
from pathlib import Path

import pytest

from bridge.config import LAYERS, BridgeConfig, load
from bridge.mqtt import broker_options
from config import ConfigError
from contract.broker import BrokerAddress
from devstack.tls import make_certificates

DEFAULTS = BridgeConfig(
    broker=BrokerAddress("127.0.0.1", 1883),
    protocol="5",
    client_id="sensebridge-bridge",
    share_group=None,
    session_expiry_s=86400,
    tick_ms=50,
    max_future_ms=300_000,
    store_batch=5000,
    store_linger_ms=20,
    max_pending=200_000,
    store_url="sqlite:///var/sensebridge.sqlite3",
    channel_layer="redis-pubsub",
    redis_url="redis://127.0.0.1:6379/0",
)


def test_defaults() -> None:
    assert load({}) == DEFAULTS


def test_an_embedding_program_gets_the_same_defaults_by_building_the_object_directly() -> None:
    assert BridgeConfig() == DEFAULTS


def test_blank_optional_values_mean_default() -> None:
    blanks = {
        "BRIDGE_CLIENT_ID": "  ",
        "BRIDGE_SHARE_GROUP": " ",
        "BRIDGE_TICK_MS": "",
        "BRIDGE_SESSION_EXPIRY_S": " ",
        "BRIDGE_MAX_PENDING": "",
    }

    assert load(blanks) == DEFAULTS


def test_every_variable_is_read() -> None:
    env = {
        "MQTT_URL": "mqtt://bridge:s%40cret@broker.lan:8883",
        "MQTT_PROTOCOL": "3.1.1",
        "BRIDGE_CLIENT_ID": "bridge-7",
        "BRIDGE_SESSION_EXPIRY_S": "60",
        "BRIDGE_TICK_MS": " 20 ",
        "BRIDGE_MAX_FUTURE_S": "5",
        "BRIDGE_STORE_BATCH": "100",
        "BRIDGE_STORE_LINGER_MS": "0",
        "BRIDGE_MAX_PENDING": "1000",
        "STORE_URL": "sqlite:////data/readings.sqlite3",
        "CHANNEL_LAYER": "redis",
        "REDIS_URL": "redis://cache:6380/2",
    }

    assert load(env) == BridgeConfig(
        broker=BrokerAddress("broker.lan", 8883, username="bridge", password="s@cret"),
        protocol="3.1.1",
        client_id="bridge-7",
        share_group=None,
        session_expiry_s=60,
        tick_ms=20,
        max_future_ms=5000,
        store_batch=100,
        store_linger_ms=0,
        max_pending=1000,
        store_url="sqlite:////data/readings.sqlite3",
        channel_layer="redis",
        redis_url="redis://cache:6380/2",
    )


@pytest.mark.parametrize("layer", LAYERS)
def test_every_channel_layer_kind_is_allowed_including_memory(layer: str) -> None:
    assert load({"CHANNEL_LAYER": layer}).channel_layer == layer


def test_share_group_with_protocol_5() -> None:
    assert load({"BRIDGE_SHARE_GROUP": " bridges ", "MQTT_PROTOCOL": "5"}).share_group == "bridges"


def test_share_group_requires_protocol_5() -> None:
    with pytest.raises(ConfigError) as caught:
        load({"BRIDGE_SHARE_GROUP": "bridges", "MQTT_PROTOCOL": "3.1.1"})

    assert [str(problem) for problem in caught.value.problems] == ["BRIDGE_SHARE_GROUP needs MQTT_PROTOCOL=5"]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BRIDGE_TICK_MS", "0"),
        ("BRIDGE_TICK_MS", "10000"),
        ("BRIDGE_MAX_FUTURE_S", "0"),
        ("BRIDGE_STORE_BATCH", "1"),
        ("BRIDGE_STORE_LINGER_MS", "0"),
        ("BRIDGE_STORE_LINGER_MS", "10000"),
        ("BRIDGE_MAX_PENDING", "1000"),
        ("BRIDGE_SESSION_EXPIRY_S", "0"),
        ("BRIDGE_SESSION_EXPIRY_S", str(2**32 - 1)),
    ],
)
def test_integer_limits_are_inclusive(name: str, value: str) -> None:
    load({name: value})


# One bad value per variable and the words its problem must contain.
BAD_VALUES = {
    "MQTT_URL": ("http://broker:1883", "MQTT_URL"),
    "MQTT_PROTOCOL": ("4", "MQTT_PROTOCOL"),
    "STORE_URL": ("postgres://db/readings", "STORE_URL"),
    "CHANNEL_LAYER": ("kafka", "CHANNEL_LAYER"),
    "BRIDGE_SESSION_EXPIRY_S": ("-1", "BRIDGE_SESSION_EXPIRY_S"),
    "BRIDGE_TICK_MS": ("fast", "BRIDGE_TICK_MS"),
    "BRIDGE_MAX_FUTURE_S": ("1.5", "BRIDGE_MAX_FUTURE_S"),
    "BRIDGE_STORE_BATCH": ("0", "BRIDGE_STORE_BATCH"),
    "BRIDGE_STORE_LINGER_MS": ("-5", "BRIDGE_STORE_LINGER_MS"),
    "BRIDGE_MAX_PENDING": ("999", "BRIDGE_MAX_PENDING"),
}


@pytest.mark.parametrize(("name", "bad"), BAD_VALUES.items(), ids=list(BAD_VALUES))
def test_one_bad_value_is_one_problem_naming_the_variable(name: str, bad: tuple[str, str]) -> None:
    value, words = bad

    with pytest.raises(ConfigError) as caught:
        load({name: value})

    [problem] = caught.value.problems
    assert problem.setting == name
    assert words in str(problem)
    assert value in str(problem)


def test_every_problem_is_listed_at_once() -> None:
    env = {name: value for name, (value, _) in BAD_VALUES.items()}
    env["BRIDGE_SHARE_GROUP"] = "a/b"  # also needs protocol 5, which MQTT_PROTOCOL=4 is not

    with pytest.raises(ConfigError) as caught:
        load(env)

    problems = [str(problem) for problem in caught.value.problems]
    assert len(problems) == len(BAD_VALUES) + 2
    for _, words in BAD_VALUES.values():
        assert any(words in problem for problem in problems), words
    assert sum("BRIDGE_SHARE_GROUP" in problem for problem in problems) == 2
    for problem in problems:
        assert problem in str(caught.value)


def test_config_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="invalid bridge settings"):
        load({"CHANNEL_LAYER": "kafka"})


def test_bad_redis_url_is_a_start_up_problem() -> None:
    with pytest.raises(ConfigError) as caught:
        load({"CHANNEL_LAYER": "redis-pubsub", "REDIS_URL": "cache:6379"})

    assert [problem.setting for problem in caught.value.problems] == ["REDIS_URL"]


def test_with_a_share_group_the_client_id_is_per_host() -> None:
    cfg = load({"BRIDGE_SHARE_GROUP": "bridges"})

    assert cfg.client_id == f"sensebridge-bridge-{socket.gethostname()}"
    assert load({"BRIDGE_SHARE_GROUP": "bridges", "BRIDGE_CLIENT_ID": "bridge-7"}).client_id == "bridge-7"


def test_a_password_in_the_broker_url_never_reaches_a_problem() -> None:
    with pytest.raises(ConfigError) as caught:
        load({"MQTT_URL": "mqtt://bridge:s3cret@broker.lan:1883/path"})

    assert "s3cret" not in str(caught.value)
    assert "bridge:***@broker.lan" in str(caught.value)


# --- broker credentials and TLS ----------------------------------------------------------------


@pytest.fixture(scope="module")
def ca_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_certificates(tmp_path_factory.mktemp("ca")).ca_file


def test_the_password_file_and_the_ca_file_are_read_at_load(tmp_path: Path, ca_file: Path) -> None:
    password_file = tmp_path / "mqtt-password"
    password_file.write_text("s3cret\n")

    cfg = load(
        {
            "MQTT_URL": "mqtts://bridge@broker.lan",
            "MQTT_PASSWORD_FILE": str(password_file),
            "MQTT_CA_FILE": str(ca_file),
        }
    )

    assert cfg.broker == BrokerAddress("broker.lan", 8883, "bridge", "s3cret", tls=True, ca_file=ca_file)


def test_broker_setting_problems_are_listed_with_the_others(tmp_path: Path, ca_file: Path) -> None:
    env = {
        "MQTT_URL": "mqtt://bridge:s3cret@broker.lan",
        "MQTT_PASSWORD_FILE": str(tmp_path / "absent"),
        "MQTT_CA_FILE": str(ca_file),
        "BRIDGE_TICK_MS": "fast",
    }

    with pytest.raises(ConfigError) as caught:
        load(env)

    assert [p.setting for p in caught.value.problems] == [
        "MQTT_PASSWORD_FILE",
        "MQTT_PASSWORD_FILE",
        "MQTT_CA_FILE",
        "BRIDGE_TICK_MS",
    ]
    text = str(caught.value)
    assert f"MQTT_PASSWORD_FILE: cannot read {tmp_path / 'absent'}" in text
    assert "MQTT_PASSWORD_FILE: MQTT_URL has a password too" in text
    assert "MQTT_CA_FILE=" in text
    assert "needs an mqtts:// MQTT_URL" in text
    assert "s3cret" not in text


def test_the_client_options_carry_the_credentials_and_tls_only_for_mqtts(ca_file: Path) -> None:
    plain = broker_options(BrokerAddress("broker.lan", 1883, "bridge", "pw"))
    secure = broker_options(BrokerAddress("broker.lan", 8883, "bridge", "pw", tls=True, ca_file=ca_file))

    assert plain == {"hostname": "broker.lan", "port": 1883, "username": "bridge", "password": "pw"}
    context = secure.pop("tls_context")
    assert secure == {"hostname": "broker.lan", "port": 8883, "username": "bridge", "password": "pw"}
    assert context.verify_mode is ssl.CERT_REQUIRED
    assert context.check_hostname
