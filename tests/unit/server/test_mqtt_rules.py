"""The ACL table per account kind, account names, and the two files the broker reads (pure)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from contract.topics import Kind, subscription, topic
from server.mqtt_accounts.errors import BadNameError
from server.mqtt_accounts.files import (
    ACL_FILE,
    PASSWORDS_FILE,
    AccessEntry,
    render_acl,
    render_passwords,
    write_access_files,
)
from server.mqtt_accounts.rules import (
    BRIDGE_ACCOUNT,
    RESERVED_NAMES,
    Access,
    AccountKind,
    Rule,
    rules_for,
    validate_name,
)


def _by_access(rules: tuple[Rule, ...]) -> dict[Access, set[str]]:
    found: dict[Access, set[str]] = {}
    for rule in rules:
        found.setdefault(rule.access, set()).add(rule.topic_filter)
    return found


def test_a_device_publishes_only_its_own_readings_batches_and_status_and_reads_only_its_own_acks() -> None:
    assert _by_access(rules_for(AccountKind.DEVICE, "kitchen")) == {
        Access.WRITE: {topic("kitchen", Kind.READING), topic("kitchen", Kind.BATCH), topic("kitchen", Kind.STATUS)},
        Access.READ: {topic("kitchen", Kind.ACK)},
    }


def test_the_bridge_is_the_only_kind_that_publishes_acks_and_it_reads_every_devices_data() -> None:
    assert _by_access(rules_for(AccountKind.SERVICE, BRIDGE_ACCOUNT)) == {
        Access.WRITE: {subscription(Kind.ACK)},
        Access.READ: {subscription(Kind.READING), subscription(Kind.BATCH), subscription(Kind.STATUS)},
    }
    for kind in (AccountKind.DEVICE, AccountKind.INTEGRATION):
        assert not any("ack" in r.topic_filter and r.access is not Access.READ for r in rules_for(kind, "x"))


def test_an_integration_reads_readings_and_status_and_publishes_nothing() -> None:
    assert _by_access(rules_for(AccountKind.INTEGRATION, "home-assistant")) == {
        Access.READ: {subscription(Kind.READING), subscription(Kind.STATUS)},
    }


def test_no_rule_of_any_kind_reaches_beyond_the_contracts_topics() -> None:
    for kind in AccountKind:
        for rule in rules_for(kind, "kitchen" if kind is not AccountKind.SERVICE else BRIDGE_ACCOUNT):
            assert rule.topic_filter.startswith("sensebridge/v1/")
            assert "#" not in rule.topic_filter


@pytest.mark.parametrize("name", ["", "Kitchen", "a/b", "a+b", "#", "a b", "-x", "x" * 65, "ä"])
def test_names_outside_the_device_id_pattern_are_refused(name: str) -> None:
    for kind in (AccountKind.DEVICE, AccountKind.INTEGRATION):
        with pytest.raises(BadNameError):
            validate_name(name, kind)


def test_reserved_names_are_refused_for_devices_and_integrations_and_only_bridge_is_a_service() -> None:
    for name in RESERVED_NAMES:
        with pytest.raises(BadNameError, match="reserved"):
            validate_name(name, AccountKind.DEVICE)
    assert validate_name(BRIDGE_ACCOUNT, AccountKind.SERVICE) == BRIDGE_ACCOUNT
    with pytest.raises(BadNameError):
        validate_name("kitchen", AccountKind.SERVICE)
    assert validate_name("kitchen-2_b", AccountKind.DEVICE) == "kitchen-2_b"


ENTRIES = [
    AccessEntry("kitchen", AccountKind.DEVICE, "$7$101$a$b"),
    AccessEntry(BRIDGE_ACCOUNT, AccountKind.SERVICE, "$7$101$c$d"),
    AccessEntry("ha", AccountKind.INTEGRATION, "$7$101$e$f"),
]


def test_the_password_file_has_one_sorted_line_per_account() -> None:
    assert render_passwords(ENTRIES) == "bridge:$7$101$c$d\nha:$7$101$e$f\nkitchen:$7$101$a$b\n"
    assert render_passwords([]) == ""


def test_the_acl_file_has_only_per_user_sections_with_each_accounts_rules() -> None:
    text = render_acl(ENTRIES)
    sections = text.split("\nuser ")[1:]

    assert [s.split("\n", 1)[0] for s in sections] == ["bridge", "ha", "kitchen"]
    kitchen = sections[2].strip().splitlines()[1:]
    assert kitchen == [r.line for r in rules_for(AccountKind.DEVICE, "kitchen")]
    # Nothing before the first section but comments: no global topic or pattern line.
    preamble = text.split("\nuser ")[0].splitlines()
    assert all(line.startswith("#") or not line.strip() for line in preamble)
    assert "pattern" not in text


def test_the_files_are_replaced_atomically_private_and_only_when_they_change(tmp_path: Path) -> None:
    folder = tmp_path / "access"
    assert write_access_files(folder, ENTRIES)
    inode = (folder / PASSWORDS_FILE).stat().st_ino

    assert not write_access_files(folder, ENTRIES)  # same accounts: untouched (no needless reload)
    assert (folder / PASSWORDS_FILE).stat().st_ino == inode
    assert write_access_files(folder, ENTRIES[1:])  # kitchen revoked
    assert "kitchen" not in (folder / PASSWORDS_FILE).read_text()
    assert "user kitchen" not in (folder / ACL_FILE).read_text()
    for name in (PASSWORDS_FILE, ACL_FILE):
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o640
    assert sorted(p.name for p in folder.iterdir()) == [ACL_FILE, PASSWORDS_FILE]  # no temporary left
