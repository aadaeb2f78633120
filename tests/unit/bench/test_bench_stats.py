"""The benchmark's arithmetic: percentiles, loss and duplicate counting, report splicing."""

from __future__ import annotations

import random

import pytest

from bench.report import Table, marks, splice, table_markdown, table_text
from bench.stats import Delivery, Latency, SeqTracker, percentile, ratio


@pytest.mark.parametrize(
    ("q", "expected"),
    [(0, 1.0), (1, 1.0), (50, 50.0), (99, 99.0), (99.5, 100.0), (100, 100.0)],
)
def test_percentile_is_nearest_rank(q: float, expected: float) -> None:
    assert percentile([float(v) for v in range(1, 101)], q) == expected


def test_percentile_of_nothing_is_an_error() -> None:
    with pytest.raises(ValueError, match="no samples"):
        percentile([], 50)


def test_latency_summary_counts_the_nagle_tail() -> None:
    latency = Latency.of([1.0] * 97 + [40.0, 41.0, 45.0])

    assert latency == Latency(count=100, p50=1.0, p99=41.0, max=45.0, over_nagle=0.02)
    assert Latency.of([]) is None


def second(index: int, latencies: list[float]) -> tuple[list[float], list[float]]:
    """Samples spread over second ``index`` of a run, with their timestamps (ms)."""
    return latencies, [index * 1000.0 + i for i in range(len(latencies))]


def run_of(*seconds: tuple[list[float], list[float]]) -> Latency:
    latencies = [lat for lats, _ in seconds for lat in lats]
    stamps = [ts for _, stamps in seconds for ts in stamps]
    latency = Latency.of(latencies, stamps_ms=stamps)
    assert latency is not None
    return latency


def test_a_nagle_tail_is_in_most_seconds_a_stall_in_a_few() -> None:
    steady = run_of(*(second(i, [2.0] * 95 + [42.0] * 5) for i in range(10)))
    stall = run_of(*(second(i, [2.0] * 100) for i in range(8)), second(8, [120.0] * 100), second(9, [2.0] * 100))

    assert steady.tail_seconds == 1.0
    assert steady.over_nagle == pytest.approx(0.05)
    assert stall.tail_seconds == 0.1
    assert stall.over_nagle == pytest.approx(0.1)


def test_a_second_counts_only_above_one_percent_over_40_ms() -> None:
    assert run_of(second(0, [2.0] * 99 + [41.0])).tail_seconds == 0.0
    assert run_of(second(0, [2.0] * 98 + [41.0] * 2)).tail_seconds == 1.0
    assert run_of(second(0, [40.0] * 100)).tail_seconds == 0.0  # 40 ms itself is not over


def test_ratio_is_none_without_a_usable_reference() -> None:
    assert ratio(10, 4) == 2.5
    assert ratio(None, 4) is ratio(3, None) is ratio(3, 0) is None


def test_in_order_stream_is_one_range() -> None:
    tracker = SeqTracker()
    tracker.add_range(1, 5)
    tracker.add_range(6, 6)
    for seq in range(7, 11):
        tracker.add(seq)

    assert tracker.ranges == [(1, 10)]
    assert tracker.delivery(1, 10) == Delivery(expected=10, received=10, duplicates=0)


def test_gaps_are_lost_and_repeats_are_duplicates() -> None:
    tracker = SeqTracker()
    tracker.add_range(1, 3)
    tracker.add_range(7, 9)
    tracker.add_range(2, 4)  # 2 and 3 again, 4 new

    assert tracker.ranges == [(1, 4), (7, 9)]
    assert tracker.duplicates == 2
    assert tracker.delivery(1, 10) == Delivery(expected=10, received=7, duplicates=2)
    assert tracker.delivery(1, 10).lost == 3


def test_any_arrival_order_gives_the_same_ranges_as_sorting() -> None:
    rng = random.Random(4)
    seqs = [s for s in range(1, 400) if rng.random() > 0.1]
    arrivals = seqs + rng.sample(seqs, 40)
    rng.shuffle(arrivals)
    tracker = SeqTracker()
    for seq in arrivals:
        tracker.add(seq)

    expected: list[tuple[int, int]] = []
    for seq in seqs:
        if expected and expected[-1][1] == seq - 1:
            expected[-1] = (expected[-1][0], seq)
        else:
            expected.append((seq, seq))
    assert tracker.ranges == expected
    assert (tracker.distinct, tracker.duplicates) == (len(seqs), 40)


def test_deliveries_add_up() -> None:
    assert Delivery(10, 9, 1) + Delivery(5, 5, 0) == Delivery(15, 14, 1)


def test_tables_render_for_the_console_and_markdown() -> None:
    table = Table("Figures", ["path", "p99 ms"])
    table.add("bridge", "12.5")

    assert table_markdown(table) == "**Figures**\n\n| path | p99 ms |\n|---|---|\n| bridge | 12.5 |"
    assert table_text(table).splitlines() == ["Figures", "path    p99 ms", "------  ------", "bridge  12.5"]
    with pytest.raises(ValueError, match="columns"):
        table.add("one cell")


def test_splice_replaces_only_its_own_generated_block() -> None:
    begin, end = marks("latency")
    other_begin, other_end = marks("ingest")
    document = (
        f"# Benchmarks\n\nanalysis stays\n\n{other_begin}\ningest numbers\n{other_end}\n\n"
        f"{begin}\nold numbers\n{end}\n\nmore analysis\n"
    )

    assert splice(document, "latency", "new numbers") == (
        f"# Benchmarks\n\nanalysis stays\n\n{other_begin}\ningest numbers\n{other_end}\n\n"
        f"{begin}\nnew numbers\n{end}\n\nmore analysis\n"
    )


def test_splice_appends_a_block_to_a_document_without_one() -> None:
    begin, end = marks("fanout")
    assert splice("# Benchmarks\n", "fanout", "numbers") == f"# Benchmarks\n\n{begin}\nnumbers\n{end}\n"
