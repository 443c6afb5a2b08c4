"""An eligibility rule file of the protocol model, compiled for one protocol's options.

Why a compile step: the rule file is loaded once through the model
(:func:`hccprotocol.model.load_rule_file`: every path, type, option and text is
checked there, each error naming file and line); here the protocol's option values
are folded in, the texts that follow an option are chosen, and the trail's
bookkeeping is worked out once: which inputs each criterion shows, which session
findings are its evidence and which options decided it. The conditions are compiled
for the per-patient engine (``engines.durable``: the met and not-met rules of each
condition are derived from the one condition) lazily, on first use, so the cohort
engine (``engines.masks``) never registers durable rulesets it does not run.
Compiled rules are cached per (file, options, findings in scope).

Input names: the trail keeps the record's names for what a criterion read. A run of
consecutive sessions (``tace.<finding>.consecutive_sessions``, a count known within
bounds) is shown as ``tace.<finding>.run`` (the certain run, the lower bound) and
``tace.<finding>.possible_run`` (the upper bound); the Child-Pugh score range as
``derived.child_pugh.score_min`` / ``score_max``. A bound is shown where a test reads
it: ``run >= 2`` is met on the lower bound and not met on the upper one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from hccprotocol.eligibility.facts import session_record_fields
from hccprotocol.eligibility.options import EligibilityOptions
from hccprotocol.engines.durable import DurableEvaluator
from hccprotocol.engines.fold import fold_options
from hccprotocol.errors import ProtocolDefinitionError
from hccprotocol.model.check import reachable
from hccprotocol.model.conditions import All, Any_, Compare, Condition, In, Known, Not, OptionRef, iter_nodes
from hccprotocol.model.errors import RuleFileError
from hccprotocol.model.facts import FactCatalogue, standard_catalogue
from hccprotocol.model.loader import load_rule_file
from hccprotocol.model.options import OptionSpec, options_from_model
from hccprotocol.model.rules import Criterion, Explain, RuleFile, SessionFinding, resolve_text
from hccprotocol.model.semantics import Truth, evaluate

if TYPE_CHECKING:
    from hccprotocol.engines.masks import TruthFn

__all__ = [
    "CompiledCriterion",
    "CompiledFinding",
    "CompiledRules",
    "available_rule_files",
    "bound_names",
    "compiled_rules",
    "eligibility_option_specs",
    "load_rules",
    "record_paths",
]

SEP = "#"
"""Joins a rule id and its part (``when``, ``not_met_when``, ``contradiction``, ``counts``, ``present``)."""


@dataclass(frozen=True)
class CompiledCriterion:
    rule: Criterion
    parts: Mapping[str, Condition]
    """``when`` and, for an asymmetric criterion, ``not_met_when`` (model conditions, options not folded)."""
    contradiction: Condition | None
    """The declared contradiction's condition (explains, never decides)."""
    tested: tuple[str, ...]
    """Input names the conditions read, for the chosen options (see the module docstring)."""
    inputs: tuple[str, ...]
    """Tested names plus the rule's context ``reads``: the output's ``inputs``."""
    evidence: tuple[str, ...]
    """Session findings shown as evidence (declared, and read under the current options)."""
    explain: Explain
    """The explanations for the protocol's option values (every text a string)."""
    reading: dict[str, object]
    """Option -> value for every option this criterion's decision read (its conditions, the session findings
    it reads, and how their runs are counted): printed in its why, so the trail names the reading."""
    contradiction_paths: tuple[str, ...] = ()
    """Fact paths the folded contradiction reads (the sides named in its why)."""


@dataclass(frozen=True)
class CompiledFinding:
    finding: SessionFinding
    """The finding with its texts resolved for the protocol's options (every ``*_why`` is a string)."""
    reading: tuple[str, ...] = ()
    """Options the finding's judgement and run read (conditions, and the run options that apply to it)."""

    @property
    def conditions(self) -> tuple[Condition, ...]:
        return tuple(c for c in (self.finding.counts_when, self.finding.present_when) if c is not None)


