"""Settings of the edge agent: the ``edge`` rows of the settings table (:mod:`config.table`).

Every setting is an environment variable with a matching command-line flag; a flag given on
the command line wins over the variable, and an empty variable counts as unset. The variables,
flags, defaults and ranges are in ``docs/settings.md`` (and ``python -m edge --help``). All
problems are collected and raised together as one :class:`config.ConfigError`. Rules between
settings: ``EDGE_DEVICE_ID`` is required unless ``EDGE_SIMULATE`` is set (then it is the prefix
of the simulated ids, ``sim`` by default); simulating needs the simulator source; every device
id is a valid contract id; the broker settings follow :func:`contract.broker.broker_address`
(password in ``MQTT_URL`` or ``MQTT_PASSWORD_FILE``, CA file only with ``mqtts://``). A password
inside ``--mqtt-url`` is refused: every user of the machine can read a command line (``ps``).

A program that embeds agents builds an :class:`EdgeConfig` directly (each field defaults to
the table's default).
"""

from __future__ import annotations

import argparse
import enum
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import config
from config import Process, Values
from config import table as t
from config.broker import DEFAULT_BROKER, broker_setting
from config.loader import add_flags, given_flags
from contract.broker import BrokerAddress, url_has_password
from contract.topics import DEVICE_ID_PATTERN

DEFAULT_SIMULATION_PREFIX = "sim"
LOG_LEVELS = t.EDGE_LOG_LEVEL.choices

_DEVICE_ID = re.compile(DEVICE_ID_PATTERN)


class SourceKind(enum.StrEnum):
    """Where readings come from (the choices of ``EDGE_SOURCE``; a test keeps them equal)."""

    SENSE_HAT = "sense-hat"
    SENSE_EMU = "sense-emu"
    SIMULATOR = "simulator"


DEFAULT_SOURCE = SourceKind(t.EDGE_SOURCE.default_value)


def simulated_ids(prefix: str, count: int) -> tuple[str, ...]:
    """The ids of ``count`` simulated devices: ``<prefix>-1`` .. ``<prefix>-<count>``."""
    return tuple(f"{prefix}-{n}" for n in range(1, count + 1))


@dataclass(frozen=True, slots=True)
class EdgeConfig:
    """Validated settings of one edge process (one or more devices).

    Attributes:
        broker: Where the broker is, with optional credentials (password read from its file) and TLS.
        mqtt_protocol: ``"5"`` or ``"3.1.1"``.
        devices: Device ids this process runs an agent for, in order.
        source: Where readings come from.
        rate_hz: Readings per second per device.
        seed: Simulator seed.
        outbox_dir: Folder of the per-device outbox files.
        outbox_max_readings: Most unacknowledged readings kept per device.
        outbox_max_age_s: Oldest unacknowledged reading kept, in seconds.
        ack_timeout_s: Seconds before an unacknowledged reading is sent again.
        resend_batch: Most readings per ``batch`` message.
        status_interval_s: Seconds between ``online`` status updates.
        log_level: Logging level name.
    """

    broker: BrokerAddress = DEFAULT_BROKER
    mqtt_protocol: str = t.MQTT_PROTOCOL.default_value
    devices: tuple[str, ...] = simulated_ids(DEFAULT_SIMULATION_PREFIX, 1)
    source: SourceKind = DEFAULT_SOURCE
    rate_hz: float = t.EDGE_RATE_HZ.default_value
    seed: int = t.EDGE_SEED.default_value
    outbox_dir: Path = t.EDGE_OUTBOX_DIR.default_value
    outbox_max_readings: int = t.EDGE_OUTBOX_MAX_READINGS.default_value
    outbox_max_age_s: float = t.EDGE_OUTBOX_MAX_AGE_S.default_value
    ack_timeout_s: float = t.EDGE_ACK_TIMEOUT_S.default_value
    resend_batch: int = t.EDGE_RESEND_BATCH.default_value
    status_interval_s: float = t.EDGE_STATUS_INTERVAL_S.default_value
    log_level: str = t.EDGE_LOG_LEVEL.default_value

    def outbox_path(self, device: str) -> Path:
        """The outbox file of ``device``."""
        return self.outbox_dir / f"{device}.sqlite3"

    def device_index(self, device: str) -> int:
        """Position of ``device`` in :attr:`devices`, which the simulator uses to vary devices.

        Raises:
            ValueError: ``device`` is not one of this configuration's devices.
        """
        return self.devices.index(device)


