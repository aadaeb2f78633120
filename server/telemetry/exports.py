"""Export formats (docs/api.md): pages of readings -> CSV or JSON text chunks, streamed.

Shared by the REST export views and the ``export_readings`` management command. One chunk per
store page, so a year of readings never sits in memory.

CSV is written by hand rather than with :mod:`csv`: device and boot ids, channel names, ISO
times and numbers never contain a comma, quote or line break (the contract forbids them).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

from contract import rest
from contract.codec import dumps, format_ts
from contract.models import Reading

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
JSON_CONTENT_TYPE = "application/json"
FORMATS = {"csv": CSV_CONTENT_TYPE, "json": JSON_CONTENT_TYPE}


def csv_header(channels: Sequence[str]) -> str:
    """``device,boot,seq,device_ts,received_ts,<channels...>`` and a line break (times named by clock)."""
    return ",".join(["device", "boot", "seq", "device_ts", "received_ts", *channels]) + "\n"


def csv_line(reading: Reading, channels: Sequence[str]) -> str:
    """One reading: times as ISO 8601 UTC, a missing channel as an empty cell."""
    values = [reading.values.get(name) for name in channels]
    cells = [reading.device, reading.boot, str(reading.seq), format_ts(reading.ts_ms), format_ts(reading.rx_ms)]
    cells += ["" if value is None else repr(value) for value in values]
    return ",".join(cells) + "\n"


def json_row(reading: Reading, channels: Sequence[str]) -> dict[str, object]:
    """One reading like ``/readings`` rows, with its boot id (``contract.spec.rest.EXPORT_ROW``)."""
    return rest.export_row(reading, channels)


async def csv_chunks(pages: AsyncIterator[list[Reading]], channels: Sequence[str]) -> AsyncIterator[bytes]:
    """The CSV document: the header, then one chunk per page."""
    yield csv_header(channels).encode()
    async for page in pages:
        yield "".join(csv_line(reading, channels) for reading in page).encode()


async def json_chunks(pages: AsyncIterator[list[Reading]], channels: Sequence[str]) -> AsyncIterator[bytes]:
    """The JSON array, one chunk per page."""
    yield b"["
    separator = b""
    async for page in pages:
        yield separator + b",".join(dumps(json_row(reading, channels)) for reading in page)
        separator = b","
    yield b"]"


def export_chunks(fmt: str, pages: AsyncIterator[list[Reading]], channels: Sequence[str]) -> AsyncIterator[bytes]:
    """``csv`` or ``json`` chunks of ``pages``."""
    return csv_chunks(pages, channels) if fmt == "csv" else json_chunks(pages, channels)


def export_filename(device: str, since_ms: int, until_ms: int, fmt: str) -> str:
    """``<device>_<since>_<until>.<ext>`` (epoch milliseconds)."""
    return f"{device}_{since_ms}_{until_ms}.{fmt}"
