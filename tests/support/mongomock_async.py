"""TEST SUPPORT ONLY: mongomock behind the async slice of pymongo the Mongo store uses.

No MongoDB server can run on the CI machines, so the Mongo half of the storage contract suite
runs against mongomock (an in-memory fake of MongoDB; synchronous). This wrapper gives its
collections the coroutine signatures of pymongo's ``AsyncCollection`` listed in
:mod:`storage.mongo_api`, nothing more: no emulation of its own. mongomock raises pymongo's
own exception classes (``BulkWriteError``, ``DuplicateKeyError``), so the store's error
handling runs unchanged. Write concerns are accepted and ignored (mongomock has no
replication); what mongomock cannot verify is listed in docs/storage.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, MutableMapping
from typing import Any

import mongomock

from storage.mongo_api import Collection, Cursor, DeleteOutcome, Document


class MongomockCursor:
    """A finished mongomock cursor with pymongo's async ``to_list``."""

    def __init__(self, results: Iterable[Document]) -> None:
        self._results = results

    async def to_list(self, length: int | None = None) -> list[Document]:
        docs = list(self._results)
        return docs if length is None else docs[:length]


class MongomockCollection:
    """One mongomock collection, with coroutine methods."""

    def __init__(self, collection: mongomock.Collection) -> None:
        self.sync = collection

    async def insert_many(self, documents: Iterable[Document], ordered: bool = True) -> object:
        return self.sync.insert_many(list(documents), ordered=ordered)

    def find(self, *args: Any, **kwargs: Any) -> Cursor:
        return MongomockCursor(self.sync.find(*args, **kwargs))

    async def find_one(self, filter: Any | None = None, *args: Any, **kwargs: Any) -> Document | None:
        result: Document | None = self.sync.find_one(filter, *args, **kwargs)
        return result

    async def aggregate(self, pipeline: Any) -> Cursor:
        return MongomockCursor(self.sync.aggregate(list(pipeline)))

    async def replace_one(
        self, filter: Mapping[str, Any], replacement: Mapping[str, Any], upsert: bool = False
    ) -> object:
        return self.sync.replace_one(filter, replacement, upsert=upsert)

    async def update_one(self, filter: Mapping[str, Any], update: Mapping[str, Any], upsert: bool = False) -> object:
        return self.sync.update_one(filter, update, upsert=upsert)

    async def delete_many(self, filter: Mapping[str, Any]) -> DeleteOutcome:
        result: DeleteOutcome = self.sync.delete_many(filter)
        return result

    async def create_index(self, keys: Any, **kwargs: Any) -> str:
        name: str = self.sync.create_index(keys, **kwargs)
        return name

    async def drop_index(self, index_or_name: Any, **kwargs: Any) -> None:
        self.sync.drop_index(index_or_name, **kwargs)

    async def index_information(self) -> MutableMapping[str, Any]:
        info: MutableMapping[str, Any] = self.sync.index_information()
        return info


class MongomockDatabase:
    """A mongomock database handing out :class:`MongomockCollection` wrappers."""

    def __init__(self, database: mongomock.Database) -> None:
        self.sync = database

    def get_collection(self, name: str, *, write_concern: Any = None) -> Collection:
        # mongomock has no replication or journal: the write concern cannot be honoured or checked.
        return MongomockCollection(self.sync.get_collection(name))


def mongomock_database(name: str = "sensebridge") -> MongomockDatabase:
    """A fresh in-memory mongomock database."""
    return MongomockDatabase(mongomock.MongoClient()[name])
