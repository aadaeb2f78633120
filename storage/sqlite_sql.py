"""The SQLite store's schema and statements (column names come from the contract's channel list).

Schema version 1 (``PRAGMA user_version``) adds the per-minute and per-hour rollup tables;
opening a version-0 file builds them once from its readings.

Rollups are maintained inside the insert transaction from the readings that were new in it:
``INSERT OR IGNORE`` skips keys already stored (or earlier in the batch), a temporary trigger
copies each row really inserted into ``temp.incoming``, those rows are grouped per minute into
``temp.delta``, and the deltas are merged into the minute and hour rollups. A re-sent reading
is therefore never counted twice, and a failed batch rolls back with its rollups.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from contract.channels import CHANNEL_NAMES, CHANNELS_BY_NAME
from contract.models import Reading
from storage.downsample import Bucket, Stats
from storage.plan import HOUR_MS, MINUTE_MS

SCHEMA_VERSION = 1
COLUMNS = ", ".join(CHANNEL_NAMES)
READING_COLUMNS = f"device, boot, seq, ts, rx, {COLUMNS}"
ROLLUP_TABLES = {MINUTE_MS: "rollup_minute", HOUR_MS: "rollup_hour"}
_ROLLUP_COLUMNS = "".join(f",\n    {c}_min REAL, {c}_max REAL, {c}_sum REAL, {c}_n INTEGER" for c in CHANNEL_NAMES)
_READING_TABLE_COLUMNS = f"""
    device TEXT NOT NULL,
    boot TEXT NOT NULL,
    seq INTEGER NOT NULL,
    ts INTEGER NOT NULL,
    rx INTEGER NOT NULL,
    {", ".join(f"{name} REAL" for name in CHANNEL_NAMES)},
    PRIMARY KEY (device, boot, seq)"""

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS readings ({_READING_TABLE_COLUMNS}
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS readings_device_ts ON readings (device, ts);
CREATE TABLE IF NOT EXISTS devices (
    device TEXT PRIMARY KEY,
    online INTEGER NOT NULL DEFAULT 0,
    boot TEXT,
    status_rx INTEGER,
    pending INTEGER,
    dropped INTEGER,
    last_seen INTEGER
);
CREATE TABLE IF NOT EXISTS quarantine (
    id INTEGER PRIMARY KEY,
    rx INTEGER NOT NULL,
    topic TEXT NOT NULL,
    reason TEXT NOT NULL,
    detail TEXT NOT NULL,
    device TEXT,
    excerpt TEXT NOT NULL
);
""" + "".join(
    f"""CREATE TABLE IF NOT EXISTS {table} (
    device TEXT NOT NULL,
    t INTEGER NOT NULL,
    n INTEGER NOT NULL,
    first_ts INTEGER NOT NULL,
    last_ts INTEGER NOT NULL{_ROLLUP_COLUMNS},
    PRIMARY KEY (device, t)
) WITHOUT ROWID;
"""
    for table in ROLLUP_TABLES.values()
)

# Per writer connection: a temporary trigger copies each row that INSERT OR IGNORE really inserts
# (ignored duplicates fire no trigger) into temp.incoming; the batch's rollup deltas come from there.
_CHANNEL_COLUMNS = ", ".join(f"{c} REAL" for c in CHANNEL_NAMES)
STAGING = (
    f"CREATE TEMP TABLE IF NOT EXISTS incoming (device TEXT, ts INTEGER, {_CHANNEL_COLUMNS});"  # noqa: S608 - constants
    "CREATE TEMP TABLE IF NOT EXISTS delta (device TEXT, t INTEGER, n INTEGER, first_ts INTEGER, "
    f"last_ts INTEGER{_ROLLUP_COLUMNS});"
    "CREATE TEMP TRIGGER IF NOT EXISTS capture_new_readings AFTER INSERT ON main.readings BEGIN "
    f"INSERT INTO incoming (device, ts, {COLUMNS}) "
    f"VALUES (NEW.device, NEW.ts, {', '.join(f'NEW.{c}' for c in CHANNEL_NAMES)}); END;"
)
INSERT = (
    f"INSERT OR IGNORE INTO main.readings ({READING_COLUMNS}) "  # noqa: S608 - column names are constants
    f"VALUES ({', '.join('?' * (5 + len(CHANNEL_NAMES)))})"
)
COUNT_NEW = "SELECT count(*) FROM temp.incoming"
TOUCH_DEVICE = (
    "INSERT INTO devices (device, last_seen) VALUES (?, ?) "
    "ON CONFLICT (device) DO UPDATE SET last_seen = max(coalesce(last_seen, 0), excluded.last_seen)"
)
STATUS = (
    "INSERT INTO devices (device, online, boot, status_rx, pending, dropped) VALUES (?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (device) DO UPDATE SET online = excluded.online, boot = excluded.boot, "
    "status_rx = excluded.status_rx, pending = coalesce(excluded.pending, pending), "
    "dropped = coalesce(excluded.dropped, dropped)"
)


def floor_expr(column: str, size: int) -> str:
    """SQL for the start of the ``size`` bucket holding ``column`` (a floor, also below zero)."""
    return f"({column} - (({column} % {int(size)}) + {int(size)}) % {int(size)})"


