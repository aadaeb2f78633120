"""How long each resolution is kept (pure): raw readings, per-minute and per-hour rollups.

Days are counted back from "now" in device time: a raw reading is purged once its ``ts``
is older than ``now - raw_days``; a rollup row once its bucket start is older than its own
limit. ``0`` days means "keep forever". SQLite purges in the maintenance task; MongoDB's TTL
indexes do it on their own (and the maintenance task does the same deletes, see
docs/storage.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from storage.plan import HOUR_MS, MINUTE_MS, RAW

DAY_MS = 86_400_000
MAX_DAYS = 100 * 366

DEFAULT_RAW_DAYS = 90
DEFAULT_MINUTE_DAYS = 730
DEFAULT_HOUR_DAYS = 0

VARIABLES = {RAW: "RETENTION_RAW_DAYS", MINUTE_MS: "RETENTION_MINUTE_DAYS", HOUR_MS: "RETENTION_HOUR_DAYS"}


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    """Days each resolution is kept; 0 = forever.

    Attributes:
        raw_days: Raw readings (``RETENTION_RAW_DAYS``).
        minute_days: Per-minute rollups (``RETENTION_MINUTE_DAYS``).
        hour_days: Per-hour rollups (``RETENTION_HOUR_DAYS``).
    """

    raw_days: int = DEFAULT_RAW_DAYS
    minute_days: int = DEFAULT_MINUTE_DAYS
    hour_days: int = DEFAULT_HOUR_DAYS

    def days(self, source_ms: int) -> int:
        """Days kept for ``RAW``, ``MINUTE_MS`` or ``HOUR_MS``."""
        return {RAW: self.raw_days, MINUTE_MS: self.minute_days, HOUR_MS: self.hour_days}[source_ms]

    def cutoff_ms(self, source_ms: int, *, now_ms: int) -> int | None:
        """Rows of ``source_ms`` older than this are purged; ``None``: kept forever."""
        days = self.days(source_ms)
        return None if days == 0 else now_ms - days * DAY_MS

    def finest_ms(self, *, since_ms: int, now_ms: int) -> int:
        """The finest source still kept from ``since_ms`` on (the hour rollup if none is)."""
        for source in (RAW, MINUTE_MS, HOUR_MS):
            cutoff = self.cutoff_ms(source, now_ms=now_ms)
            if cutoff is None or since_ms >= cutoff:
                return source
        return HOUR_MS


def _forever_last(days: int) -> float:
    return float("inf") if days == 0 else days


def read_retention(env: Mapping[str, str], problems: list[str]) -> RetentionPolicy:
    """Read ``RETENTION_*_DAYS``, appending every problem to ``problems``."""
    values: dict[int, int] = {}
    defaults = RetentionPolicy()
    for source, name in VARIABLES.items():
        raw = env.get(name, "").strip()
        values[source] = defaults.days(source)
        if not raw:
            continue
        try:
            days = int(raw)
        except ValueError:
            problems.append(f"{name}={raw!r}: not a whole number of days")
            continue
        if not 0 <= days <= MAX_DAYS:
            problems.append(f"{name}={days}: must be 0 (forever) or 1..{MAX_DAYS} days")
            continue
        values[source] = days
    policy = RetentionPolicy(raw_days=values[RAW], minute_days=values[MINUTE_MS], hour_days=values[HOUR_MS])
    order = [(RAW, MINUTE_MS), (MINUTE_MS, HOUR_MS)]
    for finer, coarser in order:
        if _forever_last(policy.days(finer)) > _forever_last(policy.days(coarser)):
            problems.append(
                f"{VARIABLES[finer]}={policy.days(finer)} keeps data longer than "
                f"{VARIABLES[coarser]}={policy.days(coarser)} (0 = forever): a coarser resolution must be kept "
                "at least as long as a finer one"
            )
    return policy