@dataclass(frozen=True)
class CompiledRules:
    source: RuleFile
    options: Mapping[str, Any]
    catalogue: FactCatalogue
    """The patient facts the criteria may read (with the runs of the refractoriness findings in scope)."""
    session_catalogue: FactCatalogue
    criteria: tuple[CompiledCriterion, ...]
    findings: tuple[CompiledFinding, ...]
    fact_paths: tuple[str, ...]
    """Patient-fact paths (model names) the criteria read under the options: only these are given to an engine."""
    session_paths: tuple[str, ...]
    """Session-fact paths the findings read, plus ``session``."""
    _durable: dict[str, DurableEvaluator] = field(default_factory=dict, init=False, repr=False, compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False, compare=False)
    _truths: dict[str, dict[str, TruthFn]] = field(default_factory=dict, init=False, repr=False, compare=False)
    """Caches of this object (never copied by ``dataclasses.replace``, which would share them with other options)."""

    def criteria_conditions(self) -> dict[str, Condition]:
        """Every condition the criteria evaluate, by ``<id>SEP<part>`` (parts and contradictions)."""
        out: dict[str, Condition] = {}
        for c in self.criteria:
            for name, cond in c.parts.items():
                out[f"{c.rule.id}{SEP}{name}"] = cond
            if c.contradiction is not None:
                out[f"{c.rule.id}{SEP}contradiction"] = c.contradiction
        return out

    def finding_conditions(self) -> dict[str, Condition]:
        """Every session-finding condition, by ``<finding>SEP<counts|present>``."""
        out: dict[str, Condition] = {}
        for f in self.findings:
            if f.finding.counts_when is not None:
                out[f"{f.finding.id}{SEP}counts"] = f.finding.counts_when
            out[f"{f.finding.id}{SEP}present"] = f.finding.present_when
        return out

    def met_only(self) -> frozenset[str]:
        """Conditions read only for being true: an asymmetric criterion's parts (met by ``when``, not met by
        ``not_met_when``) and contradictions (they explain a status when they hold)."""
        out = {f"{c.rule.id}{SEP}contradiction" for c in self.criteria if c.contradiction is not None}
        out |= {f"{c.rule.id}{SEP}{name}" for c in self.criteria if "not_met_when" in c.parts for name in c.parts}
        return frozenset(out)

    def truth_functions(self, part: Literal["criteria", "findings"]) -> dict[str, TruthFn]:
        """The criteria's (or the session findings') conditions compiled to numpy truth functions
        (``engines.masks``), by the keys of :meth:`criteria_conditions` (:meth:`finding_conditions`), compiled
        once per rules object. Why cached: compiling the trees on every call cost about 5 ms per screen
        partition, the same work each time. Why imported here: ``engines.masks`` loads pandas, which the
        per-patient path never needs."""
        with self._lock:
            found = self._truths.get(part)
            if found is None:
                from hccprotocol.engines.masks import compile_truth

                if part == "criteria":
                    conditions, catalogue = self.criteria_conditions(), self.catalogue
                else:
                    conditions, catalogue = self.finding_conditions(), self.session_catalogue
                found = {key: compile_truth(cond, self.options, catalogue) for key, cond in conditions.items()}
                self._truths[part] = found
            return found

    def durable_criteria(self) -> Callable[[Mapping[str, Any]], dict[str, Truth]]:
        """The criteria's conditions on durable_rules (registered once, on first use); a :meth:`met_only`
        condition is true or unknown there, never false."""
        return self._evaluator("criteria", self.criteria_conditions, self.catalogue, self.met_only()).evaluate

    def durable_findings(self) -> Callable[[Sequence[Mapping[str, Any]]], list[dict[str, Truth]]]:
        """The session findings' conditions on durable_rules, all sessions of a patient in one durable session
        (registered once, on first use)."""
        return self._evaluator("findings", self.finding_conditions, self.session_catalogue).evaluate_many

    def _evaluator(
        self,
        name: str,
        conditions: Callable[[], dict[str, Condition]],
        catalogue: FactCatalogue,
        met_only: frozenset[str] = frozenset(),
    ) -> DurableEvaluator:
        with self._lock:
            evaluator = self._durable.get(name)
            if evaluator is None:
                evaluator = DurableEvaluator(conditions(), catalogue, self.options, met_only=met_only)
                self._durable[name] = evaluator
            return evaluator


