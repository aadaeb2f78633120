"""``python -m bench.dashboard``: the dashboard under many fast devices, in a real Chromium.

Starts the README's embedded mode (``./scripts/run --devices 10 --rate 10``: ten simulated
Sense HATs, every channel, 10 readings per second each) on free ports, unless ``--url``
names a running dashboard, then measures one page through its scenarios:

* ``blank``: an empty page (what this machine's Chromium does when nothing happens);
* ``fleet``: the fleet view, every card live with its sparkline;
* ``device``: one device's seven charts, live;
* ``device-paused``: the same page paused: the same messages arrive, nothing is drawn;
* ``heap``: the live device view for ``--heap-minutes``, JS heap sampled after forced
  garbage collections, to show whether it stays flat.

The page signs in first, as a user does, with the first admin's password the embedded mode
wrote to its data folder (with ``--url``: ``--username`` and the password in ``--password-file``);
its live socket then carries the session cookie.

Figures are printed as a Markdown table and, with ``--json``, written to a file.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, sync_playwright

from bench.dashboard.probe import Measurement, Probe
from bench.procstat import cpu_model
from devstack.browser import chromium_path, launch_chromium
from devstack.embedded import embedded_mode

READY = "document.querySelector('[data-testid=device-view]')?.dataset.phase === 'ready'"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.dashboard", description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running dashboard (default: start the embedded mode)")
    parser.add_argument("--devices", type=int, default=10)
    parser.add_argument("--rate", type=float, default=10.0, help="readings per second per device")
    parser.add_argument("--seconds", type=float, default=30.0, help="length of each measurement")
    parser.add_argument("--warmup", type=float, default=10.0, help="seconds before each measurement")
    parser.add_argument("--heap-minutes", type=float, default=3.0)
    parser.add_argument("--device", default="sim-1", help="the device whose view is measured")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--username", help="with --url: the user the page signs in as")
    parser.add_argument("--password-file", type=Path, help="with --url: a file holding that user's password")
    args = parser.parse_args(argv)
    if args.url and not (args.username and args.password_file):
        parser.error("--url needs --username and --password-file (the page must sign in)")
    return args


@contextmanager
def dashboard(args: argparse.Namespace) -> Iterator[tuple[str, tuple[str, str]]]:
    """The URL of a dashboard with the load running, and the (username, password) to sign in with."""
    if args.url:
        yield args.url.rstrip("/"), (args.username, args.password_file.read_text().strip())
        return
    with (
        tempfile.TemporaryDirectory(prefix="bench-dashboard-") as work,
        embedded_mode(Path(work), "--devices", str(args.devices), "--rate", str(args.rate)) as running,
    ):
        yield running.base_url, running.admin_login()


def sign_in(page: Page, base: str, login: tuple[str, str]) -> None:
    """Log the page's browser context in as the dashboard does (CSRF token, then the login POST).

    Raises:
        RuntimeError: the login was refused.
    """
    csrf = page.request.get(base + "/api/v1/auth/csrf").json()["csrf_token"]
    answer = page.request.post(
        base + "/api/v1/auth/login",
        data={"username": login[0], "password": login[1]},
        headers={"X-CSRFToken": csrf, "Origin": base},
    )
    if answer.status != 200:
        raise RuntimeError(f"login as {login[0]} refused: {answer.status} {answer.text()[:200]}")


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    return {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "cpus": os.cpu_count(),
        "cpu": cpu_model(),
        "system": f"{platform.system()} {platform.release()}",
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def run_scenarios(page: Page, base: str, args: argparse.Namespace) -> tuple[list[Measurement], list[float]]:
    probe = Probe(page)
    results: list[Measurement] = []
    page.goto("about:blank")
    results.append(probe.measure("blank", min(args.seconds, 10.0)))

    page.goto(base + "/#/")
    page.wait_for_selector("[data-testid=connection][data-state=live]", timeout=60_000)
    page.wait_for_timeout(args.warmup * 1000)
    results.append(probe.measure("fleet", args.seconds))

    page.goto(f"{base}/#/device/{args.device}")
    page.wait_for_function(READY, timeout=60_000)
    page.wait_for_timeout(args.warmup * 1000)
    results.append(probe.measure("device", args.seconds))

    page.get_by_test_id("pause").click()
    page.wait_for_timeout(2000)
    results.append(probe.measure("device-paused", args.seconds))
    page.get_by_test_id("pause").click()

    heap: list[float] = []
    samples = max(2, round(args.heap_minutes * 2) + 1)
    for i in range(samples):
        if i > 0:
            page.wait_for_timeout(30_000)
        heap.append(probe.heap_mb())
    return results, heap


def table(results: list[Measurement]) -> str:
    lines = [
        "| Scenario | fps | frame p95 / max (ms) | main thread busy | of it JavaScript | JS heap (MB) | WS msgs/s |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r.label} | {r.fps:.1f} | {r.frame_p95_ms:.0f} / {r.frame_max_ms:.0f} | {r.busy:.0%} | {r.script:.0%} "
        f"| {r.heap_mb:.1f} | {r.ws_per_s:.0f} |"
        for r in results
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    chromium_path()  # fails before anything starts when Chromium is missing
    with dashboard(args) as (base, login), sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        sign_in(page, base, login)
        facts = {**machine(), "chromium": browser.version, "devices": args.devices, "rate_hz": args.rate}
        results, heap = run_scenarios(page, base, args)
        browser.close()
    facts["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    minutes = (len(heap) - 1) / 2
    print(f"## Dashboard benchmark, {facts['date']}")
    print(json.dumps(facts))
    print(table(results))
    print(f"JS heap of the live device view every 30 s for {minutes:g} min (MB): {', '.join(f'{h:.1f}' for h in heap)}")
    if args.json:
        args.json.write_text(
            json.dumps({"machine": facts, "scenarios": [r.row() for r in results], "heap_mb": heap}, indent=2)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
