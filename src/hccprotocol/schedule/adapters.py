"""Adapters from the protocol, dosing, course and eligibility packages to the schedule engine's interface.

Why: the engine reads only ``AgentTiming``, ``DoseSource``, ``CourseTimeline``
and an eligibility decision (``timeline.py``, ``plan.py``). These functions are
the one place that knows the shape of the other packages' results, so a change
there is a change here, and the date engine and its tests stay untouched.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from hccprotocol.patient import Patient
from hccprotocol.protocol import Protocol
from hccprotocol.schedule.plan import EligibilityGate, Providers
from hccprotocol.schedule.timeline import (
    AgentDose,
    AgentTiming,
    CourseChange,
    CourseTimeline,
    FixedDoses,
    canonical_agent,
)

__all__ = [
    "course_timeline",
    "default_providers",
    "eligibility_gate",
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


def start_doses(patient: Patient, protocol: Protocol, start: dt.date) -> tuple[FixedDoses, tuple[str, ...]]:
    """Starting doses from ``hccprotocol.dosing.next_cycle_doses(patient, protocol, as_of=start)``.

    Each agent keeps the dosing engine's dose (``None`` when it could not compute
    one: the calendar then shows the dose as not computed), basis, route and
    frequency. The dosing engine's own pre-cycle warning is left out: the
    calendar schedules and judges every pre-cycle check itself (from
    ``schedule.precycle_labs.from_cycle``) and shows each one on its date.
    """
    from hccprotocol.dosing import next_cycle_doses

    result = next_cycle_doses(patient, protocol, start)
    doses: dict[str, AgentDose] = {}
    for row in result.agents:
        agent = canonical_agent(row.agent)
        doses[agent] = AgentDose(
            agent=agent,
            dose_mg=row.dose_mg,
            route=row.route,
            frequency=row.frequency,
            basis=row.basis,
            status=row.status,
            note=None
            if row.dose_mg is not None
            else f"dosing engine gives no dose (status {row.status}; see warnings)",
        )
    warnings = tuple(w for w in result.warnings if not w.startswith("pre-cycle check"))
    return FixedDoses(doses), warnings


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

    course = replay_course(patient, protocol, start)
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


def eligibility_gate(patient: Patient, protocol: Protocol) -> EligibilityGate:
    """The eligibility decision of ``hccprotocol.eligibility.evaluate_eligibility`` for this arm.

    ``reasons`` lists, by rule id, what excludes the patient or is unknown: inclusion
    criteria not met, exclusion criteria met, criteria whose status is unknown, and TACE
    refractoriness when it is not met or unknown.
    """
    from hccprotocol.eligibility import evaluate_eligibility

    result = evaluate_eligibility(patient, protocol)
    reasons: list[str] = []
    if result.tace_refractory.status != "met":
        reasons.append(f"tace_refractory: {result.tace_refractory.status}")
    for criterion in result.criteria:
        status, kind = criterion.status, criterion.kind
        if status == "unknown" or (kind == "inclusion" and status == "not_met") or (
            kind == "exclusion" and status == "met"
        ):
            reasons.append(f"{criterion.id}: {status}")
    return EligibilityGate(result.eligible, _summary(result.eligible), tuple(reasons))


def default_providers() -> Providers:
    return Providers(
        eligibility=eligibility_gate, doses=start_doses, course=course_timeline, timings=protocol_timings,
        pd1_interval=pd1_interval_days,
    )


def _summary(eligible: bool | None) -> str:
    return {True: "eligible", False: "not eligible", None: "eligibility undetermined"}[eligible]
