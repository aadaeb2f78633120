#!/usr/bin/env python
"""Django's management commands in a checkout: ``python manage.py migrate`` (see ``python -m server``)."""

from __future__ import annotations

from server.__main__ import main

if __name__ == "__main__":
    raise SystemExit(main(prog="manage.py"))
