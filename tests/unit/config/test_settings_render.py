"""``.env.example`` and the settings table of docs/settings.md are what ``python -m config.render`` writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import SETTINGS, render


@pytest.mark.parametrize("path", list(render.expected_files()), ids=lambda path: path.name)
def test_the_generated_file_is_up_to_date(path: Path) -> None:
    assert path.read_text() == render.expected_files()[path], f"{path} is stale: run python -m config.render"


def test_the_check_command_agrees(capsys: pytest.CaptureFixture[str]) -> None:
    assert render.main(["--check"]) == 0
    assert capsys.readouterr().err == ""


def test_every_setting_is_in_both_files_once() -> None:
    env_example, table = render.env_example(), render.settings_table()
    for setting in SETTINGS:
        assert env_example.count(f"\n{setting.name}=") == 1, setting.name
        assert table.count(f"| `{setting.name}` |") == 1, setting.name


def test_a_changed_table_makes_the_docs_stale() -> None:
    current = render.SETTINGS_DOC.read_text()
    edited = current.replace("| `BRIDGE_TICK_MS` | `50` |", "| `BRIDGE_TICK_MS` | `20` |")

    assert edited != current
    assert render.settings_doc(edited) == current


def test_the_docs_need_their_markers() -> None:
    with pytest.raises(ValueError, match="marker lines"):
        render.settings_doc("# Settings\n")


def test_markdown_cells_escape_tags_outside_code() -> None:
    assert render._escape("N > 0: <prefix>-1, `<hostname>` | x") == "N &gt; 0: &lt;prefix&gt;-1, `<hostname>` \\| x"
