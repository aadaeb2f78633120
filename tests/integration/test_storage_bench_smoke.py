"""The storage benchmark runs: ``python -m bench.storage --smoke`` loads, queries and records a table.

Nothing here asserts a timing (the machine is shared); it proves the benchmark stores every
reading through the bridge's batch path, answers its history queries and writes its table into
the generated block of the document, keeping what is written around it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.storage.__main__ import BEGIN, END, main

pytestmark = pytest.mark.integration


def test_smoke_run_measures_ingest_and_history_and_records_the_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "storage-benchmarks.md"
    out.write_text(f"# Storage benchmarks\n\nHand-written analysis.\n\n{BEGIN}\nold figures\n{END}\n\nMore notes.\n")

    assert main(["--smoke", "--out", str(out)]) == 0

    printed = capsys.readouterr().out
    text = out.read_text()
    assert text.startswith("# Storage benchmarks\n\nHand-written analysis.\n")
    assert text.rstrip().endswith("More notes.")
    assert "old figures" not in text
    for row in ("Ingest: `store.insert_readings`", "Reference: `sqlite3` executemany", "History: whole range"):
        assert row in printed
        assert row in text
    assert "readings/s" in text
    assert "SQLite | 3." in text
    assert "p95" in text
