"""Adapters from the protocol, dosing, course and eligibility packages to the schedule engine's interface.

Why: the engine reads only ``AgentTiming``, ``DoseSource``, ``CourseTimeline``
and an eligibility decision (``timeline.py``, ``plan.py``). These functions are
the one place that knows the shape of the other packages' results, so a change
there is a change here, and the date engine and its tests stay untouched.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from hccprotocol.gate import EligibilityGate, eligibility_gate
from hccprotocol.patient import Patient
from hccprotocol.protocol import Protocol
from hccprotocol.schedule.plan import Providers
from hccprotocol.schedule.timeline import (
    AgentDose,
    AgentTiming,
    CourseChange,
    CourseTimeline,
    FixedDoses,
    canonical_agent,
)

__all__ = [
    "EligibilityGate",
    "course_timeline",
    "default_providers",
    "eligibility_gate",
    "level_doses",
    "pd1_interval_days",
    "protocol_timings",
    "start_doses",
]


def protocol_timings(protocol: Protocol) -> dict[str, AgentTiming]:
    """How each agent of the arm is given, from ``agents[].infusion``/``route`` of the protocol file."""
    timings: dict[str, AgentTiming] = {}
    for agent in protocol.agents:
        if agent.route == "oral":
            timings[agent.id] = AgentTiming(agent.id, "oral_daily", agent.route, source=agent.source)
            continue
        infusion = agent.infusion
        kind: Literal["haic_infusion", "iv_infusion"] = (
            "haic_infusion" if agent.route == "intra-arterial" else "iv_infusion"
        )
        if infusion is None:
            timings[agent.id] = AgentTiming(agent.id, kind, agent.route, source=agent.source)
            continue
        hours = infusion.hours
        if hours is None and infusion.hours_option == "fluorouracil_infusion_hours":
            hours = float(protocol.dosing.fluorouracil_infusion_hours)
        timings[agent.id] = AgentTiming(
            agent.id, kind, agent.route, start_h=infusion.start_hour, duration_h=hours, source=infusion.source
        )
    return timings


def pd1_interval_days(protocol: Protocol) -> int | None:
    """None: PD-1 with each HAIC (``q3w_with_haic``); 28: the paper's 4-week reading (``q4w_paper``)."""
    return 28 if protocol.dosing.pd1_schedule == "q4w_paper" else None


STOPPED_STATUSES = frozenset({"held", "interrupted", "discontinued", "contraindicated", "pending_input"})
"""Dosing statuses under which no dose is given whatever the calendar decides (the course stopped the drug)."""


def level_doses(patient: Patient, protocol: Protocol) -> dict[str, dict[str, AgentDose]]:
    """The dose and its arithmetic at every level of every agent (``dosing.calc``), by agent slot and level id.

    Why: a reduced dose must be shown with its own arithmetic ("65 mg/m2 x 1.8025 m2"),
    so the calendar looks up the level the course has in force on each date.
    """
    from hccprotocol.dosing import calc

    bsa = calc.bsa_for_dosing(patient, protocol)
    table: dict[str, dict[str, AgentDose]] = {}
    for agent in protocol.agents:
        slot = canonical_agent(agent.id)
        for level in agent.levels:
            computed = calc.level_mg(level, bsa, protocol.dosing.per_m2_rounding_mg)
            table.setdefault(slot, {})[level.id] = AgentDose(
                agent=slot,
                dose_mg=computed.dose_mg,
                route=agent.route,
                frequency=calc.level_frequency(agent, level, protocol),
                basis=computed.basis,
                level=level.id,
            )
    return table


