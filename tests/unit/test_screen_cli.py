"""``hccprotocol screen`` end to end: output columns, CSV and Parquet alike, invalid records, flow files, errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from hccprotocol.cli import app
from hccprotocol.eligibility.evaluate import rules_for
from hccprotocol.protocol import load_protocol
from hccprotocol.screen.synthetic import registry_csv, synthetic_registry

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
runner = CliRunner()


def _run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_columns_exactly_as_the_issue_says(tmp_path: Path) -> None:
    out = tmp_path / "d.csv"
    code, _, err = _run("screen", str(EXAMPLES / "cohort-patients.csv"), "--tace-sessions",
                        str(EXAMPLES / "cohort-sessions.csv"), "-o", str(out))
    assert code == 0, err
    decisions = pd.read_csv(out, dtype="str", keep_default_na=False)
    refractory, criteria = rules_for(load_protocol("haic-lenvatinib-pd1"))
    ids = [c.rule.id for c in (*refractory.criteria, *criteria.criteria)]  # from the rule files
    assert list(decisions.columns) == ["patient_id", "eligible", "tace_refractory", *ids, "excluded_by", "missing"]
    assert set(decisions["eligible"]) <= {"true", "false", ""}
    assert set(decisions[ids].stack()) <= {"met", "not_met", "unknown"}
    assert len(decisions) == 40
    # excluded_by names excluding criteria only where eligible is false
    assert (decisions["excluded_by"] != "").eq(decisions["eligible"] == "false").all()
    # an undetermined patient names what is missing, unless its record contradicts itself (read off the example
    # files: P10 tumour extrahepatic_spread false while its TACE records new extrahepatic spread; P31 tumour
    # vascular_invasion false while its 4th TACE records new vascular invasion: unstaged, nothing missing)
    silent = decisions[(decisions["eligible"] == "") & (decisions["missing"] == "")].set_index("patient_id")
    assert list(silent.index) == ["P10", "P31"]
    assert silent.loc["P10", "jsh2014.extrahepatic_spread"] == "unknown"
    assert silent.loc["P31", "jsh2014.vascular_invasion"] == "unknown"
    assert (silent["inclusion.bclc_b_or_c"] == "unknown").all()


def test_parquet_in_and_out_gives_the_same_decisions(tmp_path: Path) -> None:
    patients, sessions = synthetic_registry(200, seed=3)
    patients.to_parquet(tmp_path / "p.parquet", index=False)
    sessions.to_parquet(tmp_path / "s.parquet", index=False)
    (tmp_path / "p.csv").write_text(registry_csv(patients))
    (tmp_path / "s.csv").write_text(registry_csv(sessions))
    for ext in ("csv", "parquet"):
        code, _, err = _run("screen", str(tmp_path / f"p.{ext}"), "--tace-sessions", str(tmp_path / f"s.{ext}"),
                            "-o", str(tmp_path / f"d-{ext}.parquet"))
        assert code == 0, err
    a = pd.read_parquet(tmp_path / "d-csv.parquet")
    b = pd.read_parquet(tmp_path / "d-parquet.parquet")
    pd.testing.assert_frame_equal(a, b)
    assert str(a["eligible"].dtype) == "boolean"


def test_invalid_record_reported_and_counted(tmp_path: Path) -> None:
    text = (EXAMPLES / "cohort-patients.csv").read_text().splitlines()
    header = text[0].split(",")
    row = text[2].split(",")
    row[header.index("liver_albumin_g_l")] = "3.5"  # g/dL entered as g/L
    text[2] = ",".join(row)
    patients = tmp_path / "p.csv"
    patients.write_text("\n".join(text) + "\n")
    flow = tmp_path / "flow.mmd"
    code, out, err = _run("screen", str(patients), "--tace-sessions", str(EXAMPLES / "cohort-sessions.csv"),
                          "--flow", str(flow))
    assert code == 0
    assert "patients row 2" in err and "liver_albumin_g_l" in err and "g/dL" in err
    assert len(out.strip().splitlines()) == 1 + 39  # header + the 39 valid rows
    assert 'Invalid records (n = 1)' in flow.read_text()


@pytest.mark.parametrize("ext", ["svg", "html", "mmd"])
def test_flow_formats(tmp_path: Path, ext: str) -> None:
    flow = tmp_path / f"f.{ext}"
    code, _, err = _run("screen", str(EXAMPLES / "cohort-patients.csv"), "--flow", str(flow), "-o",
                        str(tmp_path / "d.csv"))
    assert code == 0, err
    assert "Patients screened (n = 40)" in flow.read_text()


def test_errors_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "p.csv"
    bad.write_text("patient_id,liver_innr\nA,1.1\n")
    code, _, err = _run("screen", str(bad))
    assert code == 2 and "liver_innr" in err
    code, _, err = _run("screen", str(EXAMPLES / "cohort-patients.csv"), "--flow", str(tmp_path / "f.png"))
    assert code == 2
    code, _, err = _run("screen", str(EXAMPLES / "cohort-patients.csv"), "--scheduler", "tcp://127.0.0.1:1")
    assert code == 2 and "--engine dask" in err
    code, _, _ = _run("screen", str(tmp_path / "absent.csv"))
    assert code == 2


def test_schema_cohort_writes_templates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = _run("schema", "cohort")
    assert code == 0, err
    assert "liver_inr" in out and "µmol/L" in out
    header = (tmp_path / "cohort-template-patients.csv").read_text().strip().split(",")
    assert header[0] == "patient_id" and "liver_total_bilirubin_umol_l" in header
    assert (tmp_path / "cohort-template-sessions.csv").read_text().startswith("patient_id,date,")
