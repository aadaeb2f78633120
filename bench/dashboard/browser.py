"""How every browser run of the project starts Debian's Chromium (benchmarks, screenshots, e2e tests).

Playwright's own browser download is not available on these machines; Python Playwright drives
the system's ``chromium`` through ``executable_path``.
"""

from __future__ import annotations

import shutil

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
