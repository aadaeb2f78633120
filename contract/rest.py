"""REST API v1 response bodies (docs/api.md), built from contract models and plain values.

The bodies are defined in :mod:`contract.spec.rest`; these builders are what the server
calls, and the unit tests prove that what they build validates against the generated
schemas. Times are epoch milliseconds and name their clock: ``device_ts`` (the device's
clock) or ``received_ts`` (the bridge's, when it received the MQTT message).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from contract.access import Action, Role
from contract.live import reading_row
from contract.models import Reading
from contract.spec.rest import (
    BAD_BODY,
    BAD_CREDENTIALS,
    BAD_QUERY,
    CSRF_FAILED,
    ERROR_CODES,
    MAX_HISTORY_POINTS,
    MAX_PASSWORD_CHARS,
    MAX_READINGS_LIMIT,
    MAX_TOKEN_NAME_CHARS,
    MAX_USERNAME_CHARS,
    METHOD_NOT_ALLOWED,
    NOT_AUTHENTICATED,
    PERMISSION_DENIED,
    RATE_LIMITED,
    UNKNOWN_CHANNEL,
    UNKNOWN_DEVICE,
    UNKNOWN_TOKEN,
)

__all__ = [
    "BAD_BODY",
    "BAD_CREDENTIALS",
    "BAD_QUERY",
    "CSRF_FAILED",
    "ERROR_CODES",
    "MAX_HISTORY_POINTS",
    "MAX_PASSWORD_CHARS",
    "MAX_READINGS_LIMIT",
    "MAX_TOKEN_NAME_CHARS",
    "MAX_USERNAME_CHARS",
    "METHOD_NOT_ALLOWED",
    "NOT_AUTHENTICATED",
    "PERMISSION_DENIED",
    "RATE_LIMITED",
    "UNKNOWN_CHANNEL",
    "UNKNOWN_DEVICE",
    "UNKNOWN_TOKEN",
    "api_token_created",
    "api_token_entry",
    "api_token_list",
    "csrf_body",
    "current_user_body",
    "device_entry",
    "device_list",
    "error_body",
    "export_row",
    "health_body",
    "history_answer",
    "readings_page",
    "ticket_body",
]


def device_entry(
    *,
    device: str,
    online: bool,
    boot: str | None,
    status_received_ts: int | None,
    pending: int | None,
    dropped: int | None,
    latest: Reading | None,
) -> dict[str, Any]:
    """One device of ``GET /api/v1/devices``.

    ``last_received_ts`` is the newer of the newest reading's and the last status's
    receive time: both on the bridge's clock, so "last seen" never mixes clocks.
    """
    heard = [t for t in (status_received_ts, latest.rx_ms if latest is not None else None) if t is not None]
    return {
        "device": device,
        "online": online,
        "boot": boot,
        "status_received_ts": status_received_ts,
        "last_received_ts": max(heard) if heard else None,
        "pending": pending,
        "dropped": dropped,
        "latest": reading_row(latest) if latest is not None else None,
    }


def device_list(entries: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """``GET /api/v1/devices``: every device the store knows."""
    return {"devices": list(entries)}


def readings_page(
    *, device: str, since_device_ts: int, until_device_ts: int, readings: Sequence[Reading], truncated: bool
) -> dict[str, Any]:
    """``GET /api/v1/devices/<id>/readings``: raw readings with ``since <= device_ts < until``."""
    return {
        "device": device,
        "since_device_ts": since_device_ts,
        "until_device_ts": until_device_ts,
        "readings": [reading_row(r) for r in readings],
        "truncated": truncated,
    }


def history_answer(
    *,
    device: str,
    since_device_ts: int,
    until_device_ts: int,
    bucket_ms: int,
    channels: Sequence[str],
    device_ts: list[int],
    n: list[int],
    series: Mapping[str, Mapping[str, list[float | None]]],
    gaps_device_ts: Iterable[tuple[int, int]],
    raw: tuple[list[int], list[str]] | None = None,
) -> dict[str, Any]:
    """``GET /api/v1/devices/<id>/history``: columns of buckets (or raw readings) and gaps.

    Args:
        device: Device id.
        since_device_ts: The range asked for, inclusive (device clock).
        until_device_ts: The range asked for, exclusive (device clock).
        bucket_ms: Bucket width; 0 for raw readings.
        channels: Channel names, in the order asked for.
        device_ts: Bucket starts, or the readings' device times when raw.
        n: Readings per bucket (1 when raw).
        series: Channel -> ``{"min", "max", "mean"}`` columns.
        gaps_device_ts: ``(from, to)`` stretches without readings.
        raw: For raw answers, the ``seq`` and ``boot`` columns.
    """
    body: dict[str, Any] = {
        "device": device,
        "since_device_ts": since_device_ts,
        "until_device_ts": until_device_ts,
        "bucket_ms": bucket_ms,
        "channels": list(channels),
        "device_ts": device_ts,
        "n": n,
    }
    if raw is not None:
        body["seq"], body["boot"] = raw
    body["series"] = series
    body["gaps_device_ts"] = [[start, end] for start, end in gaps_device_ts]
    return body


def error_body(*, code: str, field: str, message: str) -> dict[str, Any]:
    """The body of a 4xx answer: its code, what to blame (query parameter, body field, header) and why."""
    return {"error": {"code": code, "field": field, "message": message}}


def health_body() -> dict[str, Any]:
    """``GET /api/v1/health``: the process answers."""
    return {"status": "ok"}


def export_row(reading: Reading, channels: Sequence[str]) -> dict[str, Any]:
    """One item of ``export.json``: a reading row with its boot id (an export may span boots)."""
    row: dict[str, Any] = {
        "boot": reading.boot,
        "seq": reading.seq,
        "device_ts": reading.ts_ms,
        "received_ts": reading.rx_ms,
    }
    for name in channels:
        value = reading.values.get(name)
        if value is not None:
            row[name] = value
    return row


# --- accounts: /api/v1/auth/... -------------------------------------------------------


def current_user_body(*, username: str, role: Role, actions: Iterable[Action]) -> dict[str, Any]:
    """``GET /api/v1/auth/me`` (and the login's answer): the user, the role, what it allows."""
    return {"username": username, "role": role.value, "actions": [a.value for a in actions]}


def csrf_body(*, csrf_token: str) -> dict[str, Any]:
    """``GET /api/v1/auth/csrf``: the value for the ``X-CSRFToken`` header."""
    return {"csrf_token": csrf_token}


def ticket_body(*, ticket: str, expires_server_ts: int) -> dict[str, Any]:
    """``POST /api/v1/auth/ticket``: a single-use WebSocket ticket and when it expires (server clock)."""
    return {"ticket": ticket, "expires_server_ts": expires_server_ts}


def api_token_entry(
    *,
    token_id: int,
    name: str,
    username: str,
    prefix: str,
    created_server_ts: int,
    last_used_server_ts: int | None,
) -> dict[str, Any]:
    """One API token without its secret (times: epoch ms, the web server's clock)."""
    return {
        "id": token_id,
        "name": name,
        "username": username,
        "prefix": prefix,
        "created_server_ts": created_server_ts,
        "last_used_server_ts": last_used_server_ts,
    }


def api_token_list(entries: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """``GET /api/v1/auth/tokens``."""
    return {"tokens": list(entries)}


def api_token_created(entry: dict[str, Any], *, token: str) -> dict[str, Any]:
    """``POST /api/v1/auth/tokens``: the new token's entry and, this once, its secret."""
    return {**entry, "token": token}