# -- loading --------------------------------------------------------------------------


def _rules_dir() -> Path:
    """Shipped rule files: the top-level ``rules/`` folder, installed as package data (setup.py)."""
    return Path(str(resources.files("hccprotocol.data.rules")))


def available_rule_files() -> list[str]:
    """Ids of the shipped eligibility and refractoriness rule files."""
    return sorted(
        p.stem for p in _rules_dir().glob("*.yaml") if _kind_line(p) in ("eligibility", "tace_refractoriness")
    )


def _kind_line(path: Path) -> str | None:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("kind:"):
            return line.split(":", 1)[1].strip()
    return None


def eligibility_option_specs() -> dict[str, OptionSpec]:
    """The protocol's eligibility options as the model declares them (kinds, values, defaults, whys)."""
    return options_from_model(EligibilityOptions, "protocol eligibility options (protocol/*.yaml)")


_FILES: dict[str, RuleFile] = {}
_FILES_LOCK = threading.Lock()


def load_rules(id_or_path: str) -> RuleFile:
    """A shipped rule file by id (``jsh-lcsgj-2014``) or a site's file by path; loaded and validated once.

    Errors name the file (``rules/<id>.yaml`` for a shipped one) and the line.
    """
    with _FILES_LOCK:
        cached = _FILES.get(id_or_path)
        if cached is not None:
            return cached
        path = Path(id_or_path)
        name = str(path)
        if path.suffix.lower() not in {".yaml", ".yml"}:
            path = _rules_dir() / f"{id_or_path}.yaml"
            name = f"rules/{id_or_path}.yaml"
            if not path.is_file() or _kind_line(path) not in ("eligibility", "tace_refractoriness"):
                raise ProtocolDefinitionError(
                    f"unknown rule file {id_or_path!r}; available: {', '.join(available_rule_files())}, or a path"
                )
        elif not path.is_file():
            raise ProtocolDefinitionError(f"{path}: no such rule file")
        loaded = load_rule_file(path, options=eligibility_option_specs(), name=name)
        if loaded.kind not in ("eligibility", "tace_refractoriness"):
            raise ProtocolDefinitionError(f"{name}: a rule file of kind {loaded.kind} holds no eligibility criteria")
        _FILES[id_or_path] = loaded
        return loaded


# -- compiling ----------------------------------------------------------------------------

_CACHE: dict[tuple[str, str, tuple[str, ...]], CompiledRules] = {}
_LOCK = threading.Lock()


def compiled_rules(rules: str, options: EligibilityOptions, finding_ids: tuple[str, ...] = ()) -> CompiledRules:
    """The rule file ``rules`` compiled for ``options``; ``finding_ids`` are the refractoriness findings in scope."""
    key = (rules, options.model_dump_json(), finding_ids)
    with _LOCK:
        hit = _CACHE.get(key)
        if hit is not None:
            return hit
        source = load_rules(rules)
        compiled = _compile(source, options, finding_ids or tuple(f.id for f in source.session_findings))
        _CACHE[key] = compiled
        return compiled


