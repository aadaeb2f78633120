"""Errors of the edge agent.

Exception tree::

    EdgeError                  anything the agent reports about its own set-up
        SourceError            a sensor source cannot be used
            .source            the source name (``sense-hat``, ``sense-emu``, ``simulator``)
        OutboxError            the outbox file cannot be used
            .path              the SQLite file

Wire-format problems are :class:`contract.ContractError`, never one of these. Missing or
invalid settings are :class:`config.ConfigError`, the one settings error of every process.
"""

from __future__ import annotations

from pathlib import Path


class EdgeError(Exception):
    """Base class of the edge agent's own errors."""


class SourceError(EdgeError):
    """A sensor source cannot be created or read."""

    def __init__(self, source: str, detail: str) -> None:
        super().__init__(f"source {source}: {detail}")
        self.source = source
        self.detail = detail


class OutboxError(EdgeError):
    """The outbox database cannot be opened or used."""

    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(f"outbox {path}: {detail}")
        self.path = path
        self.detail = detail
