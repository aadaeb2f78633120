"""MongoDB store: production deployments (pymongo's native ``AsyncMongoClient``).

Collections (docs/storage.md explains the choices):

* ``readings``: a regular collection, one document per reading; a unique index on
  ``(device, boot, seq)`` makes inserts idempotent (time-series collections cannot carry
  unique indexes); ``(device, ts)`` serves ranges; a TTL index on ``at`` applies retention.
* ``rollup_minute``, ``rollup_hour``: per-bucket counts, extremes and sums, unique on
  ``(device, t)``, TTL on ``at``, recomputed from marks (:mod:`storage.mongo_rollups`).
* ``rollup_marks``: buckets whose rollup rows are still to be recomputed.
* ``devices``: presence and last-seen per device; ``quarantine``: rejected messages.

Writes use ``w="majority", j=True``: a storage ack lets the device delete its copy, so the
reading must be journaled on a majority before it is acknowledged. Every pymongo error
becomes :class:`storage.base.StoreError`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.errors import BulkWriteError, PyMongoError
from pymongo.write_concern import WriteConcern

from contract.channels import CHANNEL_NAMES
from contract.models import Reading, Status
from storage import mongo_rollups as rollups
from storage.base import (
    EXPORT_PAGE,
    DeviceSummary,
    InsertResult,
    MaintenanceReport,
    QuarantinedMessage,
    ReadingKey,
    ReadingPage,
    StoreError,
    keyset_pages,
)
from storage.downsample import Bucket
from storage.history import History, HistoryQuery, answer_history
from storage.mongo_api import Collection, Database, Document
from storage.plan import HOUR_MS, MINUTE_MS, RAW, SOURCE_NAMES, Part, floor_to
from storage.retention import RetentionPolicy

DUPLICATE_KEY = 11000
DURABLE = WriteConcern(w="majority", j=True)
TTL_INDEX = "at_ttl"
MAX_REFRESH_PASSES = 20
_READING_FIELDS = {"_id": 0, "boot": 1, "seq": 1, "ts": 1, "rx": 1, **dict.fromkeys(CHANNEL_NAMES, 1)}
_ORDER = [("ts", ASCENDING), ("boot", ASCENDING), ("seq", ASCENDING)]


@contextmanager
def _translated(what: str) -> Iterator[None]:
    try:
        yield
    except PyMongoError as exc:
        raise StoreError(f"MongoDB {what}: {exc}") from exc


def reading_doc(r: Reading) -> Document:
    """A reading as stored: channels as top-level fields, ``at`` for the TTL index."""
    return {
        "device": r.device,
        "boot": r.boot,
        "seq": r.seq,
        "ts": r.ts_ms,
        "rx": r.rx_ms,
        "at": rollups.as_date(r.ts_ms),
        **r.values,
    }


def doc_reading(device: str, doc: Mapping[str, Any]) -> Reading:
    """A stored reading document as a reading."""
    return Reading(
        device=device,
        boot=str(doc["boot"]),
        seq=int(doc["seq"]),
        ts_ms=int(doc["ts"]),
        rx_ms=int(doc["rx"]),
        values={name: float(doc[name]) for name in CHANNEL_NAMES if doc.get(name) is not None},
    )


def stored_count(details: Mapping[str, Any], submitted: int) -> int:
    """Readings an unordered ``insert_many`` stored, given its ``BulkWriteError.details``.

    Duplicate keys are success (already stored); anything else fails the whole call.

    Raises:
        StoreError: a write error other than a duplicate key, or a write concern error.
    """
    others = [e for e in details.get("writeErrors", []) if e.get("code") != DUPLICATE_KEY]
    concern = details.get("writeConcernErrors", [])
    if others or concern:
        first = (others or concern)[0]
        raise StoreError(
            f"MongoDB insert failed for {len(others)} of {submitted} readings "
            f"({len(concern)} write concern errors): {first.get('code')} {first.get('errmsg')}"
        )
    return int(details.get("nInserted", 0))


class MongoStore:
    """:class:`storage.base.Store` on a MongoDB database."""

    def __init__(
        self,
        db: Database,
        retention: RetentionPolicy,
        on_close: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        """Use :meth:`open` instead: it creates the indexes."""
        self._retention = retention
        self._on_close = on_close
        self.readings_coll = db.get_collection("readings", write_concern=DURABLE)
        self.rollups: dict[int, Collection] = {
            MINUTE_MS: db.get_collection("rollup_minute", write_concern=DURABLE),
            HOUR_MS: db.get_collection("rollup_hour", write_concern=DURABLE),
        }
        self.marks = db.get_collection("rollup_marks", write_concern=DURABLE)
        self.devices_coll = db.get_collection("devices", write_concern=DURABLE)
        self.quarantine_coll = db.get_collection("quarantine", write_concern=DURABLE)

    @classmethod
    async def open(
        cls,
        db: Database,
        *,
        retention: RetentionPolicy | None = None,
        on_close: Callable[[], Awaitable[None]] | None = None,
    ) -> MongoStore:
        """Create the indexes (idempotent) and return the store.

        Raises:
            StoreError: the server is unreachable or refuses.
        """
        store = cls(db, retention or RetentionPolicy(), on_close)
        try:
            with _translated("creating indexes"):
                await store._create_indexes()
        except StoreError:
            await store.close()
            raise
        return store

    async def _create_indexes(self) -> None:
        ix = self.readings_coll.create_index
        await ix([("device", ASCENDING), ("boot", ASCENDING), ("seq", ASCENDING)], unique=True, name="device_boot_seq")
        await ix([("device", ASCENDING), ("ts", ASCENDING)], name="device_ts")
        for coll in self.rollups.values():
            await coll.create_index([("device", ASCENDING), ("t", ASCENDING)], unique=True, name="device_t")
        await self.marks.create_index([("device", ASCENDING), ("t", ASCENDING)], name="device_t")
        await self.marks.create_index([("size", ASCENDING), ("_id", ASCENDING)], name="size_id")
        await self.quarantine_coll.create_index([("rx", DESCENDING)], name="rx")
        await self._ensure_ttl(self.readings_coll, RAW)
        for size, coll in self.rollups.items():
            await self._ensure_ttl(coll, size)

    async def _ensure_ttl(self, coll: Collection, source: int) -> None:
        """TTL index on ``at`` expiring after the source's retention (none when kept forever)."""
        days = self._retention.days(source)
        seconds = days * 86_400 if days else None
        existing = (await coll.index_information()).get(TTL_INDEX)
        if existing is not None and existing.get("expireAfterSeconds") == seconds:
            return
        if existing is not None:
            await coll.drop_index(TTL_INDEX)  # a changed retention setting: rebuild the index
        if seconds is not None:
            await coll.create_index([("at", ASCENDING)], name=TTL_INDEX, expireAfterSeconds=seconds)

    @property
    def retention(self) -> RetentionPolicy:
        """How long each resolution is kept."""
        return self._retention

    # --- writes -------------------------------------------------------------------

    async def insert_readings(self, readings: Sequence[Reading]) -> InsertResult:
        """See :meth:`storage.base.Store.insert_readings`.

        Unordered ``insert_many``: duplicate keys (11000) count as already stored; any other
        error raises, so the bridge acknowledges nothing and the devices re-send. The touched
        minutes are marked for the rollup job afterwards, also for duplicates.
        """
        if not readings:
            return InsertResult(stored=0, duplicates=0)
        docs = [reading_doc(r) for r in readings]
        with _translated("insert"):
            try:
                await self.readings_coll.insert_many(docs, ordered=False)
                stored = len(docs)
            except BulkWriteError as exc:
                stored = stored_count(exc.details, len(docs))
            await self.marks.insert_many(
                rollups.mark_docs(((r.device, r.ts_ms) for r in readings), MINUTE_MS), ordered=False
            )
            newest: dict[str, int] = {}
            for r in readings:
                newest[r.device] = max(r.ts_ms, newest.get(r.device, r.ts_ms))
            for device, ts in newest.items():
                await self.devices_coll.update_one({"_id": device}, {"$max": {"last_seen": ts}}, upsert=True)
        return InsertResult(stored=stored, duplicates=len(docs) - stored)

    async def record_statuses(self, statuses: Sequence[tuple[Status, int]]) -> None:
        """See :meth:`storage.base.Store.record_statuses` (one update each, in order)."""
        with _translated("status"):
            for status, rx in statuses:
                fields: Document = {"online": status.online, "boot": status.boot, "status_rx": rx}
                if status.pending is not None:
                    fields["pending"] = status.pending
                if status.dropped is not None:
                    fields["dropped"] = status.dropped
                await self.devices_coll.update_one({"_id": status.device}, {"$set": fields}, upsert=True)

    async def quarantine(self, messages: Sequence[QuarantinedMessage]) -> None:
        """See :meth:`storage.base.Store.quarantine`."""
        if messages:
            docs = [
                {
                    "rx": m.rx_ms,
                    "topic": m.topic,
                    "reason": m.reason,
                    "detail": m.detail,
                    "device": m.device,
                    "excerpt": m.excerpt,
                }
                for m in messages
            ]
            with _translated("quarantine"):
                await self.quarantine_coll.insert_many(docs, ordered=True)

    async def maintain(self, *, now_ms: int) -> MaintenanceReport:
        """See :meth:`storage.base.Store.maintain`.

        Recomputes marked rollup rows, then deletes what retention no longer keeps (what the TTL
        indexes also do, on the server's own schedule of about a minute).
        """
        purged: dict[str, int] = {}
        with _translated("maintenance"):
            # Rollups first: a reading that arrived already past raw retention is counted, then purged.
            refreshed = 0
            for _pass in range(MAX_REFRESH_PASSES):  # bounded: marks keep coming while devices send
                taken, written = await rollups.refresh_rollups(
                    readings=self.readings_coll, rollups=self.rollups, marks=self.marks
                )
                refreshed += written
                if taken < rollups.MARK_BATCH:
                    break
            colls = {RAW: self.readings_coll, **self.rollups}
            for source, coll in colls.items():
                cutoff = self._retention.cutoff_ms(source, now_ms=now_ms)
                if cutoff is not None:
                    result = await coll.delete_many({"at": {"$lt": rollups.as_date(cutoff)}})
                    purged[SOURCE_NAMES[source]] = result.deleted_count
        return MaintenanceReport(purged=purged, refreshed=refreshed)

    # --- reads --------------------------------------------------------------------

    async def _readings_after(
        self, device: str, after: ReadingKey | None, *, since_ms: int, until_ms: int, limit: int
    ) -> list[Reading]:
        query: Document = {"device": device, "ts": {"$gte": since_ms, "$lt": until_ms}}
        if after is not None:
            a_ts, a_boot, a_seq = after
            query["ts"]["$gte"] = max(since_ms, a_ts)
            query["$or"] = [{"ts": {"$gt": a_ts}}, {"boot": {"$gt": a_boot}}, {"boot": a_boot, "seq": {"$gt": a_seq}}]
        with _translated("query"):
            docs = await self.readings_coll.find(query, _READING_FIELDS, sort=_ORDER, limit=limit).to_list()
        return [doc_reading(device, doc) for doc in docs]

    async def readings(self, device: str, *, since_ms: int, until_ms: int, limit: int) -> ReadingPage:
        """See :meth:`storage.base.Store.readings`."""
        page = await self._readings_after(device, None, since_ms=since_ms, until_ms=until_ms, limit=limit + 1)
        return ReadingPage(readings=page[:limit], truncated=len(page) > limit)

    def export(
        self, device: str, *, since_ms: int, until_ms: int, page_size: int = EXPORT_PAGE
    ) -> AsyncIterator[list[Reading]]:
        """See :meth:`storage.base.Store.export`."""
        return keyset_pages(self._readings_after, device, since_ms=since_ms, until_ms=until_ms, page_size=page_size)

    async def _latest(self, device: str) -> Reading | None:
        doc = await self.readings_coll.find_one({"device": device}, _READING_FIELDS, sort=[("ts", DESCENDING)])
        return None if doc is None else doc_reading(device, doc)

    async def devices(self) -> list[DeviceSummary]:
        """See :meth:`storage.base.Store.devices`."""
        with _translated("devices"):
            docs = await self.devices_coll.find({}, sort=[("_id", ASCENDING)]).to_list()
            latest = await asyncio.gather(*(self._latest(doc["_id"]) for doc in docs))
        return [
            DeviceSummary(
                device=doc["_id"],
                online=bool(doc.get("online", False)),
                boot=doc.get("boot"),
                status_ts_ms=doc.get("status_rx"),
                pending=doc.get("pending"),
                dropped=doc.get("dropped"),
                last_seen_ms=doc.get("last_seen"),
                latest=reading,
            )
            for doc, reading in zip(docs, latest, strict=True)
        ]

    async def has_device(self, device: str) -> bool:
        """See :meth:`storage.base.Store.has_device`."""
        with _translated("devices"):
            return await self.devices_coll.find_one({"_id": device}, {"_id": 1}) is not None

    async def quarantined(self, *, limit: int) -> list[QuarantinedMessage]:
        """See :meth:`storage.base.Store.quarantined`: newest receive time first."""
        with _translated("quarantine"):
            docs = await self.quarantine_coll.find(
                {}, sort=[("rx", DESCENDING), ("_id", DESCENDING)], limit=limit
            ).to_list()
        return [
            QuarantinedMessage(
                rx_ms=d["rx"],
                topic=d["topic"],
                reason=d["reason"],
                detail=d["detail"],
                device=d["device"],
                excerpt=d["excerpt"],
            )
            for d in docs
        ]

    # --- history (storage.history.HistorySource) ----------------------------------

    async def history(self, query: HistoryQuery, *, now_ms: int) -> History:
        """See :meth:`storage.base.Store.history`."""
        return await answer_history(self, query, retention=self._retention, now_ms=now_ms)

    async def count_readings(self, device: str, *, since_ms: int, until_ms: int, cap: int) -> int:
        """Raw readings in the range, counting at most ``cap`` (covered by the ``device_ts`` index)."""
        query = {"device": device, "ts": {"$gte": since_ms, "$lt": until_ms}}
        with _translated("count"):
            return len(await self.readings_coll.find(query, {"_id": 0, "ts": 1}, limit=cap).to_list())

    async def history_readings(self, device: str, *, since_ms: int, until_ms: int, limit: int) -> list[Reading]:
        """Raw readings in the range, oldest first, at most ``limit``."""
        return await self._readings_after(device, None, since_ms=since_ms, until_ms=until_ms, limit=limit)

    async def stale_rollups(self, device: str, *, since_ms: int, until_ms: int) -> Mapping[int, Sequence[int]]:
        """Rollup rows in the range still marked for recomputation."""
        query = {"device": device, "t": {"$gte": floor_to(since_ms, HOUR_MS), "$lt": until_ms}}
        with _translated("marks"):
            docs = await self.marks.find(query, {"_id": 0, "size": 1, "t": 1}).to_list()
        stale: dict[int, list[int]] = {}
        for doc in docs:
            stale.setdefault(int(doc["size"]), []).append(int(doc["t"]))
        return stale

    async def aggregate(
        self, device: str, parts: Sequence[Part], *, bucket_ms: int, channels: Sequence[str]
    ) -> list[Bucket]:
        """Partial buckets, grouped by ``$group`` on the server: one pipeline per source."""
        ranges: dict[int, list[tuple[int, int]]] = {}
        for part in parts:
            ranges.setdefault(part.source_ms, []).append((part.since_ms, part.until_ms))

        async def one(source: int, windows: list[tuple[int, int]]) -> list[Bucket]:
            coll = self.readings_coll if source == RAW else self.rollups[source]
            pipeline = rollups.group_pipeline(
                source, device=device, ranges=windows, bucket_ms=bucket_ms, channels=channels
            )
            cursor = await coll.aggregate(pipeline)
            return [rollups.group_to_bucket(doc, channels) for doc in await cursor.to_list()]

        with _translated("history"):
            results = await asyncio.gather(*(one(source, windows) for source, windows in ranges.items()))
        return [bucket for buckets in results for bucket in buckets]

    async def close(self) -> None:
        """See :meth:`storage.base.Store.close`."""
        if self._on_close is not None:
            await self._on_close()
