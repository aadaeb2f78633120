"""``python -m server.embedded``: the whole system in one process, nothing to install.

    python -m server.embedded [--port 8000] [--mqtt-port 1883] [--devices 3] [--rate 1]
                              [--public-url https://pi.example.net ...]

Ports left at their defaults move to a free one if taken (the banner shows where);
ports given explicitly must be free; port 0 takes any free one. The server answers only to
the names its bind address is reached by and to the hosts of the public URLs
(docs/security.md, "Host and Origin").
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import socket
import sys
from pathlib import Path
from typing import Any

from config import ConfigError, Setting
from config import table as t
from server import config as server_config
from server.config import REPO_ROOT
from server.embedded import parts
from server.embedded.network import machine_names

DEFAULT_HTTP_PORT = 8000
DEFAULT_MQTT_PORT = 1883
# Options that are settings of a part: their defaults and ranges come from the settings table.
TABLE_OPTIONS: dict[str, Setting[Any]] = {
    "rate": t.EDGE_RATE_HZ,
    "seed": t.EDGE_SEED,
    "tick_ms": t.BRIDGE_TICK_MS,
}


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="sensebridge", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--host",
        default="0.0.0.0",  # noqa: S104 - the LAN is the point; the Host allow-list follows the bind address
        help="HTTP bind address (default: all interfaces); the server answers to the names it is reached by",
    )
    parser.add_argument(
        "--public-url",
        action="append",
        default=[],
        metavar="URL",
        help="where people open the dashboard through a proxy or port forward, http(s)://host[:port]; "
        "repeatable; wins over PUBLIC_URLS",
    )
    parser.add_argument("--port", type=int, default=None, help=f"HTTP port (default {DEFAULT_HTTP_PORT}; 0: any free)")
    parser.add_argument("--mqtt-host", default="0.0.0.0", help="broker bind address (default: all)")  # noqa: S104
    parser.add_argument(
        "--mqtt-port", type=int, default=None, help=f"broker port (default {DEFAULT_MQTT_PORT}; 0: any free)"
    )
    parser.add_argument("--devices", type=int, default=3, help="simulated devices (default 3; 0 for none)")
    for dest, setting in TABLE_OPTIONS.items():
        parser.add_argument(
            "--" + dest.replace("_", "-"),
            dest=dest,
            default=setting.rendered_default(),
            metavar="VALUE",
            help=f"{setting.doc[:-1].lower()} ({setting.kind.describe()}; default {setting.rendered_default()})",
        )
    parser.add_argument(
        "--broker",
        choices=("auto", "mosquitto", "amqtt"),
        default="auto",
        help="always Mosquitto (accounts and ACLs); amqtt is refused, as it cannot enforce them",
    )
    parser.add_argument("--data-dir", type=Path, default=REPO_ROOT / "var" / "embedded")
    args = parser.parse_args(argv)
    problems = []
    if not 0 <= args.devices <= 100:
        problems.append("--devices must be 0..100")
    for dest, setting in TABLE_OPTIONS.items():
        try:
            value = setting.kind.parse(str(getattr(args, dest)).strip())
            setting.kind.check(value)
        except ValueError as exc:
            problems.append(f"--{dest.replace('_', '-')} {exc}")
        else:
            setattr(args, dest, value)
    public_urls: list[str] = []
    for url in args.public_url:
        try:
            public_urls += t.PUBLIC_URLS.kind.parse(url.strip())
        except ValueError as exc:
            problems.append(f"--public-url {exc}")
    args.public_url = tuple(public_urls)
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
    # A new data folder is the user's alone: app.sqlite3 holds password hashes and sessions.
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        web = parts.server_config(data_dir, bind=args.host, public_urls=args.public_url, machine_names=machine_names())
    except ConfigError as exc:
        print(f"sensebridge: {exc}", file=sys.stderr)
        return 2
    server_config.install(web)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "server.settings")

    # Importing daphne.server installs Twisted's asyncio reactor: it must come first.
    from daphne.server import Server  # noqa: PLC0415
    from django.db import Error as DatabaseError  # noqa: PLC0415
    from twisted.internet import defer  # noqa: PLC0415
    from twisted.internet import reactor as twisted_reactor  # noqa: PLC0415

    from server.asgi import application  # noqa: PLC0415 - sets Django up with the settings installed above
    from server.database import describe_database, migrate  # noqa: PLC0415
    from server.embedded.access import access_dir  # noqa: PLC0415
    from server.embedded.broker import BrokerError, choose_broker  # noqa: PLC0415
    from server.embedded.devices import simulated_device_ids, start_simulated_devices  # noqa: PLC0415
    from server.embedded.runner import EmbeddedOptions, EmbeddedRunner  # noqa: PLC0415

    # Before serving: the web tier may query any table from its first request on.
    try:
        migrate(out=sys.stderr, label=f"sensebridge: application database {describe_database(web.database_url)}")
    except (DatabaseError, OSError) as exc:
        print(f"\nsensebridge: cannot migrate the application database: {exc}", file=sys.stderr)
        return 1

    # twisted types the global reactor as an interface class, which mypy cannot call methods on.
    reactor: Any = twisted_reactor
    options = EmbeddedOptions(
        host=args.host,
        http_port=http_port,
        mqtt_host=args.mqtt_host,
        mqtt_port=mqtt_port,
        devices=args.devices,
        rate_hz=args.rate,
        seed=args.seed,
        data_dir=data_dir,
        tick_ms=args.tick_ms,
        server=web,
    )
    try:
        broker = choose_broker(
            args.broker,
            host=args.mqtt_host,
            port=mqtt_port,
            data_dir=data_dir / "mosquitto",
            access_dir=access_dir(data_dir),
        )
    except BrokerError as exc:
        print(f"sensebridge: {exc}", file=sys.stderr)
        return 2
    runner = EmbeddedRunner(
        options=options,
        broker=broker,
        start_devices=start_simulated_devices,
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
