"""CTCAE v5.0 grading of dated lab values, and the adverse events they imply (``rules/ctcae-lab-grading.yaml``).

Why: a grade 4 neutropenia or grade 3-4 thrombocytopenia that is only in ``labs`` (never recorded as an
adverse event) must hold and reduce the drugs exactly as the recorded event would. The thresholds and the
triggers are reviewed data; this module turns a series of results into episodes (onset, worsening, resolution)
and hands the replay ordinary :class:`~hccprotocol.patient.AdverseEvent` objects, so the same transition tables
decide. A recorded event of the same term for the same drugs takes precedence over the lab-derived one.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hccprotocol import ctcae
from hccprotocol.model.datafile import Located, load_data_text
from hccprotocol.patient import AdverseEvent, LabResult
from hccprotocol.regimen import AgentId

__all__ = ["Derived", "LabGrading", "Trigger", "derive_events", "lab_grading", "load_lab_grading_text"]

FILE = "ctcae-lab-grading.yaml"


class _Def(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GradedField(_Def):
    term: str
    below: dict[int, float] = Field(description="Grade -> the value below which a result has (at least) that grade")
    source: str = Field(min_length=1)

    def grade(self, value: float) -> int:
        """CTCAE grade of a value; 1 means 'grade <= 1' (grade 1 needs the laboratory's LLN, not recorded)."""
        graded = [g for g, limit in self.below.items() if value < limit]
        return max(graded, default=1)


class Trigger(_Def):
    """A rule: a lab-only grade of ``field`` at or above ``from_grade`` is an adverse event for ``agents``."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.\-]*$")
    title: str = Field(min_length=1)
    statement: str = Field(min_length=1, description="The rule in plain clinical language")
    field: str
    agents: tuple[AgentId, ...] = Field(min_length=1)
    from_grade: int = Field(ge=2, le=4)
    resolved_at_grade: int = Field(ge=1, le=3)
    why: str = Field(min_length=1, description="The source: label wording and the transition that acts")
    line: int = Field(0, exclude=True, description="Line of the trigger in its file")

    @property
    def source(self) -> str:
        return self.why


class LabGrading(_Def):
    id: str
    version: str = Field(pattern=r"^\d+\.\d+\.\d+$")
    file: str = Field("", exclude=True)
    fields: dict[str, GradedField]
    triggers: tuple[Trigger, ...]

    @model_validator(mode="after")
    def _consistent(self) -> LabGrading:
        known = ctcae.terms()
        for name, graded in self.fields.items():
            if name not in LabResult.model_fields:
                raise Located(("fields", name), f"{name!r} is not a labs[] field ({', '.join(LabResult.model_fields)})")
            term = known.get(graded.term)
            if term is None:
                raise Located(("fields", name, "term"), f"{graded.term!r} is not a CTCAE v5.0 term")
            bad = sorted(set(graded.below) - set(term.grades) - {1})
            if bad or not graded.below or 1 in graded.below:
                raise Located(
                    ("fields", name, "below"), f"grades {sorted(graded.below)} must be grades 2-5 of {graded.term!r}"
                )
            ordered = [graded.below[g] for g in sorted(graded.below)]
            if any(later >= earlier for earlier, later in itertools.pairwise(ordered)):
                raise Located(("fields", name, "below"), f"thresholds must fall as the grade rises, got {graded.below}")
        seen: dict[str, int] = {}
        for i, t in enumerate(self.triggers):
            if t.id in seen:
                raise Located(("triggers", i, "id"), f"duplicate trigger id {t.id!r} (first: triggers[{seen[t.id]}])")
            seen[t.id] = i
            if t.field not in self.fields:
                raise Located(("triggers", i, "field"), f"{t.field!r} is not graded in fields")
            if t.resolved_at_grade >= t.from_grade:
                raise Located(("triggers", i, "resolved_at_grade"), "resolved_at_grade must be below from_grade")
        return self


def load_lab_grading_text(text: str, file: str = f"rules/{FILE}") -> LabGrading:
    """Load a lab-grading file through the model's data loader (errors: RuleFileError naming ``file:line``).

    Each trigger is a rule with an id, title, statement and source (``why``) and its line, so the rule
    registry and the trail of a lab-derived event name it like any other rule.
    """
    model, src = load_data_text(text, file, LabGrading)
    triggers = tuple(t.model_copy(update={"line": src.line(("triggers", i))}) for i, t in enumerate(model.triggers))
    return model.model_copy(update={"triggers": triggers, "file": file})


@functools.cache
def lab_grading() -> LabGrading:
    return load_lab_grading_text(resources.files("hccprotocol.data.rules").joinpath(FILE).read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Derived:
    """An adverse event implied by lab values, with where it came from (for the trail)."""

    event: AdverseEvent
    path: str
    """``labs[3].platelets_10e9_l``: the result that began (or worsened) the episode."""
    trigger: Trigger
    value: float


def derive_events(
    labs: Sequence[LabResult],
    agents: dict[str, dt.date],
    covered: Callable[[str, frozenset[str], dt.date, dt.date | None], int | None],
) -> tuple[list[Derived], list[str]]:
    """Events implied by ``labs`` for the protocol's ``agents`` (id -> first dosing day); and notes.

    ``covered(term, agents, onset, resolved)`` returns the index of a recorded adverse event that already covers
    the episode (same term, one of those agents, overlapping dates), or None.
    """
    grading = lab_grading()
    out: list[Derived] = []
    notes: list[str] = []
    for trigger in grading.triggers:
        targets = [a for a in trigger.agents if a in agents]
        if not targets:
            continue
        first_day = min(agents[a] for a in targets)
        graded = grading.fields[trigger.field]
        series = sorted(
            ((lab.date, i, getattr(lab, trigger.field)) for i, lab in enumerate(labs) if lab.date >= first_day),
            key=lambda row: (row[0], row[1]),
        )
        series = [row for row in series if row[2] is not None]
        pos = 0
        while pos < len(series):
            day, i, value = series[pos]
            grade = graded.grade(float(value))
            if grade < trigger.from_grade:
                pos += 1
                continue
            starts: list[tuple[dt.date, int, float, int]] = [(day, i, float(value), grade)]
            end: dt.date | None = None
            pos += 1
            while pos < len(series):
                d2, i2, v2 = series[pos]
                g2 = graded.grade(float(v2))
                if g2 <= trigger.resolved_at_grade:
                    end = d2
                    pos += 1
                    break
                if g2 > starts[-1][3]:
                    starts.append((d2, i2, float(v2), g2))
                pos += 1
            hit = covered(graded.term, frozenset(targets), day, end)
            if hit is not None:
                notes.append(
                    f"labs[{i}].{trigger.field} {value:g} on {day} (CTCAE v5.0 {graded.term} grade {grade}) is covered "
                    f"by adverse_events[{hit}] for {', '.join(targets)} ({trigger.id})"
                )
                continue
            for onset, index, v, g in starts:
                event = AdverseEvent(
                    onset_date=onset,
                    term=graded.term,
                    grade=g,
                    attributed_to=tuple(targets),
                    resolved_date=end,
                )
                out.append(Derived(event, f"labs[{index}].{trigger.field}", trigger, v))
    return out, notes
