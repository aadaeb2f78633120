"""A process's broker settings (``MQTT_URL``, ``MQTT_PASSWORD_FILE``, ``MQTT_CA_FILE``) as one address.

Shared by the edge agent and the bridge, which read the same three rows of the table; the rules
between them (a password in one place only, a CA file only for ``mqtts://``) are
:func:`contract.broker.broker_address`'s.
"""

from __future__ import annotations

from config import table as t
from config.loader import Values
from contract.broker import BrokerAddress, BrokerSettingsError, broker_address, parse_mqtt_url

DEFAULT_BROKER = parse_mqtt_url(t.MQTT_URL.default_value)


def broker_setting(values: Values) -> BrokerAddress:
    """The broker of ``values``; its problems are added to ``values`` (then the default is returned)."""
    if not all(values.valid(s) for s in (t.MQTT_URL, t.MQTT_PASSWORD_FILE, t.MQTT_CA_FILE)):
        return DEFAULT_BROKER
    try:
        return broker_address(
            values[t.MQTT_URL], password_file=values.get(t.MQTT_PASSWORD_FILE), ca_file=values.get(t.MQTT_CA_FILE)
        )
    except BrokerSettingsError as exc:
        for name, reason in exc.problems:
            values.problem(t.BY_NAME[name], reason)
    return DEFAULT_BROKER
