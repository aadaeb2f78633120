"""Without orjson (the Pi) the codec falls back to the standard library with the same results.

The golden and rejection tables run on both backends through the ``backend`` fixture; this
module checks the fallback is really chosen when orjson cannot be imported.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator

import orjson
import pytest
from contract_helpers import golden_bytes

from contract import codec


@pytest.fixture
def codec_without_orjson(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setitem(sys.modules, "orjson", None)  # makes `import orjson` raise ImportError
    importlib.reload(codec)
    yield
    monkeypatch.undo()
    importlib.reload(codec)


def test_the_bridge_uses_orjson() -> None:
    assert codec.loads is orjson.loads
    assert codec.dumps is orjson.dumps


@pytest.mark.usefixtures("codec_without_orjson")
def test_without_orjson_the_codec_uses_the_standard_library() -> None:
    assert codec.loads is codec._stdlib_loads
    assert codec.dumps is codec._stdlib_dumps
    reading = codec.decode_reading(golden_bytes("reading.json"))
    assert codec.encode_reading(reading) == golden_bytes("reading.json").rstrip(b"\n")
