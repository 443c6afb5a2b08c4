"""`hccprotocol dose` and `course`: contract keys, exit code 2 for bad input, no traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from hccprotocol.cli import app

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
COURSE = EXAMPLES / "dosing-course-triple.yaml"
runner = CliRunner()


def test_dose_json() -> None:
    result = runner.invoke(app, ["dose", str(COURSE), "--as-of", "2026-11-17", "--format", "json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    rows = {a["agent"]: a for a in out["agents"]}
    # after the recorded course: oxaliplatin 65 x 1.8025 = 117.1625 -> 117; 5-FU 1920 x 1.8025 = 3460.8 -> 3461;
    # lenvatinib restored to 12 mg on 2026-11-10; camrelizumab 200 mg
    assert rows["oxaliplatin"]["dose_mg"] == 117.0
    assert rows["fluorouracil"]["dose_mg"] == 3461.0
    assert rows["lenvatinib"]["dose_mg"] == 12.0
    assert rows["camrelizumab"]["dose_mg"] == 200.0
    assert out["options"]["lenvatinib_policy"] == "paper_made_safe"


def test_course_json_and_table() -> None:
    result = runner.invoke(app, ["course", str(COURSE), "--as-of", "2026-11-17", "--format", "json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    # Issue 13: the issue-6 contract keys plus the envelope (patient id, as-of, version, header) and warnings.
    assert {"events", "current", "warnings", "patient_id", "as_of", "hccprotocol_version", "header"} <= set(out)
    assert out["as_of"] == out["header"]["as_of"] == "2026-11-17"
    actions = [(e["date"], e["agent"], e["action"]) for e in out["events"]]
    assert ("2026-10-20", "oxaliplatin", "delay") in actions
    assert ("2026-11-10", "lenvatinib", "restore") in actions
    table = runner.invoke(app, ["course", str(COURSE), "--as-of", "2026-11-17"])
    assert table.exit_code == 0 and "lenvatinib" in table.stdout


def test_dose_table_renders() -> None:
    result = runner.invoke(app, ["dose", str(EXAMPLES / "p01-bclc-c-pvtt.yaml"), "--as-of", "2026-08-25"])
    assert result.exit_code == 0, result.output
    assert "oxaliplatin" in result.stdout


def _write(tmp_path: Path, **changes: object) -> Path:
    data = yaml.safe_load(COURSE.read_text(encoding="utf-8"))
    data.update(changes)
    path = tmp_path / "record.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("changes", "args", "message"),
    [
        ({"adverse_events": [{"onset_date": "2026-09-10", "term": "Liver abscess", "grade": 3,
                              "attributed_to": ["haic_procedure"]}]}, [], "Hepatic infection"),
        ({"adverse_events": [{"onset_date": "2026-09-10", "term": "Fatigue", "grade": 4,
                              "attributed_to": ["lenvatinib"]}]}, [], "no grade 4"),
        ({"adverse_events": [{"onset_date": "2026-09-10", "term": "Fatigue", "grade": 3,
                              "attributed_to": ["regorafenib"]}]}, [], "not given by protocol"),
        ({"adverse_events": [{"onset_date": "2026-09-10", "term": "Fatigue", "grade": 3,
                              "attributed_to": ["lenvatinib"], "resolved_date": "2026-09-01"}]}, [], "resolved_date"),
        ({}, ["--protocol", "haic-lenvatinib"], "gives no PD-1 inhibitor"),
        ({}, ["--start", "2026-10-01"], "before the course start"),
        ({}, ["--start", "01/10/2026"], "--start"),
    ],
)  # fmt: skip
def test_course_bad_input_exits_2(tmp_path: Path, changes: dict[str, object], args: list[str], message: str) -> None:
    result = runner.invoke(app, ["course", str(_write(tmp_path, **changes)), *args])
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_dose_without_baseline_weight_after_start_exits_2(tmp_path: Path) -> None:
    data = yaml.safe_load(COURSE.read_text(encoding="utf-8"))
    del data["baseline_weight_kg"]
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    result = runner.invoke(app, ["dose", str(path), "--as-of", "2026-10-01"])
    assert result.exit_code == 2
    assert "baseline_weight_kg" in result.stderr
