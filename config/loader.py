"""Read the settings of one process from its environment (and flags), collecting every problem.

:func:`read` resolves each setting the process reads: a command-line flag wins over the
environment variable, an empty (or blank) variable or flag counts as unset, and an unset
setting takes its default. The result, :class:`Values`, hands out typed values by table row
(``values[table.BRIDGE_TICK_MS]`` is an ``int``); the process's own rules between settings
add their problems to it, and :meth:`Values.check` raises one :class:`~config.errors.ConfigError`
listing them all, in table order.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from typing import Any, TypeVar

from config.errors import ConfigError, Problem
from config.setting import Process, Setting
from config.table import SETTINGS, settings_of

T = TypeVar("T")

_ORDER = {setting.name: index for index, setting in enumerate(SETTINGS)}


class Values:
    """The settings one process read, typed, with every problem found so far."""

    def __init__(
        self, process: Process, environ: Mapping[str, str] | None = None, flags: Mapping[str, str] | None = None
    ) -> None:
        """Read the settings of ``process``: see :func:`read`, which is the usual way to call this."""
        self.process = process
        self.problems: list[Problem] = []
        self._with_flags = flags is not None
        self._values: dict[str, Any] = {}
        self._given: set[str] = set()
        self._invalid: set[str] = set()
        environ = os.environ if environ is None else environ
        for setting in settings_of(process):
            flagged = (flags or {}).get(setting.name, "")
            self._resolve(setting, flagged if flagged.strip() else environ.get(setting.name))

    def get(self, setting: Setting[T]) -> T | None:
        """The value of ``setting``; ``None`` when it is unset and has no default.

        An unreadable value counts as the default; one out of range is kept as given (and
        :meth:`valid` says it is not).

        Raises:
            KeyError: this process does not read ``setting``.
        """
        if setting.name not in self._values:
            raise KeyError(f"{self.process} does not read {setting.name}")
        value: T | None = self._values[setting.name]
        return value

    def __getitem__(self, setting: Setting[T]) -> T:
        """The value of a setting that always has one (see :meth:`get`).

        Raises:
            KeyError: this process does not read ``setting``, or it has no value.
        """
        value = self.get(setting)
        if value is None:
            raise KeyError(f"{setting.name} has no value")
        return value

    def given(self, setting: Setting[Any]) -> bool:
        """Whether ``setting`` was set (not empty) in the environment or on the command line."""
        return setting.name in self._given

    def valid(self, setting: Setting[Any]) -> bool:
        """Whether ``setting`` was unset or set to an allowed value."""
        return setting.name not in self._invalid

    def label(self, setting: Setting[Any]) -> str:
        """How problems name ``setting``: ``NAME``, or ``NAME (--flag)`` for a process with flags."""
        if self._with_flags and setting.flag:
            return f"{setting.name} ({setting.flag})"
        return setting.name

    def problem(self, setting: Setting[Any], text: str) -> None:
        """Record a problem about ``setting``: its label, then ``text`` (``"is required"``, ``": ..."``)."""
        separator = "" if text.startswith((":", "=")) else " "
        self.problems.append(Problem(setting.name, f"{self.label(setting)}{separator}{text}"))

    def invalidate(self, setting: Setting[Any]) -> None:
        """Mark ``setting`` as not valid (a process rule refused its value)."""
        self._invalid.add(setting.name)

    def check(self) -> None:
        """Raise if any problem was found.

        Raises:
            ConfigError: listing every problem, in table order.
        """
        if self.problems:
            ordered = sorted(self.problems, key=lambda problem: _ORDER.get(problem.setting, len(_ORDER)))
            raise ConfigError(self.process.value, ordered)

    def _resolve(self, setting: Setting[Any], text: str | None) -> None:
        self._values[setting.name] = setting.default_for(self.process)
        text = (text or "").strip()
        if not text:
            return
        self._given.add(setting.name)
        try:
            value = setting.kind.parse(text)
        except ValueError as exc:
            self._refuse(setting, text, str(exc))
            return
        self._values[setting.name] = value
        try:
            setting.kind.check(value)
        except ValueError as exc:
            self._refuse(setting, text, str(exc))

    def _refuse(self, setting: Setting[Any], text: str, reason: str) -> None:
        self._invalid.add(setting.name)
        self.problem(setting, f"={setting.kind.shown(text)}: {reason}")


def read(process: Process, environ: Mapping[str, str] | None = None, flags: Mapping[str, str] | None = None) -> Values:
    """Read the settings ``process`` reads (:func:`config.table.settings_of`).

    Args:
        process: Whose settings.
        environ: The environment (default ``os.environ``).
        flags: Command-line values by variable name (``None``: the process has no flags);
            a non-empty one wins over the variable.
    """
    return Values(process, environ, flags)


def add_flags(parser: argparse.ArgumentParser, process: Process) -> None:
    """Add a flag for each setting of ``process`` that has one; each defaults to "not given"."""
    for setting in settings_of(process):
        if setting.flag is None:
            continue
        default = setting.default_doc or (f"`{setting.rendered_default()}`" if setting.default is not None else "")
        shown = f", default {default.replace('`', '')}" if default else ""
        parser.add_argument(
            setting.flag,
            dest=setting.name,
            default=None,
            metavar="VALUE",
            help=f"{setting.doc} [{setting.name}{shown}]",
        )


def given_flags(namespace: argparse.Namespace, process: Process) -> dict[str, str]:
    """The flags of :func:`add_flags` given on the command line, by variable name."""
    return {
        setting.name: str(getattr(namespace, setting.name))
        for setting in settings_of(process)
        if setting.flag is not None and getattr(namespace, setting.name, None) is not None
    }
