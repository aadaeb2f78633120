"""Reading storage: one async interface, an SQLite implementation, chosen by ``STORE_URL``.

See :class:`storage.base.Store` and :func:`storage.factory.open_store`.
"""

from storage.base import DeviceSummary, InsertResult, QuarantinedMessage, ReadingPage, Store, StoreError
from storage.factory import open_store

__all__ = [
    "DeviceSummary",
    "InsertResult",
    "QuarantinedMessage",
    "ReadingPage",
    "Store",
    "StoreError",
    "open_store",
]