def build_parser() -> argparse.ArgumentParser:
    """The command-line parser: one flag per edge setting, each "not given" unless typed."""
    parser = argparse.ArgumentParser(
        prog="sensebridge-edge",
        description="sensebridge edge agent: samples Sense HAT readings and publishes them over MQTT.",
        epilog="Each flag overrides the environment variable named in brackets.",
    )
    add_flags(parser, Process.EDGE)
    return parser


def _devices(values: Values, source: SourceKind) -> tuple[str, ...]:
    device_id = values.get(t.EDGE_DEVICE_ID)
    simulate = values[t.EDGE_SIMULATE] if values.valid(t.EDGE_SIMULATE) else t.EDGE_SIMULATE.default_value
    if simulate == 0:
        if device_id is None:
            values.problem(t.EDGE_DEVICE_ID, "is required unless EDGE_SIMULATE (--simulate) is set")
            return ()
        ids: tuple[str, ...] = (device_id,)
    else:
        if source is not SourceKind.SIMULATOR and values.given(t.EDGE_SOURCE):
            values.problem(t.EDGE_SIMULATE, f"={simulate} needs EDGE_SOURCE=simulator, got {source.value!r}")
        ids = simulated_ids(device_id or DEFAULT_SIMULATION_PREFIX, simulate)
    bad = [d for d in ids if not _DEVICE_ID.fullmatch(d)]
    if bad:
        values.problem(
            t.EDGE_DEVICE_ID,
            f": {bad[0]!r} is not a valid device id (lower-case letters, digits, '-' and '_', at most 64 characters)",
        )
    return ids


def _broker(values: Values, flags: Mapping[str, str]) -> BrokerAddress:
    if url_has_password(flags.get(t.MQTT_URL.name, "")):
        values.problem(
            t.MQTT_URL,
            "has a password, and every user of this machine can read a command line (ps): "
            "put it in MQTT_PASSWORD_FILE (--mqtt-password-file) or in the MQTT_URL variable",
        )
        return DEFAULT_BROKER
    return broker_setting(values)


def load_config(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> EdgeConfig:
    """Read the settings once: flags from ``argv`` over variables from ``environ``.

    Args:
        argv: Command-line arguments without the program name (default ``sys.argv[1:]``).
        environ: Environment (default ``os.environ``).

    Raises:
        config.ConfigError: listing every invalid or missing setting.
        SystemExit: on ``--help`` or a malformed command line (argparse's behaviour).
    """
    flags = given_flags(build_parser().parse_args(sys.argv[1:] if argv is None else list(argv)), Process.EDGE)
    values = config.read(Process.EDGE, environ, flags)
    broker = _broker(values, flags)
    source = SourceKind(values[t.EDGE_SOURCE]) if values.valid(t.EDGE_SOURCE) else DEFAULT_SOURCE
    settings = EdgeConfig(
        broker=broker,
        mqtt_protocol=values[t.MQTT_PROTOCOL],
        devices=_devices(values, source),
        source=source,
        rate_hz=values[t.EDGE_RATE_HZ],
        seed=values[t.EDGE_SEED],
        outbox_dir=values[t.EDGE_OUTBOX_DIR],
        outbox_max_readings=values[t.EDGE_OUTBOX_MAX_READINGS],
        outbox_max_age_s=values[t.EDGE_OUTBOX_MAX_AGE_S],
        ack_timeout_s=values[t.EDGE_ACK_TIMEOUT_S],
        resend_batch=values[t.EDGE_RESEND_BATCH],
        status_interval_s=values[t.EDGE_STATUS_INTERVAL_S],
        log_level=values[t.EDGE_LOG_LEVEL],
    )
    values.check()
    return settings
