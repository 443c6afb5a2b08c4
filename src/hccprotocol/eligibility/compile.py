"""Turning a rule file plus the protocol's options into registered durable_rules rulesets.

Why a compile step: the rule file is validated once for grammar
(``rules_source``); here it is checked against what the engine actually
asserts (every path must be a known fact path, every option must exist and
every ``$case`` must cover the option's values), the options are substituted,
and the result is registered under a name that includes a digest of the
resolved rules, so two protocols with different options never share, or
collide on, a ruleset. Compiled rules are cached per (file, options).
"""

from __future__ import annotations

import hashlib
import json
import threading
import typing
from collections.abc import Mapping
from dataclasses import dataclass

from hccprotocol.eligibility.facts import SESSION_PATHS, fact_paths
from hccprotocol.eligibility.options import EligibilityOptions
from hccprotocol.eligibility.tace_series import template_fields
from hccprotocol.errors import ProtocolDefinitionError
from hccprotocol.rules_engine import get_engine
from hccprotocol.rules_source import (
    Condition,
    Criterion,
    Explain,
    RuleSource,
    SessionFinding,
    condition_options,
    condition_paths,
    load_rule_source,
    options_read,
    resolve_condition,
    resolve_text,
    text_options,
)

__all__ = ["CompiledCriterion", "CompiledFinding", "CompiledRules", "compiled_rules"]

FINDING_PARTS = ("counts", "not_counted", "present", "absent")


@dataclass(frozen=True)
class CompiledCriterion:
    rule: Criterion
    met_when: Condition
    not_met_when: Condition
    tested: tuple[str, ...]
    """Paths the resolved conditions read."""
    inputs: tuple[str, ...]
    """Tested paths plus the rule's context ``reads``: the output's ``inputs``."""
    evidence: tuple[str, ...]
    """Session findings shown as evidence (declared, and read under the current options)."""
    contradiction: Condition | None = None
    """Resolved ``contradiction.when`` (registered as ``<id>#contradiction``; explains, never decides)."""
    explain: Explain | None = None
    """The explanations for the protocol's option values (``$case`` texts resolved)."""
    reading: dict[str, object] | None = None
    """Option -> value for every option this criterion's decision read (its conditions, the session findings
    it reads, and how their runs are counted): printed in its why, so the trail names the reading."""


@dataclass(frozen=True)
class CompiledFinding:
    finding: SessionFinding
    """The finding with its texts resolved for the protocol's options (every ``*_why`` is a string)."""
    conditions: dict[str, Condition | None]
    reading: tuple[str, ...] = ()
    """Options the finding's judgement and run read (conditions, and the run options that apply to it)."""


@dataclass(frozen=True)
class CompiledRules:
    source: RuleSource
    criteria_ruleset: str
    sessions_ruleset: str | None
    criteria: tuple[CompiledCriterion, ...]
    findings: tuple[CompiledFinding, ...]
    fact_paths: tuple[str, ...]
    """Patient-fact paths the criteria test: only these are asserted (each firing re-parses the fact)."""
    session_paths: tuple[str, ...]
    """Session-fact paths the findings test, plus ``session``."""


_CACHE: dict[tuple[str, str, tuple[str, ...]], CompiledRules] = {}
_LOCK = threading.Lock()


def compiled_rules(rules: str, options: EligibilityOptions, finding_ids: tuple[str, ...] = ()) -> CompiledRules:
    """The rule file ``rules`` compiled for ``options``; ``finding_ids`` are the refractoriness findings in scope."""
    key = (rules, options.model_dump_json(), finding_ids)
    with _LOCK:
        hit = _CACHE.get(key)
        if hit is not None:
            return hit
        source = load_rule_source(rules)
        compiled = _compile(source, options, finding_ids or tuple(f.id for f in source.session_findings))
        _CACHE[key] = compiled
        return compiled


