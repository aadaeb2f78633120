"""``python -m bench.injector``: feed live frames straight into the channel layer, as the bridge does.

Isolates the ASGI process for the fan-out benchmark: each device group gets ``--rate``
frames per second of ``--readings`` readings, serialized once and sent with one
``group_send`` through the same layer class the bridge uses. Frames are scheduled on whole
milliseconds and their newest reading is stamped with that millisecond, so a client's
clock minus that ``ts`` is the layer-to-browser latency. Stops by itself after
``--duration`` and writes a JSON summary (frames sent per device, lateness).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from pathlib import Path
from typing import Any

from bench.sync import ready_and_wait
from bridge.layers import build_layer
from contract.live import device_group, frame_event, frame_message, to_text
from contract.models import Reading
from edge.sources.simulator import SimulatedDevice


async def run(args: argparse.Namespace) -> dict[str, Any]:
    """Connect, wait for the start, send frames on schedule until the end of the run."""
    layer = build_layer(args.layer, args.redis_url)
    await layer.group_send("bench.warmup", {"type": "bench.warmup"})  # opens the connection before the clock runs
    start = await asyncio.to_thread(ready_and_wait, args.ready_file, args.go_file)
    devices = args.devices.split(",")
    values = [SimulatedDevice(seed=11, index=i).at(time.time()) for i in range(len(devices))]
    groups = [device_group(d) for d in devices]
    period_ms = 1000.0 / args.rate
    spacing_ms = period_ms / args.readings
    start_ms = int(start * 1000)
    end_ms = start_ms + int(args.duration * 1000)
    next_seq = [1] * len(devices)
    lateness: list[float] = []
    errors = 0
    k = 0
    finished = False
    while not finished:
        for i, device in enumerate(devices):
            due_ms = start_ms + round(k * period_ms + i * period_ms / len(devices))
            if due_ms >= end_ms:
                finished = True
                break
            delay = due_ms / 1000 - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
            lateness.append(time.time() * 1000 - due_ms)
            first = next_seq[i]
            readings = [
                Reading(
                    device=device,
                    boot="bench",
                    seq=first + j,
                    ts_ms=due_ms - round((args.readings - 1 - j) * spacing_ms),
                    values=values[i],
                    rx_ms=due_ms,
                )
                for j in range(args.readings)
            ]
            next_seq[i] += args.readings
            try:
                await layer.group_send(groups[i], frame_event(to_text(frame_message(readings)), device=device))
            except Exception:  # a layer outage is a result, not a crash
                errors += 1
        k += 1
    ordered = sorted(lateness)
    return {
        "devices": {d: {"first": 1, "last": next_seq[i] - 1} for i, d in enumerate(devices)},
        "frames": sum((next_seq[i] - 1) // args.readings for i in range(len(devices))),
        "errors": errors,
        "lateness_ms": {
            "p50": ordered[len(ordered) // 2] if ordered else 0.0,
            "p99": ordered[int(len(ordered) * 0.99)] if ordered else 0.0,
            "max": ordered[-1] if ordered else 0.0,
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--layer", required=True, help="redis-pubsub or redis")
    parser.add_argument("--redis-url", required=True)
    parser.add_argument("--devices", required=True, help="comma-separated device ids")
    parser.add_argument("--rate", type=float, required=True, help="frames per second per device")
    parser.add_argument("--readings", type=int, default=5, help="readings per frame")
    parser.add_argument("--ready-file", required=True, help="written once started")
    parser.add_argument("--go-file", required=True, help="holds the start time (bench.sync)")
    parser.add_argument("--duration", type=float, required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    result = asyncio.run(run(args))
    Path(args.out).write_text(json.dumps(result))


if __name__ == "__main__":
    main()
