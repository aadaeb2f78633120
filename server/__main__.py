"""``python -m server <command>``: Django's management commands for the web tier.

The same as ``python manage.py <command>`` in a checkout, for installs without one (the image)::

    python -m server migrate          # apply the application database's migrations
    python -m server showmigrations   # what is applied

Settings come from the environment (``docs/settings.md``); invalid ones end the command with
every problem listed and exit status 2.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from config import ConfigError


def main(argv: Sequence[str] | None = None, *, prog: str = "python -m server") -> int:
    """Run one management command.

    Args:
        argv: The command and its arguments (default ``sys.argv[1:]``).
        prog: How usage messages name the program.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "server.settings")
    from django.core.management import execute_from_command_line  # noqa: PLC0415 - after the settings module is set

    try:
        execute_from_command_line([prog, *(sys.argv[1:] if argv is None else argv)])
    except ConfigError as exc:
        print(f"sensebridge server: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
