"""Model library for the contract: contract.codec, msgspec and pydantic v2 on the bridge's hot path.

The same two payloads (one 16-channel ``reading``, a 500-reading ``batch``) decoded into the
same :class:`~contract.models.Reading` values by each decoder of :mod:`bench.model_decoders`,
in process. Each figure is the best of interleaved repeats: every repeat times every
(operation, decoder) pair once, in a rotating order, so a burst of outside load on the
shared machine hits all of them alike. Besides the decoders themselves, the library's step
alone (its parse and validation, no post-pass) and the bridge's pipeline core
(:func:`bridge.pipeline.classify` with the decoder swapped in) are timed.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from functools import partial
from importlib import metadata
from pathlib import Path
from unittest import mock

from bench.model_decoders import CODEC, DECODERS, Decoder
from bench.options import Options
from bench.report import Section, Table, num, times
from bench.stats import ratio
from bridge import pipeline
from bridge.pipeline import Accepted, Incoming, classify
from contract import codec
from contract.models import Reading
from contract.topics import Kind, topic
from edge.sources.simulator import SimulatedDevice

BATCH = 500
# What each decoder needs installed on the bridge (its own distribution and what it requires).
LIBRARIES = {"contract.codec": "orjson", "msgspec": "msgspec", "pydantic v2": "pydantic"}


@contextmanager
def _in_pipeline(decoder: Decoder) -> Iterator[None]:
    """The bridge's pipeline core with ``decoder`` in place of the codec's decode functions."""
    with (
        mock.patch.object(pipeline, "decode_reading", decoder.decode_reading),
        mock.patch.object(pipeline, "decode_batch", decoder.decode_batch),
    ):
        yield


def _once(fn: Callable[[], object], number: int) -> float:
    t0 = time.perf_counter()
    for _ in range(number):
        fn()
    return time.perf_counter() - t0


def _calls_for(fn: Callable[[], object], seconds: float) -> int:
    """How many calls of ``fn`` take about ``seconds`` (after a warm-up call)."""
    fn()
    return max(1, round(seconds / max(_once(fn, 1), 1e-7)))


def _payloads() -> tuple[bytes, bytes, int]:
    now = time.time_ns() // 1_000_000
    values = SimulatedDevice(seed=3, index=0).at(now / 1000)
    readings = [Reading(device="models", boot="b1", seq=s, ts_ms=now + s, values=values) for s in range(BATCH)]
    return codec.encode_reading(readings[0]), codec.encode_batch(readings), now


def _check_same_results(single: bytes, batch: bytes) -> None:
    """Every decoder turns the benchmark's payloads into the codec's readings (else the figures mean nothing)."""
    want = (CODEC.decode_reading(single, rx_ms=1), CODEC.decode_batch(batch, rx_ms=1))
    for decoder in DECODERS:
        if (decoder.decode_reading(single, rx_ms=1), decoder.decode_batch(batch, rx_ms=1)) != want:
            raise RuntimeError(f"{decoder.name} decodes the benchmark payloads differently from the codec")


def install_size(distribution: str) -> tuple[int, bool]:
    """Bytes installed by ``distribution`` and its unconditional requirements, and whether any is compiled."""
    pending, seen, size, compiled = [distribution], set(), 0, False
    while pending:
        dist = metadata.distribution(pending.pop())
        name = dist.metadata["Name"].lower()
        if name in seen:
            continue
        seen.add(name)
        for file in dist.files or []:
            path = Path(file.locate())
            if path.is_file():
                size += path.stat().st_size
            compiled |= file.name.endswith((".so", ".pyd"))
        for requirement in dist.requires or []:
            if ";" not in requirement:  # extras and other platforms are not installed by default
                match = re.match(r"[A-Za-z0-9._-]+", requirement)
                if match:
                    pending.append(match.group(0))
    return size, compiled


@dataclass(frozen=True)
class Job:
    """One timed operation: ``fn`` handles ``per`` readings per call, inside ``context``."""

    fn: Callable[[], object]
    per: int
    context: Callable[[], AbstractContextManager[object]] = nullcontext


def measure(jobs: dict[tuple[str, str], Job], *, repeat: int, seconds: float) -> dict[tuple[str, str], float]:
    """Best microseconds per reading of every job over ``repeat`` interleaved rounds of about ``seconds`` each."""
    calls = {}
    for key, job in jobs.items():
        with job.context():
            calls[key] = _calls_for(job.fn, seconds)
    best = dict.fromkeys(jobs, float("inf"))
    keys = list(jobs)
    for round_ in range(repeat):
        shift = round_ % len(keys)
        for key in keys[shift:] + keys[:shift]:
            with jobs[key].context():
                best[key] = min(best[key], _once(jobs[key].fn, calls[key]))
    return {key: best[key] / calls[key] / jobs[key].per * 1e6 for key in jobs}


OPERATIONS = (
    "decode one reading message",
    f"decode a {BATCH}-reading batch",
    "bridge classify (pipeline core), one reading",
    f"bridge classify (pipeline core), {BATCH}-reading batch",
    "library step alone (no post-pass), one reading",
    f"library step alone (no post-pass), {BATCH}-reading batch",
)


def _jobs(single: bytes, batch: bytes, now: int) -> dict[tuple[str, str], Job]:
    rx_ms, future = now + 1000, 300_000
    live = Incoming(topic("models", Kind.READING), single, rx_ms)
    backfill = Incoming(topic("models", Kind.BATCH), batch, rx_ms)
    jobs: dict[tuple[str, str], Job] = {}
    for d in DECODERS:
        in_pipeline = partial(_in_pipeline, d)
        for operation, job in (
            (OPERATIONS[0], Job(partial(d.decode_reading, single, rx_ms=rx_ms), 1)),
            (OPERATIONS[1], Job(partial(d.decode_batch, batch, rx_ms=rx_ms), BATCH)),
            (OPERATIONS[2], Job(partial(classify, live, max_future_ms=future), 1, in_pipeline)),
            (OPERATIONS[3], Job(partial(classify, backfill, max_future_ms=future), BATCH, in_pipeline)),
            (OPERATIONS[4], Job(partial(d.parse_reading, single), 1)),
            (OPERATIONS[5], Job(partial(d.parse_batch, batch), BATCH)),
        ):
            jobs[(operation, d.name)] = job
    refused = []
    for operation in OPERATIONS[2:4]:
        for d in DECODERS:
            job = jobs[(operation, d.name)]
            with job.context():
                if not isinstance(job.fn(), Accepted):
                    refused.append(f"{operation} with {d.name}")
    if refused:
        raise RuntimeError(f"the pipeline does not accept the benchmark payloads: {refused}")
    return jobs


def run(opts: Options) -> Section:
    """Every decoder on both payloads, then what each needs installed."""
    section = Section(
        "models", "Model library for the contract: decoding cost per reading (best of interleaved repeats)"
    )
    single, batch, now = _payloads()
    _check_same_results(single, batch)
    us = measure(_jobs(single, batch, now), repeat=opts.count(40, 2), seconds=opts.seconds(0.02, 0.001))
    names = [d.name for d in DECODERS]
    candidates = names[1:]
    table = Table(
        "Microseconds per reading",
        ["operation", *(f"{n} us" for n in names), *(f"{n} / {names[0]}" for n in candidates)],
    )

    def row(label: str, figures: list[float]) -> None:
        ratios = [times(ratio(f, figures[0])) for f in figures[1:]]
        table.add(label, *(num(f, 2) for f in figures), *ratios)

    for operation in OPERATIONS:
        row(operation, [us[(operation, n)] for n in names])
    for full, alone, label in ((0, 4, "one reading"), (1, 5, f"{BATCH}-reading batch")):
        post = [us[(OPERATIONS[full], n)] - us[(OPERATIONS[alone], n)] for n in names]
        row(f"post-pass in Python (decode minus library step), {label}", post)
    section.tables.append(table)
    for name in candidates:
        figures = [ratio(us[(op, name)], us[(op, names[0])]) for op in OPERATIONS[2:4]]
        section.goal(
            f"{name}: the bridge's pipeline core costs no more per reading than with {names[0]} "
            f"({' / '.join(times(f) for f in figures)}, one reading / batch)",
            None if opts.smoke else all(f is not None and f <= 1.0 for f in figures),
        )
    weight = Table(
        "What each decoder needs installed",
        ["decoder", "on the bridge", "installed", "compiled", "on the Pi (nothing compiled)"],
    )
    for name in names:
        distribution = LIBRARIES[name]
        size, compiled = install_size(distribution)
        weight.add(
            name,
            f"{distribution} {metadata.version(distribution)} and its requirements",
            f"{size / 2**20:.1f} MiB",
            "yes" if compiled else "no",
            "runs on the standard library's json" if name == CODEC.name else "cannot run: no pure-Python fallback",
        )
    section.tables.append(weight)
    section.notes += [
        f"{names[0]} is the production codec with orjson, as on the bridge; its library step is orjson.loads alone, "
        "so its post-pass row is all of its checks.",
        "Every decoder returns equal Reading values for both payloads (checked before timing) and the verdict of "
        "the codec on the contract's goldens and rejection table (tests/unit/bench/test_bench_model_decoders.py).",
        "The post-pass, the same in Python for both libraries: the size limit, at least one channel, the calendar "
        "check of ts and its conversion to ms, and building the Reading values (bench/model_decoders.py).",
        "bridge classify is bridge.pipeline.classify (topic parse, decode, device and future checks) with the "
        "decoder swapped in: the bridge's validation cost per reading, without MQTT and storage. The bridge table "
        "(CPU per live reading through MQTT, Redis and SQLite, hundreds of us) is not run per decoder: a difference "
        "of a few us is below its run-to-run spread.",
    ]
    return section
