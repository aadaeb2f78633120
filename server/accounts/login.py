"""Password login with back-off per account and per address (:mod:`server.accounts.limiter`).

The tallies live in the application database (:class:`~server.accounts.models.LoginThrottle`),
which every ASGI process shares; Django's default cache is per process, and the embedded mode
has no shared one. An attempt is *reserved* before the password is checked: the tally is
charged with a compare-and-swap ``UPDATE`` (only if it still holds what was read), so of a
burst of parallel attempts only as many pass as the rule allows. A wrong password keeps the
charge; a right one takes the address's charge back and clears the account's tally, leaving
the failures other accounts made from that address counted. A refused (429) attempt is not
a failure: waiting out the delay always gets one more try.
"""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest

from server.accounts import limiter
from server.accounts.errors import BadCredentialsError, ThrottledError, ThrottleScope
from server.accounts.limiter import ACCOUNT_POLICY, ADDRESS_POLICY, Policy, Tally
from server.accounts.models import LoginThrottle

MAX_RACES = 20  # compare-and-swap retries before giving up on a key hammered by parallel attempts


def _reserve(key: str, policy: Policy, now_ms: int) -> int:
    """Charge ``key`` with one attempt if it may try now; return 0, or how long it must wait (ms)."""
    for _ in range(MAX_RACES):
        row = LoginThrottle.objects.filter(key=key).values_list("failures", "last_failure_ms").first()
        tally = Tally(*row) if row is not None else Tally()
        wait = limiter.wait_ms(policy, tally, now_ms)
        if wait:
            return wait
        charged = limiter.charged(policy, tally, now_ms)
        if row is None:
            try:
                with transaction.atomic():
                    LoginThrottle.objects.create(
                        key=key, failures=charged.failures, last_failure_ms=charged.last_failure_ms
                    )
            except IntegrityError:
                continue  # another attempt created it first: read it again
            return 0
        swapped = LoginThrottle.objects.filter(
            key=key, failures=tally.failures, last_failure_ms=tally.last_failure_ms
        ).update(failures=charged.failures, last_failure_ms=charged.last_failure_ms)
        if swapped:
            return 0
    return policy.first_delay_ms


def _refund(key: str) -> None:
    LoginThrottle.objects.filter(key=key, failures__gt=0).update(failures=F("failures") - 1)


def _purge(now_ms: int) -> None:
    forget = max(ACCOUNT_POLICY.forget_after_ms, ADDRESS_POLICY.forget_after_ms)
    LoginThrottle.objects.filter(last_failure_ms__lt=now_ms - forget).delete()


def login_attempt(*, username: str, password: str, address: str, now_ms: int, request: HttpRequest | None) -> User:
    """Check ``username`` and ``password`` if neither the account nor ``address`` must wait.

    Args:
        username: As typed.
        password: As typed.
        address: The client's IP address.
        now_ms: The clock, epoch ms.
        request: Passed to Django's authentication backends.

    Returns:
        The user (not yet logged in: :func:`django.contrib.auth.login` does that).

    Raises:
        ThrottledError: the account or the address must wait; the password was not checked.
        BadCredentialsError: wrong username or password, or the account is disabled.
    """
    account, origin = limiter.account_key(username), limiter.address_key(address)
    wait = _reserve(origin, ADDRESS_POLICY, now_ms)
    if wait:
        raise ThrottledError(ThrottleScope.ADDRESS, limiter.retry_after_s(wait))
    wait = _reserve(account, ACCOUNT_POLICY, now_ms)
    if wait:
        _refund(origin)
        raise ThrottledError(ThrottleScope.ACCOUNT, limiter.retry_after_s(wait))
    user = authenticate(request, username=username, password=password)
    if not isinstance(user, User):
        _purge(now_ms)
        raise BadCredentialsError
    _refund(origin)
    LoginThrottle.objects.filter(key=account).delete()
    return user
