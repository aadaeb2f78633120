"""Fixtures of the storage contract suite: one ``store`` per backend (see storage_backends.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from storage_backends import Backend, backend_params, make_backend, mongo_url_for

from storage.base import Store


@pytest.fixture(params=backend_params())
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    """An empty backend: SQLite, the Mongo store on the SecantusDB stand-in, and a real MongoDB when
    ``MONGO_URL`` is set."""
    async with make_backend(request.param, tmp_path, mongo_url_for(request)) as made:
        yield made


@pytest.fixture
async def store(backend: Backend) -> AsyncIterator[Store]:
    """A store on the backend with the default retention."""
    opened = await backend.open(None)
    yield opened
    await opened.close()
