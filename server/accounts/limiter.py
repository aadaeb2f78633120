"""Login back-off, pure: how long a key (an account, an address) must wait before its next attempt.

Each key has a :class:`Tally` of failed logins. The first ``free_failures`` cost nothing;
after them each attempt must wait ``first_delay_ms`` after the last failure, doubling with
every further failure up to ``max_delay_ms``; a key with no failure for
``forget_after_ms`` starts over. The clock is passed in (epoch ms), so every rule is tested
without waiting. The store of tallies is the application database, shared by every ASGI
process (:mod:`server.accounts.login`), which reserves an attempt before the password is
checked so that a burst of parallel attempts cannot all pass one check.

Addresses are keyed by IPv4 address, or by IPv6 /64 network (one subscriber's usual share).
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass

IPV6_NETWORK_BITS = 64
MAX_KEY_CHARS = 200


@dataclass(frozen=True, slots=True)
class Policy:
    """How fast one key slows down.

    Attributes:
        free_failures: Failures in a row that cost no wait.
        first_delay_ms: The wait after ``free_failures`` failures; it doubles with each further one.
        max_delay_ms: The longest wait.
        forget_after_ms: A key without a failure for this long starts over.
    """

    free_failures: int
    first_delay_ms: int
    max_delay_ms: int
    forget_after_ms: int


# An account: five tries, then 2 s, 4 s, ... up to 15 min between tries (about 100 guesses a day).
ACCOUNT_POLICY = Policy(free_failures=5, first_delay_ms=2_000, max_delay_ms=15 * 60_000, forget_after_ms=3_600_000)
# An address may hold several people (a NAT, an office): more free tries, the same slope.
ADDRESS_POLICY = Policy(free_failures=20, first_delay_ms=2_000, max_delay_ms=15 * 60_000, forget_after_ms=3_600_000)


@dataclass(frozen=True, slots=True)
class Tally:
    """Failed logins of one key: how many in a row, and when the last one was (epoch ms)."""

    failures: int = 0
    last_failure_ms: int = 0


def current(policy: Policy, tally: Tally, now_ms: int) -> Tally:
    """``tally`` as of ``now_ms``: a fresh one once the failures are old enough to forget."""
    if tally.failures and now_ms - tally.last_failure_ms >= policy.forget_after_ms:
        return Tally()
    return tally


def delay_ms(policy: Policy, failures: int) -> int:
    """The wait after the last of ``failures`` failures in a row."""
    if failures < policy.free_failures:
        return 0
    doublings = min(failures - policy.free_failures, 32)  # past the cap anyway; no huge numbers
    return min(policy.first_delay_ms << doublings, policy.max_delay_ms)


def wait_ms(policy: Policy, tally: Tally, now_ms: int) -> int:
    """How long the key must still wait before its next attempt (0: it may try now).

    A clock that went back never makes the wait longer than the rule's delay.
    """
    fresh = current(policy, tally, now_ms)
    delay = delay_ms(policy, fresh.failures)
    if delay == 0:
        return 0
    return max(0, min(delay, fresh.last_failure_ms + delay - now_ms))


def charged(policy: Policy, tally: Tally, now_ms: int) -> Tally:
    """The tally after one more failure at ``now_ms``."""
    return Tally(current(policy, tally, now_ms).failures + 1, now_ms)


def refunded(tally: Tally) -> Tally:
    """The tally with one failure taken back (an attempt reserved, then not a failure)."""
    return Tally(max(0, tally.failures - 1), tally.last_failure_ms)


def retry_after_s(wait: int) -> int:
    """A wait in ms as whole seconds for ``Retry-After`` (at least 1)."""
    return max(1, math.ceil(wait / 1000))


def account_key(username: str) -> str:
    """The tally key of an account: its name, case-folded (so ``Admin`` and ``admin`` share one)."""
    return ("user:" + username.casefold())[:MAX_KEY_CHARS]


def address_key(address: str) -> str:
    """The tally key of a client address: the IPv4 address, or the IPv6 /64 network."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return ("addr:" + address.strip())[:MAX_KEY_CHARS]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return f"addr:{ip.ipv4_mapped}"
        return f"addr:{ipaddress.IPv6Network((ip, IPV6_NETWORK_BITS), strict=False)}"
    return f"addr:{ip}"
