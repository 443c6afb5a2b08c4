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
unknown for it (the model reads the two as one count known within bounds,
``tace.<finding>.consecutive_sessions``) (the longest run the missing data could allow). A criterion is
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
from hccprotocol.model.conditions import Condition, paths_read
from hccprotocol.model.rules import SessionFinding
from hccprotocol.rules_engine import positional

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
    RESTART = "counts, finding present, starts a new run (no change of agents or feeding-artery reanalysis)"


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


CHANGE_FIELDS = ("agents_changed", "feeding_artery_reanalysed")
"""Session fields that make a later session 'after changing the drugs and/or reanalysis of the feeding artery'."""


def changed_before(session: Mapping[str, Any]) -> Tri:
    """Agents changed OR feeding artery reanalysed, three-valued: true if either is true, false if both are false."""
    values = [session.get(f) for f in CHANGE_FIELDS]
    if any(v is True for v in values):
        return True
    return False if all(v is False for v in values) else None


def needs_change(finding: SessionFinding, options: EligibilityOptions) -> bool:
    """Whether a later session of this finding's run must follow a change (option change_before_later_session)."""
    return finding.repeat_needs_change and options.change_before_later_session == "agents_or_feeding_artery"


def summarise(
    findings: Sequence[SessionFinding],
    sessions: Sequence[Mapping[str, Any]] | None,
    judgements: Mapping[str, Sequence[Judgement]],
    options: EligibilityOptions,
) -> TaceSeries:
    """Runs and per-session evidence for every finding (``findings`` with their texts resolved, see compile).

    A finding with ``repeat_needs_change`` under the default option extends a run only at a session with
    agents changed or the feeding artery reanalysed (JSH 2014: "even after changing the chemotherapeutic
    drugs and/or reanalysis of the feeding artery"); both recorded false starts a new run; unknown is both.
    """
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
        change_rule = needs_change(finding, options)
        for position, (session, j) in enumerate(zip(sessions, per_session, strict=True)):
            # The first session has no run before it to extend: whether it followed a change cannot matter.
            extends: Tri = changed_before(session) if change_rule and position > 0 else True
            possible.append(_outcomes(j, extends))
            items.append(_evidence(finding, reads, session, j, extends, change_rule, options, missing))
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
        def fields(cond: Condition | None) -> tuple[str, ...]:
            paths = paths_read(cond) if cond is not None else ()
            return session_record_fields(p for p in paths if not p.startswith("option."))

        return cls(counting=fields(finding.counts_when), finding=fields(finding.present_when))


def _evidence(
    finding: SessionFinding,
    reads: _Reads,
    session: Mapping[str, Any],
    j: Judgement,
    extends: Tri,
    change_rule: bool,
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
            parts.append(render(_text(finding.counted_why), values))
        elif j.counted is False:
            parts.append(render(_text(finding.not_counted_why), values))
        else:
            parts.append("unknown whether this session counts" + _not_recorded(reads.counting, session, index, missing))
    if j.counted is not False:
        read.extend(reads.finding)
        if j.present is True:
            parts.append(render(_text(finding.present_why), values))
        elif j.present is False:
            parts.append(render(_text(finding.absent_why), values))
        else:
            parts.append(f"{_sentence(finding.title)}: unknown" + _not_recorded(reads.finding, session, index, missing))
        if change_rule and index > 0 and j.present is not False:
            read.extend(CHANGE_FIELDS)
            parts.append(_change_text(session, index, extends, missing))
    counted = j.counted is True and j.present is not None
    inputs = {_path(index, name): session.get(name) for name in dict.fromkeys(read)}
    return Evidence(
        session=index, date=session.get("date"), counted=counted, why="; ".join(parts), inputs=inputs
    )


def _change_text(session: Mapping[str, Any], index: int, extends: Tri, missing: list[str]) -> str:
    """What the change requirement read for this session and what it made of it (the option is named)."""
    shown = ", ".join(f"{f} = {_show(session.get(f))}" for f in CHANGE_FIELDS)
    if extends is True:
        verdict = "after a change, so it may extend a run"
    elif extends is False:
        verdict = "no change of agents and no feeding-artery reanalysis, so it can only start a new run"
    else:
        unknown = [_path(index, f) for f in CHANGE_FIELDS if session.get(f) is None]
        missing.extend(unknown)
        verdict = f"unknown whether it followed a change (not recorded: {', '.join(unknown)})"
    return f"change_before_later_session = agents_or_feeding_artery: {shown}: {verdict}"


def _text(value: object) -> str:
    """A finding text resolved at compile (a ``$case`` text reaching here is a defect)."""
    if not isinstance(value, str):
        raise TypeError(f"unresolved rule text {value!r}: findings must be compiled before they are summarised")
    return value


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


def _show(value: Any) -> str:
    """A value exactly as recorded: never rounded (50.00001 stays 50.00001), true/false as in the record."""
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return positional(value)  # 0.00001, not 1e-05
    return str(value)