def delta_insert(*, source: str) -> str:
    """Group the readings of ``source`` (a table with device, ts and the channels) into temp.delta, per minute."""
    names = ["device", "t", "n", "first_ts", "last_ts"]
    selects = ["device", floor_expr("ts", MINUTE_MS), "count(*)", "min(ts)", "max(ts)"]
    for c in CHANNEL_NAMES:
        names += [f"{c}_min", f"{c}_max", f"{c}_sum", f"{c}_n"]
        selects += [f"min({c})", f"max({c})", f"total({c})", f"count({c})"]
    return (
        f"INSERT INTO temp.delta ({', '.join(names)}) "  # noqa: S608 - constants only
        f"SELECT {', '.join(selects)} FROM {source} GROUP BY 1, 2"
    )


def rollup_merge(size: int) -> str:
    """Add temp.delta (per-minute partial rows) to the ``size`` rollup table.

    Merging with a stored row: counts and sums add, extremes take the extreme; a channel absent
    on one side (NULL min/max) takes the other side's value.
    """
    table = ROLLUP_TABLES[size]
    names = ["device", "t", "n", "first_ts", "last_ts"]
    selects = ["device", floor_expr("t", size), "sum(n)", "min(first_ts)", "max(last_ts)"]
    updates = [
        "n = n + excluded.n",
        "first_ts = min(first_ts, excluded.first_ts)",
        "last_ts = max(last_ts, excluded.last_ts)",
    ]
    for c in CHANNEL_NAMES:
        names += [f"{c}_min", f"{c}_max", f"{c}_sum", f"{c}_n"]
        selects += [f"min({c}_min)", f"max({c}_max)", f"total({c}_sum)", f"sum({c}_n)"]
        updates += [
            f"{c}_min = min(coalesce({c}_min, excluded.{c}_min), coalesce(excluded.{c}_min, {c}_min))",
            f"{c}_max = max(coalesce({c}_max, excluded.{c}_max), coalesce(excluded.{c}_max, {c}_max))",
            f"{c}_sum = {c}_sum + excluded.{c}_sum",
            f"{c}_n = {c}_n + excluded.{c}_n",
        ]
    # "WHERE true": SQLite's documented way to keep ON CONFLICT from parsing as a join clause.
    return (
        f"INSERT INTO {table} ({', '.join(names)}) "  # noqa: S608 - constants only
        f"SELECT {', '.join(selects)} FROM temp.delta WHERE true GROUP BY 1, 2 "
        f"ON CONFLICT (device, t) DO UPDATE SET {', '.join(updates)}"
    )


def checked_channels(channels: Sequence[str]) -> list[str]:
    """The channel names, refusing anything that is not a contract channel (they become SQL)."""
    unknown = [c for c in channels if c not in CHANNELS_BY_NAME]
    if unknown:
        raise ValueError(f"unknown channels {unknown}")
    return list(channels)


def aggregate_sql(source_ms: int, *, bucket_ms: int, channels: Sequence[str]) -> str:
    """Partial buckets of ``bucket_ms`` from raw readings (``source_ms`` 0) or a rollup table.

    Parameters: device, since, until. Columns: t, n, first_ts, last_ts, then per channel
    min, max, sum, count. Rollup rows of exactly the bucket size are the buckets: no grouping.
    """
    names = checked_channels(channels)
    if source_ms == 0:
        table, time = "readings", "ts"
        cols = ["count(*)", "min(ts)", "max(ts)"]
        for c in names:
            cols += [f"min({c})", f"max({c})", f"total({c})", f"count({c})"]
    elif source_ms == bucket_ms:
        table = ROLLUP_TABLES[source_ms]
        cols = ["t", "n", "first_ts", "last_ts", *(f"{c}_min, {c}_max, {c}_sum, {c}_n" for c in names)]
        return f"SELECT {', '.join(cols)} FROM {table} WHERE device = ? AND t >= ? AND t < ?"  # noqa: S608
    else:
        table, time = ROLLUP_TABLES[source_ms], "t"
        cols = ["sum(n)", "min(first_ts)", "max(last_ts)"]
        for c in names:
            cols += [f"min({c}_min)", f"max({c}_max)", f"total({c}_sum)", f"sum({c}_n)"]
    return (
        f"SELECT {floor_expr(time, bucket_ms)} AS b, {', '.join(cols)} FROM {table} "  # noqa: S608 - constants
        f"WHERE device = ? AND {time} >= ? AND {time} < ? GROUP BY b"
    )


def row_to_bucket(row: Sequence[Any], channels: Sequence[str]) -> Bucket:
    """A row of :func:`aggregate_sql` as a (partial) bucket."""
    values = iter(row[4:])
    stats = {}
    for name, lo, hi, total, count in zip(channels, values, values, values, values, strict=True):
        if count:
            stats[name] = Stats(lo, hi, total, count)
    return Bucket(t=row[0], n=row[1], first_ts=row[2], last_ts=row[3], stats=stats)


def row_to_reading(device: str, row: Sequence[object]) -> Reading:
    """A ``boot, seq, ts, rx, <channels...>`` row as a reading."""
    boot, seq, ts, rx, *values = row
    return Reading(
        device=device,
        boot=str(boot),
        seq=int(seq),  # type: ignore[call-overload]
        ts_ms=int(ts),  # type: ignore[call-overload]
        rx_ms=int(rx),  # type: ignore[call-overload]
        values={name: float(v) for name, v in zip(CHANNEL_NAMES, values, strict=True) if v is not None},  # type: ignore[arg-type]
    )


def reading_row(r: Reading) -> tuple[object, ...]:
    """A reading as the values of :data:`INSERT`."""
    return (r.device, r.boot, r.seq, r.ts_ms, r.rx_ms, *map(r.values.get, CHANNEL_NAMES))
