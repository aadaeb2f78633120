"""Reading storage: one async interface (:class:`~storage.base.Store`), an SQLite
implementation for the embedded mode, chosen by ``STORE_URL`` via :func:`open_store`."""

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
