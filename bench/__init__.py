"""The sensebridge benchmark suite: ``python -m bench`` (or ``./scripts/bench``).

Each benchmark starts its own Mosquitto, Redis, bridge and ASGI servers on free ports of
127.0.0.1, drives a bounded load for a bounded time, and measures every figure next to
its reference in the same run (the machines are shared and noisy, so ratios matter more
than absolute numbers). ``--smoke`` runs a seconds-long version that the test suite calls;
it asserts that every benchmark works and prints numbers, never a timing.

Layout: pure cores (:mod:`bench.wire` WebSocket/MQTT framing, :mod:`bench.stats`,
:mod:`bench.report`), load and client programs run as separate processes
(:mod:`bench.publisher`, :mod:`bench.clients`, :mod:`bench.injector`), the servers
(:mod:`bench.servers`) and one module per benchmark.
"""
