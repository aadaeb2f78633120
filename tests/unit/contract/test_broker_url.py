"""How a process addresses the broker: MQTT_URL shapes, the password file, the CA file, the TLS context."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest

from contract.broker import (
    BrokerAddress,
    BrokerSettingsError,
    broker_address,
    parse_mqtt_url,
    read_password_file,
    tls_context,
    url_has_password,
)
from devstack.tls import Certificates, make_certificates


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    return make_certificates(tmp_path_factory.mktemp("ca"))


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("mqtt://broker.lan", BrokerAddress("broker.lan", 1883)),
        ("mqtt://broker.lan/", BrokerAddress("broker.lan", 1883)),
        ("mqtt://127.0.0.1:1884", BrokerAddress("127.0.0.1", 1884)),
        ("mqtts://broker.lan", BrokerAddress("broker.lan", 8883, tls=True)),
        ("mqtts://broker.lan:443", BrokerAddress("broker.lan", 443, tls=True)),
        ("mqtts://kitchen@broker.lan", BrokerAddress("broker.lan", 8883, username="kitchen", tls=True)),
        ("mqtt://edge:s%40cret@broker.lan:1", BrokerAddress("broker.lan", 1, "edge", "s@cret")),
        ("mqtts://a%2Fb:p%3Aw@[::1]:8884", BrokerAddress("::1", 8884, "a/b", "p:w", tls=True)),
    ],
)
def test_every_url_shape_is_understood(url: str, expected: BrokerAddress) -> None:
    assert parse_mqtt_url(url) == expected


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://broker.lan", "scheme must be mqtt:// or mqtts://"),
        ("ssl://broker.lan", "scheme must be mqtt:// or mqtts://"),
        ("broker.lan:1883", "scheme must be mqtt:// or mqtts://"),
        ("mqtts://", "no host"),
        ("mqtt://:1883", "no host"),
        ("mqtts://broker.lan:99999", "bad port"),
        ("mqtt://broker.lan:port", "bad port"),
        ("mqtts://broker.lan/topic", "only mqtts://[user[:password]@]host[:port] is understood"),
        ("mqtt://broker.lan?x=1", "only mqtt://[user[:password]@]host[:port] is understood"),
        ("mqtt://broker.lan#frag", "only mqtt://"),
        ("mqtt://[::1", "not a URL"),
    ],
)
def test_a_bad_url_names_the_problem(url: str, reason: str) -> None:
    with pytest.raises(ValueError, match=r"^MQTT_URL .*: " + reason.replace("[", r"\[").replace("?", r"\?")):
        parse_mqtt_url(url)


def test_a_bad_url_never_shows_its_password() -> None:
    with pytest.raises(ValueError, match="bad port") as caught:
        parse_mqtt_url("mqtt://edge:hunter2@broker.lan:port")
    assert "hunter2" not in str(caught.value)
    assert "edge:***@" in str(caught.value)


def test_the_url_to_log_keeps_the_scheme_and_drops_the_credentials() -> None:
    plain = parse_mqtt_url("mqtt://edge:hunter2@broker.lan")
    secure = parse_mqtt_url("mqtts://edge:hunter2@broker.lan")

    assert plain.url == "mqtt://broker.lan:1883"
    assert secure.url == "mqtts://broker.lan:8883"
    assert "hunter2" not in repr(secure)


def test_an_embedding_program_builds_the_address_with_the_old_keywords() -> None:
    address = BrokerAddress("127.0.0.1", 1883, username="bridge", password="pw")

    assert (address.tls, address.ca_file) == (False, None)
    assert address.trust == "the system's trust store"


def test_url_has_password_tells_whether_a_password_is_inside() -> None:
    assert url_has_password("mqtt://u:p@h")
    assert url_has_password("mqtts://u:@h")  # an empty password is still one
    assert not url_has_password("mqtts://u@h")
    assert not url_has_password("mqtt://h")
    assert not url_has_password("")
    assert not url_has_password("mqtt://[::1")


def test_the_password_is_the_first_line_of_its_file(tmp_path: Path) -> None:
    path = tmp_path / "pw"
    path.write_text("s3cret with spaces \r\nsecond line is ignored\n")

    assert read_password_file(path) == "s3cret with spaces "


def test_a_password_file_without_a_line_break_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "pw"
    path.write_text("s3cret")

    assert read_password_file(path) == "s3cret"


@pytest.mark.parametrize(
    ("content", "reason"),
    [(None, r"cannot read .*: No such file or directory"), ("", r"the first line .* is empty"), ("\nx", "is empty")],
)
def test_a_missing_or_empty_password_file_is_refused(tmp_path: Path, content: str | None, reason: str) -> None:
    path = tmp_path / "pw"
    if content is not None:
        path.write_text(content)

    with pytest.raises(ValueError, match=reason):
        read_password_file(path)


def test_an_unreadable_password_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"cannot read .*: Is a directory"):
        read_password_file(tmp_path)


def test_the_password_comes_from_the_file_and_the_user_from_the_url(tmp_path: Path, certs: Certificates) -> None:
    path = tmp_path / "pw"
    path.write_text("from-file\n")

    address = broker_address("mqtts://kitchen@broker.lan", password_file=path, ca_file=certs.ca_file)

    assert address == BrokerAddress(
        "broker.lan", 8883, username="kitchen", password="from-file", tls=True, ca_file=certs.ca_file
    )
    assert address.trust == f"CA file {certs.ca_file}"


def test_without_files_the_url_says_everything() -> None:
    assert broker_address("mqtt://u:p@h:2") == BrokerAddress("h", 2, "u", "p")


def problems(url: str, **files: Path) -> list[tuple[str, str]]:
    with pytest.raises(BrokerSettingsError) as caught:
        broker_address(url, **files)
    return list(caught.value.problems)


def test_a_password_in_the_url_and_in_a_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "pw"
    path.write_text("from-file\n")

    assert problems("mqtt://u:p@h", password_file=path) == [
        ("MQTT_PASSWORD_FILE", ": MQTT_URL has a password too; keep it in one place")
    ]


def test_a_password_file_needs_a_user_name_in_the_url(tmp_path: Path) -> None:
    path = tmp_path / "pw"
    path.write_text("from-file\n")

    assert problems("mqtt://h", password_file=path) == [
        ("MQTT_PASSWORD_FILE", ": MQTT_URL names no user (mqtts://user@host)")
    ]


def test_a_ca_file_with_plain_mqtt_is_refused(certs: Certificates) -> None:
    assert problems("mqtt://h", ca_file=certs.ca_file) == [
        ("MQTT_CA_FILE", f"={str(certs.ca_file)!r} needs an mqtts:// MQTT_URL (mqtt:// has no TLS)")
    ]


def test_a_ca_file_that_is_missing_or_not_pem_is_refused(tmp_path: Path) -> None:
    not_pem = tmp_path / "ca.crt"
    not_pem.write_text("not a certificate\n")

    [(setting, missing)] = problems("mqtts://h", ca_file=tmp_path / "absent.crt")
    [(_, garbage)] = problems("mqtts://h", ca_file=not_pem)

    assert setting == "MQTT_CA_FILE"
    assert missing.endswith("absent.crt': not a readable PEM CA bundle (No such file or directory)")
    assert "not a readable PEM CA bundle" in garbage


def test_every_broker_problem_is_reported_at_once(tmp_path: Path, certs: Certificates) -> None:
    found = problems("mqtt://u:p@h", password_file=tmp_path / "absent", ca_file=certs.ca_file)

    assert [setting for setting, _ in found] == ["MQTT_PASSWORD_FILE", "MQTT_PASSWORD_FILE", "MQTT_CA_FILE"]
    assert "cannot read" in found[0][1]


def test_the_tls_context_verifies_the_certificate_and_the_host_name(certs: Certificates) -> None:
    context = tls_context(BrokerAddress("h", 8883, tls=True, ca_file=certs.ca_file))

    assert context.verify_mode is ssl.CERT_REQUIRED
    assert context.check_hostname
    assert context.minimum_version >= ssl.TLSVersion.TLSv1_2
    assert [c["subject"] for c in context.get_ca_certs()] == [((("commonName", "sensebridge test CA"),),)]


def test_without_a_ca_file_the_tls_context_trusts_the_system_store() -> None:
    context = tls_context(BrokerAddress("h", 8883, tls=True))

    assert context.verify_mode is ssl.CERT_REQUIRED
    assert context.check_hostname
