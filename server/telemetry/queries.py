"""REST query parameters -> typed queries, or a :class:`QueryError` naming the field (pure, no Django).

Times are epoch milliseconds or ISO 8601 UTC (docs/api.md). Whether a device exists needs the
store, so the views check that after parsing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from contract.channels import CHANNEL_NAMES, CHANNELS_BY_NAME
from contract.codec import parse_ts
from contract.errors import ContractError
from contract.models import MAX_TIME_MS
from contract.rest import BAD_QUERY, MAX_HISTORY_POINTS, MAX_READINGS_LIMIT, UNKNOWN_CHANNEL
from contract.topics import validate_device_id
from storage.history import HistoryQuery

READINGS_WINDOW_MS = 10 * 60 * 1000
HISTORY_WINDOW_MS = 60 * 60 * 1000
DEFAULT_LIMIT = 1000
MAX_LIMIT = MAX_READINGS_LIMIT
DEFAULT_POINTS = 600
DEFAULT_HISTORY_CHANNELS = ("temperature", "humidity", "pressure")


class QueryError(ValueError):
    """A query parameter is invalid; becomes a 400 ``{"error": {"code", "field", "message"}}``."""

    def __init__(self, field: str, message: str, *, code: str = BAD_QUERY) -> None:
        super().__init__(message)
        self.field = field
        self.code = code


@dataclass(frozen=True, slots=True)
class RangeQuery:
    """Readings of ``device`` with ``since_ms <= ts < until_ms``: the raw list, or an export."""

    device: str
    since_ms: int
    until_ms: int
    channels: tuple[str, ...] = CHANNEL_NAMES
    limit: int = DEFAULT_LIMIT


def parse_device(device: str) -> str:
    """The device id from the path, if well formed."""
    try:
        return validate_device_id(device)
    except ContractError as exc:
        raise QueryError("device", exc.detail) from None


def parse_time(params: Mapping[str, str], name: str, default: int) -> int:
    """``params[name]`` as epoch milliseconds (digits) or ISO 8601 UTC; ``default`` when absent or empty."""
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    if raw.isascii() and raw.isdigit():
        value = int(raw)
        if value > MAX_TIME_MS:
            raise QueryError(name, f"{name} is after the year 9999")
        return value
    try:
        return parse_ts(raw, name)
    except ContractError as exc:
        raise QueryError(name, f"{name} must be epoch milliseconds or ISO 8601 UTC: {exc.detail}") from None


def parse_range(params: Mapping[str, str], *, now_ms: int, window_ms: int) -> tuple[int, int]:
    """``since``/``until``: default the last ``window_ms`` up to now; ``since`` must come first."""
    until_ms = parse_time(params, "until", now_ms + 1)
    since_ms = parse_time(params, "since", until_ms - window_ms)
    if since_ms >= until_ms:
        raise QueryError("since", "since must be before until")
    return since_ms, until_ms


def _bounded_int(params: Mapping[str, str], name: str, *, default: int, maximum: int) -> int:
    raw = params.get(name, "")
    if raw == "":
        return default
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= maximum:
        raise QueryError(name, f"{name} must be an integer from 1 to {maximum}")
    return int(raw)


def parse_channels(params: Mapping[str, str], default: tuple[str, ...]) -> tuple[str, ...]:
    """Comma-separated contract channel names, in the order given, each once."""
    raw = params.get("channels", "")
    if raw == "":
        return default
    names = [name.strip() for name in raw.split(",")]
    if any(not name for name in names):
        raise QueryError("channels", "channels is a comma-separated list of channel names without empty entries")
    unknown = [name for name in names if name not in CHANNELS_BY_NAME]
    if unknown:
        raise QueryError(
            "channels",
            f"unknown channel {unknown[0][:32]!r}; channels are {', '.join(CHANNEL_NAMES)}",
            code=UNKNOWN_CHANNEL,
        )
    return tuple(dict.fromkeys(names))


def readings_query(device: str, params: Mapping[str, str], *, now_ms: int) -> RangeQuery:
    """``GET .../readings?since&until&limit`` (default: the last 10 minutes, 1000 readings)."""
    parse_device(device)
    since_ms, until_ms = parse_range(params, now_ms=now_ms, window_ms=READINGS_WINDOW_MS)
    limit = _bounded_int(params, "limit", default=DEFAULT_LIMIT, maximum=MAX_LIMIT)
    return RangeQuery(device, since_ms, until_ms, limit=limit)


def history_query(device: str, params: Mapping[str, str], *, now_ms: int) -> HistoryQuery:
    """``GET .../history?since&until&channels&points`` (default: the last hour, 600 points)."""
    parse_device(device)
    since_ms, until_ms = parse_range(params, now_ms=now_ms, window_ms=HISTORY_WINDOW_MS)
    channels = parse_channels(params, DEFAULT_HISTORY_CHANNELS)
    points = _bounded_int(params, "points", default=DEFAULT_POINTS, maximum=MAX_HISTORY_POINTS)
    return HistoryQuery(device, since_ms, until_ms, channels, points)


def export_query(device: str, params: Mapping[str, str], *, now_ms: int) -> RangeQuery:
    """``GET .../export.csv|json?since&until&channels`` (default: the last hour, every channel)."""
    parse_device(device)
    since_ms, until_ms = parse_range(params, now_ms=now_ms, window_ms=HISTORY_WINDOW_MS)
    return RangeQuery(device, since_ms, until_ms, channels=parse_channels(params, CHANNEL_NAMES))
