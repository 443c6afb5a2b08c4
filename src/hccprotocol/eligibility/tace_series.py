"""The TACE response series: per-session findings turned into runs of consecutive sessions.

Why Python here and rules elsewhere: JSH-LCSGJ 2014 asks for "two or more
consecutive" insufficient responses or progressions. Whether one session shows
a finding (viable tumour > 50 %, imaging within the window, selective TACE) is
decided by the rule file's session findings on durable_rules; what this module
adds is the bookkeeping that a rule language cannot express: the longest run of
consecutive sessions, under the protocol's options. The run lengths are then
asserted as facts (``tace.<finding>.run`` / ``.possible_run``) and the rule file
compares them with its thresholds.

Three-valued runs: a session whose finding or counting is unknown could turn
out either way, so two runs are computed. ``run`` counts every unknown against
the finding (the longest run that is certain); ``possible_run`` counts every
unknown for it (the longest run the missing data could allow). A criterion is
met when ``run`` reaches the threshold, not met when even ``possible_run`` does
not, and unknown in between: a missing value can never make a patient
refractory, nor rule refractoriness out.

Each step below is monotone in the run length so far, so choosing the smallest
(largest) next run length at every session gives the smallest (largest)
longest run over all ways the unknowns could resolve.
"""

from __future__ import annotations

import enum
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from hccprotocol.eligibility.decision import Evidence
from hccprotocol.eligibility.facts import session_record_fields
from hccprotocol.eligibility.options import EligibilityOptions
from hccprotocol.rules_engine import positional
from hccprotocol.rules_source import Condition, SessionFinding, condition_paths

__all__ = ["Judgement", "TaceSeries", "summarise"]

Tri = bool | None


@dataclass(frozen=True)
class Judgement:
    """What the session-finding rules said about one session: does it count, is the finding present."""

    counted: Tri
    present: Tri


class Outcome(enum.Enum):
    SKIP = "does not count"
    NEGATIVE = "counts, finding absent"
    EXTEND = "counts, finding present, extends the run"
    RESTART = "counts, finding present, starts a new run (agents not changed)"


def _step(run: int, outcome: Outcome, breaks_run: bool) -> int:
    if outcome is Outcome.SKIP:
        return 0 if breaks_run else run
    if outcome is Outcome.NEGATIVE:
        return 0
    if outcome is Outcome.RESTART:
        return 1
    return run + 1


def _outcomes(j: Judgement, extends: Tri) -> set[Outcome]:
    if j.counted is False:
        return {Outcome.SKIP}
    out: set[Outcome] = {Outcome.SKIP} if j.counted is None else set()
    if j.present is not False:
        if extends is not False:
            out.add(Outcome.EXTEND)
        if extends is not True:
            out.add(Outcome.RESTART)
    if j.present is not True:
        out.add(Outcome.NEGATIVE)
    return out


def longest_runs(possible: Sequence[set[Outcome]], breaks_run: bool) -> tuple[int, int]:
    """(certain longest run, possible longest run) over the sessions' possible outcomes."""
    low = high = best_low = best_high = 0
    for outcomes in possible:
        low = min(_step(low, o, breaks_run) for o in outcomes)
        high = max(_step(high, o, breaks_run) for o in outcomes)
        best_low, best_high = max(best_low, low), max(best_high, high)
    return best_low, best_high


@dataclass(frozen=True)
class TaceSeries:
    facts: dict[str, dict[str, int]] | None
    """finding id -> {"run", "possible_run"}; ``None`` when tace_history is absent (unknown)."""
    evidence: dict[str, list[Evidence]]
    not_recorded: dict[str, list[str]] = field(default_factory=dict)
    """finding id -> session fields (``tace_history[i].field``) whose absence left a session unknown."""


def summarise(
    findings: Sequence[SessionFinding],
    sessions: Sequence[Mapping[str, Any]] | None,
    judgements: Mapping[str, Sequence[Judgement]],
    options: EligibilityOptions,
    run_findings: frozenset[str],
) -> TaceSeries:
    """Runs and per-session evidence for every finding. ``run_findings`` use ``agents_changed_required``."""
    if sessions is None:
        return TaceSeries(facts=None, evidence={f.id: [] for f in findings})
    facts: dict[str, dict[str, int]] = {}
    evidence: dict[str, list[Evidence]] = {}
    not_recorded: dict[str, list[str]] = {}
    for finding in findings:
        per_session = judgements[finding.id]
        reads = _Reads.of(finding)
        possible = []
        items = []
        missing: list[str] = []
        for session, j in zip(sessions, per_session, strict=True):
            extends: Tri = True
            agents_rule = options.agents_changed_required and finding.id in run_findings
            if agents_rule:
                extends = session.get("agents_changed")
            possible.append(_outcomes(j, extends))
            items.append(_evidence(finding, reads, session, j, extends, agents_rule, options, missing))
        run, possible_run = longest_runs(possible, options.non_counting_session_breaks_run)
        facts[finding.id] = {"run": run, "possible_run": possible_run}
        evidence[finding.id] = items
        not_recorded[finding.id] = list(dict.fromkeys(missing))
    return TaceSeries(facts=facts, evidence=evidence, not_recorded=not_recorded)


