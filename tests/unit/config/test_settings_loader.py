"""Reading a process's settings: flags over environment over defaults, every problem at once, in table order."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

import config
from config import ConfigError, Problem, Process
from config import table as t
from config.kinds import Flag, Float, Int, Names, Url, UrlList
from config.loader import add_flags, given_flags

WEB_URLS = UrlList(Url("http", "https", form="http[s]://host", path=False))


def test_unset_and_empty_and_blank_variables_take_the_default() -> None:
    values = config.read(Process.BRIDGE, {"BRIDGE_TICK_MS": "", "BRIDGE_STORE_BATCH": "   "})

    assert values[t.BRIDGE_TICK_MS] == 50
    assert values[t.BRIDGE_STORE_BATCH] == 5000
    assert not values.given(t.BRIDGE_TICK_MS)
    assert values.problems == []


def test_values_are_typed_and_trimmed() -> None:
    values = config.read(Process.EDGE, {"EDGE_RATE_HZ": " 2.5 ", "EDGE_OUTBOX_DIR": "/data", "EDGE_LOG_LEVEL": "debug"})

    assert values[t.EDGE_RATE_HZ] == 2.5
    assert values[t.EDGE_OUTBOX_DIR] == Path("/data")
    assert values[t.EDGE_LOG_LEVEL] == "DEBUG"
    assert values.given(t.EDGE_RATE_HZ)


def test_a_flag_wins_over_the_variable_and_a_blank_flag_is_not_given() -> None:
    environ = {"EDGE_SEED": "1", "EDGE_RATE_HZ": "3"}

    values = config.read(Process.EDGE, environ, {"EDGE_SEED": "2", "EDGE_RATE_HZ": " "})

    assert values[t.EDGE_SEED] == 2
    assert values[t.EDGE_RATE_HZ] == 3.0


def test_an_unreadable_value_counts_as_the_default_and_one_out_of_range_is_kept_but_invalid() -> None:
    values = config.read(Process.BRIDGE, {"BRIDGE_TICK_MS": "fast", "BRIDGE_STORE_BATCH": "0"})

    assert (values[t.BRIDGE_TICK_MS], values.valid(t.BRIDGE_TICK_MS)) == (50, False)
    assert (values[t.BRIDGE_STORE_BATCH], values.valid(t.BRIDGE_STORE_BATCH)) == (0, False)
    assert [str(p) for p in values.problems] == [
        "BRIDGE_TICK_MS='fast': not an integer",
        "BRIDGE_STORE_BATCH='0': must be an integer in [1, 1000000]",
    ]


def test_problems_are_raised_together_in_table_order_as_data() -> None:
    values = config.read(Process.BRIDGE, {"BRIDGE_MAX_PENDING": "1", "MQTT_PROTOCOL": "4"})
    values.problem(t.BRIDGE_CLIENT_ID, "is made up for this test")

    with pytest.raises(ConfigError) as caught:
        values.check()

    error = caught.value
    assert isinstance(error, ValueError)
    assert error.process == "bridge"
    assert [p.setting for p in error.problems] == ["MQTT_PROTOCOL", "BRIDGE_CLIENT_ID", "BRIDGE_MAX_PENDING"]
    assert str(error).startswith("invalid bridge settings (3 problems):\n  - MQTT_PROTOCOL='4': expected one of 5")
    assert error.problems[1] == Problem("BRIDGE_CLIENT_ID", "BRIDGE_CLIENT_ID is made up for this test")


def test_without_problems_check_raises_nothing() -> None:
    values = config.read(Process.BRIDGE, {"BRIDGE_TICK_MS": "20"})

    values.check()
    assert values[t.BRIDGE_TICK_MS] == 20


def test_with_flags_a_problem_names_the_flag_too() -> None:
    values = config.read(Process.EDGE, {"EDGE_SEED": "-1"}, {})

    assert [str(p) for p in values.problems] == [
        "EDGE_SEED (--seed)='-1': must be an integer in [0, 9223372036854775807]"
    ]


def test_secrets_and_passwords_never_appear_in_a_problem() -> None:
    values = config.read(Process.SERVER, {"DATABASE_URL": "mysql://admin:hunter2@db/app"})

    [problem] = values.problems
    assert "hunter2" not in str(problem)
    assert "admin:***@db" in str(problem)
    assert t.DJANGO_SECRET_KEY.kind.shown("hunter2") == "'***'"


def test_a_process_cannot_read_a_setting_it_does_not_declare() -> None:
    values = config.read(Process.EDGE, {})

    with pytest.raises(KeyError, match="edge does not read REDIS_URL"):
        values.get(t.REDIS_URL)
    with pytest.raises(KeyError, match="EDGE_DEVICE_ID has no value"):
        _ = values[t.EDGE_DEVICE_ID]
    assert values.get(t.EDGE_DEVICE_ID) is None


def test_the_flags_of_a_process_come_from_the_table() -> None:
    parser = argparse.ArgumentParser()
    add_flags(parser, Process.EDGE)

    namespace = parser.parse_args(["--rate-hz", "4", "--device-id", "pi"])

    assert given_flags(namespace, Process.EDGE) == {"EDGE_RATE_HZ": "4", "EDGE_DEVICE_ID": "pi"}


@pytest.mark.parametrize(
    ("kind", "text", "reason"),
    [
        (Int(1, 3), "4", "must be an integer in [1, 3]"),
        (Int(1, 3), "2.0", "not an integer"),
        (Float(0, 1, lo_excluded=True), "0", "must be in (0, 1]"),
        (Float(0, 1), "inf", "must be a finite number"),
        (Float(0, 1), "x", "not a number"),
        (Flag(), "maybe", "expected 0 or 1"),
        (Names(), " , ,", "is empty"),
        (Url("mqtt", form="mqtt://host"), "http://h", "expected mqtt://host"),
        (Url("mqtt", form="mqtt://host"), "mqtt://", "no host"),
        (Url("mqtt", form="mqtt://host"), "mqtt://h:99999", "bad port"),
        (Url("mqtt", form="mqtt://host", path=False), "mqtt://h/x", "only mqtt://host is understood"),
        (Url("sqlite", form="sqlite:///path"), "sqlite:///", "expected sqlite:///relative/path"),
        (Url("unix", form="unix:///socket", hostless=("unix",)), "unix://", "expected unix:///socket"),
        (WEB_URLS, " , ", "is empty"),
        (WEB_URLS, "https://a.example,ftp://b", "'ftp://b': expected http[s]://host"),
        (WEB_URLS, "https://a.example/x", "'https://a.example/x': only http[s]://host is understood"),
    ],
)
def test_each_kind_refuses_with_a_reason(
    kind: Int | Float | Flag | Names | Url | UrlList, text: str, reason: str
) -> None:
    with pytest.raises(ValueError, match="^" + reason.replace("[", r"\[").replace("(", r"\(")):
        kind.check(kind.parse(text))  # type: ignore[arg-type]


def test_a_url_list_keeps_each_url_as_written_and_writes_them_back_joined() -> None:
    kind = WEB_URLS

    urls = kind.parse(" https://a.example , http://b.example:8080/ ,")

    assert urls == ("https://a.example", "http://b.example:8080/")
    assert kind.parse(kind.render(urls)) == urls
    assert kind.describe() == "comma-separated `http[s]://host`"
