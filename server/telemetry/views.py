"""REST views: thin, validate the query, call a selector, answer JSON."""

from __future__ import annotations

import time
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse

from contract.codec import parse_ts
from contract.errors import ContractError
from contract.topics import validate_device_id
from server.telemetry import selectors

DEFAULT_WINDOW_MS = 10 * 60 * 1000
DEFAULT_LIMIT = 1000
MAX_LIMIT = 10_000


class QueryError(ValueError):
    """A query parameter is invalid; becomes a 400 with ``field`` and the reason."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _bad_request(exc: QueryError) -> JsonResponse:
    return JsonResponse({"error": {"code": "bad_query", "field": exc.field, "message": str(exc)}}, status=400)


def _time_param(request: HttpRequest, name: str, default: int) -> int:
    raw = request.GET.get(name)
    if raw is None or raw == "":
        return default
    if raw.isdigit():
        return int(raw)
    try:
        return parse_ts(raw, name)
    except ContractError as exc:
        raise QueryError(name, f"{name} must be epoch milliseconds or ISO 8601 UTC: {exc.detail}") from None


def _limit_param(request: HttpRequest) -> int:
    raw = request.GET.get("limit", "")
    if raw == "":
        return DEFAULT_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise QueryError("limit", f"limit must be an integer from 1 to {MAX_LIMIT}")
    return int(raw)


async def health(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers."""
    return JsonResponse({"status": "ok"})


async def device_list(request: HttpRequest) -> JsonResponse:
    """``GET /api/v1/devices``."""
    return JsonResponse({"devices": await selectors.device_list()})


def _history_query(request: HttpRequest, device: str) -> tuple[int, int, int]:
    try:
        validate_device_id(device)
    except ContractError as exc:
        raise QueryError("device", exc.detail) from None
    now_ms = time.time_ns() // 1_000_000
    until_ms = _time_param(request, "until", now_ms + 1)
    since_ms = _time_param(request, "since", until_ms - DEFAULT_WINDOW_MS)
    if since_ms >= until_ms:
        raise QueryError("since", "since must be before until")
    return since_ms, until_ms, _limit_param(request)


async def device_readings(request: HttpRequest, device: str) -> JsonResponse:
    """``GET /api/v1/devices/<id>/readings?since=&until=&limit=`` (times: epoch ms or ISO 8601 UTC)."""
    try:
        since_ms, until_ms, limit = _history_query(request, device)
    except QueryError as exc:
        return _bad_request(exc)
    body: dict[str, Any] = await selectors.device_readings(
        device=device, since_ms=since_ms, until_ms=until_ms, limit=limit
    )
    return JsonResponse(body)


async def dashboard_missing(request: HttpRequest) -> HttpResponse:
    """Answer ``/`` when the dashboard has not been built (WhiteNoise serves it otherwise)."""
    return HttpResponse(
        "The dashboard is not built. Run ./scripts/run (or: cd dashboard && npm ci && npm run build).\n",
        status=503,
        content_type="text/plain; charset=utf-8",
    )
