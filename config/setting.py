"""One row of the settings table: :class:`Setting`, and the processes that read settings."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Generic, TypeVar

from config.kinds import Choice, Kind

T = TypeVar("T")


class Process(enum.StrEnum):
    """A sensebridge program that reads settings at start-up."""

    EDGE = "edge"
    """``python -m edge``: the agent on the Pi (environment and command-line flags)."""
    BRIDGE = "bridge"
    """``python -m bridge``: the ingest worker."""
    SERVER = "server"
    """The Django ASGI server and ``python -m server`` / ``manage.py`` commands."""
    EMBEDDED = "embedded"
    """``./scripts/run`` (``python -m server.embedded``): everything in one process."""


@dataclass(frozen=True, slots=True)
class Setting(Generic[T]):
    """A setting: an environment variable, its kind, default, readers and meaning.

    Attributes:
        name: The environment variable.
        kind: How its text is read and checked (:mod:`config.kinds`).
        default: The value when it is unset or empty; ``None``: no value (the reading
            process decides what that means, and :attr:`default_doc` says it).
        processes: The processes that read it from their environment.
        doc: One sentence on what it does.
        flag: The edge agent's command-line flag for it, which wins over the variable.
        default_doc: How the docs show the default when it is not a plain value.
        example: The value ``.env.example`` shows when there is no default.
        process_defaults: A different default for some processes (the embedded mode's own).
    """

    name: str
    kind: Kind[T]
    default: T | None
    processes: tuple[Process, ...]
    doc: str
    flag: str | None = None
    default_doc: str | None = None
    example: str | None = None
    process_defaults: tuple[tuple[Process, T], ...] = ()

    @property
    def default_value(self) -> T:
        """The default, for a setting that has one.

        Raises:
            ValueError: it has none.
        """
        if self.default is None:
            raise ValueError(f"{self.name} has no default")
        return self.default

    @property
    def choices(self) -> tuple[str, ...]:
        """The words a :class:`~config.kinds.Choice` setting allows.

        Raises:
            TypeError: it is not a choice.
        """
        if not isinstance(self.kind, Choice):
            raise TypeError(f"{self.name} is not a choice")
        return self.kind.choices

    def default_for(self, process: Process) -> T | None:
        """The default ``process`` uses."""
        return dict(self.process_defaults).get(process, self.default)

    def rendered_default(self) -> str:
        """The default as the text of the variable (empty when there is none)."""
        return "" if self.default is None else self.kind.render(self.default)