def _compile(source: RuleFile, options: EligibilityOptions, finding_ids: tuple[str, ...]) -> CompiledRules:
    values = options.values()
    catalogue = standard_catalogue("patient", finding_ids=finding_ids)
    session_catalogue = standard_catalogue("tace_session")
    missing_findings = sorted(
        {p.split(".")[1] for c in source.criteria for p in _all_paths(c) if p.startswith("tace.")}
        - set(finding_ids)
    )
    if missing_findings:
        raise ProtocolDefinitionError(
            f"rule file {source.id} reads the runs of session findings {missing_findings}, which the refractoriness "
            f"rule file in use does not define (it defines {sorted(finding_ids)})"
        )
    _check_under_options(source, values, catalogue, session_catalogue)
    findings = []
    for f in source.session_findings:
        reads = [*_options_on_branch(f.counts_when, values), *_options_on_branch(f.present_when, values)]
        texts = {name: resolve_text(text, values) for name, text in f.texts()}
        if f.counts_when is not None:
            reads.append("non_counting_session_breaks_run")
        if f.repeat_needs_change:
            reads.append("change_before_later_session")
        findings.append(CompiledFinding(f.model_copy(update=texts), tuple(dict.fromkeys(reads))))
    by_id = {f.finding.id: f for f in findings}

    criteria = []
    for rule in source.criteria:
        parts: dict[str, Condition] = {"when": rule.when}
        if rule.not_met_when is not None:
            parts["not_met_when"] = rule.not_met_when
        folded = {name: fold_options(cond, values) for name, cond in parts.items()}
        tested: list[str] = []
        _input_names(folded["when"], True, tested)
        if "not_met_when" in folded:
            _input_names(folded["not_met_when"], True, tested)
        else:
            _input_names(folded["when"], False, tested)
        contradiction = rule.contradiction.when if rule.contradiction is not None else None
        contradiction_paths: tuple[str, ...] = ()
        if contradiction is not None:
            folded_contradiction = fold_options(contradiction, values)
            _input_names(folded_contradiction, True, tested)
            contradiction_paths = _paths(folded_contradiction)
        names = tuple(dict.fromkeys(tested))
        inputs = tuple(dict.fromkeys([*names, *rule.reads]))
        evidence = tuple(f for f in rule.evidence if any(p.startswith(f"tace.{f}.") for p in names))
        explain = Explain(**{name: resolve_text(text, values) for name, text in rule.explain.texts()})
        read = [o for cond in parts.values() for o in _options_on_branch(cond, values)]
        if contradiction is not None:
            read.extend(_options_on_branch(contradiction, values))
        for name in names:
            head, _, rest = name.partition(".")
            finding = by_id.get(rest.split(".", 1)[0]) if head == "tace" else None
            if finding is not None:
                read.extend(finding.reading)
        reading = {name: values[name] for name in dict.fromkeys(read)}
        criteria.append(
            CompiledCriterion(
                rule, parts, contradiction, names, inputs, evidence, explain, reading, contradiction_paths
            )
        )

    fact_paths = tuple(
        dict.fromkeys(
            p
            for c in criteria
            for cond in (*c.parts.values(), *((c.contradiction,) if c.contradiction is not None else ()))
            for p in _paths(fold_options(cond, values))
        )
    )
    read_by_findings = (p for f in findings for c in f.conditions for p in _paths(fold_options(c, values)))
    session_paths = tuple(dict.fromkeys(["session", *read_by_findings]))
    return CompiledRules(
        source, values, catalogue, session_catalogue, tuple(criteria), tuple(findings), fact_paths, session_paths
    )


def _check_under_options(
    source: RuleFile, values: Mapping[str, Any], catalogue: FactCatalogue, session_catalogue: FactCatalogue
) -> None:
    """Refuse a rule that the protocol's option values leave unable to be met (or, stated once, not met).

    Why here and not only at load: the loader checks every condition over all option values; a condition
    whose branch for the chosen reading is missing (``option.invasion_spread_reading: appearance`` left out)
    still loads, and would then be silently not met (or never met) for every patient under that reading.
    """
    problems: list[tuple[int, str, str]] = []

    def check(cond: Condition | None, where: str, goals: tuple[bool, ...]) -> None:
        if cond is None:
            return
        folded = fold_options(cond, values)
        scope = session_catalogue if where.startswith("session finding") else catalogue
        for goal in goals:
            if reachable(folded, scope, {}, goal) is False:
                chosen = ", ".join(f"{o} = {values[o]}" for o in dict.fromkeys(_options_in(cond))) or "no option"
                what = "met" if goal else "not met"
                problems.append((cond.line, where, f"under the protocol's options ({chosen}) it can never be {what}"))

    for c in source.criteria:
        check(c.when, f"{c.id}.when", (True,) if c.not_met_when is not None else (True, False))
        check(c.not_met_when, f"{c.id}.not_met_when", (True,))
    for f in source.session_findings:
        check(f.counts_when, f"session finding {f.id}.counts_when", (True, False))
        check(f.present_when, f"session finding {f.id}.present_when", (True, False))
    if problems:
        raise RuleFileError(source.file or source.id, problems)


