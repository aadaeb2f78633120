"""Mosquitto's ``$7$`` hashes: ours are what ``mosquitto_passwd`` writes, byte for byte."""

from __future__ import annotations

import base64
import shutil
import subprocess
from pathlib import Path

import pytest

from server.mqtt_accounts.passwords import ITERATIONS, SALT_BYTES, hash_password, new_password, verify_password


def _mosquitto_passwd(tmp_path: Path, user: str, password: str) -> str:
    binary = shutil.which("mosquitto_passwd") or "/usr/bin/mosquitto_passwd"
    if not Path(binary).exists():
        pytest.fail("mosquitto_passwd is not installed: apt-get install mosquitto")
    path = tmp_path / "passwords"
    subprocess.run([binary, "-c", "-b", str(path), user, password], check=True, capture_output=True, timeout=10)
    name, hashed = path.read_text().strip().split(":", 1)
    assert name == user
    return hashed


def test_a_hash_made_by_mosquitto_passwd_is_verified_and_reproduced_from_its_salt(tmp_path: Path) -> None:
    theirs = _mosquitto_passwd(tmp_path, "kitchen", "s3cret-pw")
    salt = base64.b64decode(theirs.split("$")[3])

    assert verify_password("s3cret-pw", theirs)
    assert not verify_password("s3cret-pW", theirs)
    assert hash_password("s3cret-pw", salt=salt) == theirs


def test_our_hash_has_mosquittos_layout() -> None:
    hashed = hash_password("pw")
    empty, seven, iterations, salt, digest = hashed.split("$")

    assert (empty, seven, int(iterations)) == ("", "7", ITERATIONS)
    assert len(base64.b64decode(salt)) == SALT_BYTES
    assert len(base64.b64decode(digest)) == 64  # SHA-512
    assert hash_password("pw") != hashed  # a fresh salt each time
    assert verify_password("pw", hashed)


@pytest.mark.parametrize(
    "hashed",
    ["", "plain", "$6$salt$hash", "$7$x$AAAA$AAAA", "$7$101$not base64!$AAAA", "$7$101$AAAA"],
)
def test_anything_but_a_7_hash_verifies_nothing(hashed: str) -> None:
    assert not verify_password("pw", hashed)


def test_generated_passwords_are_long_random_and_safe_in_a_url_or_a_shell_quote() -> None:
    passwords = {new_password() for _ in range(50)}

    assert len(passwords) == 50
    for password in passwords:
        assert len(password) == 32
        assert set(password) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
