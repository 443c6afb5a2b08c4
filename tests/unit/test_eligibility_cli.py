"""``assess --protocol``: the eligibility output contract, the arm option, the clinician table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from hccprotocol.cli import app

from .eligibility_support import candidate, edit

runner = CliRunner()


def _write(tmp_path: Path, record: dict[str, object]) -> str:
    path = tmp_path / "patient.yaml"
    path.write_text(yaml.safe_dump(record), encoding="utf-8")
    return str(path)


def _assess(*args: str) -> dict[str, object]:
    result = runner.invoke(app, ["assess", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    out: dict[str, object] = json.loads(result.stdout)
    return out


def test_json_contract_keys(tmp_path: Path) -> None:
    out = _assess(_write(tmp_path, candidate()))
    assert {"derived", "missing", "protocol", "eligible", "tace_refractory", "criteria"} <= set(out)
    assert out["protocol"] == {"id": "haic-lenvatinib-pd1", "version": "1.1.0"}  # the default arm
    assert out["eligible"] is True
    refractory = out["tace_refractory"]
    assert isinstance(refractory, dict)
    assert {"status", "ruleset", "criteria"} <= set(refractory)
    assert refractory["ruleset"] == "JSH-LCSGJ 2014"
    first = refractory["criteria"][0]
    assert {"id", "status", "evidence"} <= set(first)
    assert {"session", "date", "counted", "why"} <= set(first["evidence"][0])
    assert first["evidence"][0]["session"] == 0
    assert first["evidence"][0]["date"] == "2026-01-05"
    criteria = out["criteria"]
    assert isinstance(criteria, list)
    for c in criteria:
        assert {"id", "kind", "title", "status", "inputs", "source"} <= set(c)
        assert c["kind"] in ("inclusion", "exclusion")
        assert c["status"] in ("met", "not_met", "unknown")


def test_missing_inr_is_null_with_the_field_in_missing(tmp_path: Path) -> None:
    # the other four Child-Pugh components score 7: the INR decides class B (8-9) or C (10)
    record = edit(candidate(), liver__inr=None, liver__total_bilirubin_umol_l=40.0, liver__albumin_g_l=30.0,
                  liver__ascites="mild")
    out = _assess(_write(tmp_path, record))
    assert out["eligible"] is None
    assert out["missing"] == ["liver.inr"]


@pytest.mark.parametrize(("arm", "eligible"), [("haic-lenvatinib-pd1", False), ("haic-lenvatinib", True)])
def test_protocol_option_selects_the_arm(tmp_path: Path, arm: str, eligible: bool) -> None:
    out = _assess(_write(tmp_path, edit(candidate(), contraindications__pd1=True)), "--protocol", arm)
    assert out["eligible"] is eligible
    assert out["protocol"] == {"id": arm, "version": "1.1.0"}


def test_protocol_option_accepts_a_site_file(tmp_path: Path) -> None:
    """A site copy that reads 'appearance' (JSH wording): vascular invasion present at baseline no longer counts."""
    root = Path(__file__).resolve().parents[2]
    data = yaml.safe_load((root / "protocol" / "haic-lenvatinib-pd1.yaml").read_text(encoding="utf-8"))
    data["eligibility"]["invasion_spread_reading"] = "appearance"
    site = tmp_path / "site.yaml"
    site.write_text(yaml.safe_dump(data), encoding="utf-8")
    record = candidate()
    record["tace_history"] = [record["tace_history"][0]]  # one insufficient response only
    out = _assess(_write(tmp_path, record), "--protocol", str(site))
    refractory = out["tace_refractory"]
    assert isinstance(refractory, dict)
    vi = next(c for c in refractory["criteria"] if c["id"] == "jsh2014.vascular_invasion")
    assert vi["status"] == "not_met"
    assert out["eligible"] is False


def test_unknown_protocol_is_a_user_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["assess", _write(tmp_path, candidate()), "--protocol", "no-such-arm"])
    assert result.exit_code == 2
    assert "unknown protocol" in result.stderr
    assert "Traceback" not in result.output


def test_table_prints_the_decision_then_each_criterion(tmp_path: Path) -> None:
    result = runner.invoke(app, ["assess", _write(tmp_path, edit(candidate(), ecog=2))], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "DECISION: NOT ELIGIBLE, excluded by inclusion.ecog_0_1, exclusion.ecog_above_1" in text
    assert text.index("DECISION") < text.index("inclusion.unresectable_hcc")
    assert "EXCLUDES" in text
    assert "Lost to follow-up" in text
    assert "JSH-LCSGJ 2014" in text


def test_table_prints_the_incomplete_record_warning_under_the_decision(tmp_path: Path) -> None:
    record = edit(candidate(), weight_kg=None, height_cm=None)
    result = runner.invoke(app, ["assess", _write(tmp_path, record)], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "DECISION: ELIGIBLE" in text
    warning = "WARNING: eligible on every criterion; 2 fields are missing that no criterion reads"
    assert text.index("DECISION") < text.index(warning) < text.index("inclusion.unresectable_hcc")
    assert text.count(warning) == 1


def test_json_evidence_items_carry_their_session_inputs(tmp_path: Path) -> None:
    out = _assess(_write(tmp_path, candidate()))
    refractory = out["tace_refractory"]
    assert isinstance(refractory, dict)
    first = refractory["criteria"][0]["evidence"][0]
    assert first["inputs"]["tace_history[0].viable_tumour_pct"] == 70.0
    assert first["inputs"]["tace_history[0].imaging_date"] == "2026-02-09"
    assert out["warnings"] == []
