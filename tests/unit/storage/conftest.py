"""Fixtures of the storage contract suite: one ``store`` per backend (see storage_backends.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from storage_backends import Backend, backend_params, make_backend

from storage.base import Store


@pytest.fixture(params=backend_params())
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    """An empty backend: SQLite, mongomock, and a real MongoDB when ``MONGO_URL`` is set."""
    async with make_backend(request.param, tmp_path) as made:
        yield made


@pytest.fixture
async def store(backend: Backend) -> AsyncIterator[Store]:
    """A store on the backend with the default retention."""
    opened = await backend.open(None)
    yield opened
    await opened.close()
