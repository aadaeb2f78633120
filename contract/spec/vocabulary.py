"""The words the contract definition is written in: field types, fields, messages, checks.

A message is a frozen value listing its fields; each field has a wire name, a type, a
sentence of description and, for times, the clock it is read from. The generators
(:mod:`contract.generate`) turn these values into JSON Schemas and the dashboard's
TypeScript module; nothing here parses or builds a message at run time.

Naming rule for times (checked by a unit test): every WebSocket and REST time field is
epoch milliseconds and names its clock, ``device_ts`` (the device's clock),
``received_ts`` (the bridge's clock when it received the MQTT message) or ``server_ts``
(the web server's clock, for its own records such as API tokens), optionally after a role
(``status_received_ts``, ``since_device_ts``, ``expires_server_ts``). MQTT payloads keep
``ts`` (device time, ISO 8601), which devices in the field already publish.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from contract.errors import Reason


class Clock(enum.StrEnum):
    """Whose clock a time was read from."""

    DEVICE = "device"
    RECEIVED = "received"
    SERVER = "server"


CLOCK_MEANING = {
    Clock.DEVICE: "the device's clock (when it sampled or published; as right as the Pi's clock)",
    Clock.RECEIVED: "the bridge's clock when it received the MQTT message",
    Clock.SERVER: "the web server's clock (its own records: API tokens, WebSocket tickets)",
}


class Direction(enum.StrEnum):
    """Who sends a message, which decides how strictly a receiver reads it."""

    DEVICE = "device"  # device -> bridge (MQTT): unknown fields are rejected
    BRIDGE = "bridge"  # bridge -> device (MQTT): unknown fields are rejected
    CLIENT = "client"  # browser -> server (WebSocket): unknown fields are rejected
    SERVER = "server"  # server -> browser (WebSocket, REST): unknown fields are ignored

    @property
    def strict(self) -> bool:
        """Whether a receiver rejects fields it does not know (else it ignores them)."""
        return self is not Direction.SERVER


class Surface(enum.StrEnum):
    """Where a message travels; also the schema sub-folder (MQTT's files stay at the top)."""

    MQTT = "mqtt"
    WS = "ws"
    REST = "rest"


# --- field types ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Integer:
    """A JSON integer in ``[minimum, maximum]`` (out of range: ``out_of_range``)."""

    minimum: int
    maximum: int


@dataclass(frozen=True, slots=True)
class Number:
    """A finite JSON number, optionally bounded; ``min_excluded``: ``minimum`` itself is out of range."""

    minimum: float | None = None
    maximum: float | None = None
    min_excluded: bool = False


@dataclass(frozen=True, slots=True)
class Text:
    """A string, optionally matching ``pattern`` (a mismatch is ``reason``)."""

    pattern: str | None = None
    reason: Reason = Reason.WRONG_TYPE


@dataclass(frozen=True, slots=True)
class Boolean:
    """``true`` or ``false``."""


@dataclass(frozen=True, slots=True)
class Const:
    """Exactly one value (a message's ``type``, the MQTT version)."""

    value: int | str
    reason: Reason = Reason.OUT_OF_RANGE


@dataclass(frozen=True, slots=True)
class Choice:
    """One of a few strings (another string: ``out_of_range``)."""

    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ChannelName:
    """The name of a channel of :mod:`contract.channels` (another string: ``out_of_range``)."""


@dataclass(frozen=True, slots=True)
class Time:
    """A moment read from ``clock``: epoch milliseconds, or an ISO 8601 UTC string (MQTT)."""

    clock: Clock
    iso: bool = False


@dataclass(frozen=True, slots=True)
class Nullable:
    """``item`` or ``null``."""

    item: Type


@dataclass(frozen=True, slots=True)
class Array:
    """A JSON array of ``item``; too few items is ``too_short``, too many ``too_long``."""

    item: Type
    min_items: int = 0
    max_items: int | None = None
    too_short: Reason = Reason.OUT_OF_RANGE
    too_long: Reason = Reason.TOO_LARGE


@dataclass(frozen=True, slots=True)
class Pair:
    """``[a, b]`` of ``item``; ``ordered`` means ``a <= b`` (decoders check, JSON Schema cannot)."""

    item: Type
    labels: tuple[str, str] = ("first", "last")
    ordered: bool = True


@dataclass(frozen=True, slots=True)
class Object:
    """A nested message."""

    message: Message


@dataclass(frozen=True, slots=True)
class ChannelMap:
    """An object keyed by channel names (any subset), each holding ``item``."""

    item: Type


Scalar = Integer | Number | Text | Boolean | Const | Choice | ChannelName | Time
Type = Scalar | Nullable | Array | Pair | Object | ChannelMap


# --- cross-field checks a JSON Schema cannot express (decoders run them) ---------------


@dataclass(frozen=True, slots=True)
class SeqMatchesReadings:
    """``seq`` is ``[first, last]`` of the sequence numbers of ``readings``."""

    range_field: str = "seq"
    rows_field: str = "readings"

    def describe(self) -> str:
        """One sentence for the schema and the docs."""
        return f"{self.range_field} equals [first, last] of the seq of the first and last of {self.rows_field}."


@dataclass(frozen=True, slots=True)
class SameLength:
    """Every column has as many items as ``reference`` (absent optional columns are skipped)."""

    reference: str
    columns: tuple[str, ...]
    map_field: str | None = None  # a ChannelMap whose items' array fields are columns too

    def describe(self) -> str:
        """One sentence for the schema and the docs."""
        columns = ", ".join(self.columns) + (f" and every array in {self.map_field}" if self.map_field else "")
        return f"{columns} have as many items as {self.reference}."


@dataclass(frozen=True, slots=True)
class Ascending:
    """The numbers of array ``field`` never decrease."""

    field: str

    def describe(self) -> str:
        """One sentence for the schema and the docs."""
        return f"{self.field} never decreases."


@dataclass(frozen=True, slots=True)
class RequiredWhen:
    """``fields`` are present when ``when`` equals ``equals`` (JSON Schema: if/then)."""

    fields: tuple[str, ...]
    when: str
    equals: int | str

    def describe(self) -> str:
        """One sentence for the schema and the docs."""
        return f"{' and '.join(self.fields)} are present when {self.when} is {self.equals}."


@dataclass(frozen=True, slots=True)
class KeysListed:
    """The ChannelMap ``map_field`` has an entry for every name in ``list_field``."""

    map_field: str
    list_field: str

    def describe(self) -> str:
        """One sentence for the schema and the docs."""
        return f"{self.map_field} has an entry for every channel in {self.list_field}."


@dataclass(frozen=True, slots=True)
class Later:
    """The time ``later`` is after the time ``earlier`` (``out_of_range`` on ``later``)."""

    earlier: str
    later: str

    def describe(self) -> str:
        """One sentence for the schema and the docs."""
        return f"{self.later} is after {self.earlier}."


Check = SeqMatchesReadings | SameLength | Ascending | RequiredWhen | KeysListed | Later


# --- fields and messages -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Field:
    """One field of a message.

    Attributes:
        name: Wire name (the TypeScript name is its camelCase).
        type: What it holds.
        description: One or two sentences; a time's clock is added by the generators.
        required: False if the field may be absent (TypeScript reads an absent field as null).
    """

    name: str
    type: Type
    description: str
    required: bool = True


@dataclass(frozen=True, slots=True)
class ChannelValues:
    """A reading's channel values, flattened into the message: one optional number per channel.

    Attributes:
        at_least_one: The message carries at least one channel value.
        ts_name: The TypeScript property that collects them (channel name -> value).
    """

    at_least_one: bool = True
    ts_name: str = "values"


@dataclass(frozen=True, slots=True)
class Message:
    """One message kind (or an object nested in one).

    Attributes:
        surface: MQTT, WebSocket or REST.
        name: File stem of its schema and golden files (``frame`` -> ``ws/frame.json``).
        ts_name: TypeScript interface name.
        title: Schema title.
        description: What it is, where it travels.
        direction: Who sends it (decides strictness).
        fields: Its fields, in wire order.
        channels: Channel values flattened into it, if any.
        checks: Cross-field rules a JSON Schema cannot express.
        nested: Only part of other messages: no schema file of its own.
        max_bytes: Size limit of the serialized message, if any.
    """

    surface: Surface
    name: str
    ts_name: str
    title: str
    description: str
    direction: Direction
    fields: tuple[Field, ...]
    channels: ChannelValues | None = None
    checks: tuple[Check, ...] = ()
    nested: bool = False
    max_bytes: int | None = None
    _by_name: dict[str, Field] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {f.name: f for f in self.fields})
        if len(self._by_name) != len(self.fields):
            raise ValueError(f"{self.name}: a field name is used twice")

    @property
    def field_names(self) -> frozenset[str]:
        """The wire names of the fixed fields (channel values not included)."""
        return frozenset(self._by_name)

    def by_name(self, name: str) -> Field:
        """The field called ``name``.

        Raises:
            KeyError: no such field.
        """
        return self._by_name[name]

    @property
    def kind_value(self) -> str | None:
        """The ``kind`` constant of a command message, else None."""
        found = self._by_name.get("kind")
        return str(found.type.value) if found is not None and isinstance(found.type, Const) else None

    @property
    def kind(self) -> str | None:
        """The ``type`` constant of a WebSocket message, else None."""
        found = self._by_name.get("type")
        return str(found.type.value) if found is not None and isinstance(found.type, Const) else None


def walk_types(kind: Type) -> list[Type]:
    """``kind`` and every type inside it (not descending into nested messages)."""
    inner: list[Type] = [kind]
    if isinstance(kind, Nullable | Array | Pair | ChannelMap):
        inner += walk_types(kind.item)
    return inner


def nested_messages(message: Message) -> list[Message]:
    """Messages nested in ``message``, innermost first, each once."""
    found: list[Message] = []
    for f in message.fields:
        for kind in walk_types(f.type):
            if isinstance(kind, Object):
                for inner in [*nested_messages(kind.message), kind.message]:
                    if inner not in found:
                        found.append(inner)
    return found
