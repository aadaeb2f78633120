"""Every message of the contract, for the generators and the tests."""

from __future__ import annotations

from contract.spec import mqtt, rest, ws
from contract.spec.vocabulary import Message, Surface, nested_messages

MESSAGES: tuple[Message, ...] = mqtt.MESSAGES + ws.MESSAGES + rest.MESSAGES


def message(surface: Surface, name: str) -> Message:
    """The top-level message ``name`` of ``surface``.

    Raises:
        KeyError: no such message.
    """
    for candidate in MESSAGES:
        if candidate.surface is surface and candidate.name == name:
            return candidate
    raise KeyError(f"{surface.value}/{name}")


def all_messages() -> list[Message]:
    """Every message and every object nested in one, each once, nested ones first."""
    found: list[Message] = []
    for top in MESSAGES:
        for candidate in [*nested_messages(top), top]:
            if candidate not in found:
                found.append(candidate)
    return found
