"""Waiting on a condition with a deadline: how every devstack user waits for something to happen."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

POLL_INTERVAL_S = 0.02


class WaitTimeoutError(TimeoutError):
    """A condition did not hold in time.

    Attributes:
        what: What was waited for, as the caller named it.
        timeout: Seconds waited.
    """

    def __init__(self, what: str, timeout: float) -> None:
        self.what = what
        self.timeout = timeout
        super().__init__(f"timed out after {timeout:g} s waiting for {what}")


def wait_until(
    check: Callable[[], T | None], *, timeout: float = 10.0, what: str = "condition", interval: float = POLL_INTERVAL_S
) -> T:
    """Poll ``check`` until it returns something truthy, and return that.

    Args:
        check: Called repeatedly; a truthy result ends the wait.
        timeout: Seconds before giving up.
        what: Names the condition in the error.
        interval: Seconds between polls.

    Raises:
        WaitTimeoutError: ``check`` stayed falsy for ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        left = deadline - time.monotonic()
        if left <= 0:
            raise WaitTimeoutError(what, timeout)
        time.sleep(min(interval, left))
