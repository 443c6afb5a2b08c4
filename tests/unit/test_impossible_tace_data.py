"""Impossible TACE data is refused with the field named (exit 2), on both sides of each boundary.

A TACE or imaging dated after today (or after the assessment's ``as_of``) has not happened; 0 intrahepatic
tumours leave nothing viable; response imaging cannot precede its TACE. Today is fixed with
HCCPROTOCOL_TODAY (the latest date anywhere on Earth otherwise).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from hccprotocol.cli import app
from hccprotocol.cohort import evaluate_cohort
from hccprotocol.eligibility import evaluate_eligibility
from hccprotocol.errors import PatientValidationError
from hccprotocol.patient_file import parse_patient

from .eligibility_support import candidate, protocol, session


@pytest.fixture(autouse=True)
def today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HCCPROTOCOL_TODAY", "2026-06-30")


def refused(record: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(PatientValidationError) as info:
        parse_patient(record, source="test")
    assert info.value.exit_code == 2
    return {i.path: i.message for i in info.value.issues}


@pytest.mark.parametrize(("day", "ok"), [("2026-06-30", True), ("2026-07-01", False)])
def test_a_tace_dated_after_today_is_refused(day: str, ok: bool) -> None:
    record = {"id": "X", "tace_history": [{"date": day}]}
    if ok:
        parse_patient(record)
    else:
        assert "after today (2026-06-30)" in refused(record)["tace_history[0].date"]


@pytest.mark.parametrize(("day", "ok"), [("2026-06-30", True), ("2026-07-01", False)])
def test_imaging_dated_after_today_is_refused(day: str, ok: bool) -> None:
    record = {"id": "X", "tace_history": [{"date": "2026-05-04", "imaging_date": day}]}
    if ok:
        parse_patient(record)
    else:
        assert "after today" in refused(record)["tace_history[0].imaging_date"]


@pytest.mark.parametrize(("count", "viable", "ok"), [(0, 0.0, True), (0, 0.00001, False), (1, 0.00001, True)])
def test_no_intrahepatic_tumour_leaves_nothing_viable(count: int, viable: float, ok: bool) -> None:
    record = {"id": "X", "tace_history": [
        {"date": "2026-05-04", "imaging_date": "2026-06-08", "intrahepatic_tumour_count": count,
         "viable_tumour_pct": viable},
    ]}
    if ok:
        parse_patient(record)
    else:
        message = refused(record)["tace_history[0].intrahepatic_tumour_count"]
        assert "viable_tumour_pct is 1e-05" in message or "viable_tumour_pct is 0.00001" in message


@pytest.mark.parametrize(("imaging", "ok"), [("2026-05-04", True), ("2026-05-03", False)])
def test_imaging_before_its_tace_is_refused(imaging: str, ok: bool) -> None:
    record = {"id": "X", "tace_history": [{"date": "2026-05-04", "imaging_date": imaging}]}
    if ok:
        parse_patient(record)
    else:
        assert "imaging_date 2026-05-03 is before the TACE date" in refused(record)["tace_history[0]"]


@pytest.mark.parametrize(("as_of", "ok"), [("2026-04-06", True), ("2026-04-05", False)])
def test_a_session_after_the_assessment_date_is_refused_by_both_engines(as_of: str, ok: bool) -> None:
    patient = parse_patient(candidate(), source="test")  # the second session is imaged on 2026-04-06
    day = dt.date.fromisoformat(as_of)
    if ok:
        assert evaluate_eligibility(patient, protocol(), as_of=day).eligible is True
        assert evaluate_cohort([patient], protocol(), as_of=day).outcome(0).eligible is True
        return
    for run in (lambda: evaluate_eligibility(patient, protocol(), as_of=day),
                lambda: evaluate_cohort([patient], protocol(), as_of=day)):
        with pytest.raises(PatientValidationError) as info:
            run()
        assert [i.path for i in info.value.issues] == ["tace_history[1].imaging_date"]


def test_the_cli_exits_2_naming_the_field(tmp_path: Path) -> None:
    record = candidate()
    record["tace_history"].append(session("2026-07-01"))
    path = tmp_path / "future.yaml"
    path.write_text(yaml.safe_dump(record), encoding="utf-8")
    result = CliRunner().invoke(app, ["assess", str(path)])
    assert result.exit_code == 2
    assert "tace_history[2].date" in result.stderr and "Traceback" not in result.stderr
