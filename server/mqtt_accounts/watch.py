"""The broker side of a change to the access files: notice it, reload Mosquitto (stdlib only).

Writers never signal the broker (they may run in another container); whoever runs Mosquitto
watches the folder and sends it SIGHUP, which makes Mosquitto 2.0 re-read ``password_file``
and ``acl_file``. Connections whose credentials are still valid stay up; Mosquitto
disconnects clients whose account is gone or whose password changed (tested in
``tests/integration/test_mqtt_access_reload.py``). The compose stack does the same in a
shell loop (``mosquitto/reload-on-change.sh``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from server.mqtt_accounts.files import ACL_FILE, PASSWORDS_FILE

log = logging.getLogger("sensebridge.mqtt_accounts")

POLL_S = 0.2
"""How often the files are looked at: a revocation takes effect within about this long."""

Signature = tuple[tuple[int, int, int] | None, ...]


def files_signature(folder: Path) -> Signature:
    """What identifies the files' current versions (inode, size, mtime); ``os.replace`` changes the inode."""
    found: list[tuple[int, int, int] | None] = []
    for name in (PASSWORDS_FILE, ACL_FILE):
        try:
            info = (folder / name).stat()
        except FileNotFoundError:
            found.append(None)
        else:
            found.append((info.st_ino, info.st_size, info.st_mtime_ns))
    return tuple(found)


class AccessWatcher:
    """Calls ``on_change`` (e.g. send SIGHUP to Mosquitto) from a thread whenever the files change.

    Args:
        folder: The folder holding ``passwords`` and ``acl``.
        on_change: What to do; an exception is logged and the watch goes on.
        poll_s: Seconds between looks.
    """

    def __init__(self, folder: Path, on_change: Callable[[], None], *, poll_s: float = POLL_S) -> None:
        self.folder = folder
        self.on_change = on_change
        self.poll_s = poll_s
        self.reloads = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._seen = files_signature(folder)

    def start(self) -> None:
        """Start watching (from the files as they are now). No-op if it already runs."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._seen = files_signature(self.folder)
        self._thread = threading.Thread(target=self._run, name=f"mqtt-access-watch {self.folder}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop watching and wait for the thread."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5.0)
            self._thread = None

    def check(self) -> bool:
        """Look once; call ``on_change`` if the files changed since the last look. True if it did."""
        now = files_signature(self.folder)
        if now == self._seen:
            return False
        self._seen = now
        try:
            self.on_change()
        except Exception:
            log.exception("reloading the broker after an access file change failed")
            return False
        self.reloads += 1
        return True

    def _run(self) -> None:
        while not self._stop.wait(self.poll_s):
            self.check()