@dataclass(frozen=True)
class _Reads:
    """The record fields of a session that a finding reads: to decide counting, and the finding itself."""

    counting: tuple[str, ...]
    finding: tuple[str, ...]

    @classmethod
    def of(cls, finding: SessionFinding) -> _Reads:
        def fields(*conds: Condition | None) -> tuple[str, ...]:
            return session_record_fields(p for c in conds if c is not None for p in condition_paths(c))

        return cls(
            counting=fields(finding.counts_when, finding.not_counted_when),
            finding=fields(finding.present_when, finding.absent_when),
        )


def _evidence(
    finding: SessionFinding,
    reads: _Reads,
    session: Mapping[str, Any],
    j: Judgement,
    extends: Tri,
    agents_rule: bool,
    options: EligibilityOptions,
    missing: list[str],
) -> Evidence:
    """One session's line of the trail: what it showed, and the record fields it was judged on.

    A session whose counting or finding is unknown says which fields are not
    recorded (as ``tace_history[i].field`` paths) and never that it counted.
    """
    index = int(session["session"])
    values = {**options.values(), **session}
    read = ["date"]
    parts: list[str] = []
    if finding.counts_when is not None:
        read.extend(reads.counting)
        if j.counted is True:
            parts.append(render(finding.counted_why, values))
        elif j.counted is False:
            parts.append(render(finding.not_counted_why, values))
        else:
            parts.append("unknown whether this session counts" + _not_recorded(reads.counting, session, index, missing))
    if j.counted is not False:
        read.extend(reads.finding)
        if j.present is True:
            parts.append(render(finding.present_why, values))
        elif j.present is False:
            parts.append(render(finding.absent_why, values))
        else:
            parts.append(f"{_sentence(finding.title)}: unknown" + _not_recorded(reads.finding, session, index, missing))
        if agents_rule and j.present is not False:
            read.append("agents_changed")
        if j.present is not False and extends is not True:
            if extends is None:
                missing.append(_path(index, "agents_changed"))
            shown = (
                "no: starts a new run" if extends is False
                else f"unknown (not recorded: {_path(index, 'agents_changed')})"
            )
            parts.append(f"agents changed or feeding artery reanalysed before this session: {shown}")
    counted = j.counted is True and j.present is not None
    inputs = {_path(index, name): session.get(name) for name in dict.fromkeys(read)}
    return Evidence(
        session=index, date=session.get("date"), counted=counted, why="; ".join(parts), inputs=inputs
    )


def _path(index: int, name: str) -> str:
    return f"tace_history[{index}].{name}"


def _not_recorded(fields: Sequence[str], session: Mapping[str, Any], index: int, into: list[str]) -> str:
    missing = [_path(index, f) for f in fields if session.get(f) is None]
    into.extend(missing)
    if not missing:  # every field recorded, yet the rule file's conditions decided nothing
        return " (the recorded values match neither condition of the rule file)"
    return f" (not recorded: {', '.join(missing)})"


def _sentence(title: str) -> str:
    """A title used inside a sentence: first letter lower-cased unless the first word is an acronym (TACE)."""
    first = title.split(" ", 1)[0]
    if len(first) > 1 and first[:2].isupper():
        return title
    return title[:1].lower() + title[1:]


_FORMATTER = string.Formatter()


def render(template: str, values: Mapping[str, Any]) -> str:
    """Fill ``{name}`` fields from session values and options; unknown values read 'unknown'."""
    out = []
    for literal, name, _spec, _conv in _FORMATTER.parse(template):
        out.append(literal)
        if name is not None:
            value = values.get(name)
            out.append(_show(value))
    return "".join(out)


def template_fields(template: str) -> list[str]:
    return [name for _lit, name, _s, _c in _FORMATTER.parse(template) if name is not None]


def _show(value: Any) -> str:
    """A value exactly as recorded: never rounded (50.00001 stays 50.00001), true/false as in the record."""
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return positional(value)  # 0.00001, not 1e-05
    return str(value)
