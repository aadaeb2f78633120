"""``python -m server.embedded``: the whole system in one process, nothing to install.

    python -m server.embedded [--port 8000] [--mqtt-port 1883] [--devices 3] [--rate 1]

Ports left at their defaults move to a free one if taken (the banner shows where);
ports given explicitly must be free; port 0 takes any free one.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import secrets
import socket
import sys
from pathlib import Path
from typing import Any

from server.config import REPO_ROOT

DEFAULT_HTTP_PORT = 8000
DEFAULT_MQTT_PORT = 1883


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="sensebridge", description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="0.0.0.0", help="HTTP bind address (default: all interfaces)")  # noqa: S104
    parser.add_argument("--port", type=int, default=None, help=f"HTTP port (default {DEFAULT_HTTP_PORT}; 0: any free)")
    parser.add_argument("--mqtt-host", default="0.0.0.0", help="broker bind address (default: all)")  # noqa: S104
    parser.add_argument(
        "--mqtt-port", type=int, default=None, help=f"broker port (default {DEFAULT_MQTT_PORT}; 0: any free)"
    )
    parser.add_argument("--devices", type=int, default=3, help="simulated devices (default 3; 0 for none)")
    parser.add_argument("--rate", type=float, default=1.0, help="readings per second per device (default 1)")
    parser.add_argument("--seed", type=int, default=0, help="simulator seed (default 0)")
    parser.add_argument("--tick-ms", type=int, default=50, help="live frame tick per device (default 50)")
    parser.add_argument("--broker", choices=("auto", "mosquitto", "amqtt"), default="auto")
    parser.add_argument("--data-dir", type=Path, default=REPO_ROOT / "var" / "embedded")
    args = parser.parse_args(argv)
    problems = []
    if not 0 <= args.devices <= 100:
        problems.append("--devices must be 0..100")
    if not 0 < args.rate <= 50:
        problems.append("--rate must be in (0, 50]")
    if not 0 <= args.tick_ms <= 10_000:
        problems.append("--tick-ms must be 0..10000")
    for option, port in (("--port", args.port), ("--mqtt-port", args.mqtt_port)):
        if port is not None and not 0 <= port <= 65_535:
            problems.append(f"{option} must be 0..65535 (0: any free port)")
    if problems:
        parser.error("; ".join(problems))
    return args


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # Servers bind with SO_REUSEADDR too, so recently closed connections do not count as "in use".
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
    return port


def _pick_port(host: str, requested: int | None, default: int, what: str) -> int:
    """The port to serve on: ``requested`` if free (0: any free one), else the default or a free one."""
    if requested == 0:
        return _free_port(host)  # the banner says which (mosquitto would take "0" for a socket path)
    if requested is not None:
        if not _port_free(host, requested):
            sys.exit(f"sensebridge: {what} port {requested} on {host} is in use; choose another")
        return requested
    if _port_free(host, default):
        return default
    port = _free_port(host)
    print(f"sensebridge: {what} port {default} is in use, using {port}", file=sys.stderr)
    return port


def main(argv: list[str] | None = None) -> int:
    """Console entry point (``sensebridge``)."""
    args = _parse(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    http_port = _pick_port(args.host, args.port, DEFAULT_HTTP_PORT, "HTTP")
    mqtt_port = _pick_port(args.mqtt_host, args.mqtt_port, DEFAULT_MQTT_PORT, "MQTT")
    data_dir: Path = args.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "server.settings",
            "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(32),
            "DJANGO_ALLOWED_HOSTS": os.environ.get("DJANGO_ALLOWED_HOSTS", "*"),
            "CHANNEL_LAYER": "memory",
            "STORE_URL": f"sqlite:///{data_dir.resolve() / 'sensebridge.sqlite3'}",
        }
    )

    # Importing daphne.server installs Twisted's asyncio reactor: it must come first.
    from daphne.server import Server  # noqa: PLC0415
    from twisted.internet import defer  # noqa: PLC0415
    from twisted.internet import reactor as twisted_reactor  # noqa: PLC0415

    from server.asgi import application  # noqa: PLC0415 - Django set-up needs the environment above
    from server.embedded.broker import BrokerError, choose_broker  # noqa: PLC0415
    from server.embedded.devices import simulated_device_ids, start_simulated_devices  # noqa: PLC0415
    from server.embedded.runner import EmbeddedOptions, EmbeddedRunner  # noqa: PLC0415

    # twisted types the global reactor as an interface class, which mypy cannot call methods on.
    reactor: Any = twisted_reactor
    options = EmbeddedOptions(
        host=args.host,
        http_port=http_port,
        mqtt_host=args.mqtt_host,
        mqtt_port=mqtt_port,
        devices=args.devices,
        rate_hz=args.rate,
        data_dir=data_dir,
        tick_ms=args.tick_ms,
    )
    try:
        broker = choose_broker(args.broker, host=args.mqtt_host, port=mqtt_port, data_dir=data_dir / "mosquitto")
    except BrokerError as exc:
        print(f"sensebridge: {exc}", file=sys.stderr)
        return 2
    runner = EmbeddedRunner(
        options=options,
        broker=broker,
        start_devices=lambda url, protocol: start_simulated_devices(
            url, protocol, count=args.devices, rate_hz=args.rate, seed=args.seed, data_dir=data_dir / "edge"
        ),
        device_ids=simulated_device_ids(args.devices),
        on_fatal=reactor.stop,
    )

    def begin() -> None:
        reactor.callWhenRunning(lambda: asyncio.ensure_future(runner.start()))

    reactor.addSystemEventTrigger(
        "before",
        "shutdown",
        lambda: defer.Deferred.fromFuture(asyncio.ensure_future(runner.stop())),
    )
    server = Server(
        application,
        endpoints=[f"tcp:port={http_port}:interface={args.host}"],
        signal_handlers=True,
        ready_callable=begin,
    )
    server.run()
    return runner.exit_code


if __name__ == "__main__":
    raise SystemExit(main())
