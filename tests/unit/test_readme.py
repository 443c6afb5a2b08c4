"""The README's first screen: exactly two single-line set-up commands, the ones CI runs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

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


# -- Issue 13: every command shown below the first screen runs exactly as printed -------------------------------

BODY = README.split("\n---\n", 1)[1]
COMMANDS = [line for block in re.findall(r"```sh\n(.*?)```", BODY, flags=re.S) for line in block.splitlines() if line]


def test_the_readme_shows_commands_to_run() -> None:
    assert len(COMMANDS) >= 6
    assert all(c.startswith("hccprotocol ") for c in COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_readme_command_runs_exactly_as_printed(command: str, tmp_path: Path) -> None:
    """Run in a directory laid out like the repository root (examples/), with the environment activated."""
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("COLUMNS", None)
    proc = subprocess.run(["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    target = re.search(r"-o (\S+)", command)
    if target and target.group(1) != "-":
        assert (tmp_path / target.group(1)).stat().st_size > 0
    else:
        assert proc.stdout.strip()


def test_the_example_count_is_right() -> None:
    patients = sorted(p.name for p in (ROOT / "examples").glob("p[0-9][0-9]-*"))
    courses = sorted(p.name for p in (ROOT / "examples").glob("dosing-course-*"))
    assert (len(patients), len(courses)) == (10, 1)
    assert "eleven records: ten patients" in README and "one treatment course" in README
    assert (ROOT / "examples" / "site-calendar.yaml").is_file()


def test_exit_codes_documented() -> None:
    for code, words in (("`0`", "success"), ("`2`", "invalid input"), ("`3`", "clinical gate"), ("`1`", "internal")):
        line = next(line for line in BODY.splitlines() if line.startswith(f"| {code} |"))
        assert words in line


def test_readme_says_no_silent_utc_and_documents_the_site_calendar() -> None:
    assert "never silently UTC" in BODY and "--timezone" in BODY
    for key in ("name:", "timezone:", "closed_weekdays:", "closed_dates:"):
        assert key in BODY
    assert "source .venv/bin/activate" in BODY


def test_every_cited_clinical_reference_section_is_shipped() -> None:
    from importlib import resources

    shipped = resources.files("hccprotocol.data").joinpath("clinical-references.md").read_text(encoding="utf-8")
    headings = set(re.findall(r"^#{2,3} (\d+(?:\.\d+)?)[. ]", shipped, flags=re.M))
    cited: set[str] = set()
    for folder in ("src", "rules", "protocol"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in {".py", ".yaml"}:
                text = path.read_text(encoding="utf-8")
                cited |= set(re.findall(r"clinical-references(?:\.md)?,? ?§?(\d+(?:\.\d+)?)", text))
    assert cited and cited <= headings, sorted(cited - headings)


def test_the_documented_json_envelope_matches_a_real_output() -> None:
    import json

    from typer.testing import CliRunner

    from hccprotocol.cli import app

    block = next(b for b in re.findall(r"```json\n(.*?)```", BODY, flags=re.S) if '"header"' in b)
    documented = json.loads(block)
    out = json.loads(
        CliRunner().invoke(app, ["dose", str(ROOT / "examples" / "p01-bclc-c-pvtt.yaml"), "--as-of", "2026-10-20",
                                 "-f", "json"]).stdout
    )
    assert list(out)[:4] == list(documented)
    assert set(out["header"]) == set(documented["header"])
    assert set(out["header"]["protocol"]) == set(documented["header"]["protocol"])
    assert set(out["header"]["rule_files"][0]) == set(documented["header"]["rule_files"][0])
