"""How every browser run of the project starts Debian's Chromium (e2e tests, benchmarks, screenshots).

Playwright's own browser download is not available on these machines; Python Playwright drives
the system's ``chromium`` through ``executable_path``. Playwright is imported only for types,
so importing this module needs nothing beyond the standard library.
"""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Playwright

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    """The system Chromium.

    Raises:
        FileNotFoundError: none is installed (``./scripts/test`` installs Debian's ``chromium``).
    """
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        raise FileNotFoundError("Chromium is missing: ./scripts/test installs Debian's chromium package")
    return found


def launch_chromium(playwright: Playwright) -> Browser:
    """Debian's Chromium, headless, with :data:`CHROMIUM_ARGS`; close it when done."""
    return playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
