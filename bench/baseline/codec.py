"""``contract.codec._values`` as it was before the fast path, for the micro benchmark's "before"."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from contract.channels import CHANNELS_BY_NAME
from contract.errors import ContractError, Reason


def values_before(obj: Mapping[str, Any], fixed: frozenset[str]) -> dict[str, float]:
    """The sensor values of a decoded reading, checked one by one (issue 2's version)."""
    values: dict[str, float] = {}
    for key, value in obj.items():
        if key in fixed:
            continue
        channel = CHANNELS_BY_NAME.get(key)
        if channel is None:
            raise ContractError(Reason.UNKNOWN_FIELD, f"unknown field {key[:64]!r}", field=key[:64])
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ContractError(Reason.WRONG_TYPE, f"{key} must be a number", field=key)
        number = float(value)
        if not math.isfinite(number):
            raise ContractError(Reason.NOT_FINITE, f"{key} is not finite", field=key)
        if not channel.minimum <= number <= channel.maximum:
            raise ContractError(
                Reason.OUT_OF_RANGE,
                f"{key}={number:g} outside [{channel.minimum:g}, {channel.maximum:g}] {channel.unit}",
                field=key,
            )
        values[key] = number
    if not values:
        raise ContractError(Reason.NO_VALUES, "a reading needs at least one sensor value")
    return values
