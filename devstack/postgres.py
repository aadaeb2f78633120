"""PostgreSQL from Debian's binaries: a throwaway cluster on a free port, for tests.

``initdb`` makes a cluster in a new temporary folder (short, because the Unix socket lives
there and a socket path is limited to about 100 bytes), with ``trust`` authentication for
one superuser; ``postgres`` serves it on 127.0.0.1 and a free port; ``createdb`` makes the
database the URL names. PostgreSQL refuses to run as root, so as root the cluster belongs
to, and the server runs as, the ``postgres`` user that Debian's package creates (``nobody``
without it). The folder is removed when the interpreter exits.

Never for production data: fsync is off (a killed server loses nothing, a power cut would).
"""

from __future__ import annotations

import os
import pwd
import re
import signal
import subprocess
import tempfile
from pathlib import Path

from devstack.handle import ServerHandle
from devstack.net import LOOPBACK
from devstack.process import ManagedProcess, ProcessError, remove_at_exit, start_on_port

DEBIAN_BINARIES = Path("/usr/lib/postgresql")
POSTGRES_USER = "sensebridge"
POSTGRES_DATABASE = "sensebridge"
_SETUP_TIMEOUT_S = 120.0
# Durability is not what these servers test; fsync would only slow every test down.
_SERVER_SETTINGS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off", "max_connections=50")


def find_postgres_bindir() -> Path:
    """The newest ``/usr/lib/postgresql/<version>/bin`` that has ``initdb`` and ``postgres``.

    Raises:
        ProcessError: none is installed.
    """

    def version(path: Path) -> tuple[int, ...]:
        return tuple(int(part) for part in re.findall(r"\d+", path.parent.name))

    found = [
        bindir
        for bindir in DEBIAN_BINARIES.glob("*/bin")
        if os.access(bindir / "initdb", os.X_OK) and os.access(bindir / "postgres", os.X_OK)
    ]
    if not found:
        raise ProcessError(
            "postgres", f"no initdb/postgres under {DEBIAN_BINARIES}/*/bin; install it: apt-get install postgresql"
        )
    return max(found, key=version)


def _server_user() -> str | None:
    """Who runs the cluster: this user, or as root an unprivileged one (PostgreSQL refuses root)."""
    if os.getuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise ProcessError("postgres", "running as root and neither a 'postgres' nor a 'nobody' user exists")


def _clean_env() -> dict[str, str]:
    # PG* variables of the caller (PGDATA, PGPORT, PGHOST...) would redirect the tools.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env["LC_ALL"] = "C"
    return env


def _run_tool(argv: list[str], *, log: Path, name: str, cwd: Path, user: str | None) -> None:
    """Run a set-up tool (initdb, createdb) with its output appended to ``log``.

    Raises:
        ProcessError: it failed or took too long (with its output).
    """
    with log.open("ab") as out:
        out.write(f"=== devstack: {' '.join(argv)}\n".encode())
        out.flush()
        try:
            result = subprocess.run(
                argv,
                cwd=cwd,
                env=_clean_env(),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                user=user,
                timeout=_SETUP_TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise ProcessError(name, f"still running after {_SETUP_TIMEOUT_S:g} s", log_tail=_tail(log)) from None
    if result.returncode != 0:
        raise ProcessError(name, f"exited with code {result.returncode}", log_tail=_tail(log))


def _tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def start_postgres(
    workdir: Path,
    *,
    port: int | None = None,
    user: str = POSTGRES_USER,
    database: str = POSTGRES_DATABASE,
    start_timeout: float = 30.0,
) -> ServerHandle:
    """Make a new cluster and serve it on 127.0.0.1.

    ``restart()``/``start()``/``kill()`` on the handle act on the same cluster, same port.

    Args:
        workdir: Existing folder for the logs (``initdb.log``, ``postgres.log``).
        port: TCP port; a free one when None.
        user: The superuser, who connects without a password.
        database: The database created for the caller.
        start_timeout: Seconds to wait until the server accepts queries.

    Returns:
        The running server; its URL is ``postgresql://<user>@127.0.0.1:<port>/<database>``.

    Raises:
        ProcessError: PostgreSQL is not installed, or a step failed (log tail included).
    """
    bindir = find_postgres_bindir()
    run_as = _server_user()
    root = Path(tempfile.mkdtemp(prefix="devstack-pg-"))
    remove_at_exit(root)
    if run_as is not None:
        account = pwd.getpwnam(run_as)
        os.chown(root, account.pw_uid, account.pw_gid)
    data = root / "data"
    setup_log = workdir / "initdb.log"
    initdb = [str(bindir / "initdb"), "-D", str(data), "-U", user, "--auth=trust", "--encoding=UTF8", "--locale=C"]
    _run_tool(
        [*initdb, "--no-sync", "--no-instructions"],
        log=setup_log,
        name="initdb",
        cwd=root,
        user=run_as,
    )

    def build(chosen: int) -> ManagedProcess:
        argv = [str(bindir / "postgres"), "-D", str(data), "-k", str(root), "-h", LOOPBACK, "-p", str(chosen)]
        for setting in _SERVER_SETTINGS:
            argv += ["-c", setting]
        ready = [str(bindir / "pg_isready"), "-q", "-h", str(root), "-p", str(chosen), "-U", user, "-d", "postgres"]
        return ManagedProcess(
            "postgres",
            argv,
            workdir=workdir,
            cwd=root,
            host=LOOPBACK,
            port=chosen,
            env=_clean_env(),
            user=run_as,
            # Listening is not serving: during recovery after a kill it refuses queries for a while.
            ready=lambda: subprocess.run(ready, env=_clean_env(), capture_output=True, check=False).returncode == 0,
            stop_signal=signal.SIGINT,  # fast shutdown; SIGTERM would wait for every client to leave
            start_timeout=start_timeout,
        )

    process = start_on_port(build, port)
    assert process.port is not None
    _run_tool(
        [str(bindir / "createdb"), "-h", str(root), "-p", str(process.port), "-U", user, database],
        log=setup_log,
        name="createdb",
        cwd=root,
        user=None,
    )
    return ServerHandle(process, f"postgresql://{user}@{LOOPBACK}:{process.port}/{database}")
