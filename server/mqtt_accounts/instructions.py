"""What a new account's owner is told, once (pure): broker URL, user, password and, for a Pi, its settings.

The Pi's agent reads its user name from ``MQTT_URL`` and its password from
``MQTT_PASSWORD_FILE`` (a file only the agent's user can read), never from the command line,
which ``ps`` shows to every user of the machine.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit, urlunsplit

PI_PASSWORD_FILE = "/etc/sensebridge/mqtt-password"  # noqa: S105 - a file's path
"""Where the printed instructions put the Pi's password file."""
PI_AGENT_USER = "sensebridge"
"""The user the printed instructions assume runs the agent on the Pi."""


def broker_url_check(url: str) -> str:
    """``url`` if it is ``mqtt[s]://host[:port]`` without credentials or path.

    Raises:
        ValueError: with what is wrong.
    """
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - urllib checks the port when it is read
    except ValueError:
        raise ValueError(f"broker URL {url!r}: not mqtt[s]://host[:port]") from None
    if parts.scheme not in ("mqtt", "mqtts") or not parts.hostname:
        raise ValueError(f"broker URL {url!r}: expected mqtt://host[:port] or mqtts://host[:port]")
    if parts.username or parts.password or parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(f"broker URL {url!r}: only mqtt[s]://host[:port], without user, password or path")
    return urlunsplit((parts.scheme, parts.netloc, "", "", ""))


def url_with_user(broker_url: str, username: str) -> str:
    """``mqtt[s]://<user>@host[:port]``: the user name in the URL, the password elsewhere."""
    parts = urlsplit(broker_url)
    return urlunsplit((parts.scheme, f"{quote(username, safe='')}@{parts.netloc}", "", "", ""))


def device_instructions(*, broker_url: str, device: str, password: str, action: str = "created") -> str:
    """The text ``mqtt device add|rotate`` prints once: credentials and the Pi's settings."""
    return "\n".join(
        [
            f"Device {device!r} {action}. Its password is shown this once (only a hash is stored):",
            "",
            f"  broker URL: {broker_url}",
            f"  user:       {device}",
            f"  password:   {password}",
            f"  device id:  {device}",
            "",
            "On the Pi, the agent's settings (environment, e.g. in its systemd unit's EnvironmentFile):",
            "",
            f"  MQTT_URL={url_with_user(broker_url, device)}",
            f"  MQTT_PASSWORD_FILE={PI_PASSWORD_FILE}",
            f"  EDGE_DEVICE_ID={device}",
            "",
            f"and the password file, readable only by the agent's user ({PI_AGENT_USER} here):",
            "",
            f"  sudo install -d -m 755 {PI_PASSWORD_FILE.rsplit('/', 1)[0]}",
            f"  sudo install -m 600 -o {PI_AGENT_USER} /dev/null {PI_PASSWORD_FILE}",
            f"  printf '%s\\n' '{password}' | sudo tee {PI_PASSWORD_FILE} > /dev/null",
            "",
            "Never put the password on the agent's command line: `ps` shows it to every user.",
        ]
    )


def integration_instructions(*, broker_url: str, name: str, password: str, action: str = "created") -> str:
    """The text ``mqtt integration add|rotate`` prints once: credentials and what the account may read."""
    return "\n".join(
        [
            f"Integration {name!r} {action}. Its password is shown this once (only a hash is stored):",
            "",
            f"  broker URL: {broker_url}",
            f"  user:       {name}",
            f"  password:   {password}",
            "",
            "It may subscribe to sensebridge/v1/+/reading and sensebridge/v1/+/status (docs/contract.md)",
            "and publish nothing. Keep the password in the program's configuration, not on a command line.",
        ]
    )
