"""Mosquitto from its binary with the repository's own broker settings (``mosquitto/conf.d``).

A small wrapper config holds what differs per run (listener, persistence folder, log to
stderr, the access files), then includes ``mosquitto/conf.d`` (``allow_anonymous false``), then
the caller's extra lines, which override. Access is never open: the broker reads a
``password_file`` and an ``acl_file``, either written here (a test broker: the ``devstack``
account of :mod:`devstack.broker_access`, whose credentials are in the handle's URL, plus
whatever accounts a test adds) or by the caller (the embedded mode renders its accounts from
the application database). A watcher thread sends SIGHUP when the files change, as the
compose stack's entrypoint does (:mod:`server.mqtt_accounts.watch`).
"""

from __future__ import annotations

import os
import pwd
import signal
from dataclasses import dataclass
from pathlib import Path

from devstack.broker_access import BrokerAccess
from devstack.handle import ServerHandle
from devstack.net import LOOPBACK, connectable
from devstack.process import ManagedProcess, find_binary, start_on_port
from server.mqtt_accounts.files import ACL_FILE, PASSWORDS_FILE
from server.mqtt_accounts.watch import AccessWatcher

REPO_ROOT = Path(__file__).resolve().parents[1]
MOSQUITTO_CONF_D = REPO_ROOT / "mosquitto" / "conf.d"
MOSQUITTO_FALLBACKS = ("/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto")


def find_mosquitto() -> str:
    """Path of the mosquitto binary.

    Raises:
        ProcessError: it is not installed.
    """
    return find_binary("mosquitto", package="mosquitto", fallbacks=MOSQUITTO_FALLBACKS)


@dataclass(frozen=True)
class BrokerHandle(ServerHandle):
    """A running Mosquitto: a :class:`ServerHandle` with its accounts and its reload watcher.

    Attributes:
        access: The accounts devstack writes (a test broker), or None when the caller writes
            the files (the embedded mode).
        watcher: Sends SIGHUP when the access files change.
    """

    access: BrokerAccess | None = None
    watcher: AccessWatcher | None = None

    def stop(self) -> None:
        """Stop it cleanly, and its watcher (``start()`` brings both back)."""
        if self.watcher is not None:
            self.watcher.stop()
        super().stop()

    def start(self) -> None:
        """Start it if it is not running, and its watcher."""
        super().start()
        if self.watcher is not None:
            self.watcher.start()

    def recover(self) -> None:
        """Undo whatever a test did to it (see :meth:`ServerHandle.recover`); the watcher runs again."""
        super().recover()
        if self.watcher is not None:
            self.watcher.start()

    def reload(self) -> None:
        """Send SIGHUP now: Mosquitto re-reads its access files (the watcher does it on a change)."""
        self.process.send_signal(signal.SIGHUP)


def mosquitto_config(
    *,
    port: int,
    data_dir: Path | None,
    host: str = LOOPBACK,
    extra_config: str = "",
    access_dir: Path | None = None,
) -> str:
    """The wrapper config: listener, persistence, access files, then the repo's conf.d, then ``extra_config``.

    Args:
        port: Listener port.
        data_dir: Persistence folder, or None for no persistence.
        host: Listener address.
        extra_config: Lines appended after the shared settings, so they override them.
        access_dir: Folder of ``passwords`` and ``acl``; None: no files (nobody can connect,
            as conf.d turns anonymous access off).
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
    if access_dir is not None:
        lines += [f"password_file {access_dir / PASSWORDS_FILE}", f"acl_file {access_dir / ACL_FILE}"]
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
    access_dir: Path | None = None,
) -> BrokerHandle:
    """Start a Mosquitto broker with the repository's shared settings and real access control.

    Writes ``mosquitto.conf`` (the wrapper), ``mosquitto.log``, ``access/`` (unless
    ``access_dir`` is given) and, with persistence, ``mosquitto-data/`` in ``workdir``: use one
    workdir per broker. ``restart()``/``start()`` on the handle bring it back on the same port
    with the same database and accounts.

    Args:
        workdir: Existing folder for the config, the log and the database.
        host: Listener address (127.0.0.1; the embedded mode may bind all interfaces).
        port: Port to listen on; a free one when None.
        persistence: Keep retained messages and sessions across restarts.
        data_dir: Persistence folder instead of ``workdir/mosquitto-data``.
        extra_config: Extra config lines, applied after (and overriding) ``mosquitto/conf.d``.
        start_timeout: Seconds to wait for the listener.
        new_session: Run in a session of its own (see :class:`~devstack.process.ManagedProcess`).
        access_dir: Folder of the caller's ``passwords`` and ``acl`` files (they must exist);
            None: devstack writes them in ``workdir/access`` with the ``devstack`` account.

    Returns:
        The running broker; its URL is ``mqtt://devstack:<password>@<host>:<port>`` (a test
        broker) or ``mqtt://<host>:<port>`` (the caller's files). ``access`` adds accounts.

    Raises:
        ProcessError: mosquitto is not installed, or it did not start (log tail included).
    """
    binary = find_mosquitto()
    persist_to = (data_dir or workdir / "mosquitto-data") if persistence else None
    if persist_to is not None:
        persist_to.mkdir(parents=True, exist_ok=True)
    config_path = workdir / "mosquitto.conf"
    access = BrokerAccess(workdir / "access") if access_dir is None else None
    folder = access.folder if access is not None else access_dir

    def build(chosen: int) -> ManagedProcess:
        config_path.write_text(
            mosquitto_config(port=chosen, data_dir=persist_to, host=host, extra_config=extra_config, access_dir=folder)
        )
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

    def reload() -> None:
        if process.running:
            process.send_signal(signal.SIGHUP)

    assert folder is not None
    watcher = AccessWatcher(folder, reload)
    watcher.start()
    url = f"mqtt://{connectable(host)}:{process.port}"
    if access is not None and access.superuser is not None:
        url = access.url(url, access.superuser)
    return BrokerHandle(process, url, access=access, watcher=watcher)
