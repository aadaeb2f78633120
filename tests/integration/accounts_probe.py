"""The accounts services called directly, in a process of their own (``python -m tests.integration.accounts_probe``).

For the tests that must call a service rather than an endpoint: racing threads, each with its
own database connection, and a clock moved forward. Django is set up from the environment
(``DATABASE_URL``, ``DJANGO_SECRET_KEY``), as the server is; the answer is one JSON line on stdout.
The test process itself never sets Django up (other tests in it configure Django differently).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any


def _race(racers: int, attempt: Callable[[], str]) -> list[str]:
    """Run ``attempt`` in ``racers`` threads released together; their outcomes."""
    from django.db import connection  # noqa: PLC0415

    start = threading.Barrier(racers)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run() -> None:
        try:
            start.wait()
            outcome = attempt()
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run) for _ in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def ticket_race(username: str, rounds: int, racers: int) -> dict[str, Any]:
    from django.contrib.auth.models import User  # noqa: PLC0415

    from server.accounts.errors import TicketRefusedError  # noqa: PLC0415
    from server.accounts.services import ticket_issue, ticket_redeem  # noqa: PLC0415

    user = User.objects.get(username=username)
    per_round = []
    for _ in range(rounds):
        secret, _expires = ticket_issue(user=user)

        def redeem(secret: str = secret) -> str:
            try:
                return "user:" + ticket_redeem(ticket=secret).username
            except TicketRefusedError as exc:
                return exc.problem.value

        per_round.append(dict(Counter(_race(racers, redeem))))
    return {"rounds": per_round}


def redeem(ticket: str, later_s: float) -> dict[str, Any]:
    from django.utils import timezone  # noqa: PLC0415

    from server.accounts.errors import TicketRefusedError  # noqa: PLC0415
    from server.accounts.services import ticket_redeem  # noqa: PLC0415

    try:
        user = ticket_redeem(ticket=ticket, now=timezone.now() + timedelta(seconds=later_s))
    except TicketRefusedError as exc:
        return {"refused": exc.problem.value}
    return {"user": user.username}


def issue(username: str, earlier_s: float) -> dict[str, Any]:
    """A ticket of ``username`` issued by the service ``earlier_s`` seconds ago (the server's clock decides)."""
    from django.contrib.auth.models import User  # noqa: PLC0415
    from django.utils import timezone  # noqa: PLC0415

    from server.accounts.services import ticket_issue  # noqa: PLC0415

    secret, expires = ticket_issue(
        user=User.objects.get(username=username), now=timezone.now() - timedelta(seconds=earlier_s)
    )
    return {"ticket": secret, "expires": expires.isoformat()}


def login_race(username: str, password: str, racers: int) -> dict[str, Any]:
    from server.accounts.errors import BadCredentialsError, ThrottledError  # noqa: PLC0415
    from server.accounts.login import login_attempt  # noqa: PLC0415

    def attempt() -> str:
        try:
            login_attempt(
                username=username,
                password=password,
                address="198.51.100.7",
                now_ms=time.time_ns() // 1_000_000,
                request=None,
            )
        except BadCredentialsError:
            return "bad_credentials"
        except ThrottledError as exc:
            return f"throttled:{exc.scope.value}"
        return "ok"

    return {"outcomes": dict(Counter(_race(racers, attempt)))}


def guard_check(action: str) -> dict[str, Any]:
    """The status a sync and an async view guarded by ``action`` answer each user's GET."""
    import asyncio  # noqa: PLC0415

    from django.contrib.auth.models import AnonymousUser, User  # noqa: PLC0415
    from django.http import HttpRequest, HttpResponse, HttpResponseBase  # noqa: PLC0415
    from django.test import RequestFactory  # noqa: PLC0415

    from contract.access import Action  # noqa: PLC0415
    from server.accounts.access import Principal, guarded  # noqa: PLC0415

    rule = guarded(methods=("GET",), action=Action(action))

    @rule
    def sync_view(request: HttpRequest, principal: Principal) -> HttpResponseBase:
        return HttpResponse(principal.user.username)

    @rule
    async def async_view(request: HttpRequest, principal: Principal) -> HttpResponseBase:
        return HttpResponse(principal.user.username)

    answers: dict[str, Any] = {}
    users: list[User | AnonymousUser] = [*User.objects.order_by("username"), AnonymousUser()]
    for user in users:
        request = RequestFactory().get("/probe")
        request.user = user
        sync_status = sync_view(request).status_code
        async_status = asyncio.run(async_view(request)).status_code
        answers[user.username or "anonymous"] = [sync_status, async_status]
    return answers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="accounts_probe")
    commands = parser.add_subparsers(dest="command", required=True)
    race = commands.add_parser("ticket-race")
    race.add_argument("--username", required=True)
    race.add_argument("--rounds", type=int, default=10)
    race.add_argument("--racers", type=int, default=2)
    one = commands.add_parser("redeem")
    one.add_argument("ticket")
    one.add_argument("--later-s", type=float, default=0.0)
    issued = commands.add_parser("issue")
    issued.add_argument("username")
    issued.add_argument("--earlier-s", type=float, default=0.0)
    logins = commands.add_parser("login-race")
    logins.add_argument("--username", required=True)
    logins.add_argument("--racers", type=int, default=12)
    guard = commands.add_parser("guard-check")
    guard.add_argument("action")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "server.settings")
    import django  # noqa: PLC0415

    django.setup()
    if args.command == "ticket-race":
        answer = ticket_race(args.username, args.rounds, args.racers)
    elif args.command == "redeem":
        answer = redeem(args.ticket, args.later_s)
    elif args.command == "issue":
        answer = issue(args.username, args.earlier_s)
    elif args.command == "guard-check":
        answer = guard_check(args.action)
    else:
        answer = login_race(args.username, sys.stdin.readline().rstrip("\n"), args.racers)
    print(json.dumps(answer))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
