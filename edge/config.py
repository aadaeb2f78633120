"""Settings of the edge agent, read once at start-up from the environment and flags.

Every setting is an environment variable with a matching command-line flag; a flag
given on the command line wins over the variable. An empty variable counts as unset.
All problems are collected and raised together as one :class:`~edge.errors.ConfigError`.

| Variable                 | Flag                  | Default               | Meaning
|--------------------------|-----------------------|-----------------------|------------------------------------------
| MQTT_URL                 | --mqtt-url            | mqtt://127.0.0.1:1883 | mqtt://[user[:password]@]host[:port]
| MQTT_PROTOCOL            | --mqtt-protocol       | 5                     | 5 or 3.1.1 (the embedded amqtt broker
|                          |                       |                       | speaks only 3.1.1)
| EDGE_DEVICE_ID           | --device-id           | (none)                | The device id; with EDGE_SIMULATE the
|                          |                       |                       | prefix of the simulated ids ("sim")
| EDGE_SOURCE              | --source              | simulator             | sense-hat, sense-emu or simulator
| EDGE_SIMULATE            | --simulate            | 0                     | N > 0: N simulated devices in one
|                          |                       |                       | process, ids <prefix>-1 .. <prefix>-N
|                          |                       |                       | (simulator source only). 0: one device,
|                          |                       |                       | EDGE_DEVICE_ID required
| EDGE_RATE_HZ             | --rate-hz             | 1.0                   | Readings per second per device, (0, 50]
| EDGE_SEED                | --seed                | 0                     | Simulator seed: same seed, same readings
| EDGE_OUTBOX_DIR          | --outbox-dir          | ./var/edge            | Outbox folder, one <device>.sqlite3 each
| EDGE_OUTBOX_MAX_READINGS | --outbox-max-readings | 1000000               | Unacknowledged readings kept per device;
|                          |                       |                       | the oldest beyond it are dropped, counted
| EDGE_OUTBOX_MAX_AGE_S    | --outbox-max-age-s    | 2592000 (30 days)     | Older unacknowledged readings are
|                          |                       |                       | dropped and counted
| EDGE_ACK_TIMEOUT_S       | --ack-timeout-s       | 10                    | A sent reading without storage ack is
|                          |                       |                       | sent again after this; the wait doubles
|                          |                       |                       | per attempt, up to 8 times this
| EDGE_RESEND_BATCH        | --resend-batch        | 500                   | Most readings per batch message when
|                          |                       |                       | re-sending, 1 .. 1000
| EDGE_STATUS_INTERVAL_S   | --status-interval-s   | 30                    | Seconds between retained online status
|                          |                       |                       | updates (pending, dropped counters)
| EDGE_LOG_LEVEL           | --log-level           | INFO                  | DEBUG, INFO, WARNING or ERROR
"""

from __future__ import annotations

import argparse
import enum
import math
import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from contract.broker import BrokerAddress, parse_mqtt_url, parse_protocol
from contract.models import MAX_BATCH_READINGS
from contract.topics import DEVICE_ID_PATTERN
from edge.errors import ConfigError

MAX_RATE_HZ = 50.0
MAX_SIMULATED_DEVICES = 1000
DEFAULT_SIMULATION_PREFIX = "sim"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")

_DEVICE_ID = re.compile(DEVICE_ID_PATTERN)
_T = TypeVar("_T")


class SourceKind(enum.StrEnum):
    """Where readings come from."""

    SENSE_HAT = "sense-hat"
    SENSE_EMU = "sense-emu"
    SIMULATOR = "simulator"


