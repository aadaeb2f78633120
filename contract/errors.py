"""Errors of the contract package.

Exception tree::

    ContractError          a message or name breaks contract v1
        .reason            a :class:`Reason` (stable, machine-readable, counted)
        .detail            human-readable explanation
        .field             offending field, if one is to blame

Every rejection anywhere in sensebridge (bridge quarantine, WebSocket errors, REST
400s) reports one of these reasons, so they can be counted and documented once.
"""

from __future__ import annotations

import enum


class Reason(enum.StrEnum):
    """Why a message was rejected."""

    BAD_TOPIC = "bad_topic"
    BAD_DEVICE_ID = "bad_device_id"
    TOO_LARGE = "too_large"
    MALFORMED_JSON = "malformed_json"
    NOT_AN_OBJECT = "not_an_object"
    UNSUPPORTED_VERSION = "unsupported_version"
    MISSING_FIELD = "missing_field"
    UNKNOWN_FIELD = "unknown_field"
    WRONG_TYPE = "wrong_type"
    NOT_FINITE = "not_finite"
    OUT_OF_RANGE = "out_of_range"
    BAD_TIMESTAMP = "bad_timestamp"
    FUTURE_TIMESTAMP = "future_timestamp"
    NO_VALUES = "no_values"
    DEVICE_MISMATCH = "device_mismatch"
    EMPTY_BATCH = "empty_batch"
    UNEXPECTED_KIND = "unexpected_kind"
    BAD_TRANSITION = "bad_transition"


class ContractError(ValueError):
    """A message or name does not follow contract v1."""

    def __init__(self, reason: Reason, detail: str, *, field: str | None = None) -> None:
        super().__init__(f"{reason.value}: {detail}")
        self.reason = reason
        self.detail = detail
        self.field = field
