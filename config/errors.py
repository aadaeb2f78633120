"""The one error every sensebridge process raises for bad settings.

Exception tree::

    ValueError
        ConfigError            settings are missing or invalid (raised once, at start-up)
            .process           which process read them (``edge``, ``bridge``, ``server``, ``embedded``)
            .problems          every problem found, in the order of the settings table

A :class:`Problem` names the setting it is about, so a caller (or a test) can tell which
settings failed without parsing the message.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One missing or invalid setting.

    Attributes:
        setting: The variable it is about (for a rule between two settings, the first in the table).
        message: What is wrong, a sentence that starts with the variable's name.
    """

    setting: str
    message: str

    def __str__(self) -> str:
        return self.message


class ConfigError(ValueError):
    """Settings are missing or invalid; :attr:`problems` lists every one of them."""

    def __init__(self, process: str, problems: Iterable[Problem]) -> None:
        """Collect ``problems`` (at least one) found while reading the settings of ``process``."""
        self.process = process
        self.problems = tuple(problems)
        count = len(self.problems)
        lines = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(f"invalid {process} settings ({count} problem{'' if count == 1 else 's'}):\n{lines}")
