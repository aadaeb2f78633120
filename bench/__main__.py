"""``python -m bench [--smoke] [--only NAME,...] [--out PATH]``: run the benchmarks, print, record.

Without ``--smoke`` the benchmarks run one after the other and the results replace the
generated block of docs/benchmarks.md (the hand-written analysis around it stays); ``--out``
writes elsewhere, ``--no-write`` nowhere. ``--smoke`` runs tiny versions side by side (nothing
is timed there) and writes only with ``--out``.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import importlib
import shutil
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path

from bench.options import Options
from bench.report import Section, machine, machine_markdown, section_markdown, sections_text, write_doc
from server.config import ASGI_SERVERS, DEFAULT_ASGI_SERVER

BENCHMARKS = {
    "ingest": "bench.ingest",
    "latency": "bench.latency",
    "fanout": "bench.fanout",
    "memory": "bench.memory",
    "scaleout": "bench.scaleout",
    "bridge": "bench.bridgecost",
    "micro": "bench.micro",
    "models": "bench.models",
    "sqlitewriter": "bench.sqlitewriter",
}
DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def main(argv: list[str] | None = None) -> int:
    """Run the chosen benchmarks; exit status 1 if one of them failed to run."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n", 1)[0])
    parser.add_argument("--smoke", action="store_true", help="seconds-long version (what the test suite runs)")
    parser.add_argument("--only", default="", help=f"comma-separated subset of {', '.join(BENCHMARKS)}")
    parser.add_argument("--out", type=Path, help="document to write (default: docs/benchmarks.md, not with --smoke)")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--asgi-server", choices=ASGI_SERVERS, default=DEFAULT_ASGI_SERVER)
    parser.add_argument("--no-profile", action="store_true", help="skip the py-spy profiles")
    parser.add_argument("--keep", action="store_true", help="keep the working directory (server logs)")
    args = parser.parse_args(argv)
    # SIGTERM stops the run like Ctrl+C: the with-blocks stop every server this run started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    names = [n.strip() for n in args.only.split(",") if n.strip()] or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")
    workdir = Path(tempfile.mkdtemp(prefix="sensebridge-bench-"))
    opts = Options(
        smoke=args.smoke, workdir=workdir, asgi_server=args.asgi_server, profile=not (args.no_profile or args.smoke)
    )
    info = machine()
    started = datetime.datetime.now(datetime.UTC)
    t0 = time.monotonic()
    failed = False

    def one(name: str) -> Section:
        nonlocal failed
        print(f"--> {name}", file=sys.stderr, flush=True)
        module = importlib.import_module(BENCHMARKS[name])
        try:
            section: Section = module.run(opts)
        except Exception as exc:  # one benchmark failing must not hide the others' numbers
            failed = True
            traceback.print_exc()
            section = Section(name, f"{name}: FAILED", notes=[f"{type(exc).__name__}: {str(exc)[:500]}"])
        if not args.smoke:
            print(sections_text([section]), flush=True)
        return section

    try:
        if args.smoke:
            # Nothing is timed in smoke mode, so the benchmarks share the machine: they mostly wait.
            with concurrent.futures.ThreadPoolExecutor(max_workers=len(names)) as pool:
                sections = list(pool.map(one, names))
            print(sections_text(sections), flush=True)
        else:
            sections = [one(name) for name in names]
    finally:
        if args.keep or failed:
            print(f"working directory kept: {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    minutes = (time.monotonic() - t0) / 60
    command = f"python -m bench{' --smoke' if args.smoke else ''}{' --only ' + args.only if args.only else ''}"
    header = (
        f"Measured {started:%Y-%m-%d %H:%M} UTC by `{command}` ({'smoke' if args.smoke else 'full'} mode, "
        f"whole run {minutes:.1f} min, load average at start {info['Load average at start']})"
    )
    out = args.out or (None if args.smoke else DOC)
    if out is not None and not args.no_write:
        blocks = {"machine": machine_markdown(info)}
        blocks |= {section.key: section_markdown(section, header=header) for section in sections}
        write_doc(out, blocks)
        print(f"written: {out}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