def _compile(source: RuleSource, options: EligibilityOptions, finding_ids: tuple[str, ...]) -> CompiledRules:
    values = options.values()
    known = fact_paths(finding_ids)
    where = f"rule file {source.id}"
    findings = []
    for finding in source.session_findings:
        conditions: dict[str, Condition | None] = {}
        parts: tuple[Condition | None, ...] = (
            finding.counts_when, finding.not_counted_when, finding.present_when, finding.absent_when
        )
        reads: list[str] = []
        for part, maybe in zip(FINDING_PARTS, parts, strict=True):
            if maybe is None:
                conditions[part] = None
                continue
            _check_options(maybe, f"{where}, finding {finding.id}")
            bad = [p for p in condition_paths(maybe) if p not in SESSION_PATHS]
            if bad:
                raise ProtocolDefinitionError(f"{where}, finding {finding.id}: unknown session paths {bad}")
            conditions[part] = resolve_condition(maybe, values)
            reads.extend(options_read(maybe, values))
        texts = {}
        for name in ("counted_why", "not_counted_why", "present_why", "absent_why"):
            raw = getattr(finding, name)
            _check_text_options(raw, f"{where}, finding {finding.id}, {name}")
            text = resolve_text(raw, values)
            bad = [n for n in template_fields(text) if n not in SESSION_PATHS and n not in values]
            if bad:
                raise ProtocolDefinitionError(f"{where}, finding {finding.id}: unknown fields {bad} in {text!r}")
            texts[name] = text
        if finding.counts_when is not None:
            reads.append("non_counting_session_breaks_run")
        if finding.repeat_needs_change:
            reads.append("change_before_later_session")
        findings.append(
            CompiledFinding(finding.model_copy(update=texts), conditions, tuple(dict.fromkeys(reads)))
        )
    by_id = {f.finding.id: f for f in findings}

    criteria = []
    for rule in source.criteria:
        conds = [rule.met_when, rule.not_met_when]
        if rule.contradiction is not None:
            conds.append(rule.contradiction.when)
        for cond in conds:
            _check_options(cond, f"{where}, {rule.id}")
        unknown = [p for p in (*(p for c in conds for p in condition_paths(c)), *rule.reads) if p not in known]
        if unknown:
            raise ProtocolDefinitionError(f"{where}, {rule.id}: unknown fact paths {sorted(set(unknown))}")
        met = resolve_condition(rule.met_when, values)
        not_met = resolve_condition(rule.not_met_when, values)
        contradiction = (
            resolve_condition(rule.contradiction.when, values) if rule.contradiction is not None else None
        )
        tested = tuple(
            dict.fromkeys(
                [*condition_paths(met), *condition_paths(not_met),
                 *(condition_paths(contradiction) if contradiction is not None else ())]
            )
        )
        inputs = tuple(dict.fromkeys([*tested, *rule.reads]))
        evidence = tuple(f for f in rule.evidence if any(p.startswith(f"tace.{f}.") for p in tested))
        texts = {}
        for name in ("met", "not_met", "unknown"):
            raw = getattr(rule.explain, name)
            _check_text_options(raw, f"{where}, {rule.id}, explain.{name}")
            texts[name] = resolve_text(raw, values)
        read = [o for c in conds for o in options_read(c, values)]
        for path in tested:
            head, _, rest = path.partition(".")
            if head == "tace" and rest.split(".", 1)[0] in by_id:
                read.extend(by_id[rest.split(".", 1)[0]].reading)
        reading = {name: values[name] for name in dict.fromkeys(read)}
        criteria.append(
            CompiledCriterion(
                rule, met, not_met, tested, inputs, evidence, contradiction, Explain(**texts), reading
            )
        )

    criteria_defs = {}
    for c in criteria:
        criteria_defs[f"{c.rule.id}#met"] = {"all": [{"m": c.met_when}]}
        criteria_defs[f"{c.rule.id}#not_met"] = {"all": [{"m": c.not_met_when}]}
        if c.contradiction is not None:
            criteria_defs[f"{c.rule.id}#contradiction"] = {"all": [{"m": c.contradiction}]}
    session_defs = {
        f"{f.finding.id}#{part}": {"all": [{"m": cond}]}
        for f in findings
        for part, cond in f.conditions.items()
        if cond is not None
    }
    engine = get_engine()
    criteria_name = f"{source.id}@{_digest(criteria_defs)}"
    engine.register(criteria_name, criteria_defs)
    sessions_name = None
    if session_defs:
        sessions_name = f"{source.id}/sessions@{_digest(session_defs)}"
        engine.register(sessions_name, session_defs)
    tested_paths = tuple(dict.fromkeys(p for c in criteria for p in c.tested))
    session_paths = tuple(
        dict.fromkeys(
            ["session", *(p for f in findings for c in f.conditions.values() if c is not None
                          for p in condition_paths(c))]
        )
    )
    return CompiledRules(
        source, criteria_name, sessions_name, tuple(criteria), tuple(findings), tested_paths, session_paths
    )


def _check_text_options(text: object, where: str) -> None:
    fields = EligibilityOptions.model_fields
    if not isinstance(text, str | dict):
        return
    for name, cases in text_options(text).items():
        allowed = {str(v) for v in typing.get_args(fields[name].annotation)} if name in fields else set()
        if not allowed or cases != allowed:
            raise ProtocolDefinitionError(
                f"{where}: $case on {name} must give exactly the cases {sorted(allowed)}, got {sorted(cases)}"
            )


def _check_options(cond: Condition, where: str) -> None:
    fields = EligibilityOptions.model_fields
    for name, cases in condition_options(cond).items():
        if name not in fields:
            raise ProtocolDefinitionError(f"{where}: unknown option {name!r} (options: {', '.join(fields)})")
        if cases:
            allowed = {str(v) for v in typing.get_args(fields[name].annotation)}
            if not allowed or cases != allowed:
                raise ProtocolDefinitionError(
                    f"{where}: $case on {name} must give exactly the cases {sorted(allowed)}, got {sorted(cases)}"
                )


def _digest(defs: Mapping[str, object]) -> str:
    return hashlib.sha256(json.dumps(defs, sort_keys=True).encode()).hexdigest()[:12]