def start_doses(patient: Patient, protocol: Protocol, start: dt.date) -> tuple[FixedDoses, tuple[str, ...]]:
    """Starting doses from ``hccprotocol.dosing.next_cycle_doses(patient, protocol, as_of=start)``.

    Each agent keeps the dosing engine's dose, basis, route, frequency and level;
    the dose at every level (``level_doses``) goes with them. The calendar
    judges every pre-cycle check itself and shows each one on its date, so:

    - the dosing engine's warnings about a check with no result yet are left out;
    - a FOLFOX agent the dosing engine gates by its own pre-cycle state on the start
      day (``pending_precycle_check``, ``delayed``) gets the dose and arithmetic of
      its level: the calendar gates each HAIC on its own date (cycle 1 with a
      failing recorded result gets a note and a warning from the engine), so the
      dosing engine's pre-cycle warnings are left out too;
    - a drug the course holds, interrupts or discontinued gets no dose (``None``,
      with the reason), never a guess;
    - without ``treatment_start`` in the record, ``start`` (the first HAIC) is the
      course start: the starting doses are those before any recorded event, and
      each adverse event or dose change acts on its own date through
      ``course_timeline`` (replayed from ``start``), which also validates them.
    """
    from hccprotocol.dosing import next_cycle_doses

    # force: make_plan has applied the same gate (hccprotocol.gate) and marked a forced calendar
    result = next_cycle_doses(_before_the_course(patient), protocol, start, force=True)
    levels = level_doses(patient, protocol)
    # a forced calendar carries its own banner on every row: the dose lines' mark is not repeated
    mark = f"[FORCED: {result.eligibility['summary']}] " if result.eligibility.get("forced") else None
    doses: dict[str, AgentDose] = {}
    for row in result.agents:
        agent = canonical_agent(row.agent)
        dose, note = row.dose_mg, None
        basis: str | None = row.basis.removeprefix(mark) if mark else row.basis
        at_level = levels.get(agent, {}).get(row.dose_level) if row.dose_level else None
        if row.status in STOPPED_STATUSES or (dose is None and row.status == "active"):
            if dose is None:
                note = f"dosing engine gives no dose (status {row.status}; see warnings)"
        elif row.status != "active":
            # gated by the dosing engine's own pre-cycle state on the start day: the calendar shows the
            # level's dose and arithmetic and gates each HAIC itself (cycle 1 with a failing recorded
            # result: a note on its admission and a warning, see the engine)
            if at_level is not None and at_level.dose_mg is not None:
                dose, basis = at_level.dose_mg, at_level.basis
                note = (
                    f"dosing engine status on {start.isoformat()}: {row.status}; dose of level {row.dose_level}, "
                    "given only when the pre-cycle check of its cycle passes"
                )
            elif dose is None:
                note = f"dosing engine gives no dose (status {row.status}; see warnings)"
        doses[agent] = AgentDose(
            agent=agent,
            dose_mg=dose,
            route=row.route,
            frequency=row.frequency,
            basis=basis,
            status=row.status,
            note=note,
            level=row.dose_level,
        )
    # the calendar judges each pre-cycle check itself and marks a forced calendar itself
    warnings = tuple(w for w in result.warnings if not w.startswith(("pre-cycle check", "FORCED")))
    return FixedDoses(doses, levels), warnings


def _before_the_course(patient: Patient) -> Patient:
    """The record as the dosing engine must read it for the starting doses of a course starting on --start.

    The dosing engine refuses adverse events or dose changes without ``treatment_start``
    (it cannot tell what they follow). For the calendar, ``--start`` is the first HAIC and
    the course timeline replays those entries from it; the starting doses are the ones
    before any of them.
    """
    if patient.treatment_start is not None or not (patient.adverse_events or patient.dose_changes):
        return patient
    return patient.model_copy(update={"adverse_events": None, "dose_changes": None})


PRECYCLE_RULE_PREFIX = "precycle."
"""Course events driven by the pre-cycle laboratory limits (``precycle.<field>.<min|max>``, ``precycle.met``)."""


def course_timeline(patient: Patient, protocol: Protocol, start: dt.date) -> tuple[CourseTimeline, tuple[str, ...]]:
    """Dated changes from ``hccprotocol.course.replay_course(patient, protocol, start)``.

    The course's laboratory delays (rules ``precycle.*``) are left out on purpose:
    the course holds a HAIC "delayed" until a passing result is recorded, while
    the calendar projects the future, delaying by ``schedule.delay_step_days``
    and showing the re-check as due. Both read the same limits
    (``schedule.precycle_labs.limits``), so they agree on which result fails.
    Every other change (start, interrupt, hold, resume, reduce, restore,
    discontinue) is passed through with its reason, rule and source.
    """
    from hccprotocol.course import replay_course

    course = replay_course(patient, protocol, start=start)
    changes = [
        CourseChange(
            date=e.date,
            agent=e.agent,
            action=e.action,
            from_mg=e.from_mg,
            to_mg=e.to_mg,
            level=e.to_level,
            frequency=e.frequency,
            reason=e.reason,
            rule=e.rule,
            source=e.source,
        )
        for e in course.events
        if not e.rule.startswith(PRECYCLE_RULE_PREFIX)
    ]
    return CourseTimeline.of(changes), tuple(course.warnings)


def default_providers() -> Providers:
    return Providers(
        eligibility=eligibility_gate, doses=start_doses, course=course_timeline, timings=protocol_timings,
        pd1_interval=pd1_interval_days,
    )

