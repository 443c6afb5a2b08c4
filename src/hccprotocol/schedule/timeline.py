"""The schedule engine's own view of the course and the doses: a small interface, not the dosing engine.

Why: the calendar needs only three things from dosing and the course replay:
the starting dose of each agent, how each agent is given (route, infusion hour
and duration), and which dated changes the course made (interrupt, hold,
resume, reduce, restore, delay, discontinue). Keeping them behind these small
types lets the date engine be built and tested on its own, and lets adapters
(``schedule/adapters.py``) translate whatever the dosing and course packages
return without the engine knowing their shape.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

__all__ = [
    "CYTOTOXIC_HAIC_AGENTS",
    "HAIC_AGENTS",
    "PD1_IDS",
    "AgentDose",
    "AgentState",
    "AgentTiming",
    "CourseChange",
    "CourseTimeline",
    "DoseSource",
    "FixedDoses",
    "canonical_agent",
]

HAIC_AGENTS: tuple[str, ...] = ("oxaliplatin", "leucovorin", "fluorouracil")
"""The FOLFOX-HAIC agents given through the hepatic-artery catheter on cycle day 1."""

CYTOTOXIC_HAIC_AGENTS: tuple[str, ...] = ("oxaliplatin", "fluorouracil")
"""The HAIC agents that treat the tumour. Leucovorin only modulates fluorouracil: an admission
with neither of these left would infuse leucovorin alone, so HAIC stops instead."""

PD1_IDS: frozenset[str] = frozenset({"pd1", "camrelizumab", "sintilimab"})
"""Ids the course may use for the PD-1 inhibitor: generic, or the named product."""

Action = Literal["start", "reduce", "interrupt", "hold", "resume", "restore", "delay", "discontinue"]
Status = Literal["active", "held", "discontinued"]


def canonical_agent(agent: str) -> str:
    """The protocol slot of an agent id: every PD-1 product id maps to ``pd1``."""
    return "pd1" if agent in PD1_IDS else agent


@dataclass(frozen=True)
class CourseChange:
    """One dated change the course made to one agent (the course issue's ``events`` row)."""

    date: dt.date
    agent: str
    action: Action
    from_mg: float | None = None
    to_mg: float | None = None
    level: str | None = None
    frequency: str | None = None
    reason: str | None = None
    rule: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class AgentState:
    """What the course says about one agent on one day."""

    status: Status
    dose_mg: float | None
    """The dose the course set (start/reduce/restore/resume), or None: use the starting dose."""
    frequency: str | None
    change: CourseChange | None
    """The change that set the status (None while the agent is untouched)."""
    level: str | None = None
    """The dose level in force (kept while held: the level it resumes at); None: the starting level."""


_ACTIVE = AgentState("active", None, None, None)


@dataclass(frozen=True)
class CourseTimeline:
    """Per-agent dated changes, applied in date order (same-day changes in the order given).

    Semantics: a change takes effect on its own date (an interruption dated the
    day of onset means no dose that day; a resume dated the day of resolution
    means the dose is given that day). ``delay`` holds the agent on that date
    only; ``discontinue`` is permanent. A hold/interrupt and a resume on the same date (an event resolved
    the day it began, or a ``release: same_day`` hold) withhold that day's dose: the record does not say the
    resolution came before the administration, so the resumed state applies from the next day (the course
    replay reports the same status for ``dose --as-of`` that day).
    """

    changes: tuple[CourseChange, ...] = ()
    _by_agent: dict[str, tuple[CourseChange, ...]] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.changes, key=lambda c: c.date))
        by_agent: dict[str, list[CourseChange]] = {}
        for change in ordered:
            by_agent.setdefault(canonical_agent(change.agent), []).append(change)
        object.__setattr__(self, "changes", ordered)
        object.__setattr__(self, "_by_agent", {k: tuple(v) for k, v in by_agent.items()})

    @classmethod
    def of(cls, changes: Iterable[CourseChange]) -> CourseTimeline:
        return cls(tuple(changes))

    def for_agent(self, agent: str) -> tuple[CourseChange, ...]:
        return self._by_agent.get(canonical_agent(agent), ())

    def change_dates(self, agent: str) -> list[dt.date]:
        return [c.date for c in self.for_agent(agent)]

    def state_on(self, agent: str, day: dt.date) -> AgentState:
        changes = self.for_agent(agent)
        if not changes:
            return _ACTIVE
        status: Status = "active"
        dose: float | None = None
        frequency: str | None = None
        level: str | None = None
        last: CourseChange | None = None
        paused_today: CourseChange | None = None
        for change in changes:
            if change.date > day:
                break
            if change.date == day and change.action in ("interrupt", "hold"):
                paused_today = change
            if change.action == "delay":
                if change.date == day and status == "active":
                    status, last = "held", change
                continue
            last = change
            if change.to_mg is not None:
                dose = change.to_mg
            if change.frequency is not None:
                frequency = change.frequency
            if change.level is not None:
                level = change.level
            if change.action == "discontinue":
                return AgentState("discontinued", dose, frequency, change, level)
            if change.action in ("interrupt", "hold"):
                status = "held"
            elif change.action in ("resume", "start"):
                status = "active"
        if status == "active" and paused_today is not None:
            return AgentState("held", dose, frequency, paused_today, level)
        return AgentState(status, dose, frequency, last, level)

    def discontinued_on(self, agent: str) -> dt.date | None:
        for change in self.for_agent(agent):
            if change.action == "discontinue":
                return change.date
        return None


@dataclass(frozen=True)
class AgentDose:
    """The starting dose of one agent, as the dosing engine computed it (None = not computable)."""

    agent: str
    dose_mg: float | None
    route: str | None = None
    frequency: str | None = None
    basis: str | None = None
    status: str | None = None
    note: str | None = None
    level: str | None = None
    """The dose level id this dose is computed at (e.g. ``85mg/m2``), when known."""


class DoseSource(Protocol):
    """Starting doses per protocol agent slot (``pd1`` for any PD-1 product), and the dose at each level."""

    def base_dose(self, agent: str) -> AgentDose | None: ...

    def level_dose(self, agent: str, level: str) -> AgentDose | None:
        """The dose and its arithmetic (``basis``) at one level of the agent, or None when not known."""
        ...

    def summary(self) -> list[AgentDose]: ...


@dataclass(frozen=True)
class FixedDoses:
    """A DoseSource from a fixed table (tests, and the fallback when no dosing engine is wired).

    ``levels`` maps an agent slot to its levels (level id -> dose at that level), so the
    calendar can show the arithmetic of a reduced dose rather than the starting one.
    """

    doses: Mapping[str, AgentDose] = field(default_factory=dict)
    levels: Mapping[str, Mapping[str, AgentDose]] = field(default_factory=dict)

    def base_dose(self, agent: str) -> AgentDose | None:
        return self.doses.get(canonical_agent(agent))

    def level_dose(self, agent: str, level: str) -> AgentDose | None:
        return self.levels.get(canonical_agent(agent), {}).get(level)

    def summary(self) -> list[AgentDose]:
        return list(self.doses.values())


@dataclass(frozen=True)
class AgentTiming:
    """How one agent is given: HAIC infusion hours after admission, an IV infusion, or a daily oral drug."""

    agent: str
    kind: Literal["haic_infusion", "iv_infusion", "oral_daily"]
    route: str
    start_h: float | None = None
    """Hours after admission (HAIC agents), e.g. 0 for oxaliplatin, 2 for leucovorin."""
    duration_h: float | None = None
    source: str = ""