def _options_in(cond: Condition) -> list[str]:
    return [
        node.path.removeprefix("option.")
        for node in iter_nodes(cond)
        if isinstance(node, Compare | In | Known) and node.path.startswith("option.")
    ]


# -- what the trail shows ---------------------------------------------------------------

_RANGE_NAMES: dict[str, tuple[str, str]] = {"derived.child_pugh.score_range": ("score_min", "score_max")}


def bound_names(path: str) -> tuple[str, str] | None:
    """(lower, upper) input names of a count known within bounds, or ``None`` for another fact."""
    head, _, rest = path.rpartition(".")
    if path in _RANGE_NAMES:
        lo, hi = _RANGE_NAMES[path]
        return f"{head}.{lo}", f"{head}.{hi}"
    if path.startswith("tace.") and rest == "consecutive_sessions":
        return f"{head}.run", f"{head}.possible_run"
    return None


def input_name(path: str) -> str:
    """The trail's name for a fact path that is not a range (``tace.<f>.certain_run`` is ``tace.<f>.run``)."""
    if path.startswith("tace.") and path.endswith(".certain_run"):
        return path.removesuffix(".certain_run") + ".run"
    return path


def _input_names(cond: Condition, positive: bool, out: list[str]) -> None:
    """Input names ``cond`` reads when it is decided ``positive`` (true) or not (false), in order of use."""
    if isinstance(cond, Not):
        _input_names(cond.item, not positive, out)
        return
    if isinstance(cond, All | Any_):
        for item in cond.items:
            _input_names(item, positive, out)
        return
    if not isinstance(cond, Compare | In | Known):
        return
    bounds = bound_names(cond.path)
    if bounds is None:
        out.append(input_name(cond.path))
        return
    lo, hi = bounds
    op = cond.op if isinstance(cond, Compare) else "eq"
    if op in ("gte", "gt"):
        out.append(lo if positive else hi)
    elif op in ("lte", "lt"):
        out.append(hi if positive else lo)
    else:
        out.extend((lo, hi))


def _paths(cond: Condition) -> tuple[str, ...]:
    """Fact paths a (folded) condition reads, in order of use (options excluded)."""
    out: dict[str, None] = {}
    for node in iter_nodes(cond):
        if isinstance(node, Compare | In | Known) and not node.path.startswith("option."):
            out[node.path] = None
    return tuple(out)


def _all_paths(c: Criterion) -> tuple[str, ...]:
    conds = [c.when, *([c.not_met_when] if c.not_met_when is not None else [])]
    if c.contradiction is not None:
        conds.append(c.contradiction.when)
    return tuple(p for cond in conds for p in _paths(cond))


def record_paths(cond: Condition) -> tuple[str, ...]:
    """The TACE session record fields a session-finding condition reads (a computed value stands for its sources)."""
    return session_record_fields(_paths(cond))


def _options_on_branch(cond: Condition | None, options: Mapping[str, Any]) -> list[str]:
    """Options a condition reads under ``options``, in order: every option test and ``{option: name}`` value on
    the branches the options choose (an ``all`` whose option test is false reads nothing after it)."""
    out: list[str] = []

    def walk(node: Condition) -> bool:
        """Record the options of ``node``; false when ``node`` is an option test the options make false."""
        if isinstance(node, All):
            for item in node.items:
                if not walk(item):
                    return True
            return True
        if isinstance(node, Any_):
            for item in node.items:
                walk(item)
            return True
        if isinstance(node, Not):
            walk(node.item)
            return True
        if isinstance(node, Compare | In | Known) and node.path.startswith("option."):
            out.append(node.path.removeprefix("option."))
            return evaluate(node, {}, options) is not False
        values = (node.value,) if isinstance(node, Compare) else node.values if isinstance(node, In) else ()
        out.extend(v.option for v in values if isinstance(v, OptionRef))
        return True

    if cond is not None:
        walk(cond)
    return list(dict.fromkeys(out))
