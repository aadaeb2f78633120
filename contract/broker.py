"""How every sensebridge process addresses the MQTT broker: ``MQTT_URL`` and ``MQTT_PROTOCOL``."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

PROTOCOLS = ("5", "3.1.1")


@dataclass(frozen=True, slots=True)
class BrokerAddress:
    """A parsed ``mqtt://[user[:password]@]host[:port]`` URL.

    Attributes:
        host: Broker host name or address.
        port: TCP port (1883 unless given).
        username: Optional user name.
        password: Optional password.
    """

    host: str
    port: int
    username: str | None = None
    password: str | None = None

    @property
    def url(self) -> str:
        """The URL without credentials (safe to log)."""
        return f"mqtt://{self.host}:{self.port}"


def parse_mqtt_url(url: str) -> BrokerAddress:
    """Parse an ``MQTT_URL``.

    Raises:
        ValueError: with what is wrong.
    """
    parts = urlsplit(url)
    if parts.scheme != "mqtt":
        raise ValueError(f"MQTT_URL {url!r}: scheme must be mqtt://")
    if not parts.hostname:
        raise ValueError(f"MQTT_URL {url!r}: no host")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(f"MQTT_URL {url!r}: only mqtt://[user[:password]@]host[:port] is understood")
    try:
        port = parts.port or 1883
    except ValueError:
        raise ValueError(f"MQTT_URL {url!r}: bad port") from None
    return BrokerAddress(
        host=parts.hostname,
        port=port,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


def parse_protocol(value: str) -> str:
    """Validate ``MQTT_PROTOCOL`` (``5`` or ``3.1.1``).

    Raises:
        ValueError: anything else.
    """
    if value not in PROTOCOLS:
        raise ValueError(f"MQTT_PROTOCOL {value!r}: expected one of {', '.join(PROTOCOLS)}")
    return value
