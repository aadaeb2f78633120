"""devstack: the one way sensebridge's tests, benchmarks and embedded mode start processes.

Servers from their binaries (Mosquitto with the repository's ``mosquitto/conf.d``, Redis,
PostgreSQL from Debian's binaries, SecantusDB as a MongoDB wire-protocol STAND-IN) and
sensebridge's own processes (bridge, ASGI server, edge agent), each on 127.0.0.1 and a free
port, its output in a log file in a folder the caller gives, stopped by its PID (and killed at
interpreter exit if the caller crashed). Settings reach sensebridge's processes as environment
variables, as in production.

The package root is dependency-free (standard library only). Modules with more needs are
imported by their own path:

* :mod:`devstack.apps`: ``start_bridge``, ``start_asgi``, ``start_edge`` (imports ``server.config``);
* :mod:`devstack.appdb`: an application database prepared with ``manage.py`` (users vera /
  otto / ada, one per role, an API token each) and ``/ws/live/`` tickets;
* :mod:`devstack.embedded`: the README's run command on free ports;
* :mod:`devstack.browser`: Debian's Chromium for Playwright.

It never imports ``tests`` or ``bench``.

Exceptions:
    ProcessError: a binary is missing, or a process did not start, exited early or was not
        running; the message ends with the tail of its log.
    WaitTimeoutError (a TimeoutError): :func:`wait_until`'s condition did not hold in time.
"""

from devstack.env import REPO_ROOT, app_env
from devstack.handle import ServerFactory, ServerHandle
from devstack.mongo import start_secantusdb
from devstack.mosquitto import MOSQUITTO_CONF_D, find_mosquitto, mosquitto_config, start_mosquitto
from devstack.net import LOOPBACK, RESERVED_PORTS, free_port, port_is_open
from devstack.postgres import POSTGRES_DATABASE, POSTGRES_USER, start_postgres
from devstack.process import (
    LOG_TAIL_LINES,
    ManagedProcess,
    ProcessError,
    descendants,
    find_binary,
    has_ended,
)
from devstack.redis import redis_command, start_redis
from devstack.wait import WaitTimeoutError, wait_until

__all__ = [
    "LOG_TAIL_LINES",
    "LOOPBACK",
    "MOSQUITTO_CONF_D",
    "POSTGRES_DATABASE",
    "POSTGRES_USER",
    "REPO_ROOT",
    "RESERVED_PORTS",
    "ManagedProcess",
    "ProcessError",
    "ServerFactory",
    "ServerHandle",
    "WaitTimeoutError",
    "app_env",
    "descendants",
    "find_binary",
    "find_mosquitto",
    "free_port",
    "has_ended",
    "mosquitto_config",
    "port_is_open",
    "redis_command",
    "start_mosquitto",
    "start_postgres",
    "start_redis",
    "start_secantusdb",
    "wait_until",
]
