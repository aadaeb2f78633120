"""How long each resolution is kept (pure): raw readings, per-minute and per-hour rollups.

Days are counted back from "now" in device time: a raw reading is purged once its ``ts``
is older than ``now - raw_days``; a rollup row once its bucket start is older than its own
limit. ``0`` days means "keep forever". SQLite purges in the maintenance task; MongoDB's TTL
indexes do it on their own (and the maintenance task does the same deletes, see
docs/storage.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from config import Values
from config import table as t
from storage.plan import HOUR_MS, MINUTE_MS, RAW

DAY_MS = 86_400_000

DEFAULT_RAW_DAYS = t.RETENTION_RAW_DAYS.default_value
DEFAULT_MINUTE_DAYS = t.RETENTION_MINUTE_DAYS.default_value
DEFAULT_HOUR_DAYS = t.RETENTION_HOUR_DAYS.default_value

SETTINGS = {RAW: t.RETENTION_RAW_DAYS, MINUTE_MS: t.RETENTION_MINUTE_DAYS, HOUR_MS: t.RETENTION_HOUR_DAYS}


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


def retention_policy(values: Values) -> RetentionPolicy:
    """The policy ``RETENTION_*_DAYS`` ask for; a coarser resolution kept shorter than a finer one is a problem.

    An invalid value counts as its default here (its own problem is already in ``values``).
    """
    days = {source: values[s] if values.valid(s) else s.default_value for source, s in SETTINGS.items()}
    policy = RetentionPolicy(raw_days=days[RAW], minute_days=days[MINUTE_MS], hour_days=days[HOUR_MS])
    for finer, coarser in ((RAW, MINUTE_MS), (MINUTE_MS, HOUR_MS)):
        if _forever_last(policy.days(finer)) > _forever_last(policy.days(coarser)):
            values.problem(
                SETTINGS[finer],
                f"={policy.days(finer)} keeps data longer than {SETTINGS[coarser].name}={policy.days(coarser)} "
                "(0 = forever): a coarser resolution must be kept at least as long as a finer one",
            )
    return policy
