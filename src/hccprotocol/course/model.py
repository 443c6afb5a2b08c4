"""The course: dated dose events per drug, and each drug's state at any date.

Why a model: ``course --format json`` is a contract (exact keys), and the
calendar (``hccprotocol.schedule``) reads the same objects through
:meth:`Course.state_on`, so there is one answer to "what does this drug get on
this day".
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["AgentState", "AgentTrack", "Course", "CourseAction", "CourseEvent", "DrugStatus", "Snapshot"]

CourseAction = Literal["start", "reduce", "interrupt", "hold", "resume", "restore", "delay", "discontinue"]
DrugStatus = Literal["active", "interrupted", "held", "delayed", "discontinued", "contraindicated"]
"""active: dosed at ``dose_level``; interrupted: lenvatinib paused for toxicity (label wording);
held: HAIC agent or PD-1 held for toxicity or by the clinician; delayed: the next HAIC waits for the
pre-cycle laboratory limits; discontinued: permanent (never restarts); contraindicated: the record states a
contraindication (``contraindications.*``): never dosed (``hccprotocol.course.contraindicated``)."""


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CourseEvent(_Out):
    """One change of one drug on one date, with its trail (rule id and source)."""

    date: dt.date
    agent: str = Field(description="Protocol agent id; the PD-1 product name when pd1_agent is recorded")
    action: CourseAction
    from_mg: float | None = Field(description="Dose before the change (null: not dosed, or BSA unknown)")
    to_mg: float | None = Field(description="Dose after the change (null: not dosed now, or BSA unknown)")
    from_level: str | None
    to_level: str | None
    frequency: str | None = Field(description="Frequency after the change (null when not dosed)")
    reason: str = Field(description="Plain-language reason naming the record entry (e.g. adverse_events[0])")
    rule: str = Field(description="Id of the transition in rules/dose-modification-*.yaml (or course.start)")
    source: str = Field(description="Label, paper section or guideline the rule comes from")


class AgentState(_Out):
    """A drug's state at a point of the course (``current`` in the JSON output)."""

    agent: str
    status: DrugStatus
    dose_mg: float | None = Field(description="Dose per administration now; null unless active (or BSA unknown)")
    dose_level: str | None = Field(
        description="Current level id; while held or interrupted, the level it was at (it may resume one level "
        "lower: see AgentTrack.resume_level and the dose basis)"
    )
    frequency: str | None


class AgentTrack(_Out):
    """Python-only detail of a drug's state (not in the JSON contract)."""

    protocol_agent: str = Field(description="Protocol agent id (oxaliplatin, ..., pd1)")
    state: AgentState
    start_level: str
    restore_permitted: bool = Field(description="A recorded restore would be accepted now (policy and state)")
    restore_to_level: str | None
    blocking: tuple[str, ...] = Field(
        description="Record paths of the entries holding the drug (adverse_events[i], labs[j].urine_protein_g_24h)"
    )
    resume_level: str | None = Field(
        None,
        description="While held or interrupted: the level it resumes at once nothing holds it (None when not "
        "paused, or when no lower level is left and resumption means discontinuation: see resume_reduced)",
    )
    resume_reduced: bool = Field(False, description="While paused: it resumes one level lower (a rule asked for it)")


class Snapshot(_Out):
    """A drug's state after the changes of one date."""

    date: dt.date
    state: AgentState


class Course(_Out):
    """The replayed course: every dose event in date order and the state after the last one."""

    protocol: str
    protocol_version: str
    start: dt.date
    as_of: dt.date | None = Field(
        description="Record entries after this date were not replayed and no event is dated after it (None: all)"
    )
    events: tuple[CourseEvent, ...]
    current: tuple[AgentState, ...]
    tracks: tuple[AgentTrack, ...] = Field(description="Per drug, the detail behind ``current``")
    snapshots: tuple[Snapshot, ...] = Field(description="Each drug's state after every change, in date order")
    warnings: tuple[str, ...] = Field((), description="Notes for the reader, e.g. a restore the policy permits")

    def state_on(self, day: dt.date) -> dict[str, AgentState]:
        """Each drug's state at the end of ``day`` (after every change dated that day).

        For the calendar: a drug whose status is not ``active`` gets no dose that day.
        Before :attr:`start` each drug is reported in its starting state.
        """
        state: dict[str, AgentState] = {}
        for snap in self.snapshots:
            if snap.date <= day or snap.state.agent not in state:
                state[snap.state.agent] = snap.state
        return state

    def to_json_dict(self) -> dict[str, Any]:
        """The ``course --format json`` contract: exactly ``events`` and ``current``."""
        return {
            "events": [e.model_dump(mode="json") for e in self.events],
            "current": [c.model_dump(mode="json") for c in self.current],
        }
