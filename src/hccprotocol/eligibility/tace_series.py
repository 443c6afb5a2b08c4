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
from dataclasses import dataclass
from typing import Any

from hccprotocol.eligibility.decision import Evidence
from hccprotocol.eligibility.options import EligibilityOptions
from hccprotocol.rules_source import SessionFinding

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
    for finding in findings:
        per_session = judgements[finding.id]
        possible = []
        items = []
        for session, j in zip(sessions, per_session, strict=True):
            extends: Tri = True
            if options.agents_changed_required and finding.id in run_findings:
                extends = session.get("agents_changed")
            possible.append(_outcomes(j, extends))
            items.append(_evidence(finding, session, j, extends, options))
        run, possible_run = longest_runs(possible, options.non_counting_session_breaks_run)
        facts[finding.id] = {"run": run, "possible_run": possible_run}
        evidence[finding.id] = items
    return TaceSeries(facts=facts, evidence=evidence)


def _evidence(
    finding: SessionFinding, session: Mapping[str, Any], j: Judgement, extends: Tri, options: EligibilityOptions
) -> Evidence:
    values = {**options.values(), **session}
    parts: list[str] = []
    if finding.counts_when is not None:
        if j.counted is True:
            parts.append(render(finding.counted_why, values))
        elif j.counted is False:
            parts.append(render(finding.not_counted_why, values))
        else:
            parts.append("unknown whether this session counts: " + render(finding.counted_why, values))
    if j.counted is not False:
        if j.present is True:
            parts.append(render(finding.present_why, values))
        elif j.present is False:
            parts.append(render(finding.absent_why, values))
        else:
            parts.append(f"{finding.title.lower()}: unknown (a value it needs is not recorded)")
        if j.present is not False and extends is not True:
            shown = {False: "no: starts a new run", None: "unknown"}[extends]
            parts.append(f"agents changed or feeding artery reanalysed before this session: {shown}")
    counted = j.counted is True and j.present is not None
    return Evidence(session=int(session["session"]), date=session.get("date"), counted=counted, why="; ".join(parts))


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
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
