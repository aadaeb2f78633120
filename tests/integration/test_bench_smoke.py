"""The benchmark suite runs: ``python -m bench --smoke`` measures every benchmark and writes the tables.

A smoke run, not a benchmark: tiny loads for about a second each, and nothing here
asserts a timing. What it proves is that every benchmark starts its own servers on free
ports, drives its load, stops by itself, and prints and records numbers.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from bench.__main__ import BENCHMARKS
from bench.report import marks

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
HEADINGS = {
    "ingest": "1. Ingest",
    "latency": "2. End-to-end latency",
    "fanout": "3. Fan-out",
    "memory": "4. Memory",
    "scaleout": "5. Scale-out",
    "bridge": "Bridge fast path",
    "micro": "Micro:",
    "models": "Model library for the contract",
    "sqlitewriter": "SQLite writes beside a busy event loop",
}


def test_smoke_run_measures_every_benchmark_and_records_the_tables(tmp_path: Path) -> None:
    out = tmp_path / "benchmarks.md"
    out.write_text("# Benchmarks\n\nHand-written analysis.\n")

    run = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--out", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=100,
        check=False,
    )

    assert run.returncode == 0, f"stdout:\n{run.stdout}\nstderr:\n{run.stderr[-3000:]}"
    assert set(HEADINGS) == set(BENCHMARKS)
    document = out.read_text()
    assert document.startswith("# Benchmarks\n\nHand-written analysis.\n")
    for name, heading in HEADINGS.items():
        begin, end = marks(name)
        section = document[document.index(begin) : document.index(end)]
        assert f"### {heading}" in section, name
        assert "smoke mode" in section, name
        assert heading in run.stdout, name
    block = document[document.index(marks("machine")[0]) :]
    assert "FAILED" not in block
    lines = block.splitlines()
    headers = {lines[i - 1] for i, line in enumerate(lines) if line.startswith("|---")}
    rows = [line for line in lines if line.startswith("| ") and line not in headers]
    assert len(rows) >= len(HEADINGS), "no table rows"
    assert all(re.search(r"\d", row) for row in rows), "every table row carries a number"
