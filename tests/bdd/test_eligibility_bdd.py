"""Steps for features/eligibility.feature and features/tace_refractoriness.feature.

## Given
- ``And these TACE sessions:``: one row per session with columns ``date``, ``selective`` (yes/no),
  ``days to imaging``, ``viable tumour %``, optional ``tumours before``/``tumours after`` (default 3/3),
  ``markers rising``, ``new vascular invasion``, ``agents changed`` (yes/no, default no); any cell but
  ``date`` may be ``absent``.
- ``Given the patient also has:``: like ``a patient with:``, applied on top of the record.
- ``Given the protocol option "name" is <JSON value>``.
## When
- ``When eligibility is assessed for the "<protocol id>" arm``
## Then
- ``the patient is eligible | not eligible | undetermined``; ``criterion "<id>" is met | not met | unknown``;
  ``JSH criterion "<id>" is ...``; ``TACE failure/refractoriness by JSH-LCSGJ 2014 is ...``;
  ``session <n> is counted | not counted for "<JSH id>"`` (n counts from 1, as a clinician would);
  ``"<field path>" is listed as missing``; ``the assessment warns "<exact warning>"``;
  ``the assessment warns that "<fragment>"``; ``the assessment has no warning``.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from hccprotocol.assessment import Assessment, assess
from hccprotocol.eligibility.options import EligibilityOptions
from hccprotocol.protocol import load_protocol
from tests.bdd.conftest import set_path, validated

scenarios("eligibility.feature")
scenarios("tace_refractoriness.feature")

STATUS = {"met": "met", "not met": "not_met", "unknown": "unknown"}
DECISION = {"eligible": True, "not eligible": False, "undetermined": None}
YES_NO = {"yes": True, "no": False}


@pytest.fixture
def options() -> dict[str, Any]:
    return {}


@given("these TACE sessions:", target_fixture="record")
def tace_sessions(record: dict[str, Any], datatable: list[list[str]]) -> dict[str, Any]:
    header, *rows = datatable
    sessions = []
    for row in rows:
        cells = dict(zip(header, row, strict=True))
        date = dt.date.fromisoformat(cells["date"])
        days = cells["days to imaging"]
        s: dict[str, Any] = {
            "date": cells["date"],
            "selective": YES_NO.get(cells["selective"]),
            "agents_changed": YES_NO.get(cells.get("agents changed", "no")),
            "imaging_date": None if days == "absent" else (date + dt.timedelta(days=int(days))).isoformat(),
            "viable_tumour_pct": None if cells["viable tumour %"] == "absent" else float(cells["viable tumour %"]),
            "intrahepatic_tumour_count_before": int(cells.get("tumours before", 3)),
            "intrahepatic_tumour_count": int(cells.get("tumours after", 3)),
            "markers_rising_after": YES_NO[cells.get("markers rising", "no")],
            "new_vascular_invasion": YES_NO.get(cells.get("new vascular invasion", "no")),
            "new_extrahepatic_spread": False,
        }
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


@when(parsers.parse('eligibility is assessed for the "{arm}" arm'), target_fixture="assessment")
def assessed(record: dict[str, Any], options: dict[str, Any], arm: str) -> Assessment:
    protocol = load_protocol(arm)
    if options:
        merged = EligibilityOptions.model_validate({**protocol.eligibility.model_dump(), **options})
        protocol = protocol.model_copy(update={"eligibility": merged})
    return assess(validated(record), protocol=protocol)


@then(parsers.parse("the patient is {decision}"))
def decision_is(assessment: Assessment, decision: str) -> None:
    assert assessment.eligible is DECISION[decision], assessment.eligibility_basis


@then(parsers.parse('criterion "{criterion_id}" is {status}'))
def criterion_is(assessment: Assessment, criterion_id: str, status: str) -> None:
    found = next(c for c in assessment.criteria if c.id == criterion_id)
    assert found.status == STATUS[status], found


@then(parsers.parse('JSH criterion "{criterion_id}" is {status}'))
def jsh_criterion_is(assessment: Assessment, criterion_id: str, status: str) -> None:
    found = next(c for c in assessment.tace_refractory.criteria if c.id == criterion_id)
    assert found.status == STATUS[status], found


@then(parsers.parse("TACE failure/refractoriness by JSH-LCSGJ 2014 is {status}"))
def refractory_is(assessment: Assessment, status: str) -> None:
    assert assessment.tace_refractory.ruleset == "JSH-LCSGJ 2014"
    assert assessment.tace_refractory.status == STATUS[status]


@then(parsers.parse('session {number:d} is {counted} for "{criterion_id}"'))
def session_counted(assessment: Assessment, number: int, counted: str, criterion_id: str) -> None:
    found = next(c for c in assessment.tace_refractory.criteria if c.id == criterion_id)
    evidence = next(e for e in found.evidence if e.session == number - 1)
    assert evidence.counted is (counted == "counted"), evidence


@then(parsers.parse('"{path}" is listed as missing'))
def listed_missing(assessment: Assessment, path: str) -> None:
    assert path in assessment.missing


@then(parsers.parse('the assessment warns "{text}"'))
def warns_exactly(assessment: Assessment, text: str) -> None:
    assert text in assessment.warnings, assessment.warnings


@then(parsers.parse('the assessment warns that "{fragment}"'))
def warns_that(assessment: Assessment, fragment: str) -> None:
    assert any(fragment in w for w in assessment.warnings), assessment.warnings


@then("the assessment has no warning")
def no_warning(assessment: Assessment) -> None:
    assert assessment.warnings == []
