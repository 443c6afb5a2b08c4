"""The three engines of the protocol model agree on every SHIPPED criterion and session finding.

The reference evaluator (``model.semantics``: the definition), durable_rules (``engines.durable``: each
condition compiled to its met and not-met rules) and pandas (``engines.masks``: nullable-boolean Kleene
masks) must give the same truth value to every condition of ``rules/lin-2023-eligibility.yaml`` and
``rules/jsh-lcsgj-2014.yaml`` (criteria, asymmetric not-met conditions, contradictions, session findings'
counting and presence), and the same criterion status, for both arms (``protocol/haic-lenvatinib-pd1.yaml``,
``protocol/haic-lenvatinib.yaml``) and non-default options.

Facts are drawn two ways: (1) directly from the values at which each condition can change its answer
(``model.check.boundary_values``: every constant and its neighbours, every enum value, count ranges
around the thresholds, and missing), so missing and boundary values occur in every example; (2) from
generated patients through the per-patient path's own fact builders (realistic combinations).
The expected values are the reference evaluator's, which is short enough to check by reading
(``rules/LANGUAGE.md`` states the same semantics in tables).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hccprotocol.cohort.statuses import restricted
from hccprotocol.eligibility.compile import SEP, CompiledRules
from hccprotocol.eligibility.evaluate import _judge_sessions, rules_for
from hccprotocol.eligibility.facts import model_values, patient_fact, session_facts
from hccprotocol.eligibility.tace_series import summarise
from hccprotocol.engines.fold import fold_options
from hccprotocol.engines.masks import build_frame, compile_mask
from hccprotocol.measures.derive import derive
from hccprotocol.model.check import boundary_values
from hccprotocol.model.conditions import Condition
from hccprotocol.model.facts import FactCatalogue
from hccprotocol.model.semantics import Truth, combine_parts, evaluate
from hccprotocol.patient import Patient
from hccprotocol.protocol import Protocol

from ..unit.eligibility_support import DOUBLET, TRIPLE, candidate, protocol
from .test_cohort_agreement import CONFIGS, cohorts

SHIPPED_CONFIGS: list[Protocol] = [
    *CONFIGS,
    protocol(
        DOUBLET, response_window="days", non_counting_session_breaks_run=False, tumour_markers_sessions_required=3
    ),
]
"""Both arms, every default, and each option off its default at least once."""


def _rule_sets(config: Protocol) -> tuple[CompiledRules, CompiledRules]:
    return rules_for(config)


def _truth_by_engine(
    rules: CompiledRules,
    conditions: Mapping[str, Condition],
    catalogue: FactCatalogue,
    rows: Sequence[Mapping[str, Any]],
    durable: Any,
) -> tuple[list[dict[str, Truth]], list[dict[str, Truth]], list[dict[str, Truth]]]:
    """(reference, durable, masks) truth of every condition on every row."""
    reference = [{k: evaluate(c, row, rules.options) for k, c in conditions.items()} for row in rows]
    on_durable = durable(rows) if catalogue.scope == "tace_session" else [durable(row) for row in rows]
    paths = rules.fact_paths if catalogue.scope == "patient" else rules.session_paths
    frame = build_frame(rows, restricted(catalogue, paths))
    masks: list[dict[str, Truth]] = [{} for _ in rows]
    for key, cond in conditions.items():
        column = compile_mask(cond, rules.options, catalogue)(frame)
        for i, value in enumerate(column.tolist()):
            masks[i][key] = None if pd.isna(value) else bool(value)
    return reference, [{k: d[k] for k in conditions} for d in on_durable], masks


def _statuses(rules: CompiledRules, truths: Mapping[str, Truth]) -> dict[str, Truth]:
    return {
        c.rule.id: combine_parts({name: truths[f"{c.rule.id}{SEP}{name}"] for name in c.parts}) for c in rules.criteria
    }


def _check_rows(
    rules: CompiledRules, patient_rows: Sequence[Mapping[str, Any]], session_rows: Sequence[Mapping[str, Any]],
    where: str,
) -> None:
    """Every criterion condition on ``patient_rows`` and every session-finding condition on ``session_rows``."""
    scopes = (
        (rules.criteria_conditions(), rules.catalogue, rules.durable_criteria, patient_rows),
        (rules.finding_conditions(), rules.session_catalogue, rules.durable_findings, session_rows),
    )
    for conditions, catalogue, durable, rows in scopes:
        if not conditions or not rows:
            continue
        reference, durable_truths, mask_truths = _truth_by_engine(rules, conditions, catalogue, rows, durable())
        # conditions read only for being true are registered on durable without their not-met rule
        met_only = rules.met_only() if catalogue.scope == "patient" else frozenset()
        for row, ref, dur, msk in zip(rows, reference, durable_truths, mask_truths, strict=True):
            expected = {k: (None if k in met_only and v is False else v) for k, v in ref.items()}
            assert dur == expected, f"durable vs reference, {where}, on {row}"
            assert msk == ref, f"masks vs reference, {where}, on {row}"
            if catalogue.scope == "patient":
                assert _statuses(rules, dur) == _statuses(rules, ref), where


# -- (1) facts drawn at the boundaries of the conditions ----------------------------------------------


@cache
def _boundaries(config_index: int, which: int, scope: str) -> dict[str, tuple[Any, ...]]:
    config = SHIPPED_CONFIGS[config_index]
    rules = _rule_sets(config)[which]
    conditions = rules.criteria_conditions() if scope == "patient" else rules.finding_conditions()
    catalogue = rules.catalogue if scope == "patient" else rules.session_catalogue
    values: dict[str, list[Any]] = {}
    for cond in conditions.values():
        for path, found in boundary_values(fold_options(cond, rules.options), catalogue).items():
            bucket = values.setdefault(path, [])
            bucket.extend(v for v in found if v not in bucket)
    if scope == "patient":
        values.setdefault("arm.id", [config.id])
        values.setdefault("arm.includes_pd1", [config.includes_pd1])
    else:
        values["session"] = [0, 1, 2]
    return {path: tuple(found) for path, found in values.items()}


@st.composite
def boundary_rows(draw: st.DrawFn, config_index: int, which: int, scope: str) -> list[dict[str, Any]]:
    values = _boundaries(config_index, which, scope)
    row = st.fixed_dictionaries({path: st.sampled_from(found) for path, found in values.items()})
    return draw(st.lists(row, min_size=1, max_size=12))


@st.composite
def boundary_case(draw: st.DrawFn) -> tuple[int, int, str, list[dict[str, Any]]]:
    config_index = draw(st.integers(0, len(SHIPPED_CONFIGS) - 1))
    which = draw(st.integers(0, 1))  # 0: refractoriness rules, 1: eligibility criteria
    scope = "tace_session" if which == 0 and draw(st.booleans()) else "patient"
    return config_index, which, scope, draw(boundary_rows(config_index, which, scope))


def _run_boundary_case(case: tuple[int, int, str, list[dict[str, Any]]]) -> None:
    config_index, which, scope, rows = case
    config = SHIPPED_CONFIGS[config_index]
    rules = _rule_sets(config)[which]
    where = f"{rules.source.id} ({scope}) under {config.id} {config.eligibility.values()}"
    if scope == "patient":
        _check_rows(rules, rows, [], where)
    else:
        _check_rows(rules, [], rows, where)


@pytest.mark.agreement
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(case=boundary_case())
def test_engines_agree_on_every_shipped_condition_at_its_boundaries(
    case: tuple[int, int, str, list[dict[str, Any]]],
) -> None:
    _run_boundary_case(case)


# -- (2) facts built from generated patients ----------------------------------------------------------


def _patient_rows(patient: Patient, config: Protocol) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]:
    """(refractoriness facts, criteria facts, session facts) as the per-patient path builds them."""
    refractory, criteria = _rule_sets(config)
    derived = derive(patient).derived
    sessions = session_facts(patient.tace_history) if patient.tace_history is not None else None
    judgements = _judge_sessions(refractory, sessions or [])
    series = summarise([f.finding for f in refractory.findings], sessions, judgements, config.eligibility)
    fact = patient_fact(patient, derived, config, series.facts)
    refractory_row = model_values(fact, refractory.fact_paths)
    statuses = _statuses(refractory, refractory.durable_criteria()(refractory_row))
    any_met = "met" if True in statuses.values() else "unknown" if None in statuses.values() else "not_met"
    criteria_row = model_values(patient_fact(patient, derived, config, series.facts, any_met), criteria.fact_paths)
    session_rows = [{p: s.get(p) for p in refractory.session_paths} for s in sessions or []]
    return refractory_row, criteria_row, session_rows


@pytest.mark.agreement
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(cohort=cohorts())
def test_engines_agree_on_every_shipped_criterion_for_generated_patients(cohort: list[Patient]) -> None:
    for config in SHIPPED_CONFIGS:
        refractory, criteria = _rule_sets(config)
        rows = [_patient_rows(p, config) for p in cohort]
        where = f"under {config.id} {config.eligibility.values()}"
        _check_rows(refractory, [r[0] for r in rows], [s for r in rows for s in r[2]], where)
        _check_rows(criteria, [r[1] for r in rows], [], where)


# -- smoke (fast, unmarked) -------------------------------------------------------------------------------


def test_engines_agree_on_the_candidate_and_on_an_empty_record_smoke() -> None:
    """A fast check in the default run: the eligible candidate, and a record with nothing but an id."""
    from hccprotocol.patient_file import parse_patient

    for config in (protocol(TRIPLE), protocol(DOUBLET, invasion_spread_reading="presence", response_window="days")):
        refractory, criteria = _rule_sets(config)
        for record in (candidate(), {"id": "empty"}):
            ref_row, crit_row, session_rows = _patient_rows(parse_patient(record, source="test"), config)
            _check_rows(refractory, [ref_row], session_rows, config.id)
            _check_rows(criteria, [crit_row], [], config.id)
        # every criterion is unknown or decided the same way on a fact where every read value is missing
        empty = {"arm.id": config.id, "arm.includes_pd1": config.includes_pd1}
        _check_rows(criteria, [empty], [], config.id)
        _check_rows(refractory, [empty], [{"session": 0}], config.id)
