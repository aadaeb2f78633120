"""REST views: thin, validate the query (:mod:`server.telemetry.queries`), call a selector, answer.

Every telemetry view needs a signed-in user whose role may read (session cookie or
``Authorization: Bearer <API token>``): :func:`server.accounts.access.guarded` answers 401 /
403 before the view runs. Only ``/api/v1/health`` and the dashboard fallback are open.
"""

from __future__ import annotations

import time

from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse, StreamingHttpResponse

from contract import rest
from contract.access import Action
from contract.codec import dumps
from server.accounts.access import Principal, guarded
from server.telemetry import exports, selectors
from server.telemetry.queries import QueryError, export_query, history_query, readings_query


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _bad_request(exc: QueryError) -> JsonResponse:
    return JsonResponse(rest.error_body(code=exc.code, field=exc.field, message=str(exc)), status=400)


def _json(body: object) -> HttpResponse:
    return HttpResponse(dumps(body), content_type="application/json")


# Every role may read; the guard answers 405 (method), 401 (credentials) or 403 (role) first.
readers_only = guarded(methods=("GET", "HEAD"), action=Action.READ)


async def _require_device(device: str) -> None:
    if not await selectors.device_exists(device=device):
        raise QueryError("device", f"no device {device!r} in the store", code=rest.UNKNOWN_DEVICE)


async def health(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers."""
    return JsonResponse(rest.health_body())


@readers_only
async def device_list(request: HttpRequest, principal: Principal) -> JsonResponse:
    """``GET /api/v1/devices``."""
    return JsonResponse(await selectors.device_list())


@readers_only
async def device_readings(request: HttpRequest, principal: Principal, device: str) -> JsonResponse:
    """``GET /api/v1/devices/<id>/readings?since=&until=&limit=`` (times: epoch ms or ISO 8601 UTC)."""
    try:
        query = readings_query(device, request.GET, now_ms=_now_ms())
    except QueryError as exc:
        return _bad_request(exc)
    body = await selectors.device_readings(
        device=device, since_ms=query.since_ms, until_ms=query.until_ms, limit=query.limit
    )
    return JsonResponse(body)


@readers_only
async def device_history(request: HttpRequest, principal: Principal, device: str) -> HttpResponse:
    """``GET /api/v1/devices/<id>/history?since=&until=&channels=&points=``: downsampled, with gaps."""
    try:
        query = history_query(device, request.GET, now_ms=_now_ms())
        await _require_device(device)
    except QueryError as exc:
        return _bad_request(exc)
    return _json(await selectors.device_history(query=query))


async def _export(request: HttpRequest, device: str, fmt: str) -> HttpResponseBase:
    try:
        query = export_query(device, request.GET, now_ms=_now_ms())
        await _require_device(device)
    except QueryError as exc:
        return _bad_request(exc)
    pages = selectors.device_export(device=device, since_ms=query.since_ms, until_ms=query.until_ms)
    response = StreamingHttpResponse(
        exports.export_chunks(fmt, pages, query.channels), content_type=exports.FORMATS[fmt]
    )
    filename = exports.export_filename(device, query.since_ms, query.until_ms, fmt)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@readers_only
async def device_export_csv(request: HttpRequest, principal: Principal, device: str) -> HttpResponseBase:
    """``GET /api/v1/devices/<id>/export.csv?since=&until=&channels=``: exactly the range, streamed."""
    return await _export(request, device, "csv")


@readers_only
async def device_export_json(request: HttpRequest, principal: Principal, device: str) -> HttpResponseBase:
    """``GET /api/v1/devices/<id>/export.json?since=&until=&channels=``: exactly the range, streamed."""
    return await _export(request, device, "json")


async def dashboard_missing(request: HttpRequest) -> HttpResponse:
    """Answer ``/`` when the dashboard has not been built (WhiteNoise serves it otherwise)."""
    return HttpResponse(
        "The dashboard is not built. Run ./scripts/run (or: cd dashboard && npm ci && npm run build).\n",
        status=503,
        content_type="text/plain; charset=utf-8",
    )
