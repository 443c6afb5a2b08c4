"""The cohort engine and its selection flow on a hand-built cohort, and the rule files it refuses.

The cohort (worked by hand from the candidate in ``eligibility_support``):

=====  ==========================================  ==========  ============
row    change from the eligible candidate          triple arm  doublet arm
=====  ==========================================  ==========  ============
C1     none                                        eligible    eligible
C2     ECOG 2 (> 1: inclusion (4) not met,         excluded    excluded
       exclusion (5) present)
C3     INR not recorded, the other four Child-     null        null
       Pugh components 7 points (bilirubin 40: 2,
       albumin 30: 2, mild ascites: 2, none: 1), so
       8-10: B or C unknown, and BCLC unknown (D
       needs Child-Pugh C ruled out)
C4     contraindication to PD-1 inhibitors         excluded    eligible
=====  ==========================================  ==========  ============
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from hccprotocol.cohort import TACE_REFRACTORY, evaluate_cohort
from hccprotocol.cohort.flow import render_mermaid, render_text, selection_flow
from hccprotocol.eligibility import evaluate_eligibility
from hccprotocol.errors import ProtocolDefinitionError
from hccprotocol.patient import Patient
from hccprotocol.patient_file import parse_patient

from .eligibility_support import DOUBLET, TRIPLE, candidate, edit, protocol


def cohort() -> list[Patient]:
    rows = [
        edit(candidate(), id="C1"),
        edit(candidate(), id="C2", ecog=2),
        edit(candidate(), id="C3", liver__inr=None, liver__total_bilirubin_umol_l=40.0, liver__albumin_g_l=30.0,
             liver__ascites="mild"),
        edit(candidate(), id="C4", contraindications__pd1=True),
    ]
    return [parse_patient(r, source="test") for r in rows]


def test_decisions_per_arm_worked_by_hand() -> None:
    triple = evaluate_cohort(cohort(), protocol(TRIPLE))
    doublet = evaluate_cohort(cohort(), protocol(DOUBLET))
    assert [o.eligible for o in triple.outcomes()] == [True, False, None, False]
    assert [o.eligible for o in doublet.outcomes()] == [True, False, None, True]
    assert list(triple.table["patient_id"]) == ["C1", "C2", "C3", "C4"]
    assert list(triple.table[TACE_REFRACTORY]) == ["met"] * 4  # two insufficient responses, and vascular invasion


def test_statuses_and_reasons_worked_by_hand() -> None:
    result = evaluate_cohort(cohort(), protocol(TRIPLE))
    ecog2 = result.outcome(1)
    assert ecog2.criteria["inclusion.ecog_0_1"] == "not_met"
    assert ecog2.criteria["exclusion.ecog_above_1"] == "met"
    assert ecog2.excluded_by == ["inclusion.ecog_0_1", "exclusion.ecog_above_1"]
    no_inr = result.outcome(2)
    assert no_inr.unknown == ["inclusion.bclc_b_or_c", "inclusion.child_pugh_a_or_b"]
    assert no_inr.excluded_by == []
    assert result.outcome(3).excluded_by == ["exclusion.contraindication_pd1"]
    assert result.outcome(0).refractory_criteria["jsh2014.insufficient_response"] == "met"


def test_each_outcome_matches_the_per_patient_engine() -> None:
    for arm in (TRIPLE, DOUBLET):
        result = evaluate_cohort(cohort(), protocol(arm))
        for row, patient in enumerate(cohort()):
            expected = evaluate_eligibility(patient, protocol(arm))
            assert result.outcome(row).eligible is expected.eligible
            assert result.outcome(row).criteria == {c.id: c.status for c in expected.criteria}


def test_selection_flow_counts_per_arm() -> None:
    flow = selection_flow([evaluate_cohort(cohort(), protocol(a)) for a in (TRIPLE, DOUBLET)])
    assert flow.screened == 4
    triple, doublet = flow.arms
    assert (triple.excluded, triple.undetermined, triple.eligible) == (2, 1, 1)
    assert (doublet.excluded, doublet.undetermined, doublet.eligible) == (1, 1, 2)
    assert {r.id: r.patients for r in triple.excluded_first} == {
        "inclusion.ecog_0_1": 1,
        "exclusion.contraindication_pd1": 1,
    }
    assert {r.id: r.patients for r in triple.excluded_by} == {
        "inclusion.ecog_0_1": 1,
        "exclusion.ecog_above_1": 1,
        "exclusion.contraindication_pd1": 1,
    }
    assert sum(r.patients for r in triple.excluded_first) == triple.excluded
    assert {r.id: r.patients for r in triple.undetermined_by} == {
        "inclusion.bclc_b_or_c": 1,
        "inclusion.child_pugh_a_or_b": 1,
    }


def test_flow_renderings() -> None:
    flow = selection_flow([evaluate_cohort(cohort(), protocol(a)) for a in (TRIPLE, DOUBLET)])
    text = render_text(flow)
    assert text.startswith("Screened: 4 patients\n")
    assert "  Excluded: 2\n" in text
    assert "    Contraindication to PD-1 inhibitors (triple arm only) (exclusion present, " in text
    assert "  Eligible: 1\n" in text and "  Eligible: 2\n" in text
    mermaid = render_mermaid(flow)
    assert mermaid.startswith("flowchart TD\n")
    assert '  arm0 --> arm0_eligible["Eligible: 1"]' in mermaid
    assert '  arm1 --> arm1_eligible["Eligible: 2"]' in mermaid
    assert "  screened --> arm1" in mermaid


def test_an_empty_cohort() -> None:
    result = evaluate_cohort([], protocol(TRIPLE))
    assert len(result) == 0
    flow = selection_flow([result])
    assert (flow.screened, flow.arms[0].eligible, flow.arms[0].excluded) == (0, 0, 0)


def test_flow_needs_the_same_patients_in_every_arm() -> None:
    with pytest.raises(ValueError, match="same patients"):
        selection_flow([evaluate_cohort(cohort(), protocol(TRIPLE)), evaluate_cohort(cohort()[:2], protocol(DOUBLET))])


def rule_file(tmp_path: Path, met_when: dict[str, Any], not_met_when: dict[str, Any] | None = None) -> str:
    """A site's rule file in the model's language (rules/LANGUAGE.md) with one criterion."""
    asymmetric = {} if not_met_when is None else {"not_met_when": not_met_when, "asymmetric_why": "test"}
    data = {
        "id": "site-test",
        "name": "Site test",
        "version": "0.1.0",
        "kind": "eligibility",
        "title": "One criterion",
        "source": "test",
        "criteria": [
            {
                "id": "inclusion.ecog",
                "kind": "inclusion",
                "title": "ECOG",
                "statement": "ECOG",
                "source": "test",
                "when": met_when,
                **asymmetric,
                "explain": {"met": "m", "not_met": "n", "unknown": "u"},
            }
        ],
    }
    path = tmp_path / "site.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return str(path)


def test_overlapping_conditions_fail_on_both_engines(tmp_path: Path) -> None:
    # ECOG 1 matches both: the model's loader refuses the file (with its line) before either engine runs
    rules = rule_file(tmp_path, {"ecog": {"lte": 1}}, {"ecog": {"gte": 1}})
    config = protocol(TRIPLE, criteria_rules=rules)
    patients = cohort()[:1]
    with pytest.raises(ProtocolDefinitionError, match=r"site\.yaml:\d+: .*could be met and not met at once"):
        evaluate_eligibility(patients[0], config)
    with pytest.raises(ProtocolDefinitionError, match=r"site\.yaml:\d+: .*could be met and not met at once"):
        evaluate_cohort(patients, config)


def test_a_comparison_across_kinds_is_refused_by_the_cohort_engine(tmp_path: Path) -> None:
    rules = rule_file(tmp_path, {"ecog": "1"})  # text compared with the integer ECOG
    for engine in (evaluate_cohort, lambda ps, p: evaluate_eligibility(ps[0], p)):
        with pytest.raises(ProtocolDefinitionError, match=r"site\.yaml:\d+: .*ecog is a number; it cannot be compared"):
            engine(cohort()[:1], protocol(TRIPLE, criteria_rules=rules))


def test_the_mask_truth_functions_are_compiled_once_per_rules_object() -> None:
    # compiled once and reused by every call (a screen judges each partition with them); a copy made with
    # dataclasses.replace (other options) starts with caches of its own, never the original's
    import dataclasses

    from hccprotocol.eligibility.evaluate import rules_for
    from hccprotocol.protocol import load_protocol

    refractory, criteria = rules_for(load_protocol("haic-lenvatinib-pd1"))
    first = criteria.truth_functions("criteria")
    assert criteria.truth_functions("criteria") is first
    assert set(first) == set(criteria.criteria_conditions())
    assert set(refractory.truth_functions("findings")) == set(refractory.finding_conditions())
    copy = dataclasses.replace(criteria, options={**criteria.options})
    assert copy.truth_functions("criteria") is not first
