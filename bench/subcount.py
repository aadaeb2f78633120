"""``python -m bench.subcount``: run ``mosquitto_sub`` (C, QoS 1) and count what it receives.

``mosquitto_sub -N -F x`` prints one byte per message, so counting bytes on its stdout
counts messages at almost no cost. A timeline of (epoch seconds, messages) every 100 ms is
written as JSON when the program gets SIGTERM.
"""

from __future__ import annotations

import argparse
import json
import os
import selectors
import shutil
import signal
import subprocess
import time
from pathlib import Path

from bench.wire import add_broker_arguments, broker_of
from contract.topics import Kind, subscription

STEP_S = 0.1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    add_broker_arguments(parser)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    binary = shutil.which("mosquitto_sub") or "/usr/bin/mosquitto_sub"
    broker = broker_of(args)
    argv = [binary, "-h", broker.host, "-p", str(broker.port), "-q", "1", "-N", "-F", "x"]
    if broker.username is not None:
        # A throwaway loopback bench broker's test account: a password in argv is harmless here.
        argv += ["-u", broker.username, "-P", broker.password or ""]
    for kind in (Kind.READING, Kind.BATCH):
        argv += ["-t", subscription(kind)]
    child = subprocess.Popen(argv, stdout=subprocess.PIPE)
    assert child.stdout is not None
    stop = False

    def on_term(*_: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, on_term)
    sel = selectors.DefaultSelector()
    sel.register(child.stdout, selectors.EVENT_READ)
    fd = child.stdout.fileno()
    count, timeline, next_sample = 0, [], time.time()
    while not stop and child.poll() is None:
        for _ in sel.select(timeout=STEP_S / 2):
            count += len(os.read(fd, 1 << 20))
        now = time.time()
        if now >= next_sample:
            timeline.append((now, count))
            next_sample = now + STEP_S
    child.terminate()
    child.wait(timeout=5)
    timeline.append((time.time(), count))
    Path(args.out).write_text(json.dumps({"messages": count, "timeline": timeline}))


if __name__ == "__main__":
    main()
