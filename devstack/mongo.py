"""A MongoDB wire-protocol server for tests: SecantusDB, a STAND-IN, not MongoDB.

No MongoDB server can run on these machines. SecantusDB (PyPI ``secantusdb``: beta, GPL-2.0,
a test dependency only) speaks MongoDB's wire protocol over WiredTiger, so pymongo's real
``AsyncMongoClient`` talks to it as to ``mongod``. It is single-node only and unverified for
what matters in production: replica sets and failover, time-series bucketing, TTL timing,
performance. Never benchmark on it. Its Python server runs as ``python -m secantus`` with
every setting given as a flag and an empty config file (``--config`` stops it from reading
``./secantusd.toml``, ``~/.secantus`` or ``/etc/secantus``).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from devstack.handle import ServerHandle
from devstack.net import LOOPBACK
from devstack.process import ManagedProcess, ProcessError, start_on_port

SECANTUS_MODULE = "secantus"


def start_secantusdb(workdir: Path, *, port: int | None = None, start_timeout: float = 20.0) -> ServerHandle:
    """Start SecantusDB on 127.0.0.1, its data in ``workdir/secantus-data``.

    ``restart()``/``start()`` bring it back on the same port with the same data; ``kill()`` is a crash
    (WiredTiger recovers its journal at the next start).

    Args:
        workdir: Existing folder for the (empty) config file, the data and ``secantusdb.log``.
        port: Port to listen on; a free one when None.
        start_timeout: Seconds to wait for the listener.

    Returns:
        The running server; its URL is ``mongodb://127.0.0.1:<port>`` (add ``/<database>``).

    Raises:
        ProcessError: secantusdb is not installed in this interpreter, or it did not start.
    """
    if importlib.util.find_spec(SECANTUS_MODULE) is None:
        raise ProcessError(
            "secantusdb", f"not installed in {sys.executable}: pip install secantusdb (a test dependency)"
        )
    config = workdir / "secantusd.toml"
    config.write_text("# Empty on purpose: devstack passes every setting as a flag.\n")

    def build(chosen: int) -> ManagedProcess:
        argv = [sys.executable, "-m", SECANTUS_MODULE, "--config", str(config), "--host", LOOPBACK]
        argv += ["--port", str(chosen), "--storage-path", str(workdir / "secantus-data"), "--log-level", "INFO"]
        return ManagedProcess(
            "secantusdb", argv, workdir=workdir, host=LOOPBACK, port=chosen, start_timeout=start_timeout
        )

    process = start_on_port(build, port)
    return ServerHandle(process, f"mongodb://{LOOPBACK}:{process.port}")
