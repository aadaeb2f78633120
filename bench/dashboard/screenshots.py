"""``python -m bench.dashboard.screenshots``: the pictures in docs/screenshots/, reproducibly.

Seeds an hour of history for the simulated devices (with ten minutes offline, to show how
gaps look) into a fresh data folder, starts the README's embedded mode on it, and takes
the fleet and device views in light and dark, on a desktop and a phone-sized screen.
The simulator is a pure function of time, so the seeded history and the live readings
that follow it join without a seam.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

from bench.dashboard.__main__ import READY, sign_in
from contract.models import Reading
from devstack.browser import chromium_path, launch_chromium
from devstack.embedded import embedded_mode
from edge.sources.simulator import SimulatedDevice
from storage import open_store

REPO = Path(__file__).resolve().parents[2]
MINUTE_MS = 60_000


def seed(data_dir: Path, devices: int, now_ms: int) -> None:
    """An hour of 2 Hz readings per device up to now; sim-2 was offline from -35 to -25 min."""
    readings: list[Reading] = []
    for index in range(devices):
        device = f"sim-{index + 1}"
        sim = SimulatedDevice(seed=0, index=index)
        for seq, ts in enumerate(range(now_ms - 60 * MINUTE_MS, now_ms, 500)):
            if device == "sim-2" and now_ms - 35 * MINUTE_MS <= ts < now_ms - 25 * MINUTE_MS:
                continue
            readings.append(Reading(device=device, boot="history", seq=seq, ts_ms=ts, values=sim.at(ts / 1000)))

    async def insert() -> None:
        store = await open_store(f"sqlite:///{data_dir / 'sensebridge.sqlite3'}")
        try:
            for start in range(0, len(readings), 5000):
                await store.insert_readings(readings[start : start + 5000])
        finally:
            await store.close()

    asyncio.run(insert())


# (address, file, width, height, color scheme)
SHOTS = [
    ("/#/", "fleet.png", 1280, 560, "light"),
    ("/#/device/sim-2?window=1h", "device.png", 1280, 1000, "light"),
    ("/#/device/sim-2?window=1h", "device-dark.png", 1280, 1000, "dark"),
    ("/#/device/sim-1", "phone-dark.png", 390, 844, "dark"),
]


def shoot(
    browser: Browser, base: str, path: str, out: Path, *, login: tuple[str, str], width: int, height: int, scheme: str
) -> None:
    page = browser.new_page(viewport={"width": width, "height": height}, color_scheme=scheme)  # type: ignore[arg-type]
    sign_in(page, base, login)
    url = base + path
    page.goto(url)
    page.wait_for_selector("[data-testid=connection][data-state=live]", timeout=60_000)
    if "/device/" in url:
        page.wait_for_function(READY, timeout=60_000)
    page.wait_for_timeout(4000)  # a few live redraws and sparklines filled in
    page.screenshot(path=str(out), full_page=False)
    page.close()
    print(f"wrote {out}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dashboard.screenshots", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    parser.add_argument("--devices", type=int, default=4)
    args = parser.parse_args(argv)
    chromium_path()  # fails before anything starts when Chromium is missing
    with tempfile.TemporaryDirectory(prefix="screenshots-") as work:
        data = Path(work) / "data"
        data.mkdir()
        seed(data, args.devices, time.time_ns() // 1_000_000)
        with (
            embedded_mode(Path(work), "--devices", str(args.devices), "--rate", "2") as running,
            sync_playwright() as playwright,
        ):
            browser = launch_chromium(playwright)
            base = running.base_url
            login = running.admin_login()
            for path, name, width, height, scheme in SHOTS:
                shoot(browser, base, path, args.out / name, login=login, width=width, height=height, scheme=scheme)
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
