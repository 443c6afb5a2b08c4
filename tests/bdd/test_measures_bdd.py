"""Steps for features/measures.feature: derive measures and read them back."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_bdd import parsers, scenarios, then, when

from hccprotocol.assessment import Assessment, assess
from tests.bdd.conftest import validated

scenarios("measures.feature")


@when("the measures are derived", target_fixture="assessment")
def derive_default(record: dict[str, Any]) -> Assessment:
    return assess(validated(record))


@when(parsers.parse('the measures are derived with the "{formula}" formula'), target_fixture="assessment")
def derive_with(record: dict[str, Any], formula: str) -> Assessment:
    return assess(validated(record), bsa_formula=formula)  # type: ignore[arg-type]


@then(parsers.parse('the Child-Pugh score is {score:d} and the class is "{cls}"'))
def child_pugh_is(assessment: Assessment, score: int, cls: str) -> None:
    cp = assessment.derived.child_pugh
    assert cp is not None
    assert (cp.score, cp.cls) == (score, cls)


@then("the Child-Pugh class is unknown")
def child_pugh_unknown(assessment: Assessment) -> None:
    assert assessment.derived.child_pugh is None


@then(parsers.parse('"{path}" is listed as missing'))
def listed_missing(assessment: Assessment, path: str) -> None:
    assert path in assessment.missing


@then(parsers.parse("the ALBI grade is {grade:d}"))
def albi_grade_is(assessment: Assessment, grade: int) -> None:
    assert assessment.derived.albi is not None
    assert assessment.derived.albi.grade == grade


@then(parsers.parse("the body surface area is {bsa:f} m2"))
def bsa_is(assessment: Assessment, bsa: float) -> None:
    assert assessment.derived.bsa_m2 == pytest.approx(bsa, abs=5e-5)


@then(parsers.parse('the BCLC stage is "{stage}"'))
def bclc_is(assessment: Assessment, stage: str) -> None:
    assert assessment.derived.bclc_stage == stage


@then("a BCLC conflict is reported")
def bclc_conflict(assessment: Assessment) -> None:
    assert assessment.derived.bclc_stage_conflict is True
