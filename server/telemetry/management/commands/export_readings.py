"""``export_readings``: a device's readings in a time range as CSV or JSON, streamed to stdout or a file.

Without ``manage.py`` (one line)::

    DJANGO_SETTINGS_MODULE=server.settings python -m django export_readings --device sim-1
        --since 2026-11-01T00:00:00Z --until 2026-12-01T00:00:00Z --format csv > sim-1.csv

The store is the one ``STORE_URL`` (or ``MONGO_URL``) names, as for the server. Same formats as
``GET /api/v1/devices/<id>/export.csv|json`` (docs/api.md).
"""

from __future__ import annotations

import asyncio
import sys
from argparse import ArgumentParser
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from server.telemetry import exports
from server.telemetry.queries import QueryError, export_query
from storage import StoreError, open_store


async def export(
    *, url: str, device: str, since_ms: int, until_ms: int, channels: tuple[str, ...], fmt: str, out: BinaryIO
) -> None:
    """Write every reading of ``device`` in the range to ``out`` in ``fmt``, page by page.

    Raises:
        CommandError: the device is unknown or the store fails.
    """
    async with AsyncExitStack() as stack:
        store = await open_store(url, retention=settings.CONFIG.retention)
        stack.push_async_callback(store.close)
        if not await store.has_device(device):
            raise CommandError(f"no device {device!r} in the store")
        pages = store.export(device, since_ms=since_ms, until_ms=until_ms)
        async for chunk in exports.export_chunks(fmt, pages, channels):
            out.write(chunk)
        out.flush()


class Command(BaseCommand):
    """Export exactly ``[since, until)`` of one device."""

    help = "Export a device's readings with since <= ts < until as CSV or JSON (times: epoch ms or ISO 8601 UTC)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        """Command-line options."""
        parser.add_argument("--device", required=True, help="device id")
        parser.add_argument("--since", required=True, help="range start, inclusive")
        parser.add_argument("--until", required=True, help="range end, exclusive")
        parser.add_argument("--channels", default="", help="comma-separated channel names (default: all)")
        parser.add_argument("--format", choices=sorted(exports.FORMATS), default="csv")
        parser.add_argument("--output", type=Path, help="file to write (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        """Run the export."""
        params = {"since": options["since"], "until": options["until"], "channels": options["channels"]}
        try:
            query = export_query(options["device"], params, now_ms=0)
        except QueryError as exc:
            raise CommandError(f"--{exc.field}: {exc}") from None
        output: Path | None = options["output"]
        with output.open("wb") if output else open(sys.stdout.fileno(), "wb", closefd=False) as out:
            try:
                asyncio.run(
                    export(
                        url=settings.CONFIG.store_url,
                        device=query.device,
                        since_ms=query.since_ms,
                        until_ms=query.until_ms,
                        channels=query.channels,
                        fmt=options["format"],
                        out=out,
                    )
                )
            except StoreError as exc:
                raise CommandError(f"store: {exc}") from None
