"""Migration evidence: the translated rule files (tests/fixtures/model/) give the shipped engine's answers.

For generated near-candidate patients (the cohort agreement test's strategy: boundary values,
absent fields and sections, TACE histories with unrecorded findings) under every configuration
of that test (both arms, the appearance reading, sessions that do not break runs, other
windows), the reference evaluator on the translated files must give:

* every TACE session the same judgement (counted / finding present, three-valued) as the
  shipped session rules on durable_rules;
* every JSH-LCSGJ 2014 criterion the shipped status, with the runs of consecutive sessions
  computed from those judgements by the shipped ``tace_series`` (the run engine stays Python);
* every inclusion/exclusion criterion of Lin 2023 the shipped status.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hccprotocol.eligibility import evaluate_eligibility
from hccprotocol.eligibility.evaluate import RUN_FINDINGS, _judge_sessions, rules_for
from hccprotocol.eligibility.facts import lookup, patient_fact, session_facts
from hccprotocol.eligibility.tace_series import Judgement, summarise
from hccprotocol.engines.durable import criteria_evaluator
from hccprotocol.engines.masks import build_frame, criteria_masks
from hccprotocol.engines.reference import criterion_truth, evaluate, status
from hccprotocol.measures.derive import derive
from hccprotocol.model import CountRange, RuleFile, load_rule_file
from hccprotocol.model.facts import patient_facts
from hccprotocol.patient import Patient
from hccprotocol.protocol import Protocol

from .test_cohort_agreement import CONFIGS, near_candidate

pytestmark = pytest.mark.agreement

FIXTURES = Path(__file__).parent.parent / "fixtures" / "model"
JSH = load_rule_file(FIXTURES / "jsh-lcsgj-2014.yaml")
LIN = load_rule_file(FIXTURES / "lin-2023-eligibility.yaml")
CATALOGUE = patient_facts([f.id for f in JSH.session_findings])


def _options(protocol: Protocol) -> dict[str, Any]:
    o = protocol.eligibility
    return {
        "response_window_min_days": o.response_window_min_days,
        "response_window_max_days": o.response_window_max_days,
        "tumour_markers_sessions_required": o.tumour_markers_sessions_required,
        "invasion_spread_reading": o.invasion_spread_reading,
    }


def _judgements(sessions: list[dict[str, Any]], options: dict[str, Any]) -> dict[str, list[Judgement]]:
    out: dict[str, list[Judgement]] = {}
    for f in JSH.session_findings:
        out[f.id] = [
            Judgement(
                counted=True if f.counts_when is None else evaluate(f.counts_when, s, options),
                present=evaluate(f.present_when, s, options),
            )
            for s in sessions
        ]
    return out


def _patient_facts(
    patient: Patient, protocol: Protocol, runs: dict[str, dict[str, int]] | None, tace_status: str | None
) -> dict[str, Any]:
    derived = derive(patient).derived
    nested = patient_fact(patient, derived, protocol, None, tace_status)
    flat = {f.path: lookup(nested, f.path) for f in CATALOGUE if not f.path.startswith("tace.")}
    flat["arm.includes_pd1"] = protocol.includes_pd1
    flat["derived.bclc_stage_undisputed"] = None if derived.bclc_stage_conflict else derived.bclc_stage
    for finding, run in (runs or {}).items():
        flat[f"tace.{finding}.consecutive_sessions"] = CountRange(run["run"], run["possible_run"])
        flat[f"tace.{finding}.certain_run"] = run["run"]
        flat[f"tace.{finding}.possible_run"] = run["possible_run"]
    return {k: v for k, v in flat.items() if v is not None}


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(patient=near_candidate(0), config=st.sampled_from(CONFIGS))
def test_translated_files_give_the_shipped_statuses(patient: Patient, config: Protocol) -> None:
    shipped = evaluate_eligibility(patient, config)
    options = _options(config)
    refractory, _ = rules_for(config)
    sessions = session_facts(patient.tace_history) if patient.tace_history is not None else None

    mine = _judgements(sessions or [], options)
    assert mine == _judge_sessions(refractory, sessions or [])

    findings = [f.finding for f in refractory.findings]
    series = summarise(findings, sessions, mine, config.eligibility, RUN_FINDINGS)
    facts = _patient_facts(patient, config, series.facts, None)
    jsh = {c.id: status(criterion_truth(c, facts, options)) for c in JSH.criteria}
    assert jsh == {c.id: c.status for c in shipped.tace_refractory.criteria}

    _same_in_every_engine(JSH, facts, options)

    tace = shipped.tace_refractory.status
    facts = _patient_facts(patient, config, series.facts, None if tace == "unknown" else tace)
    lin = {c.id: status(criterion_truth(c, facts, options)) for c in LIN.criteria}
    assert lin == {c.id: c.status for c in shipped.criteria}
    _same_in_every_engine(LIN, facts, options)


_EVALUATORS: dict[tuple[str, tuple[tuple[str, Any], ...]], Callable[[Mapping[str, Any]], dict[str, bool | None]]] = {}


def _same_in_every_engine(rules: RuleFile, facts: dict[str, Any], options: dict[str, Any]) -> None:
    """The translated criteria give the same values on durable_rules and pandas as on the reference."""
    facts = {k: v for k, v in facts.items() if CATALOGUE.facts[k].kind != "date"}
    expected = {c.id: criterion_truth(c, facts, options) for c in rules.criteria}
    key = (rules.id, tuple(sorted(options.items())))
    if key not in _EVALUATORS:
        _EVALUATORS[key] = criteria_evaluator(rules.criteria, CATALOGUE, options)
    assert _EVALUATORS[key](facts) == expected
    masks = criteria_masks(rules.criteria, options, CATALOGUE, build_frame([facts], CATALOGUE))
    assert {k: None if str(v) == "<NA>" else bool(v) for k, v in masks.iloc[0].items()} == expected


def test_the_asymmetric_case_of_the_appearance_reading() -> None:
    """Why vascular invasion keeps a not_met_when: the one case where not met is not the negation of met.

    Appearance reading; the tumour record does not say whether there is vascular invasion; a
    non-selective TACE records new vascular invasion, the selective one records none. No adequate
    selective TACE showed it new (so `when` is false), yet if the tumour record said "none" the
    record would contradict itself: the shipped engine says unknown, and so must the translation.
    """
    from hccprotocol.patient_file import parse_patient

    from ..unit.eligibility_support import candidate, protocol, session

    record = candidate()
    record["tumour"].pop("vascular_invasion")
    record["tace_history"] = [
        session("2026-01-05", selective=False, new_vascular_invasion=True),
        session("2026-04-06", new_vascular_invasion=False),
    ]
    patient = parse_patient(record, source="test")
    config = protocol(invasion_spread_reading="appearance")
    shipped = {c.id: c.status for c in evaluate_eligibility(patient, config).tace_refractory.criteria}
    assert shipped["jsh2014.vascular_invasion"] == "unknown"

    options = _options(config)
    refractory, _ = rules_for(config)
    sessions = session_facts(patient.tace_history or ())
    series = summarise(
        [f.finding for f in refractory.findings],
        sessions,
        _judgements(sessions, options),
        config.eligibility,
        RUN_FINDINGS,
    )
    facts = _patient_facts(patient, config, series.facts, None)
    criterion = next(c for c in JSH.criteria if c.id == "jsh2014.vascular_invasion")
    assert status(criterion_truth(criterion, facts, options)) == "unknown"
    assert evaluate(criterion.when, facts, options) is False  # the negation of `when` would say not met
