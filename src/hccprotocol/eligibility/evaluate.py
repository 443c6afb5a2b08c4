"""Eligibility of one patient for one protocol arm, every criterion with its trail.

Pipeline (each step small and separately tested):

1. per TACE session, the refractoriness rule file's *session findings* are
   judged on durable_rules (one fact per session);
2. ``tace_series`` turns them into runs of consecutive sessions (facts);
3. the refractoriness criteria (JSH-LCSGJ 2014) are judged on the patient fact;
   any one met suffices (``decision.any_met``);
4. the inclusion/exclusion criteria are judged on the patient fact, which now
   carries ``tace_refractory.status``; ``decision.decide`` gives the answer;
5. warnings: a criterion's declared ``contradiction`` that matched (the record
   contradicts itself; the criterion's conditions leave it unknown), and, for an
   eligible answer, the missing fields it did not depend on (``completeness``).

Nothing here compares a clinical value with a threshold: that is the rule
files' job. This module only asks the engine and reads back which rules fired.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from hccprotocol.eligibility.compile import SEP, CompiledCriterion, CompiledRules, compiled_rules, record_paths
from hccprotocol.eligibility.completeness import missing_read_and_unread, unread_fields_warnings
from hccprotocol.eligibility.dates import check_dates
from hccprotocol.eligibility.decision import (
    Basis,
    CriterionResult,
    EligibilityResult,
    NotEvaluatedResult,
    ProtocolRef,
    RefractoryCriterion,
    Status,
    TaceRefractory,
    any_met,
    decide,
)
from hccprotocol.eligibility.facts import lookup, model_values, patient_fact, session_facts
from hccprotocol.eligibility.tace_series import Judgement, summarise
from hccprotocol.errors import ProtocolDefinitionError, RuleEngineError
from hccprotocol.measures.derive import Derived, derive
from hccprotocol.model.rules import SessionFinding
from hccprotocol.model.semantics import combine_parts
from hccprotocol.patient import Patient

if TYPE_CHECKING:  # protocol.py imports eligibility.options: avoid an import cycle
    from hccprotocol.protocol import Protocol

__all__ = ["evaluate_eligibility", "rules_for"]

def rules_for(protocol: Protocol) -> tuple[CompiledRules, CompiledRules]:
    """(refractoriness rules, criteria rules) compiled for the protocol's options."""
    options = protocol.eligibility
    refractory = compiled_rules(options.refractoriness_rules, options)
    if refractory.source.kind != "tace_refractoriness":
        raise ProtocolDefinitionError(f"{options.refractoriness_rules} is not a TACE refractoriness rule file")
    finding_ids = tuple(f.finding.id for f in refractory.findings)
    criteria = compiled_rules(options.criteria_rules, options, finding_ids)
    if criteria.source.kind != "eligibility":
        raise ProtocolDefinitionError(f"{options.criteria_rules} is not an eligibility rule file")
    return refractory, criteria


def evaluate_eligibility(
    patient: Patient, protocol: Protocol, derived: Derived | None = None, as_of: dt.date | None = None
) -> EligibilityResult:
    """Judge every criterion for ``patient`` under ``protocol`` (its arm and eligibility options).

    ``as_of``: the day the question is asked (default today, which the patient model already enforces);
    a TACE or imaging dated after it is an error naming the field, never a finding.
    """
    check_dates(patient, as_of)
    options = protocol.eligibility
    refractory, criteria_rules = rules_for(protocol)
    if derived is None:
        derived = derive(patient).derived

    sessions = session_facts(patient.tace_history) if patient.tace_history is not None else None
    judgements = _judge_sessions(refractory, sessions or [])
    series = summarise([f.finding for f in refractory.findings], sessions, judgements, options)

    fact = patient_fact(patient, derived, protocol, series.facts)
    jsh_statuses, jsh_contradictions = _statuses(refractory, fact)
    warnings: list[str] = []
    contradictions: dict[str, str] = {}
    findings = {f.finding.id: f.finding for f in refractory.findings}
    def note_contradictions(compiled: CompiledRules, matched: set[str], on: Mapping[str, Any]) -> None:
        """Explain each criterion whose rule-file contradiction matched (explains; never changes a status)."""
        for c in compiled.criteria:
            if c.rule.id in matched:
                contradictions[c.rule.id] = _contradiction(c, on, sessions or [], judgements, findings, derived)
                warnings.append(f"{c.rule.id}: {contradictions[c.rule.id]}")

    note_contradictions(refractory, jsh_contradictions, fact)
    jsh_items = [
        RefractoryCriterion(
            id=c.rule.id,
            title=c.rule.title,
            status=jsh_statuses[c.rule.id],
            why=_why(c, jsh_statuses[c.rule.id], fact, contradictions.get(c.rule.id),
                     [p for f in c.evidence for p in series.not_recorded.get(f, [])]),
            inputs=_inputs(c, fact),
            source=c.rule.source,
            numbering=c.rule.numbering,
            evidence=[e for f in c.evidence for e in series.evidence[f]],
        )
        for c in refractory.criteria
    ]
    tace_status = any_met(i.status for i in jsh_items)

    fact = patient_fact(patient, derived, protocol, series.facts, tace_status)
    statuses, fired = _statuses(criteria_rules, fact)
    note_contradictions(criteria_rules, fired, fact)
    items = [
        CriterionResult(
            id=c.rule.id,
            kind=c.rule.kind,
            title=c.rule.title,
            status=statuses[c.rule.id],
            why=_why(c, statuses[c.rule.id], fact, contradictions.get(c.rule.id)),
            inputs=_inputs(c, fact),
            source=c.rule.source,
            numbering=c.rule.numbering,
        )
        for c in criteria_rules.criteria
    ]
    eligible, excluded, unknown = decide(items)
    if eligible is True:
        # The decision stays the criteria's; the warning says what the record still lacks.
        read, unread = missing_read_and_unread(patient, (refractory, criteria_rules), options)
        warnings.extend(unread_fields_warnings(unread, read))
    source = criteria_rules.source
    return EligibilityResult(
        protocol=ProtocolRef(id=protocol.id, version=protocol.version),
        eligible=eligible,
        tace_refractory=TaceRefractory(
            status=tace_status,
            ruleset=refractory.source.display_name,
            ruleset_id=refractory.source.id,
            version=refractory.source.version,
            criteria=jsh_items,
        ),
        criteria=items,
        basis=Basis(
            rules={"id": source.id, "name": source.display_name, "version": source.version},
            excluded_by=excluded,
            unknown=unknown,
            not_evaluated=[
                NotEvaluatedResult(id=n.id, kind=n.kind, title=n.title, treatment=n.treatment, source=n.source)
                for n in source.not_evaluated
            ],
            options=options.values(),
            warnings=warnings,
        ),
    )


