"""Everything generated from the contract definition (:mod:`contract.spec`), and the command.

``python -m contract.generate`` writes:

* ``contract/schemas/*.json`` (MQTT), ``contract/schemas/ws/*.json`` and
  ``contract/schemas/rest/*.json``: a JSON Schema per message (:mod:`contract.generate.schemas`);
* ``dashboard/src/generated/contract.ts``: the dashboard's types, constants, decoders and
  encoders (:mod:`contract.generate.typescript`).

The generated files are committed; :func:`stale` lists those that differ from what the
command would write, and a unit test fails while it lists any.
"""

from __future__ import annotations

from pathlib import Path

from contract.generate import schemas, typescript

COMMAND = "python -m contract.generate"
REPO = Path(__file__).resolve().parent.parent.parent
TYPESCRIPT_PATH = REPO / "dashboard" / "src" / "generated" / "contract.ts"


def outputs() -> dict[Path, str]:
    """Every generated file (absolute path) and the text it must hold."""
    files = {schemas.SCHEMA_DIR / path: schemas.render(schema) for path, schema in schemas.schemas().items()}
    files[TYPESCRIPT_PATH] = typescript.module()
    return files


def stale() -> list[str]:
    """One line per generated file that is missing, differs, or is left over from an old definition."""
    expected = outputs()
    problems = []
    for path, text in expected.items():
        shown = path.relative_to(REPO)
        if not path.is_file():
            problems.append(f"missing: {shown}")
        elif path.read_text(encoding="utf-8") != text:
            problems.append(f"stale: {shown}")
    generated = [*schemas.SCHEMA_DIR.rglob("*.json"), *TYPESCRIPT_PATH.parent.glob("*")]
    problems += [f"not generated: {p.relative_to(REPO)}" for p in sorted(generated) if p not in expected]
    return problems


def write() -> list[Path]:
    """Write every generated file; return the paths written."""
    written = []
    for path, text in outputs().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
