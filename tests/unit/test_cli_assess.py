"""The command line: contract keys, exit codes 0/2/1, and no traceback for user error."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hccprotocol.cli import app

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
runner = CliRunner()


def test_assess_json_contract_keys() -> None:
    result = runner.invoke(app, ["assess", str(EXAMPLES / "p01-bclc-c-pvtt.yaml"), "--format", "json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    derived = out["derived"]
    assert {"bsa_m2", "bsa_formula", "child_pugh", "albi", "bclc_stage"} <= set(derived)
    assert set(derived["child_pugh"]) >= {"score", "class", "points"}
    assert set(derived["albi"]) >= {"score", "grade"}
    assert isinstance(out["missing"], list)
    # hand: sqrt(172*68/3600) = 1.802467 -> 1.8025 (4 decimals)
    assert derived["bsa_m2"] == 1.8025
    assert derived["bsa_formula"] == "mosteller"


@pytest.mark.parametrize(
    ("formula", "expected"),
    # bc -l at 68 kg / 172 cm
    [("dubois", 1.8028), ("mosteller", 1.8025)],  # 1.802772 and 1.802467
)
def test_bsa_formula_option(formula: str, expected: float) -> None:
    result = runner.invoke(
        app, ["assess", str(EXAMPLES / "p01-bclc-c-pvtt.yaml"), "--format", "json", "--bsa-formula", formula]
    )
    out = json.loads(result.stdout)
    assert out["derived"]["bsa_m2"] == expected and out["derived"]["bsa_formula"] == formula


def test_unknown_bsa_formula_is_usage_error() -> None:
    result = runner.invoke(app, ["assess", str(EXAMPLES / "p01-bclc-c-pvtt.yaml"), "--bsa-formula", "magic"])
    assert result.exit_code == 2


def test_missing_inputs_give_null_measures_and_missing_paths(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"id": "M", "weight_kg": 70.0, "liver": {"total_bilirubin_umol_l": 20.0}}))
    out = json.loads(runner.invoke(app, ["assess", str(path), "--format", "json"]).stdout)
    assert out["derived"]["bsa_m2"] is None
    assert out["derived"]["child_pugh"] is None and out["derived"]["albi"] is None
    assert out["derived"]["bclc_stage"] is None
    assert {"height_cm", "liver.albumin_g_l", "liver.inr"} <= set(out["missing"])


def test_recorded_bclc_conflict_is_reported(tmp_path: Path) -> None:
    data = json.loads((EXAMPLES / "p02-bclc-b-multinodular.json").read_text())
    data["bclc_stage"] = "C"  # derived stage is B (PS 0, no invasion or spread)
    path = tmp_path / "p.json"
    path.write_text(json.dumps(data))
    out = json.loads(runner.invoke(app, ["assess", str(path), "--format", "json"]).stdout)
    assert out["derived"]["bclc_stage"] == "B"
    assert out["derived"]["bclc_stage_recorded"] == "C"
    assert out["derived"]["bclc_stage_conflict"] is True
    assert any("differs from the derived stage" in w for w in out["warnings"])


def test_table_format_prints_summary() -> None:
    result = runner.invoke(app, ["assess", str(EXAMPLES / "p07-missing-inr.yaml")])
    assert result.exit_code == 0
    assert "liver.inr" in result.stdout and "Child-Pugh" in result.stdout


def test_schema_patient_is_json_schema() -> None:
    result = runner.invoke(app, ["schema", "patient"])
    schema = json.loads(result.stdout)
    assert schema["required"] == ["id"]
    assert schema["additionalProperties"] is False
    assert "weight_kg" in schema["properties"]


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hccprotocol", *args], capture_output=True, text=True, check=False, cwd=ROOT
    )


def test_invalid_input_exits_2_without_traceback(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"id": "B", "height_cm": 1.75, "weight_kg": 700}))
    proc = run_cli("assess", str(path))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "height_cm" in proc.stderr and "1.75" in proc.stderr and "metres" in proc.stderr
    assert "weight_kg" in proc.stderr and "700" in proc.stderr


def test_malformed_file_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("id: [oops\n")
    proc = run_cli("assess", str(path))
    assert proc.returncode == 2 and "malformed YAML" in proc.stderr and "Traceback" not in proc.stderr


def test_internal_error_exits_1_without_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    import hccprotocol.assessment as assessment

    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("simulated defect")

    monkeypatch.setattr(assessment, "assess", broken)  # the CLI imports it when the command runs
    result = runner.invoke(app, ["assess", str(EXAMPLES / "p01-bclc-c-pvtt.yaml")])
    assert result.exit_code == 1
    assert "internal error" in result.stderr and "Traceback" not in result.stderr
