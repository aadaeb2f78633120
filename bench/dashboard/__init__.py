"""Browser benchmark of the dashboard: ``python -m bench.dashboard`` (see docs/dashboard.md).

:mod:`bench.dashboard.probe` measures one page through Chromium's DevTools protocol;
:mod:`bench.dashboard.__main__` starts the embedded mode with many fast devices, walks the
page through its scenarios (with same-run references) and prints the figures.
"""
