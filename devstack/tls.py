"""Throwaway TLS certificates for tests: a self-signed CA and a server certificate it signed.

Made with the ``openssl`` command (Debian's ``openssl`` package), so no Python dependency is
added for it: :func:`make_certificates` writes a CA (P-256 key, ``CA:TRUE``) and a server
certificate for ``127.0.0.1`` and ``localhost`` (or the names given) into a folder, valid for a
few days. :func:`tls_listener_config` turns them into the lines of a Mosquitto TLS listener, to
pass as ``start_mosquitto(extra_config=...)``: it is added beside the plain listener.

Not for production: the keys are unencrypted and the folder is the test's. ``docs/security.md``
says how to make real ones.

Exceptions:
    ProcessError: ``openssl`` is missing or refused a command (its output is in the message).
"""

from __future__ import annotations

import ipaddress
import secrets
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from devstack.net import LOOPBACK
from devstack.process import ProcessError, find_binary

DEFAULT_HOSTS = ("127.0.0.1", "localhost")
VALID_DAYS = 7
_CURVE = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]


@dataclass(frozen=True, slots=True)
class Certificates:
    """A test CA and a server certificate it signed (PEM files).

    Attributes:
        ca_file: The CA certificate: what clients trust (``MQTT_CA_FILE``).
        ca_key: The CA's private key.
        cert_file: The server certificate.
        key_file: The server's private key.
        hosts: The names and addresses the server certificate is valid for.
    """

    ca_file: Path
    ca_key: Path
    cert_file: Path
    key_file: Path
    hosts: tuple[str, ...]


def _openssl(*args: str, cwd: Path) -> None:
    binary = find_binary("openssl", package="openssl")
    result = subprocess.run([binary, *args], cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise ProcessError("openssl", f"{' '.join(args[:2])} failed:\n{result.stderr.strip()}")


def _subject_alt_names(hosts: Sequence[str]) -> str:
    names = []
    for host in hosts:
        try:
            ipaddress.ip_address(host)
        except ValueError:
            names.append(f"DNS:{host}")
        else:
            names.append(f"IP:{host}")
    return ",".join(names)


def make_certificates(
    folder: Path,
    *,
    hosts: Sequence[str] = DEFAULT_HOSTS,
    ca: Certificates | None = None,
    ca_name: str = "sensebridge test CA",
) -> Certificates:
    """Write a server certificate for ``hosts`` into ``folder``, signed by a new CA (or by ``ca``).

    Args:
        folder: Existing folder; writes ``server.crt``, ``server.key`` and, for a new CA,
            ``ca.crt`` and ``ca.key``.
        hosts: Host names and IP addresses the server certificate names (subjectAltName).
        ca: Sign with this CA instead of a new one (a second certificate from the same CA).
        ca_name: The new CA's common name.

    Raises:
        ValueError: no host.
        ProcessError: ``openssl`` is missing or failed.
    """
    if not hosts:
        raise ValueError("a server certificate needs at least one host")
    folder = folder.resolve()  # openssl runs in it: the paths it is given must not be relative to here
    files = Certificates(
        ca_file=ca.ca_file if ca else folder / "ca.crt",
        ca_key=ca.ca_key if ca else folder / "ca.key",
        cert_file=folder / "server.crt",
        key_file=folder / "server.key",
        hosts=tuple(hosts),
    )
    if ca is None:
        _openssl(
            *("req", "-x509", *_CURVE, "-keyout", str(files.ca_key), "-out", str(files.ca_file)),
            *("-days", str(VALID_DAYS), "-subj", f"/CN={ca_name}"),
            *("-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"),
            cwd=folder,
        )
    extensions = folder / "server.ext"
    extensions.write_text(
        f"subjectAltName={_subject_alt_names(hosts)}\n"
        "basicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature\n"
        "extendedKeyUsage=serverAuth\n"
        "subjectKeyIdentifier=hash\n"
        "authorityKeyIdentifier=keyid,issuer\n"
    )
    _openssl(
        *("req", "-new", *_CURVE, "-keyout", files.key_file.name, "-out", "server.csr", "-subj", f"/CN={hosts[0]}"),
        cwd=folder,
    )
    _openssl(
        *("x509", "-req", "-in", "server.csr", "-CA", str(files.ca_file), "-CAkey", str(files.ca_key)),
        *("-set_serial", str(secrets.randbits(63)), "-out", files.cert_file.name),
        *("-days", str(VALID_DAYS), "-extfile", extensions.name),
        cwd=folder,
    )
    return files


def tls_listener_config(port: int, cert: Certificates, *, host: str = LOOPBACK) -> str:
    """Mosquitto lines for a TLS listener on ``host:port`` serving ``cert`` (TLS 1.2 or newer).

    The options after ``listener`` belong to that listener, so these lines go after every other
    listener (``start_mosquitto``'s ``extra_config`` does). Clients present no certificate: they
    log in with a user name and password as on the plain listener.
    """
    return "\n".join(
        [
            f"listener {port} {host}",
            f"cafile {cert.ca_file}",
            f"certfile {cert.cert_file}",
            f"keyfile {cert.key_file}",
            "tls_version tlsv1.2",
        ]
    )
