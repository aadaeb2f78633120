from collections.abc import Iterator

import pytest
from contract_helpers import BACKENDS, use_backend


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> Iterator[str]:
    """Run the test once with orjson and once with the standard-library JSON fallback."""
    with use_backend(request.param):
        yield request.param
