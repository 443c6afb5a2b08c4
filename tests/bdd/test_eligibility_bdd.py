"""Steps for features/eligibility.feature and features/tace_refractoriness.feature.

Every assessment runs on BOTH engines (the per-patient durable_rules engine and the vectorised cohort
engine) and every status step checks both; "for both arms" also runs both protocol arms.

## Given
- ``And these TACE sessions:``: one row per session. Every clinical input is a column and none is filled in
  by the step: ``date``, ``selective``, ``days to imaging`` or ``imaging date``, ``viable tumour %``,
  ``tumours before``, ``tumours after``, ``markers rising``, ``new vascular invasion``,
  ``new extrahepatic spread``, ``agents changed``, ``feeding artery reanalysed``. yes/no, a number, a date,
  or ``absent`` (not recorded). A missing column is an error.
- ``Given the patient also has:``: like ``a patient with:``, applied on top of the record.
- ``Given the protocol option "name" is <JSON value>``.
- ``Given today is YYYY-MM-DD``.
## When
- ``When eligibility is assessed for the "<protocol id>" arm`` / ``... for both arms``
- ``When the record is read`` (for records that must be refused)
## Then
- ``the patient is eligible | not eligible | undetermined``; ``criterion "<id>" is met | not met | unknown``;
  ``JSH criterion "<id>" is ...``; ``TACE failure/refractoriness by JSH-LCSGJ 2014 is ...``;
  ``session <n> is counted | not counted for "<JSH id>"`` (n counts from 1, as a clinician would);
  ``the derived BCLC stage is <stage | unknown>``; ``the why of [JSH] criterion "<id>" says "<fragment>"``;
  ``"<field path>" is listed as missing``; ``the assessment warns "<exact warning>"``;
  ``the assessment warns that "<fragment>"``; ``the assessment has no warning``;
  ``the record is refused naming "<field path>"``.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from hccprotocol.assessment import Assessment, assess
from hccprotocol.cohort import PatientOutcome, evaluate_cohort
from hccprotocol.eligibility.options import EligibilityOptions
from hccprotocol.errors import PatientValidationError
from hccprotocol.protocol import Protocol, load_protocol
from tests.bdd.conftest import set_path, validated

scenarios("eligibility.feature")
scenarios("tace_refractoriness.feature")

STATUS = {"met": "met", "not met": "not_met", "unknown": "unknown"}
DECISION = {"eligible": True, "not eligible": False, "undetermined": None}
ARMS = ("haic-lenvatinib-pd1", "haic-lenvatinib")

BOOLEAN_COLUMNS = {
    "selective": "selective",
    "markers rising": "markers_rising_after",
    "new vascular invasion": "new_vascular_invasion",
    "new extrahepatic spread": "new_extrahepatic_spread",
    "agents changed": "agents_changed",
    "feeding artery reanalysed": "feeding_artery_reanalysed",
}
NUMBER_COLUMNS = {
    "viable tumour %": ("viable_tumour_pct", float),
    "tumours before": ("intrahepatic_tumour_count_before", int),
    "tumours after": ("intrahepatic_tumour_count", int),
}


@pytest.fixture
def options() -> dict[str, Any]:
    return {}


def _yes_no(column: str, cell: str) -> bool | None:
    table = {"yes": True, "no": False, "absent": None}
    if cell not in table:
        raise ValueError(f"column {column!r}: write yes, no or absent, got {cell!r}")
    return table[cell]


@given("these TACE sessions:", target_fixture="record")
def tace_sessions(record: dict[str, Any], datatable: list[list[str]]) -> dict[str, Any]:
    header, *rows = datatable
    timing = {"days to imaging", "imaging date"} & set(header)
    required = {"date", *BOOLEAN_COLUMNS, *NUMBER_COLUMNS}
    lacking = sorted(required - set(header)) + ([] if len(timing) == 1 else ["days to imaging | imaging date"])
    if lacking:
        raise ValueError(f"the TACE table must state every input (write 'absent' if not recorded); missing: {lacking}")
    sessions = []
    for row in rows:
        cells = dict(zip(header, row, strict=True))
        s: dict[str, Any] = {"date": None if cells["date"] == "absent" else cells["date"]}
        if "imaging date" in cells:
            s["imaging_date"] = None if cells["imaging date"] == "absent" else cells["imaging date"]
        else:
            days = cells["days to imaging"]
            start = dt.date.fromisoformat(cells["date"])
            s["imaging_date"] = None if days == "absent" else (start + dt.timedelta(days=int(days))).isoformat()
        for column, field in BOOLEAN_COLUMNS.items():
            s[field] = _yes_no(column, cells[column])
        for column, (field, kind) in NUMBER_COLUMNS.items():
            s[field] = None if cells[column] == "absent" else kind(cells[column])
        sessions.append({k: v for k, v in s.items() if v is not None})
    record["tace_history"] = sessions
    return record


@given("the patient also has:", target_fixture="record")
def also_has(record: dict[str, Any], datatable: list[list[str]]) -> dict[str, Any]:
    rows = datatable[1:] if datatable and datatable[0] == ["field", "value"] else datatable
    for field, value in rows:
        set_path(record, field, value)
    return record


@given(parsers.parse('the protocol option "{name}" is {value}'))
def protocol_option(options: dict[str, Any], name: str, value: str) -> None:
    options[name] = json.loads(value)


@given(parsers.parse("today is {day}"))
def today_is(monkeypatch: pytest.MonkeyPatch, day: str) -> None:
    monkeypatch.setenv("HCCPROTOCOL_TODAY", dt.date.fromisoformat(day).isoformat())


@dataclass(frozen=True)
class Evaluated:
    """One scenario's answers: per arm, the per-patient assessment and the cohort engine's row."""

    per_patient: dict[str, Assessment]
    cohort: dict[str, PatientOutcome]


def _protocol(arm: str, options: dict[str, Any]) -> Protocol:
    protocol = load_protocol(arm)
    if options:
        merged = EligibilityOptions.model_validate({**protocol.eligibility.model_dump(), **options})
        protocol = protocol.model_copy(update={"eligibility": merged})
    return protocol


def _evaluate(record: dict[str, Any], options: dict[str, Any], arms: tuple[str, ...]) -> Evaluated:
    patient = validated(record)
    per_patient, cohort = {}, {}
    for arm in arms:
        protocol = _protocol(arm, options)
        per_patient[arm] = assess(patient, protocol=protocol)
        cohort[arm] = evaluate_cohort([patient], protocol).outcome(0)
    return Evaluated(per_patient, cohort)


@when(parsers.parse('eligibility is assessed for the "{arm}" arm'), target_fixture="assessment")
def assessed(record: dict[str, Any], options: dict[str, Any], arm: str) -> Evaluated:
    return _evaluate(record, options, (arm,))


@when("eligibility is assessed for both arms", target_fixture="assessment")
def assessed_both(record: dict[str, Any], options: dict[str, Any]) -> Evaluated:
    return _evaluate(record, options, ARMS)


@when("the record is read", target_fixture="refusal")
def record_read(record: dict[str, Any]) -> PatientValidationError | None:
    try:
        validated(record)
    except PatientValidationError as exc:
        return exc
    return None


@then(parsers.parse("the patient is {decision}"))
def decision_is(assessment: Evaluated, decision: str) -> None:
    for arm, a in assessment.per_patient.items():
        assert a.eligible is DECISION[decision], (arm, a.eligibility_basis)
        assert assessment.cohort[arm].eligible is DECISION[decision], (arm, "cohort engine")


@then(parsers.parse('criterion "{criterion_id}" is {status}'))
def criterion_is(assessment: Evaluated, criterion_id: str, status: str) -> None:
    for arm, a in assessment.per_patient.items():
        found = next(c for c in a.criteria if c.id == criterion_id)
        assert found.status == STATUS[status], (arm, found)
        assert assessment.cohort[arm].criteria[criterion_id] == STATUS[status], (arm, "cohort engine")


@then(parsers.parse('JSH criterion "{criterion_id}" is {status}'))
def jsh_criterion_is(assessment: Evaluated, criterion_id: str, status: str) -> None:
    for arm, a in assessment.per_patient.items():
        found = next(c for c in a.tace_refractory.criteria if c.id == criterion_id)
        assert found.status == STATUS[status], (arm, found)
        assert assessment.cohort[arm].refractory_criteria[criterion_id] == STATUS[status], (arm, "cohort engine")


@then(parsers.parse("TACE failure/refractoriness by JSH-LCSGJ 2014 is {status}"))
def refractory_is(assessment: Evaluated, status: str) -> None:
    for arm, a in assessment.per_patient.items():
        assert a.tace_refractory.ruleset == "JSH-LCSGJ 2014"
        assert a.tace_refractory.status == STATUS[status], arm
        assert assessment.cohort[arm].tace_refractory == STATUS[status], (arm, "cohort engine")


@then(parsers.parse('session {number:d} is {counted} for "{criterion_id}"'))
def session_counted(assessment: Evaluated, number: int, counted: str, criterion_id: str) -> None:
    for a in assessment.per_patient.values():
        found = next(c for c in a.tace_refractory.criteria if c.id == criterion_id)
        evidence = next(e for e in found.evidence if e.session == number - 1)
        assert evidence.counted is (counted == "counted"), evidence


@then(parsers.parse("the derived BCLC stage is {stage}"))
def bclc_stage_is(assessment: Evaluated, stage: str) -> None:
    for a in assessment.per_patient.values():
        assert a.derived.bclc_stage == (None if stage == "unknown" else stage), a.warnings


@then(parsers.parse('the why of JSH criterion "{criterion_id}" says "{fragment}"'))
def jsh_why_says(assessment: Evaluated, criterion_id: str, fragment: str) -> None:
    for a in assessment.per_patient.values():
        found = next(c for c in a.tace_refractory.criteria if c.id == criterion_id)
        assert fragment in found.why, found.why


@then(parsers.parse('the why of criterion "{criterion_id}" says "{fragment}"'))
def why_says(assessment: Evaluated, criterion_id: str, fragment: str) -> None:
    for a in assessment.per_patient.values():
        found = next(c for c in a.criteria if c.id == criterion_id)
        assert fragment in found.why, found.why


@then(parsers.parse('"{path}" is listed as missing'))
def listed_missing(assessment: Evaluated, path: str) -> None:
    for a in assessment.per_patient.values():
        assert path in a.missing


@then(parsers.parse('the assessment warns "{text}"'))
def warns_exactly(assessment: Evaluated, text: str) -> None:
    for a in assessment.per_patient.values():
        assert text in a.warnings, a.warnings


@then(parsers.parse('the assessment warns that "{fragment}"'))
def warns_that(assessment: Evaluated, fragment: str) -> None:
    for a in assessment.per_patient.values():
        assert any(fragment in w for w in a.warnings), a.warnings


@then("the assessment has no warning")
def no_warning(assessment: Evaluated) -> None:
    for a in assessment.per_patient.values():
        assert a.warnings == []


@then(parsers.parse('the record is refused naming "{path}"'))
def refused_naming(refusal: PatientValidationError | None, path: str) -> None:
    assert refusal is not None, "the record was accepted"
    assert refusal.exit_code == 2
    assert any(path in (i.path + " " + i.message) for i in refusal.issues), refusal.render()


@then(parsers.parse("the record is accepted"))
def accepted(refusal: PatientValidationError | None) -> None:
    assert refusal is None, refusal.render() if refusal else ""