@dataclass(frozen=True, slots=True)
class EdgeConfig:
    """Validated settings of one edge process (one or more devices).

    Attributes:
        broker: Where the broker is, with optional credentials.
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

    broker: BrokerAddress
    mqtt_protocol: str = "5"
    devices: tuple[str, ...] = ("sim-1",)
    source: SourceKind = SourceKind.SIMULATOR
    rate_hz: float = 1.0
    seed: int = 0
    outbox_dir: Path = Path("var/edge")
    outbox_max_readings: int = 1_000_000
    outbox_max_age_s: float = 30 * 24 * 3600.0
    ack_timeout_s: float = 10.0
    resend_batch: int = 500
    status_interval_s: float = 30.0
    log_level: str = "INFO"

    def outbox_path(self, device: str) -> Path:
        """The outbox file of ``device``."""
        return self.outbox_dir / f"{device}.sqlite3"

    def device_index(self, device: str) -> int:
        """Position of ``device`` in :attr:`devices`, which the simulator uses to vary devices.

        Raises:
            ValueError: ``device`` is not one of this configuration's devices.
        """
        return self.devices.index(device)


@dataclass(frozen=True, slots=True)
class _Setting:
    env: str
    flag: str
    default: str | None
    help: str

    @property
    def dest(self) -> str:
        return self.flag.removeprefix("--").replace("-", "_")


SETTINGS: tuple[_Setting, ...] = (
    _Setting("MQTT_URL", "--mqtt-url", "mqtt://127.0.0.1:1883", "broker URL, mqtt://[user[:password]@]host[:port]"),
    _Setting("MQTT_PROTOCOL", "--mqtt-protocol", "5", "MQTT protocol version: 5 or 3.1.1"),
    _Setting("EDGE_DEVICE_ID", "--device-id", None, "device id (with --simulate: prefix of the simulated ids)"),
    _Setting("EDGE_SOURCE", "--source", SourceKind.SIMULATOR.value, "sense-hat, sense-emu or simulator"),
    _Setting("EDGE_SIMULATE", "--simulate", "0", "run N simulated devices <prefix>-1..<prefix>-N"),
    _Setting("EDGE_RATE_HZ", "--rate-hz", "1.0", f"readings per second per device, at most {MAX_RATE_HZ:g}"),
    _Setting("EDGE_SEED", "--seed", "0", "simulator seed"),
    _Setting("EDGE_OUTBOX_DIR", "--outbox-dir", "./var/edge", "folder of the per-device outbox files"),
    _Setting("EDGE_OUTBOX_MAX_READINGS", "--outbox-max-readings", "1000000", "unacknowledged readings kept"),
    _Setting("EDGE_OUTBOX_MAX_AGE_S", "--outbox-max-age-s", str(30 * 24 * 3600), "oldest reading kept, seconds"),
    _Setting("EDGE_ACK_TIMEOUT_S", "--ack-timeout-s", "10", "seconds before an unacknowledged reading is re-sent"),
    _Setting("EDGE_RESEND_BATCH", "--resend-batch", "500", f"readings per batch message, 1..{MAX_BATCH_READINGS}"),
    _Setting("EDGE_STATUS_INTERVAL_S", "--status-interval-s", "30", "seconds between online status updates"),
    _Setting("EDGE_LOG_LEVEL", "--log-level", "INFO", "DEBUG, INFO, WARNING or ERROR"),
)


def build_parser() -> argparse.ArgumentParser:
    """The command-line parser; every flag defaults to "not given" so the environment applies."""
    parser = argparse.ArgumentParser(
        prog="sensebridge-edge",
        description="sensebridge edge agent: samples Sense HAT readings and publishes them over MQTT.",
        epilog="Each flag overrides the environment variable named in brackets.",
    )
    for setting in SETTINGS:
        default = f", default {setting.default}" if setting.default is not None else ""
        parser.add_argument(
            setting.flag,
            dest=setting.dest,
            default=None,
            metavar="VALUE",
            help=f"{setting.help} [{setting.env}{default}]",
        )
    return parser


class _Collector:
    """Resolves raw setting values (flag over environment over default) and collects problems."""

    def __init__(self, flags: argparse.Namespace, environ: Mapping[str, str]) -> None:
        self.flags = flags
        self.environ = environ
        self.problems: list[str] = []
        self._by_env = {s.env: s for s in SETTINGS}

    def raw(self, env: str) -> str | None:
        setting = self._by_env[env]
        flagged = getattr(self.flags, setting.dest)
        if flagged is not None:
            return str(flagged)
        value = self.environ.get(env, "")
        return value if value != "" else setting.default

    def given(self, env: str) -> bool:
        setting = self._by_env[env]
        return getattr(self.flags, setting.dest) is not None or self.environ.get(env, "") != ""

    def label(self, env: str) -> str:
        return f"{env} ({self._by_env[env].flag})"

    def convert(self, env: str, parse: Callable[[str], _T], fallback: _T) -> _T:
        raw = self.raw(env)
        if raw is None:
            return fallback
        try:
            return parse(raw.strip())
        except ValueError as exc:
            self.problems.append(f"{self.label(env)}={raw!r}: {exc}")
            return fallback

    def number(self, env: str, *, minimum: float, maximum: float, exclusive_min: bool = False) -> float:
        def parse(text: str) -> float:
            try:
                value = float(text)
            except ValueError:
                raise ValueError("not a number") from None
            if not math.isfinite(value):
                raise ValueError("must be a finite number")
            if value < minimum or (exclusive_min and value == minimum) or value > maximum:
                low = "(" if exclusive_min else "["
                raise ValueError(f"must be in {low}{minimum:g}, {maximum:g}]")
            return value

        return self.convert(env, parse, math.nan)

    def integer(self, env: str, *, minimum: int, maximum: int) -> int:
        def parse(text: str) -> int:
            try:
                value = int(text)
            except ValueError:
                raise ValueError("not an integer") from None
            if not minimum <= value <= maximum:
                raise ValueError(f"must be an integer in [{minimum}, {maximum}]")
            return value

        return self.convert(env, parse, 0)


def _parse_source(text: str) -> SourceKind:
    try:
        return SourceKind(text)
    except ValueError:
        raise ValueError(f"expected one of {', '.join(k.value for k in SourceKind)}") from None


def _parse_level(text: str) -> str:
    level = text.upper()
    if level not in LOG_LEVELS:
        raise ValueError(f"expected one of {', '.join(LOG_LEVELS)}")
    return level


def _devices(collect: _Collector, source: SourceKind, simulate: int) -> tuple[str, ...]:
    device_id = collect.raw("EDGE_DEVICE_ID")
    if simulate == 0:
        if device_id is None:
            collect.problems.append(
                f"{collect.label('EDGE_DEVICE_ID')} is required unless EDGE_SIMULATE (--simulate) is set"
            )
            return ()
        ids: tuple[str, ...] = (device_id,)
    else:
        if source is not SourceKind.SIMULATOR and collect.given("EDGE_SOURCE"):
            collect.problems.append(
                f"{collect.label('EDGE_SIMULATE')}={simulate} needs EDGE_SOURCE=simulator, got {source.value!r}"
            )
        prefix = device_id if device_id is not None else DEFAULT_SIMULATION_PREFIX
        ids = tuple(f"{prefix}-{n}" for n in range(1, simulate + 1))
    bad = [d for d in ids if not _DEVICE_ID.fullmatch(d)]
    if bad:
        collect.problems.append(
            f"{collect.label('EDGE_DEVICE_ID')}: {bad[0]!r} is not a valid device id "
            "(lower-case letters, digits, '-' and '_', at most 64 characters)"
        )
    return ids


def load_config(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> EdgeConfig:
    """Read the settings once: flags from ``argv`` over variables from ``environ``.

    Args:
        argv: Command-line arguments without the program name (default ``sys.argv[1:]``).
        environ: Environment (default ``os.environ``).

    Raises:
        ConfigError: listing every invalid or missing setting.
        SystemExit: on ``--help`` or a malformed command line (argparse's behaviour).
    """
    flags = build_parser().parse_args(sys.argv[1:] if argv is None else list(argv))
    collect = _Collector(flags, os.environ if environ is None else environ)

    broker = collect.convert("MQTT_URL", parse_mqtt_url, None)
    protocol = collect.convert("MQTT_PROTOCOL", parse_protocol, "5")
    source = collect.convert("EDGE_SOURCE", _parse_source, SourceKind.SIMULATOR)
    simulate = collect.integer("EDGE_SIMULATE", minimum=0, maximum=MAX_SIMULATED_DEVICES)
    devices = _devices(collect, source, simulate)
    rate_hz = collect.number("EDGE_RATE_HZ", minimum=0.0, maximum=MAX_RATE_HZ, exclusive_min=True)
    seed = collect.integer("EDGE_SEED", minimum=0, maximum=2**63 - 1)
    outbox_dir = Path(collect.raw("EDGE_OUTBOX_DIR") or "./var/edge")
    max_readings = collect.integer("EDGE_OUTBOX_MAX_READINGS", minimum=1, maximum=2**62)
    max_age_s = collect.number("EDGE_OUTBOX_MAX_AGE_S", minimum=0.0, maximum=10 * 365 * 86400.0, exclusive_min=True)
    ack_timeout_s = collect.number("EDGE_ACK_TIMEOUT_S", minimum=0.0, maximum=86400.0, exclusive_min=True)
    resend_batch = collect.integer("EDGE_RESEND_BATCH", minimum=1, maximum=MAX_BATCH_READINGS)
    status_interval_s = collect.number("EDGE_STATUS_INTERVAL_S", minimum=0.0, maximum=86400.0, exclusive_min=True)
    log_level = collect.convert("EDGE_LOG_LEVEL", _parse_level, "INFO")

    if collect.problems or broker is None:
        raise ConfigError(collect.problems)
    return EdgeConfig(
        broker=broker,
        mqtt_protocol=protocol,
        devices=devices,
        source=source,
        rate_hz=rate_hz,
        seed=seed,
        outbox_dir=outbox_dir,
        outbox_max_readings=max_readings,
        outbox_max_age_s=max_age_s,
        ack_timeout_s=ack_timeout_s,
        resend_batch=resend_batch,
        status_interval_s=status_interval_s,
        log_level=log_level,
    )
