"""Value kinds of the settings table: how the text of a variable or flag becomes a typed value.

A kind parses text (:meth:`Kind.parse`: syntax; a failure leaves the setting at its default),
checks a typed value (:meth:`Kind.check`: range or choices; a failure keeps the value, so rules
between settings still see what was asked for), writes a value back as text (:meth:`Kind.render`,
for ``.env.example``) and says what it accepts (:meth:`Kind.describe`, for the docs). Failures
are ``ValueError`` carrying the reason only: the loader adds the setting's name and value.
"""

from __future__ import annotations

import ipaddress
import math
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Generic, TypeVar
from urllib.parse import urlsplit

from config.urls import masked, sqlite_path

T = TypeVar("T")


class Kind(ABC, Generic[T]):
    """How one setting's text is read, checked, written and described."""

    @abstractmethod
    def parse(self, text: str) -> T:
        """The value ``text`` (stripped, never empty) stands for.

        Raises:
            ValueError: the reason ``text`` cannot be read.
        """

    def check(self, value: T) -> None:
        """Check range or choices.

        Raises:
            ValueError: the reason ``value`` is not allowed.
        """

    def render(self, value: T) -> str:
        """``value`` as the text of an environment variable."""
        return str(value)

    def shown(self, text: str) -> str:
        """``text`` as a problem quotes it (secrets hidden)."""
        return repr(text)

    @abstractmethod
    def describe(self) -> str:
        """What it accepts, in a few words (Markdown)."""


class Text(Kind[str]):
    """Any text; a secret one is never shown in a problem."""

    def __init__(self, *, secret: bool = False) -> None:
        """A text kind; ``secret`` hides the value in problems."""
        self.secret = secret

    def parse(self, text: str) -> str:
        """See :meth:`Kind.parse`."""
        return text

    def shown(self, text: str) -> str:
        """See :meth:`Kind.shown`."""
        return "'***'" if self.secret else repr(text)

    def describe(self) -> str:
        """See :meth:`Kind.describe`."""
        return "secret text" if self.secret else "text"


class Int(Kind[int]):
    """A whole number in ``[lo, hi]``."""

    def __init__(self, lo: int, hi: int) -> None:
        """Integers from ``lo`` to ``hi``, both included."""
        self.lo = lo
        self.hi = hi

    def parse(self, text: str) -> int:
        """See :meth:`Kind.parse`."""
        try:
            return int(text)
        except ValueError:
            raise ValueError("not an integer") from None

    def check(self, value: int) -> None:
        """See :meth:`Kind.check`."""
        if not self.lo <= value <= self.hi:
            raise ValueError(f"must be an integer in [{self.lo}, {self.hi}]")

    def describe(self) -> str:
        """See :meth:`Kind.describe`."""
        return f"integer {self.lo} .. {self.hi}"


