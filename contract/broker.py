"""How every sensebridge process addresses the MQTT broker: ``MQTT_URL``, ``MQTT_PROTOCOL``, credentials, TLS.

Standard library only (the Pi installs it with the edge agent). Settings, read by the edge agent
and the bridge alike (``docs/settings.md``):

* ``MQTT_URL``: ``mqtt://[user[:password]@]host[:port]`` (port 1883) or ``mqtts://...`` (TLS, port 8883);
* ``MQTT_PASSWORD_FILE``: a file whose first line is the password (a password in a file, not in the
  URL: the URL is often seen by more people and programs than a file readable by one user);
* ``MQTT_CA_FILE``: the PEM CA bundle that signed an ``mqtts://`` broker's certificate; unset, the
  system's trust store is used. The broker's host name is always verified.

:func:`broker_address` applies the rules between them and reports every problem at once in a
:class:`BrokerSettingsError`; a program that embeds a client builds a :class:`BrokerAddress`
directly. :func:`tls_context` is the one place where the TLS verification rules are set.

Exception tree::

    ValueError
        BrokerSettingsError     .problems: (setting name, reason) pairs, in table order
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

PROTOCOLS = ("5", "3.1.1")
SCHEMES = {"mqtt": (False, 1883), "mqtts": (True, 8883)}
"""URL scheme -> (TLS, default port)."""


@dataclass(frozen=True, slots=True)
class BrokerAddress:
    """Where the broker is and how to log in: a parsed ``MQTT_URL`` plus the password and CA files.

    Attributes:
        host: Broker host name or address (for TLS, the name its certificate must carry).
        port: TCP port (1883, or 8883 with TLS, unless given).
        username: Optional user name.
        password: Optional password (from the URL or ``MQTT_PASSWORD_FILE``; never in ``repr``).
        tls: Connect over TLS (``mqtts://``), verifying the broker's certificate and host name.
        ca_file: PEM CA bundle to verify the broker with; ``None``: the system's trust store.
    """

    host: str
    port: int
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    tls: bool = False
    ca_file: Path | None = None

    @property
    def url(self) -> str:
        """The URL without credentials (safe to log): ``mqtt[s]://host:port``."""
        return f"{'mqtts' if self.tls else 'mqtt'}://{self.host}:{self.port}"

    @property
    def trust(self) -> str:
        """What verifies the broker's certificate, for messages: the CA file, or the system's trust store."""
        return f"CA file {self.ca_file}" if self.ca_file is not None else "the system's trust store"


class BrokerSettingsError(ValueError):
    """The broker settings are invalid; :attr:`problems` lists each as (setting name, reason)."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        """Collect ``problems`` (at least one): the setting each is about, and why."""
        self.problems = tuple(problems)
        super().__init__("; ".join(f"{name}{reason}" for name, reason in self.problems))


def parse_mqtt_url(url: str) -> BrokerAddress:
    """Parse an ``MQTT_URL``: ``mqtt://`` or ``mqtts://``, ``[user[:password]@]host[:port]``.

    Raises:
        ValueError: with what is wrong (never the password).
    """
    shown = _masked(url)
    try:
        parts = urlsplit(url)
    except ValueError:
        raise ValueError(f"MQTT_URL {shown!r}: not a URL") from None
    if parts.scheme not in SCHEMES:
        raise ValueError(f"MQTT_URL {shown!r}: scheme must be mqtt:// or mqtts://")
    tls, default_port = SCHEMES[parts.scheme]
    if not parts.hostname:
        raise ValueError(f"MQTT_URL {shown!r}: no host")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(f"MQTT_URL {shown!r}: only {parts.scheme}://[user[:password]@]host[:port] is understood")
    try:
        port = parts.port or default_port
    except ValueError:
        raise ValueError(f"MQTT_URL {shown!r}: bad port") from None
    return BrokerAddress(
        host=parts.hostname,
        port=port,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        tls=tls,
    )


def url_has_password(url: str) -> bool:
    """Whether ``url`` carries a password (``user:password@``)."""
    try:
        return urlsplit(url).password is not None
    except ValueError:
        return False


def read_password_file(path: Path) -> str:
    """The password kept in ``path``: its first line, without the line break.

    Raises:
        ValueError: the file cannot be read, or its first line is empty.
    """
    try:
        with path.open(encoding="utf-8") as file:
            line = file.readline()
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read {path}: {_reason(exc)}") from None
    password = line.rstrip("\r\n")
    if not password:
        raise ValueError(f"{path}: the first line (the password) is empty")
    return password


def broker_address(url: str, *, password_file: Path | None = None, ca_file: Path | None = None) -> BrokerAddress:
    """The broker address the settings describe, with the password read from ``password_file``.

    Rules: a password comes from the URL or from the file, not both, and needs a user name in the
    URL; a CA file needs ``mqtts://`` (with ``mqtt://`` nothing would be verified, so a CA file there
    is a mistake, refused rather than ignored) and must hold PEM certificates.

    Args:
        url: ``MQTT_URL``.
        password_file: ``MQTT_PASSWORD_FILE``.
        ca_file: ``MQTT_CA_FILE``.

    Raises:
        BrokerSettingsError: every problem found, each named by its setting.
    """
    problems: list[tuple[str, str]] = []
    try:
        address: BrokerAddress | None = parse_mqtt_url(url)
    except ValueError as exc:
        problems.append(("MQTT_URL", f": {str(exc).removeprefix('MQTT_URL ')}"))
        address = None
    password = None
    if password_file is not None:
        try:
            password = read_password_file(password_file)
        except ValueError as exc:
            problems.append(("MQTT_PASSWORD_FILE", f": {exc}"))
        if address is not None and address.password is not None:
            problems.append(("MQTT_PASSWORD_FILE", ": MQTT_URL has a password too; keep it in one place"))
        elif address is not None and address.username is None:
            problems.append(("MQTT_PASSWORD_FILE", ": MQTT_URL names no user (mqtts://user@host)"))
    if ca_file is not None:
        if address is not None and not address.tls:
            problems.append(("MQTT_CA_FILE", f"={str(ca_file)!r} needs an mqtts:// MQTT_URL (mqtt:// has no TLS)"))
        try:
            ssl.create_default_context(cafile=str(ca_file))
        except (OSError, ssl.SSLError) as exc:
            problems.append(("MQTT_CA_FILE", f"={str(ca_file)!r}: not a readable PEM CA bundle ({_reason(exc)})"))
    if problems or address is None:
        raise BrokerSettingsError(problems)
    return BrokerAddress(
        host=address.host,
        port=address.port,
        username=address.username,
        password=password if password is not None else address.password,
        tls=address.tls,
        ca_file=ca_file,
    )


def tls_context(address: BrokerAddress) -> ssl.SSLContext:
    """The TLS client context for ``address``: TLS 1.2 or newer, certificate and host name verified.

    Trusts :attr:`BrokerAddress.ca_file` if given, else the system's trust store.

    Raises:
        OSError, ssl.SSLError: the CA file cannot be read or holds no certificate.
    """
    context = ssl.create_default_context(cafile=str(address.ca_file) if address.ca_file is not None else None)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def parse_protocol(value: str) -> str:
    """Validate ``MQTT_PROTOCOL`` (``5`` or ``3.1.1``).

    Raises:
        ValueError: anything else.
    """
    if value not in PROTOCOLS:
        raise ValueError(f"MQTT_PROTOCOL {value!r}: expected one of {', '.join(PROTOCOLS)}")
    return value


def _masked(url: str) -> str:
    try:
        password = urlsplit(url).password
    except ValueError:
        return url
    return url if password is None else url.replace(f":{password}@", ":***@", 1)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__
