"""The consumers as they were before the fast path, kept as the benchmark's "before" reference.

``bench.baseline.asgi:application`` serves ``/ws/live/`` with :class:`StockLiveConsumer`
(Channels' own dispatch: a task per layer event, ``aclose_old_connections()`` before every
handler, ``await send`` inside the handler) so the fan-out benchmark measures before and
after in the same run. Not used outside ``bench/``.
"""