def _number(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


class Float(Kind[float]):
    """A finite number in ``[lo, hi]``, or ``(lo, hi]`` when ``lo`` is excluded."""

    def __init__(self, lo: float, hi: float, *, lo_excluded: bool = False) -> None:
        """Numbers from ``lo`` (excluded if ``lo_excluded``) to ``hi``."""
        self.lo = float(lo)
        self.hi = float(hi)
        self.lo_excluded = lo_excluded

    def parse(self, text: str) -> float:
        """See :meth:`Kind.parse`."""
        try:
            value = float(text)
        except ValueError:
            raise ValueError("not a number") from None
        if not math.isfinite(value):
            raise ValueError("must be a finite number")
        return value

    def check(self, value: float) -> None:
        """See :meth:`Kind.check`."""
        if value < self.lo or (self.lo_excluded and value == self.lo) or value > self.hi:
            raise ValueError(f"must be in {self._interval()}")

    def render(self, value: float) -> str:
        """See :meth:`Kind.render`."""
        return _number(value)

    def _interval(self) -> str:
        return f"{'(' if self.lo_excluded else '['}{_number(self.lo)}, {_number(self.hi)}]"

    def describe(self) -> str:
        """See :meth:`Kind.describe`."""
        return f"number in {self._interval()}"


class Choice(Kind[str]):
    """One of a fixed set of words (optionally case-insensitive: read in upper case)."""

    def __init__(self, *choices: str, upper: bool = False) -> None:
        """One of ``choices``; with ``upper`` the text is upper-cased first."""
        self.choices = choices
        self.upper = upper

    def parse(self, text: str) -> str:
        """See :meth:`Kind.parse`."""
        return text.upper() if self.upper else text

    def check(self, value: str) -> None:
        """See :meth:`Kind.check`."""
        if value not in self.choices:
            raise ValueError(f"expected one of {', '.join(self.choices)}")

    def describe(self) -> str:
        """See :meth:`Kind.describe`."""
        return "one of " + ", ".join(f"`{choice}`" for choice in self.choices)


class Flag(Kind[bool]):
    """On or off: ``1``/``true``/``yes`` or ``0``/``false``/``no`` (any case)."""

    ON = ("1", "true", "yes")
    OFF = ("0", "false", "no")

    def parse(self, text: str) -> bool:
        """See :meth:`Kind.parse`."""
        word = text.lower()
        if word not in self.ON + self.OFF:
            raise ValueError("expected 0 or 1")
        return word in self.ON

    def render(self, value: bool) -> str:
        """See :meth:`Kind.render`."""
        return "1" if value else "0"

    def describe(self) -> str:
        """See :meth:`Kind.describe`."""
        return "`0` or `1`"


class Names(Kind[tuple[str, ...]]):
    """A comma-separated list of at least one name (blanks between commas are skipped)."""

    def parse(self, text: str) -> tuple[str, ...]:
        """See :meth:`Kind.parse`."""
        names = tuple(name.strip() for name in text.split(",") if name.strip())
        if not names:
            raise ValueError("is empty")
        return names

    def render(self, value: tuple[str, ...]) -> str:
        """See :meth:`Kind.render`."""
        return ",".join(value)

    def describe(self) -> str:
        """See :meth:`Kind.describe`."""
        return "comma-separated names"


class Folder(Kind[Path]):
    """A file-system path (relative to the working directory unless absolute)."""

    def parse(self, text: str) -> Path:
        """See :meth:`Kind.parse`."""
        return Path(text)

    def describe(self) -> str:
        """See :meth:`Kind.describe`."""
        return "path"


class File(Kind[Path]):
    """The path of a file (relative to the working directory unless absolute); the process reads it."""

    def parse(self, text: str) -> Path:
        """See :meth:`Kind.parse`."""
        return Path(text)

    def describe(self) -> str:
        """See :meth:`Kind.describe`."""
        return "path of a file"


class Url(Kind[str]):
    """A URL with one of ``schemes``, in the shape ``form`` describes.

    Checked without the network: the scheme, a host (except for ``hostless`` schemes), the
    port, and no path or query where the form allows none. ``sqlite`` URLs must name a file
    (:func:`config.urls.sqlite_path`). Passwords are never shown in a problem.
    """

    def __init__(
        self, *schemes: str, form: str, hostless: tuple[str, ...] = (), path: bool = True, query: bool = True
    ) -> None:
        """URLs of ``schemes``; ``form`` is what a problem says is expected."""
        self.schemes = schemes
        self.form = form
        self.hostless = hostless
        self.path = path
        self.query = query

    def parse(self, text: str) -> str:
        """See :meth:`Kind.parse`."""
        parts = urlsplit(text)
        if parts.scheme not in self.schemes:
            raise ValueError(f"expected {self.form}")
        if parts.scheme == "sqlite":
            sqlite_path(text)
            return text
        if parts.scheme not in self.hostless and not parts.hostname:
            raise ValueError(f"no host: expected {self.form}")
        if parts.scheme in self.hostless and not (parts.hostname or parts.path):
            raise ValueError(f"expected {self.form}")
        try:
            parts.port  # noqa: B018 - urllib checks the port when it is read
        except ValueError:
            raise ValueError("bad port") from None
        if (not self.path and parts.path not in ("", "/")) or (not self.query and (parts.query or parts.fragment)):
            raise ValueError(f"only {self.form} is understood")
        return text

    def shown(self, text: str) -> str:
        """See :meth:`Kind.shown`."""
        return repr(masked(text))

    def describe(self) -> str:
        """See :meth:`Kind.describe`."""
        return f"`{self.form}`"


class UrlList(Kind[tuple[str, ...]]):
    """A comma-separated list of at least one URL, each read as ``url`` reads one."""

    def __init__(self, url: Url) -> None:
        """URLs of the kind ``url``; the first one refused names the reason."""
        self.url = url

    def parse(self, text: str) -> tuple[str, ...]:
        """See :meth:`Kind.parse`."""
        urls = tuple(part.strip() for part in text.split(",") if part.strip())
        if not urls:
            raise ValueError("is empty")
        for url in urls:
            try:
                self.url.parse(url)
            except ValueError as exc:
                raise ValueError(f"{masked(url)!r}: {exc}") from None
        return urls

    def render(self, value: tuple[str, ...]) -> str:
        """See :meth:`Kind.render`."""
        return ",".join(value)

    def shown(self, text: str) -> str:
        """See :meth:`Kind.shown`."""
        return repr(",".join(masked(part) for part in text.split(",")))

    def describe(self) -> str:
        """See :meth:`Kind.describe`."""
        return f"comma-separated {self.url.describe()}"


class Networks(Kind[tuple[str, ...]]):
    """A comma-separated list of at least one IP address or network (CIDR), each normalized.

    An address stands for its own network (``10.0.0.7`` -> ``10.0.0.7/32``). Names are not
    resolved (a name could point elsewhere later); a network with host bits set
    (``10.0.0.7/8``) is refused rather than widened silently. The first entry refused names
    the reason.
    """

    def parse(self, text: str) -> tuple[str, ...]:
        """See :meth:`Kind.parse`."""
        entries = tuple(part.strip() for part in text.split(",") if part.strip())
        if not entries:
            raise ValueError("is empty")
        return tuple(_network(entry) for entry in entries)

    def render(self, value: tuple[str, ...]) -> str:
        """See :meth:`Kind.render`."""
        return ",".join(value)

    def describe(self) -> str:
        """See :meth:`Kind.describe`."""
        return "comma-separated IP addresses or networks (`10.0.0.7`, `172.18.0.0/16`, `::1`)"


def _network(entry: str) -> str:
    """``entry`` as Python's :mod:`ipaddress` writes its network (``::1`` -> ``::1/128``)."""
    try:
        return str(ipaddress.ip_network(entry))
    except ValueError:
        pass
    try:
        widened = ipaddress.ip_network(entry, strict=False)
    except ValueError:
        raise ValueError(
            f"{entry!r}: not an IP address or network (names are not resolved: write the address or a CIDR network)"
        ) from None
    raise ValueError(f"{entry!r}: host bits set (the network is {widened})")
