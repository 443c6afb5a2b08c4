"""The cohort engine agrees with the per-patient engine, patient by patient, under every configuration.

One rule source, two engines: for generated cohorts (absent fields and
sections, the boundaries ECOG 1/2, imaging 27/28/92/93 days and 1/3 calendar
months after TACE including month ends, viable tumour 50/50.5/51 %, Child-Pugh
around 9/10 with and without a missing component, an empty versus an absent
tace_history, a recorded BCLC stage that may conflict with the derived one,
contradictory records),
``evaluate_cohort`` must give every refractoriness and eligibility criterion
the status ``evaluate_eligibility`` gives it, the same ``tace_refractory``
status and the same decision, for both arms and for non-default options.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hccprotocol.cohort import evaluate_cohort
from hccprotocol.eligibility import evaluate_eligibility
from hccprotocol.patient import Patient
from hccprotocol.patient_file import parse_patient
from hccprotocol.protocol import Protocol

from ..unit.eligibility_support import DOUBLET, TRIPLE, candidate, protocol

CONFIGS: list[Protocol] = [
    protocol(TRIPLE),
    protocol(DOUBLET),
    protocol(
        TRIPLE,
        invasion_spread_reading="presence",
        non_counting_session_breaks_run=False,
        change_before_later_session="not_required",
    ),
    protocol(
        DOUBLET,
        invasion_spread_reading="presence",
        change_before_later_session="not_required",
        tumour_markers_sessions_required=2,
        response_window="days",
        response_window_min_days=27,
        response_window_max_days=93,
    ),
    protocol(TRIPLE, response_window_min_months=2, response_window_max_months=2),
]

ABSENT = object()


def maybe(strategy: st.SearchStrategy[Any], absent: float = 0.1) -> st.SearchStrategy[Any]:
    """A value from ``strategy`` or, about ``absent`` of the time, ABSENT (``one_of`` would make it half)."""
    cut = round(absent * 100)
    return st.integers(0, 99).flatmap(lambda r: st.just(ABSENT) if r < cut else strategy)


def clean(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not ABSENT}


BOOL = maybe(st.booleans())
MOSTLY_FALSE = maybe(st.sampled_from([False] * 9 + [True]), absent=0.05)


def no_viable_without_tumour(s: dict[str, Any]) -> dict[str, Any]:
    """0 intrahepatic tumours at imaging leaves nothing viable (the patient model refuses anything else)."""
    if s.get("intrahepatic_tumour_count") == 0 and "viable_tumour_pct" in s:
        s["viable_tumour_pct"] = 0.0
    return s


@st.composite
def sessions(draw: st.DrawFn) -> list[dict[str, Any]]:
    out = []
    # month ends (31 January, 30 November, 29 February 2024) put the calendar-month window's clamping to the test
    starts = [dt.date(2024, 1, 31), dt.date(2023, 11, 30), dt.date(2023, 12, 1), dt.date(2025, 1, 6)]
    day = draw(st.sampled_from(starts))
    for index in range(draw(st.integers(0, 4))):
        if index:
            day += dt.timedelta(days=draw(st.sampled_from([95, 100, 130])))  # imaging (<= 93 d) precedes the next
        interval = draw(maybe(st.sampled_from([27, 28, 29, 30, 31, 35, 59, 89, 90, 91, 92, 93]), absent=0.05))
        before = draw(maybe(st.integers(1, 4), absent=0.1))
        out.append(
            no_viable_without_tumour(clean(
                {
                    "date": draw(maybe(st.just(day.isoformat()), absent=0.05)),
                    "selective": draw(maybe(st.sampled_from([True, True, True, False]), absent=0.05)),
                    "agents_changed": draw(BOOL),
                    "feeding_artery_reanalysed": draw(BOOL),
                    "intrahepatic_tumour_count_before": before,
                    "imaging_date": ABSENT if interval is ABSENT else (day + dt.timedelta(days=interval)).isoformat(),
                    "viable_tumour_pct": draw(maybe(st.sampled_from([20.0, 50.0, 50.5, 51.0, 80.0]), absent=0.05)),
                    "intrahepatic_tumour_count": draw(maybe(st.integers(0, 6), absent=0.05))
                    if before is ABSENT
                    else draw(maybe(st.sampled_from([before - 1, before, before + 1, before + 2]), absent=0.05)),
                    "markers_rising_after": draw(maybe(st.sampled_from([False, False, True]))),
                    "new_vascular_invasion": draw(maybe(st.sampled_from([False, False, True]))),
                    "new_extrahepatic_spread": draw(maybe(st.sampled_from([False, False, True]))),
                }
            ))
        )
    return out


def section(draw: st.DrawFn, fields: dict[str, st.SearchStrategy[Any]], absent: float = 0.1) -> Any:
    if draw(st.floats(0, 1)) < absent:
        return ABSENT
    return clean({name: draw(s) for name, s in fields.items()})


# Near-candidate records: the hand-built eligible candidate of the unit tests with a few fields changed
# (to boundary values or removed), so eligible, excluded and undetermined patients all occur often.
EDITS: dict[str, st.SearchStrategy[Any]] = {
    "ecog": st.sampled_from([0, 1, 2, ABSENT]),
    "bclc_stage": st.sampled_from(["A", "B", "C", "D"]),
    "diagnosis.resectable": st.sampled_from([True, ABSENT]),
    "tumour.vascular_invasion": st.sampled_from([False, ABSENT]),
    "tumour.extrahepatic_spread": st.sampled_from([True, ABSENT]),
    "tumour.count": st.sampled_from([1, 2, ABSENT]),
    "liver.total_bilirubin_umol_l": st.sampled_from([34.2, 51.3, 60.0, ABSENT]),
    "liver.albumin_g_l": st.sampled_from([28.0, 25.0, ABSENT]),
    "liver.inr": st.sampled_from([1.7, 2.3, 2.5, ABSENT]),
    "liver.ascites": st.sampled_from(["mild", "moderate_severe", ABSENT]),
    "liver.encephalopathy": st.sampled_from(["grade_1_2", "grade_3_4", ABSENT]),
    "history.prior_immunotherapy": st.sampled_from([True, ABSENT]),
    "history.refuses_treatment": st.sampled_from([True, ABSENT]),
    "contraindications.pd1": st.sampled_from([True, ABSENT]),
    "contraindications": st.just(ABSENT),
    "tace_history": st.one_of(st.just(ABSENT), st.just([]), sessions()),
}


@st.composite
def near_candidate(draw: st.DrawFn, index: int) -> Patient:
    record = candidate()
    record["id"] = f"N{index}"
    for path in draw(st.lists(st.sampled_from(sorted(EDITS)), max_size=3, unique=True)):
        value = draw(EDITS[path])
        *parents, last = path.split(".")
        node = record
        for part in parents:
            node = node.setdefault(part, {})
        if value is ABSENT:
            node.pop(last, None)
        else:
            node[last] = value
    return parse_patient(record, source="generated")


@st.composite
def patients(draw: st.DrawFn, index: int) -> Patient:
    if draw(st.booleans()):
        return draw(near_candidate(index))
    record = {
        "id": f"G{index}",
        "ecog": draw(maybe(st.sampled_from([0, 1, 1, 2, 2, 3]), absent=0.1)),
        "diagnosis": section(draw, {"hcc_confirmed": maybe(st.sampled_from([True, True, False]), 0.1),
                                    "resectable": maybe(st.sampled_from([False, False, True]), 0.1)}),
        "tumour": section(
            draw,
            {
                "count": maybe(st.integers(1, 5), 0.1),
                "largest_diameter_cm": maybe(st.sampled_from([1.5, 2.0, 2.5, 3.0, 3.1, 8.5]), 0.1),
                "vascular_invasion": maybe(st.sampled_from([False, False, True]), 0.1),
                "extrahepatic_spread": maybe(st.sampled_from([False, False, True]), 0.1),
                "pvtt_cheng_type": maybe(st.sampled_from(["I0", "II"]), 0.8),
            },
        ),
        # Child-Pugh points: bilirubin <34.2 / 34.2-51.3 / >51.3 µmol/L, albumin >35 / 28-35 / <28 g/L,
        # INR <1.7 / 1.7-2.3 / >2.3: these values put scores on both sides of 9/10 (class B/C).
        "liver": section(
            draw,
            {
                "total_bilirubin_umol_l": maybe(st.sampled_from([18.0, 34.2, 40.0, 51.3, 60.0]), 0.1),
                "albumin_g_l": maybe(st.sampled_from([38.0, 35.0, 30.0, 28.0, 25.0]), 0.1),
                "inr": maybe(st.sampled_from([1.1, 1.7, 2.0, 2.3, 2.5]), 0.1),
                "ascites": maybe(st.sampled_from(["none", "mild", "moderate_severe"]), 0.1),
                "encephalopathy": maybe(st.sampled_from(["none", "grade_1_2", "grade_3_4"]), 0.1),
            },
        ),
        "bclc_stage": draw(maybe(st.sampled_from(["0", "A", "B", "C", "D"]), absent=0.6)),
        "tace_history": draw(st.one_of(st.just(ABSENT), st.just([]), sessions(), sessions())),
        "history": section(
            draw,
            dict.fromkeys(
                (
                    "severe_autoimmune_disease", "prior_systemic_therapy", "prior_immunotherapy", "other_tki",
                    "refuses_treatment", "other_subsequent_treatment",
                ),
                MOSTLY_FALSE,
            ),
        ),
        "contraindications": section(draw, {"haic": MOSTLY_FALSE, "lenvatinib": MOSTLY_FALSE, "pd1": MOSTLY_FALSE}),
    }
    return parse_patient(clean(record), source="generated")


@st.composite
def cohorts(draw: st.DrawFn) -> list[Patient]:
    return [draw(patients(i)) for i in range(draw(st.integers(1, 6)))]


@pytest.mark.agreement
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(cohort=cohorts())
def test_cohort_engine_agrees_with_the_per_patient_engine(cohort: list[Patient]) -> None:
    for config in CONFIGS:
        result = evaluate_cohort(cohort, config)
        for row, patient in enumerate(cohort):
            expected = evaluate_eligibility(patient, config)
            got = result.outcome(row)
            where = f"{patient.id} under {config.id} {config.eligibility.values()}"
            assert got.refractory_criteria == {c.id: c.status for c in expected.tace_refractory.criteria}, where
            assert got.tace_refractory == expected.tace_refractory.status, where
            assert got.criteria == {c.id: c.status for c in expected.criteria}, where
            assert got.eligible is expected.eligible, where
            assert got.excluded_by == expected.basis.excluded_by, where
            assert got.unknown == expected.basis.unknown, where
