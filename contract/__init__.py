"""sensebridge wire contract v1: topics, message models, codec, builders and their definition.

Dependency-free (standard library only; uses ``orjson`` when present) and compatible
with Python 3.11, so the Pi, the bridge, the server and the tests share this one
definition. Every MQTT, WebSocket and REST message is defined in :mod:`contract.spec`
(commands and their life: :mod:`contract.commands`, :mod:`contract.command_codec`);
``python -m contract.generate`` writes the JSON Schemas and the dashboard's TypeScript
module from it. See ``docs/contract.md``.
"""

from contract.channels import CHANNEL_NAMES, CHANNELS, CHANNELS_BY_NAME, Channel
from contract.errors import ContractError, Reason
from contract.models import VERSION, Reading, Status, StorageAck, seq_ranges
from contract.topics import Kind

__all__ = [
    "CHANNELS",
    "CHANNELS_BY_NAME",
    "CHANNEL_NAMES",
    "VERSION",
    "Channel",
    "ContractError",
    "Kind",
    "Reading",
    "Reason",
    "Status",
    "StorageAck",
    "seq_ranges",
]
