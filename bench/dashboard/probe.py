"""Measure a dashboard page in Chromium: frame rate, main-thread busy time, JS heap.

Everything comes from the browser itself: animation frames counted by a tiny
``requestAnimationFrame`` loop in the page, main-thread task and script time from the
DevTools protocol's ``Performance.getMetrics``, the JS heap after a forced garbage
collection, and WebSocket messages from the ``Network`` domain.
"""

from __future__ import annotations

import itertools
import statistics
import time
from dataclasses import asdict, dataclass
from typing import Any

from playwright.sync_api import CDPSession, Page

# Counts animation frames from installation on; keeps the newest 100k timestamps.
_INSTALL = """() => {
  if (window.__sbProbe) return;
  const probe = (window.__sbProbe = { frames: [] });
  const loop = (t) => {
    probe.frames.push(t);
    if (probe.frames.length > 100000) probe.frames.shift();
    requestAnimationFrame(loop);
  };
  requestAnimationFrame(loop);
}"""


@dataclass(frozen=True, slots=True)
class Measurement:
    """One scenario's figures over ``seconds`` of wall time.

    Attributes:
        label: Scenario name.
        seconds: Length of the measurement.
        fps: Animation frames per second the page rendered.
        frame_p95_ms: 95th percentile of the time between frames.
        frame_max_ms: Longest time between two frames.
        busy: Share of wall time the renderer's main thread ran tasks (0..1).
        script: Share of wall time spent running JavaScript (0..1).
        heap_mb: JS heap in use after a forced garbage collection, at the end.
        ws_per_s: WebSocket messages received per second.
    """

    label: str
    seconds: float
    fps: float
    frame_p95_ms: float
    frame_max_ms: float
    busy: float
    script: float
    heap_mb: float
    ws_per_s: float

    def row(self) -> dict[str, Any]:
        """The figures as a plain dict (JSON output)."""
        return asdict(self)


class Probe:
    """DevTools session on one page."""

    def __init__(self, page: Page) -> None:
        """Attach to ``page`` and start counting WebSocket messages."""
        self.page = page
        self.cdp: CDPSession = page.context.new_cdp_session(page)
        self.cdp.send("Performance.enable", {"timeDomain": "timeTicks"})
        self.cdp.send("Network.enable")
        self.ws_messages = 0
        self.cdp.on("Network.webSocketFrameReceived", self._on_ws)

    def _on_ws(self, _event: Any) -> None:
        self.ws_messages += 1

    def metrics(self) -> dict[str, float]:
        """Chromium's performance counters (durations in seconds, sizes in bytes)."""
        result = self.cdp.send("Performance.getMetrics")
        return {m["name"]: float(m["value"]) for m in result["metrics"]}

    def heap_mb(self) -> float:
        """JS heap in use after a full garbage collection, MB."""
        self.cdp.send("HeapProfiler.collectGarbage")
        return self.metrics()["JSHeapUsedSize"] / 1e6

    def measure(self, label: str, seconds: float) -> Measurement:
        """Let the page run for ``seconds`` (Playwright keeps dispatching events) and measure."""
        self.page.evaluate(_INSTALL)
        start_ms = float(self.page.evaluate("performance.now()"))
        before = self.metrics()
        ws_before = self.ws_messages
        started = time.monotonic()
        self.page.wait_for_timeout(seconds * 1000)
        wall = time.monotonic() - started
        after = self.metrics()
        frames: list[float] = self.page.evaluate("(t0) => window.__sbProbe.frames.filter((t) => t >= t0)", start_ms)
        gaps = [b - a for a, b in itertools.pairwise(frames)]
        return Measurement(
            label=label,
            seconds=round(wall, 2),
            fps=round(len(frames) / wall, 1),
            frame_p95_ms=round(statistics.quantiles(gaps, n=20)[-1], 1) if len(gaps) >= 20 else float("nan"),
            frame_max_ms=round(max(gaps), 1) if gaps else float("nan"),
            busy=round((after["TaskDuration"] - before["TaskDuration"]) / wall, 3),
            script=round((after["ScriptDuration"] - before["ScriptDuration"]) / wall, 3),
            heap_mb=round(self.heap_mb(), 2),
            ws_per_s=round((self.ws_messages - ws_before) / wall, 1),
        )
