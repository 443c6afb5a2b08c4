"""``screen`` (columnar) agrees with the per-patient durable_rules path on every criterion, patient by patient.

The records come from the cohort agreement test's strategies (boundaries of
ECOG, imaging intervals in days and calendar months at month ends, viable
tumour 50/50.5/51 %, Child-Pugh around 9/10 with a missing component, an empty
versus an absent TACE history, contradictory records, absent sections) and
its configurations (both arms, non-default options). Each cohort is laid flat
as registry tables (text cells, as in a CSV) and screened; every
refractoriness and eligibility status, ``tace_refractory`` and ``eligible``
must equal ``evaluate_eligibility``'s.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hccprotocol.eligibility import evaluate_eligibility
from hccprotocol.patient import Patient, latest_today
from hccprotocol.protocol import Protocol
from hccprotocol.screen.partition import screen_partition
from hccprotocol.screen.records import to_tables

from .test_cohort_agreement import CONFIGS, patients

TODAY = latest_today()


@st.composite
def cohorts(draw: st.DrawFn) -> tuple[Protocol, list[Patient]]:
    config = draw(st.sampled_from(CONFIGS))
    size = draw(st.integers(1, 6))
    return config, [draw(patients(i)) for i in range(size)]


def check_agreement(config: Protocol, cohort: list[Patient]) -> None:
    table, sessions = to_tables(cohort)
    result = screen_partition(table, sessions, config, TODAY)
    assert result.invalid == 0, result.issues
    decisions = result.decisions
    assert list(decisions["patient_id"]) == [p.id for p in cohort]
    for row, patient in enumerate(cohort):
        expected = evaluate_eligibility(patient, config)
        got = decisions.iloc[row]
        shown = f"{patient.id} under {config.id} {config.eligibility.values()}"
        assert got["tace_refractory"] == expected.tace_refractory.status, shown
        for c in expected.tace_refractory.criteria:
            assert got[c.id] == c.status, f"{c.id}: {shown}"
        for c in expected.criteria:
            assert got[c.id] == c.status, f"{c.id}: {shown}"
        eligible = got["eligible"]
        assert (None if eligible is None or eligible is __import__("pandas").NA else bool(eligible)) \
            == expected.eligible, shown
        assert got["excluded_by"] == ";".join(expected.basis.excluded_by), shown


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(cohorts())
def test_screen_agrees_with_per_patient_path(case: tuple[Protocol, list[Patient]]) -> None:
    check_agreement(*case)


@pytest.mark.slow
@settings(max_examples=2000, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(cohorts())
def test_screen_agrees_with_per_patient_path_slow(case: tuple[Protocol, list[Patient]]) -> None:
    check_agreement(*case)
