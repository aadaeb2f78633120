"""A running server as devstack hands it out: its address, its URL and its fault controls."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from devstack.process import LOG_TAIL_LINES, ManagedProcess


@dataclass(frozen=True)
class ServerHandle:
    """A running server: address, URL and fault controls.

    Attributes:
        process: The managed process (log, PID, signals).
        url: How clients reach it, e.g. ``mqtt://127.0.0.1:<port>``, ``redis://127.0.0.1:<port>/0``,
            ``postgresql://sensebridge@127.0.0.1:<port>/sensebridge``, ``mongodb://127.0.0.1:<port>``.
    """

    process: ManagedProcess
    url: str

    @property
    def name(self) -> str:
        """The server's name."""
        return self.process.name

    @property
    def host(self) -> str:
        """Address it listens on."""
        assert self.process.host is not None
        return self.process.host

    @property
    def port(self) -> int:
        """Port it listens on (unchanged by restarts)."""
        assert self.process.port is not None
        return self.process.port

    def start(self) -> None:
        """Start it if it is not running (same port, same data)."""
        self.process.start()

    def stop(self) -> None:
        """Stop it cleanly (Mosquitto saves its database)."""
        self.process.stop()

    def kill(self) -> None:
        """Kill it with SIGKILL (Mosquitto loses what it did not snapshot)."""
        self.process.kill()

    def restart(self) -> None:
        """Stop cleanly and start again on the same port."""
        self.process.restart()

    def pause(self) -> None:
        """Freeze it (SIGSTOP): connections stay open, nothing is answered."""
        self.process.pause()

    def resume(self) -> None:
        """Unfreeze it (SIGCONT)."""
        self.process.resume()

    def recover(self) -> None:
        """Undo whatever a test did to it: resume it if paused, start it if stopped or killed."""
        if self.process.running:
            self.process.resume()
        else:
            self.process.start()

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        """The last lines of its log."""
        return self.process.log_tail(lines)


ServerFactory = Callable[..., ServerHandle]
"""What the ``*_factory`` fixtures yield: keyword options -> a started private server."""
