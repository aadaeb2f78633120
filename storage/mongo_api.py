"""The slice of pymongo's async API the Mongo store uses, as protocols.

:class:`storage.mongo.MongoStore` is written against these only. In production they are
satisfied by pymongo's own ``AsyncDatabase``/``AsyncCollection`` (no adapter in between), in
the tests too, over the wire against SecantusDB, a MongoDB stand-in (no MongoDB server can run
on the CI machines). Keeping the slice small keeps what the stand-in cannot verify small
(docs/storage.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, MutableMapping
from typing import Any, Protocol

Document = dict[str, Any]


class Cursor(Protocol):
    """A query or aggregation result."""

    async def to_list(self, length: int | None = None) -> list[Document]:
        """All (or the first ``length``) documents."""
        ...


class DeleteOutcome(Protocol):
    """Result of ``delete_many``."""

    @property
    def deleted_count(self) -> int:
        """Documents deleted."""
        ...


class Collection(Protocol):
    """The collection methods the store calls (pymongo ``AsyncCollection`` signatures)."""

    async def insert_many(self, documents: Iterable[Document], ordered: bool = True) -> object:
        """Insert documents; ``ordered=False`` tries every one and reports each failure."""
        ...

    def find(self, *args: Any, **kwargs: Any) -> Cursor:
        """Query: ``find(filter, projection, sort=[...], limit=n)``."""
        ...

    async def find_one(self, filter: Any | None = None, *args: Any, **kwargs: Any) -> Document | None:
        """The first match or ``None``."""
        ...

    async def aggregate(self, pipeline: Any) -> Cursor:
        """Run an aggregation pipeline."""
        ...

    async def replace_one(
        self, filter: Mapping[str, Any], replacement: Mapping[str, Any], upsert: bool = False
    ) -> object:
        """Replace the first match (insert ``replacement`` if none and ``upsert``)."""
        ...

    async def update_one(self, filter: Mapping[str, Any], update: Mapping[str, Any], upsert: bool = False) -> object:
        """Update the first match (insert if none and ``upsert``)."""
        ...

    async def delete_many(self, filter: Mapping[str, Any]) -> DeleteOutcome:
        """Delete every match."""
        ...

    async def create_index(self, keys: Any, **kwargs: Any) -> str:
        """Create an index (no-op if an identical one exists)."""
        ...

    async def drop_index(self, index_or_name: Any, **kwargs: Any) -> None:
        """Drop an index by name."""
        ...

    async def index_information(self) -> MutableMapping[str, Any]:
        """Index name -> its description (``key``, ``unique``, ``expireAfterSeconds``...)."""
        ...


class Database(Protocol):
    """Where the store's collections live."""

    def get_collection(self, name: str, *, write_concern: Any = None) -> Collection:
        """A collection with the given write concern."""
        ...
