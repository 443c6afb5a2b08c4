"""The ``plan`` command's result: validation of the request, the eligibility gate, and the output document.

Why a separate layer: the engine computes dates; this module decides whether a
calendar may be produced at all (eligibility, start date, number of cycles),
collects doses, course and timings through injectable providers, and builds
the one output model that every exporter reads, so JSON, CSV, iCalendar, HTML
and the table always say the same thing, including the warnings.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict

from hccprotocol import __version__
from hccprotocol.errors import ClinicalGateError
from hccprotocol.gate import EligibilityGate, contraindicated_agents, enforce
from hccprotocol.patient import Patient
from hccprotocol.protocol import Protocol
from hccprotocol.schedule import clock
from hccprotocol.schedule.engine import Schedule, build_schedule
from hccprotocol.schedule.options import validate_timezone
from hccprotocol.schedule.site_calendar import ScheduleInputError, SiteCalendar
from hccprotocol.schedule.timeline import AgentDose, AgentTiming, CourseTimeline, FixedDoses, canonical_agent

__all__ = [
    "EligibilityGate",
    "EventOut",
    "Plan",
    "PlanDocument",
    "Providers",
    "make_plan",
    "parse_start_date",
]

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
HARD_MAX_CYCLES = 52
"""Even with --force: a year of 3-week cycles; anything larger is a typing error."""


@dataclass(frozen=True)
class Providers:
    """Where the plan gets what the engine does not compute; replaced in tests, adapters in production."""

    eligibility: Callable[[Patient, Protocol], EligibilityGate]
    doses: Callable[[Patient, Protocol, dt.date], tuple[FixedDoses, tuple[str, ...]]]
    course: Callable[[Patient, Protocol, dt.date], tuple[CourseTimeline, tuple[str, ...]]]
    timings: Callable[[Protocol], Mapping[str, AgentTiming]]
    pd1_interval: Callable[[Protocol], int | None]


class EventOut(BaseModel):
    """One ``events`` entry of ``plan --format json``: exactly the keys of the issue's contract."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    date: str
    end_date: str | None
    time: str | None
    cycle: int
    cycle_day: int
    agent: str | None
    activity: str
    dose_mg: float | None
    route: str | None
    duration_h: float | None
    note: str | None
    rule: str


