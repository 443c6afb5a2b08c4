"""The README's first screen: exactly two single-line set-up commands, the ones CI runs."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
FIRST_SCREEN = README.split("\n---\n", 1)[0]


def test_first_screen_has_exactly_two_single_line_commands() -> None:
    blocks = re.findall(r"```sh\n(.*?)```", FIRST_SCREEN, flags=re.S)
    assert len(blocks) == 2
    assert all(block.count("\n") == 1 for block in blocks)  # one line each


def test_ci_runs_the_readme_commands_by_marker() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "readme_command test-command" in ci and "readme_command example-command" in ci
    assert "<!-- ci:test-command -->" in FIRST_SCREEN and "<!-- ci:example-command -->" in FIRST_SCREEN


def test_example_command_names_a_bundled_example() -> None:
    example = re.search(r"hccprotocol assess (\S+)", FIRST_SCREEN)
    assert example is not None
    assert (ROOT / example.group(1)).is_file()


def test_ci_treats_no_tests_as_failure() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert '"$rc" -eq 5' in ci
