"""One embedded-mode process (the README's run command) shared by the end-to-end tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.embedded import Embedded, embedded_mode


@pytest.fixture(scope="session")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Embedded]:
    with embedded_mode(tmp_path_factory.mktemp("embedded"), "--devices", "3", "--rate", "5") as running:
        yield running