class ProtocolRef(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    version: str


class PlanDocument(BaseModel):
    """``plan --format json``: the issue's keys first, then the gate, warnings, doses and decision trail."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    patient_id: str
    protocol: ProtocolRef
    options: dict[str, Any]
    start: str
    events: list[EventOut]
    end: str
    eligibility: dict[str, Any]
    warnings: list[str]
    doses: list[dict[str, Any]]
    trail: list[dict[str, Any]]
    hccprotocol_version: str


@dataclass(frozen=True)
class Plan:
    """A patient's calendar with everything needed to print it."""

    patient: Patient
    protocol: Protocol
    start: dt.date
    cycles: int
    timezone: str
    options: dict[str, Any]
    schedule: Schedule
    doses: tuple[AgentDose, ...]
    eligibility: EligibilityGate
    forced: bool
    warnings: tuple[str, ...]
    generated_on: dt.date
    """Content-derived stamp (latest date in the record or the start): reproducible exports."""

    @property
    def events(self) -> pd.DataFrame:
        return self.schedule.events

    @property
    def banner(self) -> str | None:
        """The line every page/output repeats when the calendar was forced past the eligibility gate."""
        if not self.forced:
            return None
        return (
            f"FORCED CALENDAR: patient {self.eligibility.summary} for {self.protocol.id} "
            "(produced with --force; not a treatment decision)"
        )

    def event_rows(self) -> list[dict[str, Any]]:
        return [EventOut.model_validate(row).model_dump() for row in _records(self.events)]

    def document(self) -> PlanDocument:
        return PlanDocument(
            patient_id=self.patient.id,
            protocol=ProtocolRef(id=self.protocol.id, version=self.protocol.version),
            options=self.options,
            start=self.start.isoformat(),
            events=[EventOut.model_validate(row) for row in _records(self.events)],
            end=self.schedule.end.isoformat(),
            eligibility={
                "eligible": self.eligibility.eligible,
                "summary": self.eligibility.summary,
                "reasons": list(self.eligibility.reasons),
                "forced": self.forced,
            },
            warnings=list(self.warnings),
            doses=[
                {
                    "agent": d.agent,
                    "dose_mg": d.dose_mg,
                    "route": d.route,
                    "frequency": d.frequency,
                    "basis": d.basis,
                    "status": d.status,
                    "note": d.note,
                }
                for d in self.doses
            ],
            trail=[t.to_json() for t in self.schedule.trail],
            hccprotocol_version=__version__,
        )

    def to_json_dict(self) -> dict[str, Any]:
        return self.document().model_dump(mode="json")


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for row in frame.to_dict("records"):
        clean: dict[str, Any] = {}
        for key, value in row.items():
            if isinstance(value, float) and pd.isna(value):
                clean[str(key)] = None
            elif isinstance(value, dt.date):
                clean[str(key)] = value.isoformat()
            else:
                clean[str(key)] = value
        out.append(clean)
    return out


def _shown_agent(dose: AgentDose, patient: Patient) -> AgentDose:
    """The PD-1 slot under the id every row of the plan uses: the product when chosen, ``pd1`` while open."""
    if dose.agent == "pd1" and patient.pd1_agent is not None:
        return dataclasses.replace(dose, agent=patient.pd1_agent)
    return dose


def parse_start_date(text: str) -> dt.date:
    """``YYYY-MM-DD`` only; an impossible date (2027-02-30) is an input error naming it."""
    if not _ISO_DATE.match(text.strip()):
        raise ScheduleInputError(f"--start: {text!r} is not a date in the form YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError as exc:
        raise ScheduleInputError(f"--start: {text!r} is not a real calendar date ({exc})") from None


def _generated_on(patient: Patient, start: dt.date) -> dt.date:
    dates = [start]
    dates.extend(r.date for r in patient.labs or ())
    dates.extend(e.onset_date for e in patient.adverse_events or ())
    dates.extend(e.resolved_date for e in patient.adverse_events or () if e.resolved_date)
    dates.extend(c.date for c in patient.dose_changes or ())
    return max(dates)


def _schedulable_agents(patient: Patient, protocol: Protocol) -> tuple[tuple[str, ...], list[str]]:
    """The protocol's agents less those with a recorded contraindication (never scheduled, even with --force).

    The calendar is anchored on HAIC: with HAIC contraindicated there is no calendar to give (a clinical
    refusal, exit 3, naming ``contraindications.haic``, also with --force).
    """
    forbidden = contraindicated_agents(patient, protocol)
    if any(a in forbidden for a in ("oxaliplatin", "leucovorin", "fluorouracil")):
        raise ClinicalGateError(
            f"no calendar: contraindications.haic is true for patient {patient.id}: the calendar is built on the "
            "HAIC cycles, and no HAIC drug may be given (Lin 2023, exclusion (8)); not produced even with --force"
        )
    kept = tuple(a for a in protocol.agent_ids() if a not in forbidden)
    notes = [
        f"{agent} not scheduled: {path} is true (contraindicated; Lin 2023, exclusion (8))"
        for agent, path in forbidden.items()
    ]
    return kept, notes


def _no_course_dose_without_input(timeline: CourseTimeline, doses: FixedDoses) -> CourseTimeline:
    """Drop the course's mg for an agent whose starting dose waits for an input (``pending_input``).

    Why: the course replays from the protocol start level when, e.g., the creatinine clearance
    for the oxaliplatin renal start is unknown; the calendar must not show that mg (a silent full
    dose) where ``dose`` gives none. The rows then say "dose not computed" with the reason.
    """
    waiting = {d.agent for d in doses.summary() if d.status == "pending_input"}
    if not waiting:
        return timeline
    changes = [
        dataclasses.replace(c, from_mg=None, to_mg=None) if canonical_agent(c.agent) in waiting else c
        for c in timeline.changes
    ]
    return CourseTimeline.of(changes)


def make_plan(
    patient: Patient,
    protocol: Protocol,
    *,
    start: dt.date,
    providers: Providers,
    cycles: int | None = None,
    timezone: str | None = None,
    site_calendar: SiteCalendar | None = None,
    site_calendar_label: str | None = None,
    force: bool = False,
    allow_past: bool = False,
    today: dt.date | None = None,
) -> Plan:
    """Validate the request, apply the eligibility gate, and build the calendar.

    Raises :class:`ScheduleInputError` (exit 2) for a past start without
    ``allow_past``, zero/negative cycles, more cycles than the protocol allows
    without ``force``, an unknown time zone, a site calendar that blocks a whole
    window; :class:`ClinicalGateError` (exit 3) for an ineligible or undetermined
    patient without ``force``.
    """
    opts = protocol.schedule
    try:
        zone = validate_timezone(timezone) if timezone is not None else opts.timezone
    except ValueError as exc:
        raise ScheduleInputError(f"--timezone: {exc}") from None
    warnings: list[str] = []
    n = opts.default_cycles if cycles is None else cycles
    if n < 1:
        raise ScheduleInputError(f"--cycles: the number of HAIC cycles must be at least 1 (received {n})")
    if n > HARD_MAX_CYCLES:
        raise ScheduleInputError(f"--cycles: {n} is more than {HARD_MAX_CYCLES}, which no protocol plans")
    if n > opts.max_cycles_without_force:
        if not force:
            raise ScheduleInputError(
                f"--cycles: {n} cycles is more than the protocol's {opts.max_cycles_without_force} "
                "(the paper's range is 2-8); use --force to plan them anyway"
            )
        warnings.append(f"{n} HAIC cycles planned with --force (protocol maximum {opts.max_cycles_without_force})")
    now = today if today is not None else clock.today(zone)
    if start < now and not allow_past:
        raise ScheduleInputError(
            f"--start: {start.isoformat()} is in the past (today is {now.isoformat()} in {zone}); "
            "use --allow-past to plan a course that has already started"
        )
    gate = providers.eligibility(patient, protocol)
    mark = enforce(gate, patient, protocol, force=force, what="calendar")
    if mark is not None:
        warnings.insert(0, mark)
    agents, left_out = _schedulable_agents(patient, protocol)
    warnings.extend(left_out)
    if patient.treatment_start is not None and patient.treatment_start != start:
        warnings.append(
            f"--start {start.isoformat()} differs from treatment_start "
            f"{patient.treatment_start.isoformat()} in the record"
        )
    doses, dose_warnings = providers.doses(patient, protocol, start)
    timeline, course_warnings = providers.course(patient, protocol, start)
    timeline = _no_course_dose_without_input(timeline, doses)
    warnings.extend(dose_warnings)
    warnings.extend(course_warnings)
    schedule = build_schedule(
        patient=patient,
        agents=agents,
        options=opts,
        start=start,
        cycles=n,
        timezone=zone,
        site_calendar=site_calendar,
        timeline=timeline,
        doses=doses,
        timings=providers.timings(protocol),
        pd1_interval_days=providers.pd1_interval(protocol),
    )
    if schedule.haic_stopped:
        warnings.append(schedule.haic_stopped)
    warnings.extend(schedule.warnings)
    options: dict[str, Any] = opts.model_dump(mode="json")
    options.update(
        {
            "cycles": n,
            "cycles_from": "--cycles" if cycles is not None else "schedule.default_cycles",
            "timezone": zone,
            "site_calendar": None
            if site_calendar is None
            else {"file": site_calendar_label, **site_calendar.describe()},
            "force": force,
            "allow_past": allow_past,
            "fluorouracil_infusion_hours": protocol.dosing.fluorouracil_infusion_hours,
            "pd1_schedule": protocol.dosing.pd1_schedule,
        }
    )
    return Plan(
        patient=patient,
        protocol=protocol,
        start=start,
        cycles=n,
        timezone=zone,
        options=options,
        schedule=schedule,
        doses=tuple(_shown_agent(d, patient) for d in doses.summary()),
        eligibility=gate,
        forced=gate.eligible is not True,
        warnings=tuple(warnings),
        generated_on=_generated_on(patient, start),
    )
