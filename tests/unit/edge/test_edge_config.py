"""Settings: environment, flags over environment, every problem reported at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import SETTINGS, ConfigError
from config import table as t
from contract.broker import BrokerAddress
from contract.models import MAX_BATCH_READINGS
from devstack.tls import make_certificates
from edge.__main__ import main
from edge.config import EdgeConfig, SourceKind, load_config


def test_defaults_with_only_a_device_id() -> None:
    config = load_config([], {"EDGE_DEVICE_ID": "pi-kitchen"})

    assert config.broker.host == "127.0.0.1"
    assert config.broker.port == 1883
    assert config.broker.username is None
    assert config.mqtt_protocol == "5"
    assert config.devices == ("pi-kitchen",)
    assert config.source is SourceKind.SIMULATOR
    assert config.rate_hz == 1.0
    assert config.seed == 0
    assert config.outbox_dir == Path("var/edge")
    assert config.outbox_path("pi-kitchen") == Path("var/edge/pi-kitchen.sqlite3")
    assert config.outbox_max_readings == 1_000_000
    assert config.outbox_max_age_s == 30 * 86400
    assert config.ack_timeout_s == 10.0
    assert config.resend_batch == 500
    assert config.status_interval_s == 30.0
    assert config.log_level == "INFO"


def test_environment_sets_every_value() -> None:
    config = load_config(
        [],
        {
            "MQTT_URL": "mqtt://edge:s%40cret@broker.lan:1884",
            "MQTT_PROTOCOL": "3.1.1",
            "EDGE_DEVICE_ID": "pi-lab",
            "EDGE_SOURCE": "sense-hat",
            "EDGE_RATE_HZ": "50",
            "EDGE_SEED": "42",
            "EDGE_OUTBOX_DIR": "/data/outbox",
            "EDGE_OUTBOX_MAX_READINGS": "5000",
            "EDGE_OUTBOX_MAX_AGE_S": "3600",
            "EDGE_ACK_TIMEOUT_S": "2.5",
            "EDGE_RESEND_BATCH": "1000",
            "EDGE_STATUS_INTERVAL_S": "5",
            "EDGE_LOG_LEVEL": "debug",
        },
    )

    assert (config.broker.host, config.broker.port) == ("broker.lan", 1884)
    assert (config.broker.username, config.broker.password) == ("edge", "s@cret")
    assert config.broker.url == "mqtt://broker.lan:1884"  # what gets logged: no password
    assert config.mqtt_protocol == "3.1.1"
    assert config.source is SourceKind.SENSE_HAT
    assert config.rate_hz == 50.0
    assert config.seed == 42
    assert config.outbox_dir == Path("/data/outbox")
    assert (config.outbox_max_readings, config.outbox_max_age_s) == (5000, 3600.0)
    assert (config.ack_timeout_s, config.resend_batch, config.status_interval_s) == (2.5, 1000, 5.0)
    assert config.log_level == "DEBUG"


def test_flags_override_the_environment() -> None:
    environ = {"EDGE_DEVICE_ID": "pi-env", "EDGE_RATE_HZ": "not a number", "MQTT_URL": "mqtt://env-host"}

    config = load_config(
        ["--device-id", "pi-flag", "--rate-hz", "5", "--mqtt-url", "mqtt://flag-host:2000", "--seed", "3"], environ
    )

    assert config.devices == ("pi-flag",)
    assert config.rate_hz == 5.0
    assert (config.broker.host, config.broker.port) == ("flag-host", 2000)
    assert config.seed == 3


def test_an_empty_variable_counts_as_unset() -> None:
    config = load_config([], {"EDGE_DEVICE_ID": "pi-1", "EDGE_RATE_HZ": "", "MQTT_PROTOCOL": ""})

    assert config.rate_hz == 1.0
    assert config.mqtt_protocol == "5"


def test_simulate_runs_numbered_devices() -> None:
    assert load_config(["--simulate", "3"], {}).devices == ("sim-1", "sim-2", "sim-3")
    assert load_config(["--simulate", "2"], {"EDGE_DEVICE_ID": "lab"}).devices == ("lab-1", "lab-2")


def test_device_index_is_the_position_in_the_device_list() -> None:
    config = load_config(["--simulate", "3"], {})

    assert [config.device_index(d) for d in config.devices] == [0, 1, 2]


def test_every_problem_is_reported_together() -> None:
    environ = {
        "MQTT_URL": "http://broker",
        "MQTT_PROTOCOL": "4",
        "EDGE_SOURCE": "camera",
        "EDGE_RATE_HZ": "500",
        "EDGE_SEED": "-1",
        "EDGE_OUTBOX_MAX_READINGS": "0",
        "EDGE_OUTBOX_MAX_AGE_S": "nan",
        "EDGE_ACK_TIMEOUT_S": "0",
        "EDGE_RESEND_BATCH": "1001",
        "EDGE_STATUS_INTERVAL_S": "soon",
        "EDGE_LOG_LEVEL": "LOUD",
    }

    with pytest.raises(ConfigError) as caught:
        load_config([], environ)

    problems = caught.value.problems
    named = [p.setting for p in problems]
    assert named == [str(p).split(" ", 1)[0].split("=", 1)[0] for p in problems]
    assert named == [
        "MQTT_URL",
        "MQTT_PROTOCOL",
        "EDGE_SOURCE",
        "EDGE_DEVICE_ID",
        "EDGE_RATE_HZ",
        "EDGE_SEED",
        "EDGE_OUTBOX_MAX_READINGS",
        "EDGE_OUTBOX_MAX_AGE_S",
        "EDGE_ACK_TIMEOUT_S",
        "EDGE_RESEND_BATCH",
        "EDGE_STATUS_INTERVAL_S",
        "EDGE_LOG_LEVEL",
    ]
    text = str(caught.value)
    assert "12 problems" in text
    assert "EDGE_RATE_HZ (--rate-hz)='500': must be in (0, 50]" in text
    assert "EDGE_RESEND_BATCH (--resend-batch)='1001': must be an integer in [1, 1000]" in text
    assert "EDGE_DEVICE_ID (--device-id) is required" in text


def test_simulating_needs_the_simulator_source() -> None:
    with pytest.raises(ConfigError, match="needs EDGE_SOURCE=simulator, got 'sense-emu'"):
        load_config(["--simulate", "2", "--source", "sense-emu"], {})


def test_device_ids_must_be_valid_contract_ids() -> None:
    with pytest.raises(ConfigError, match="'Pi Kitchen' is not a valid device id"):
        load_config(["--device-id", "Pi Kitchen"], {})
    with pytest.raises(ConfigError, match="is not a valid device id"):
        load_config(["--simulate", "2", "--device-id", "x" * 63], {})


def test_an_embedding_program_can_build_the_config_directly() -> None:
    config = load_config(["--simulate", "3", "--mqtt-protocol", "3.1.1"], {})

    assert config == EdgeConfig(broker=config.broker, mqtt_protocol="3.1.1", devices=("sim-1", "sim-2", "sim-3"))


def test_main_exits_with_status_2_listing_every_problem(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for setting in SETTINGS:
        monkeypatch.delenv(setting.name, raising=False)

    status = main(["--rate-hz", "0", "--mqtt-protocol", "6"])

    err = capsys.readouterr().err
    assert status == 2
    assert "EDGE_RATE_HZ (--rate-hz)='0'" in err
    assert "MQTT_PROTOCOL (--mqtt-protocol)='6'" in err
    assert "EDGE_DEVICE_ID (--device-id) is required" in err


def test_the_source_kinds_are_the_choices_of_the_setting() -> None:
    assert tuple(kind.value for kind in SourceKind) == t.EDGE_SOURCE.choices


def test_a_resend_batch_fits_in_one_batch_message() -> None:
    assert t.EDGE_RESEND_BATCH.kind.check(MAX_BATCH_READINGS) is None
    with pytest.raises(ValueError, match="must be an integer"):
        t.EDGE_RESEND_BATCH.kind.check(MAX_BATCH_READINGS + 1)


def test_a_blank_flag_counts_as_not_given() -> None:
    config = load_config(["--rate-hz", " "], {"EDGE_DEVICE_ID": "pi-1", "EDGE_RATE_HZ": "2"})

    assert config.rate_hz == 2.0


def test_help_lists_every_flag_with_its_variable(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        load_config(["--help"], {})

    out = " ".join(capsys.readouterr().out.split())
    for setting in SETTINGS:
        if setting.flag:
            assert setting.flag in out
            assert f"[{setting.name}" in out


# --- broker credentials and TLS ----------------------------------------------------------------


@pytest.fixture(scope="module")
def ca_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_certificates(tmp_path_factory.mktemp("ca")).ca_file


def test_a_password_in_the_mqtt_url_flag_is_refused_and_never_shown() -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(["--device-id", "pi-1", "--mqtt-url", "mqtts://kitchen:hunter2@broker.lan"], {})

    text = str(caught.value)
    assert [p.setting for p in caught.value.problems] == ["MQTT_URL"]
    assert "MQTT_URL (--mqtt-url) has a password, and every user of this machine can read a command line (ps)" in text
    assert "MQTT_PASSWORD_FILE (--mqtt-password-file) or in the MQTT_URL variable" in text
    assert "hunter2" not in text


def test_a_password_in_the_mqtt_url_variable_is_accepted() -> None:
    config = load_config(["--device-id", "pi-1"], {"MQTT_URL": "mqtts://kitchen:hunter2@broker.lan"})

    assert (config.broker.username, config.broker.password, config.broker.tls) == ("kitchen", "hunter2", True)
    assert config.broker.url == "mqtts://broker.lan:8883"


def test_the_flag_may_name_the_user_and_the_password_comes_from_its_file(tmp_path: Path, ca_file: Path) -> None:
    password_file = tmp_path / "mqtt-password"
    password_file.write_text("hunter2\n")

    config = load_config(
        [
            "--device-id",
            "pi-1",
            "--mqtt-url",
            "mqtts://kitchen@broker.lan:8884",
            "--mqtt-password-file",
            str(password_file),
            "--mqtt-ca-file",
            str(ca_file),
        ],
        {},
    )

    assert config.broker == BrokerAddress(
        "broker.lan", 8884, username="kitchen", password="hunter2", tls=True, ca_file=ca_file
    )


def test_the_password_file_and_ca_file_come_from_the_environment_too(tmp_path: Path, ca_file: Path) -> None:
    password_file = tmp_path / "mqtt-password"
    password_file.write_text("hunter2")
    environ = {
        "EDGE_DEVICE_ID": "pi-1",
        "MQTT_URL": "mqtts://kitchen@broker.lan",
        "MQTT_PASSWORD_FILE": str(password_file),
        "MQTT_CA_FILE": str(ca_file),
    }

    config = load_config([], environ)

    assert (config.broker.password, config.broker.ca_file) == ("hunter2", ca_file)


def test_broker_setting_problems_name_the_setting_and_its_flag(tmp_path: Path, ca_file: Path) -> None:
    password_file = tmp_path / "mqtt-password"
    password_file.write_text("hunter2\n")
    environ = {
        "EDGE_DEVICE_ID": "pi-1",
        "MQTT_URL": "mqtt://kitchen:other@broker.lan",
        "MQTT_PASSWORD_FILE": str(password_file),
        "MQTT_CA_FILE": str(ca_file),
    }

    with pytest.raises(ConfigError) as caught:
        load_config([], environ)

    text = str(caught.value)
    assert [p.setting for p in caught.value.problems] == ["MQTT_PASSWORD_FILE", "MQTT_CA_FILE"]
    assert "MQTT_PASSWORD_FILE (--mqtt-password-file): MQTT_URL has a password too" in text
    assert f"MQTT_CA_FILE (--mqtt-ca-file)={str(ca_file)!r} needs an mqtts:// MQTT_URL" in text
    assert "hunter2" not in text
    assert "other" not in text


def test_a_missing_password_file_is_a_config_error_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "nope"

    with pytest.raises(ConfigError, match=f"MQTT_PASSWORD_FILE \\(--mqtt-password-file\\): cannot read {missing}"):
        load_config(["--device-id", "pi-1", "--mqtt-url", "mqtt://u@h", "--mqtt-password-file", str(missing)], {})
