"""``python -m contract.generate``: write every file generated from the contract definition.

``--check`` writes nothing and exits 1 when a generated file is stale (what CI could run).
"""

from __future__ import annotations

import argparse
import sys

from contract.generate import COMMAND, stale, write


def main(argv: list[str] | None = None) -> int:
    """Write (or with ``--check``, compare) the generated files."""
    parser = argparse.ArgumentParser(prog="python -m contract.generate", description=__doc__)
    parser.add_argument("--check", action="store_true", help="only report stale files, exit 1 if any")
    args = parser.parse_args(argv)
    if args.check:
        problems = stale()
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            print(f"run: {COMMAND}", file=sys.stderr)
        return 1 if problems else 0
    for path in write():
        print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