def _judge_sessions(rules: CompiledRules, sessions: Sequence[Mapping[str, Any]]) -> dict[str, list[Judgement]]:
    """Each finding's judgement per session, on durable_rules (met and not-met forms of its one condition)."""
    rows = [{p: s.get(p) for p in rules.session_paths} for s in sessions]
    values = rules.durable_findings()(rows) if rows and rules.findings else []
    out: dict[str, list[Judgement]] = {}
    for f in rules.findings:
        fid = f.finding.id
        out[fid] = [
            Judgement(
                counted=True if f.finding.counts_when is None else v[f"{fid}{SEP}counts"],
                present=v[f"{fid}{SEP}present"],
            )
            for v in values
        ]
    return out


def _statuses(rules: CompiledRules, fact: Mapping[str, Any]) -> tuple[dict[str, Status], set[str]]:
    """Status of every criterion, and the criteria whose ``contradiction`` matched."""
    values = rules.durable_criteria()(model_values(fact, rules.fact_paths))
    out: dict[str, Status] = {}
    contradicted: set[str] = set()
    for c in rules.criteria:
        parts = {name: values[f"{c.rule.id}{SEP}{name}"] for name in c.parts}
        if parts.get("not_met_when") is True and parts["when"] is True:
            raise RuleEngineError(f"criterion {c.rule.id} is both met and not met: its conditions overlap")
        truth = combine_parts(parts)
        if c.contradiction is not None and values[f"{c.rule.id}{SEP}contradiction"] is True:
            if truth is True:
                raise RuleEngineError(f"criterion {c.rule.id} is met on a contradictory record: its conditions overlap")
            contradicted.add(c.rule.id)
        out[c.rule.id] = "met" if truth is True else "not_met" if truth is False else "unknown"
    return out, contradicted


def _contradiction(
    c: CompiledCriterion,
    fact: Mapping[str, Any],
    sessions: Sequence[Mapping[str, Any]],
    judgements: Mapping[str, Sequence[Judgement]],
    findings: Mapping[str, SessionFinding],
    derived: Derived,
) -> str:
    """The rule file's statement of the contradiction, naming each field on both sides with its value."""
    rule = c.rule.contradiction
    if rule is None or c.contradiction is None:  # only called for criteria whose contradiction fired
        raise RuleEngineError(f"criterion {c.rule.id} has no contradiction rule")
    sides = []
    for path in c.contradiction_paths:
        if path == "derived.bclc_stage_contradicted":  # the fields behind it, as derive names them
            sides.extend(derived.bclc_stage_contradictions)
        elif not path.startswith("tace.") and lookup(fact, path) is not None:  # a side is a recorded value
            sides.append(f"{path} = {_json(lookup(fact, path))}")
    if rule.sessions is not None:
        fields = record_paths(findings[rule.sessions].present_when)
        for s, j in zip(sessions, judgements[rule.sessions], strict=True):
            if j.present is True:
                sides.extend(f"tace_history[{s['session']}].{f} = {_json(s.get(f))}" for f in fields)
    return f"{rule.why.rstrip().rstrip('.')} ({'; '.join(sides)})."


def _option_value(value: Any) -> str:
    """An option value as written in protocol/*.yaml (calendar_months, true, 3)."""
    return value if isinstance(value, str) else json.dumps(value)


def _json(value: Any) -> str:
    """A value as written in the record (true/false, numbers unrounded)."""
    return json.dumps(value)


def _inputs(c: CompiledCriterion, fact: Mapping[str, Any]) -> dict[str, Any]:
    return {path: lookup(fact, path) for path in c.inputs}


def _why(
    c: CompiledCriterion,
    status: Status,
    fact: Mapping[str, Any],
    contradiction: str | None = None,
    not_recorded: Sequence[str] = (),
) -> str:
    """The rule file's explanation for the status, then the reading (options and values) that decided it."""
    explain = c.explain
    if explain is None:  # compile always resolves it
        raise RuleEngineError(f"criterion {c.rule.id} was not compiled")
    reading = (
        " Reading: " + "; ".join(f"{name} = {_option_value(value)}" for name, value in c.reading.items()) + "."
        if c.reading else ""
    )
    if status == "met":
        return f"{explain.met}{reading}"
    if status == "not_met":
        return f"{explain.not_met}{f' {contradiction}' if contradiction else ''}{reading}"
    if contradiction:
        return f"{contradiction} The criterion cannot be judged on a contradictory record.{reading}"
    missing = list(dict.fromkeys([*(p for p in c.inputs if lookup(fact, p) is None), *not_recorded]))
    known = f" Not known: {', '.join(missing)}." if missing else ""
    return f"{explain.unknown}{known}{reading}"
