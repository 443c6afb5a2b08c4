"""Issue 13: tables readable at 80 and 140 columns: no line wider than the console and no word cut.

A word is cut when a token of the wide rendering (1000 columns: nothing wraps) is missing from the
narrow rendering's tokens. The narrow output is either a table (columns never narrower than their
longest word) or stacked blocks (render.layout), whichever fits; both are checked the same way.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hccprotocol.cli import app
from hccprotocol.schedule import clock

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
runner = CliRunner()

COMMANDS = {
    "assess p01": ["assess", str(EXAMPLES / "p01-bclc-c-pvtt.yaml")],
    "assess p07": ["assess", str(EXAMPLES / "p07-missing-inr.yaml")],
    "assess p06": ["assess", str(EXAMPLES / "p06-ineligible-ecog2-prior-immunotherapy.yaml")],
    "dose": ["dose", str(EXAMPLES / "dosing-course-triple.yaml"), "--as-of", "2026-10-20"],
    "course": ["course", str(EXAMPLES / "dosing-course-triple.yaml"), "--as-of", "2026-11-17"],
    "plan": ["plan", str(EXAMPLES / "p01-bclc-c-pvtt.yaml"), "--start", "2027-01-04", "--timezone", "UTC"],
}
_SPLIT = re.compile(r"[\s│┃┆|┏┓┗┛┡┩┠┨━─┳┻╇╈┼┬┴├┤└┘┌┐╋·]+")


def _render(args: list[str], width: int, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(clock.ENV, "2026-12-01")
    result = runner.invoke(app, args, env={"COLUMNS": str(width)})
    assert result.exit_code == 0, result.stderr
    return result.stdout


def _tokens(text: str) -> set[str]:
    """Words, without the punctuation a layout adds around them (a heading's ':' or a title's ';')."""
    return {t.strip("()[];:,.") for t in _SPLIT.split(text) if t.strip("()[];:,.-")}


@pytest.mark.parametrize("width", [80, 140])
@pytest.mark.parametrize("name", list(COMMANDS))
def test_no_line_is_wider_than_the_console_and_no_word_is_cut(
    name: str, width: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    narrow = _render(COMMANDS[name], width, monkeypatch)
    wide = _render(COMMANDS[name], 1000, monkeypatch)
    too_long = [line for line in narrow.splitlines() if len(line) > width]
    assert too_long == []
    cut = _tokens(wide) - _tokens(narrow)
    assert cut == set(), sorted(cut)[:20]


def test_the_check_detects_a_cut_word() -> None:
    assert _tokens("liver.total_bili\nrubin_umol_l") != _tokens("liver.total_bilirubin_umol_l") | {"x"}
    assert "liver.total_bilirubin_umol_l" not in _tokens("│ liver.total_bili │\n│ rubin_umol_l │")


def test_course_table_summarises_status_first_then_one_line_per_change(monkeypatch: pytest.MonkeyPatch) -> None:
    out = _render(COMMANDS["course"], 140, monkeypatch)
    assert out.index("Current status on 2026-11-17") < out.index("Changes (")
    current = out[: out.index("Changes (")]
    for agent in ("oxaliplatin", "leucovorin", "fluorouracil", "lenvatinib", "camrelizumab"):
        assert agent in current
    # the restore of 10 November (8 mg -> 12 mg, recorded in dose_changes) is one line
    [restore] = [line for line in out.splitlines() if "2026-11-10" in line and "restore" in line]
    assert "8mg (8 mg) -> 12mg (12 mg)" in restore
    # far fewer lines than the JSON's events with their reasons and sources
    assert len(out.splitlines()) < 60
