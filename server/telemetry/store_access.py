"""The process's one store handle, opened on first use (or injected by the embedded runner)."""

from __future__ import annotations

import asyncio

from django.conf import settings

from storage import Store, open_store

_store: Store | None = None
_lock = asyncio.Lock()


def use_store(store: Store) -> None:
    """Make the server read from ``store`` (the embedded runner shares the bridge's)."""
    global _store  # noqa: PLW0603 - one handle per process by design
    _store = store


async def get_store() -> Store:
    """The store named by ``STORE_URL``, opened once per process."""
    global _store  # noqa: PLW0603 - one handle per process by design
    if _store is None:
        async with _lock:
            if _store is None:
                _store = await open_store(settings.CONFIG.store_url, retention=settings.CONFIG.retention)
    return _store
