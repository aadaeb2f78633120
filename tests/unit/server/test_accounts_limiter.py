"""Login back-off, pure: waits, doubling, the cap, forgetting, a clock that goes back, and keys."""

from __future__ import annotations

import pytest

from server.accounts import limiter
from server.accounts.limiter import ACCOUNT_POLICY, ADDRESS_POLICY, Policy, Tally

POLICY = Policy(free_failures=3, first_delay_ms=1_000, max_delay_ms=10_000, forget_after_ms=60_000)
T0 = 1_795_336_200_000


def failed(times: int, *, at: int = T0, policy: Policy = POLICY) -> Tally:
    tally = Tally()
    for _ in range(times):
        tally = limiter.charged(policy, tally, at)
    return tally


def test_the_free_failures_cost_no_wait() -> None:
    for n in range(POLICY.free_failures):
        assert limiter.wait_ms(POLICY, failed(n), T0) == 0


def test_after_the_free_failures_the_wait_doubles_up_to_the_cap() -> None:
    waits = [limiter.wait_ms(POLICY, failed(n), T0) for n in range(3, 10)]
    assert waits == [1_000, 2_000, 4_000, 8_000, 10_000, 10_000, 10_000]


def test_the_wait_runs_down_with_the_clock_and_then_one_more_try_is_allowed() -> None:
    tally = failed(4)  # 2 s to wait
    assert limiter.wait_ms(POLICY, tally, T0 + 500) == 1_500
    assert limiter.wait_ms(POLICY, tally, T0 + 1_999) == 1
    assert limiter.wait_ms(POLICY, tally, T0 + 2_000) == 0
    again = limiter.charged(POLICY, tally, T0 + 2_000)
    assert limiter.wait_ms(POLICY, again, T0 + 2_000) == 4_000


def test_failures_are_forgotten_after_a_quiet_period() -> None:
    tally = failed(9)
    assert limiter.wait_ms(POLICY, tally, T0 + POLICY.forget_after_ms - 1) == 0  # the 10 s cap has passed
    assert limiter.current(POLICY, tally, T0 + POLICY.forget_after_ms - 1) == tally
    assert limiter.current(POLICY, tally, T0 + POLICY.forget_after_ms) == Tally()
    assert limiter.charged(POLICY, tally, T0 + POLICY.forget_after_ms) == Tally(1, T0 + POLICY.forget_after_ms)


def test_a_clock_that_went_back_never_makes_the_wait_longer_than_the_rule() -> None:
    assert limiter.wait_ms(POLICY, failed(4), T0 - 3_600_000) == 2_000


def test_a_refund_takes_one_failure_back_and_never_goes_below_zero() -> None:
    assert limiter.refunded(Tally(4, T0)) == Tally(3, T0)
    assert limiter.refunded(Tally()) == Tally()


def test_a_brute_force_attack_gets_about_a_hundred_guesses_a_day_per_account() -> None:
    now, end, tally, guesses = T0, T0 + 86_400_000, Tally(), 0
    while now < end:
        now += limiter.wait_ms(ACCOUNT_POLICY, tally, now)  # as soon as it is allowed, every time
        tally = limiter.charged(ACCOUNT_POLICY, tally, now)
        guesses += 1
    assert 90 <= guesses <= 120
    assert limiter.wait_ms(ACCOUNT_POLICY, tally, now) == ACCOUNT_POLICY.max_delay_ms


def test_an_address_gets_more_free_tries_than_an_account() -> None:
    assert ADDRESS_POLICY.free_failures > ACCOUNT_POLICY.free_failures
    assert limiter.wait_ms(ADDRESS_POLICY, failed(ACCOUNT_POLICY.free_failures, policy=ADDRESS_POLICY), T0) == 0


def test_a_long_attack_never_builds_huge_numbers() -> None:
    assert limiter.delay_ms(POLICY, 10**9) == POLICY.max_delay_ms


@pytest.mark.parametrize(("wait", "seconds"), [(1, 1), (999, 1), (1_000, 1), (1_001, 2), (8_000, 8), (0, 1)])
def test_retry_after_is_whole_seconds_rounded_up(wait: int, seconds: int) -> None:
    assert limiter.retry_after_s(wait) == seconds


def test_an_account_is_keyed_by_its_case_folded_name() -> None:
    assert limiter.account_key("Admin") == limiter.account_key("admin") == "user:admin"
    assert len(limiter.account_key("x" * 1000)) == limiter.MAX_KEY_CHARS


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("192.0.2.7", "addr:192.0.2.7"),
        (" 192.0.2.7 ", "addr:192.0.2.7"),
        ("::ffff:192.0.2.7", "addr:192.0.2.7"),
        ("2001:db8:1:2:aaaa::1", "addr:2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "addr:2001:db8:1:2::/64"),
        ("2001:db8:1:3::1", "addr:2001:db8:1:3::/64"),
        ("", "addr:"),
        ("not an address", "addr:not an address"),
    ],
)
def test_an_address_is_keyed_by_ipv4_address_or_ipv6_slash_64(address: str, key: str) -> None:
    assert limiter.address_key(address) == key
