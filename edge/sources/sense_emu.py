"""The Sense HAT emulator (``sense_emu``, the desktop GUI), same API as the real board."""

from __future__ import annotations

from edge.sources.sense_hat import SenseApiSource, open_sense_api


def open_sense_emu() -> SenseApiSource:
    """The emulated Sense HAT.

    Raises:
        SourceError: ``sense_emu`` is not installed or the emulator cannot be opened.
    """
    return open_sense_api("sense_emu", "sense-emu")
