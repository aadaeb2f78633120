"""Mosquitto from its binary with the repository's own broker settings (``mosquitto/conf.d``).

A small wrapper config holds what differs per run (listener, persistence folder, log to
stderr), then includes ``mosquitto/conf.d``, then the caller's extra lines, which override.
"""

from __future__ import annotations

import os
import pwd
from pathlib import Path

from devstack.handle import ServerHandle
from devstack.net import LOOPBACK, connectable
from devstack.process import ManagedProcess, find_binary, start_on_port

REPO_ROOT = Path(__file__).resolve().parents[1]
MOSQUITTO_CONF_D = REPO_ROOT / "mosquitto" / "conf.d"
MOSQUITTO_FALLBACKS = ("/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto")


def find_mosquitto() -> str:
    """Path of the mosquitto binary.

    Raises:
        ProcessError: it is not installed.
    """
    return find_binary("mosquitto", package="mosquitto", fallbacks=MOSQUITTO_FALLBACKS)


def mosquitto_config(*, port: int, data_dir: Path | None, host: str = LOOPBACK, extra_config: str = "") -> str:
    """The wrapper config: this listener and persistence folder, then the repo's conf.d, then ``extra_config``.

    Args:
        port: Listener port.
        data_dir: Persistence folder, or None for no persistence.
        host: Listener address.
        extra_config: Lines appended after the shared settings, so they override them.
    """
    lines = [
        "# Written by devstack: a listener and paths, then the repo's shared settings.",
        # As root, mosquitto drops to user 'mosquitto', which cannot write the caller's folder.
        f"user {pwd.getpwuid(os.getuid()).pw_name}",
        f"listener {port} {host}",
        f"persistence {'true' if data_dir is not None else 'false'}",
    ]
    if data_dir is not None:
        lines.append(f"persistence_location {data_dir}/")
    # stderr is unbuffered; mosquitto never flushes stdout, so its lines would lag in a file.
    lines += ["log_dest stderr", f"include_dir {MOSQUITTO_CONF_D}"]
    if extra_config:
        lines.append(extra_config)
    return "\n".join(lines) + "\n"


def start_mosquitto(
    workdir: Path,
    *,
    host: str = LOOPBACK,
    port: int | None = None,
    persistence: bool = True,
    data_dir: Path | None = None,
    extra_config: str = "",
    start_timeout: float = 10.0,
    new_session: bool = False,
) -> ServerHandle:
    """Start a Mosquitto broker with the repository's shared settings.

    Writes ``mosquitto.conf`` (the wrapper), ``mosquitto.log`` and, with persistence,
    ``mosquitto-data/`` in ``workdir``: use one workdir per broker. ``restart()``/``start()`` on
    the handle bring it back on the same port with the same database.

    Args:
        workdir: Existing folder for the config, the log and the database.
        host: Listener address (127.0.0.1; the embedded mode may bind all interfaces).
        port: Port to listen on; a free one when None.
        persistence: Keep retained messages and sessions across restarts.
        data_dir: Persistence folder instead of ``workdir/mosquitto-data``.
        extra_config: Extra config lines, applied after (and overriding) ``mosquitto/conf.d``.
        start_timeout: Seconds to wait for the listener.
        new_session: Run in a session of its own (see :class:`~devstack.process.ManagedProcess`).

    Returns:
        The running broker; its URL is ``mqtt://<host>:<port>``.

    Raises:
        ProcessError: mosquitto is not installed, or it did not start (log tail included).
    """
    binary = find_mosquitto()
    persist_to = (data_dir or workdir / "mosquitto-data") if persistence else None
    if persist_to is not None:
        persist_to.mkdir(parents=True, exist_ok=True)
    config_path = workdir / "mosquitto.conf"

    def build(chosen: int) -> ManagedProcess:
        config_path.write_text(mosquitto_config(port=chosen, data_dir=persist_to, host=host, extra_config=extra_config))
        return ManagedProcess(
            "mosquitto",
            [binary, "-c", str(config_path)],
            workdir=workdir,
            host=connectable(host),
            port=chosen,
            start_timeout=start_timeout,
            new_session=new_session,
        )

    process = start_on_port(build, port)
    return ServerHandle(process, f"mqtt://{connectable(host)}:{process.port}")
