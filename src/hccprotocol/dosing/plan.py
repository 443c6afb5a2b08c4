"""Assemble the ``dose`` output: the course state on ``as_of`` turned into mg, rates, units and warnings.

Why through the course: the next cycle's dose is the start level after every
recorded modification, and only the replay knows those. Before treatment starts
there is nothing to replay and every drug is at its start level.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hccprotocol.course import AgentState, precycle, replay_course
from hccprotocol.course.record import check_arm
from hccprotocol.dosing import calc
from hccprotocol.dosing.model import AgentDose, DosePlan
from hccprotocol.measures.derive import derive
from hccprotocol.patient import Patient
from hccprotocol.protocol import Agent, Protocol

__all__ = ["plan_doses"]


def plan_doses(patient: Patient, protocol: Protocol, as_of: dt.date) -> DosePlan:
    check_arm(patient, protocol)
    bsa = calc.bsa_for_dosing(patient, protocol)
    warnings: list[str] = []
    if protocol.approval.status != "approved":
        warnings.append(
            f"protocol {protocol.id} {protocol.version} is {protocol.approval.status}: {protocol.approval.note}"
        )
    started = patient.treatment_start is not None and as_of >= patient.treatment_start
    states: dict[str, AgentState] = {}
    restore_notes: list[str] = []
    if started:
        course = replay_course(patient, protocol, as_of=as_of)
        for track in course.tracks:
            states[track.protocol_agent] = track.state
        restore_notes.extend(course.warnings)
    precycle_warnings, precycle_failing = _precycle(patient, protocol, as_of)
    agents = []
    for agent in protocol.agents:
        state = states.get(agent.id)
        if precycle_failing and agent.route == "intra-arterial" and (state is None or state.status == "active"):
            level, _ = calc.start_level(agent, patient, as_of) if state is None else (state.dose_level or "", "")
            state = AgentState(agent=agent.id, status="delayed", dose_mg=None, dose_level=level, frequency=None)
        agents.append(_agent_dose(agent, patient, protocol, bsa, state, as_of, warnings))
    if bsa.value_m2 is None and any(a.basis == "per_m2" for a in protocol.agents):
        warnings.append(f"BSA unknown ({', '.join(bsa.missing)} missing): no per-m2 (FOLFOX) dose is given")
    if bsa.capped:
        warnings.append(
            f"BSA {bsa.uncapped_m2:.4f} m2 capped at {bsa.value_m2:g} m2 by dosing.bsa_cap_m2 "
            "(ASCO recommends full actual-weight dosing)"
        )
    warnings.extend(_lenvatinib_liver_warning(patient, protocol))
    warnings.extend(precycle_warnings)
    warnings.extend(restore_notes)
    return DosePlan(
        protocol=protocol.id,
        bsa_m2=bsa.value_m2,
        bsa_formula=bsa.formula,
        options=options_in_force(protocol),
        warnings=warnings,
        agents=agents,
    )


def options_in_force(protocol: Protocol) -> dict[str, Any]:
    """Every dosing and modification option (PD-1 options only on the PD-1 arm)."""
    out: dict[str, Any] = {}
    for section in (protocol.dosing, protocol.modification):
        for key, value in section.model_dump(mode="json").items():
            if value is not None or key == "bsa_cap_m2":
                out[key] = value
    return out


def _agent_dose(
    agent: Agent,
    patient: Patient,
    protocol: Protocol,
    bsa: calc.Bsa,
    state: AgentState | None,
    as_of: dt.date,
    warnings: list[str],
) -> AgentDose:
    if state is None:
        level_id, _ = calc.start_level(agent, patient, as_of)
        status = "active"
    else:
        level_id = state.dose_level or ""
        status = state.status
    name = (patient.pd1_agent or "pd1") if agent.id == "pd1" else agent.id
    dosed = status == "active" and level_id != ""
    level = agent.level(level_id) if level_id else None
    hours = calc.infusion_hours(agent, protocol)
    vial_mg = None
    if agent.id == "pd1":
        product = next((p for p in agent.products if p.name == patient.pd1_agent), None)
        vial_mg = product.vial_mg if product else None
        if product is None:
            choices = ", ".join(
                f"{p.name} ({calc.units(agent, level.amount if level else None, p.vial_mg)} x {p.vial_mg:g} mg vial)"
                for p in agent.products
            )
            warnings.append(f"PD-1 inhibitor not chosen (pd1_agent absent): the choice is open: {choices}")
    if level is None:
        return AgentDose(
            agent=name,
            dose_mg=None,
            unrounded_mg=None,
            basis="discontinued",
            route=agent.route,
            day=calc.infusion_days(agent, protocol),
            infusion_hours=hours,
            rate_mg_per_h=None,
            frequency="none",
            vials=None,
            dose_level=None,
            status=status,
        )
    computed = calc.level_mg(level, bsa, protocol.dosing.per_m2_rounding_mg)
    dose = computed.dose_mg if dosed else None
    basis = computed.basis
    if agent.basis == "weight_tier":
        basis = f"{basis} ({_tier_note(agent, patient, as_of, state)}); {_units_note(agent, level.amount)}"
    if agent.id == "pd1":
        basis += " fixed dose (never dose-reduced)"
        if patient.pd1_agent is None:
            names = " or ".join(p.name for p in agent.products)
            basis = f"PD-1 inhibitor ({names}; choice open): {basis}"
    if not dosed:
        basis = f"{basis}; not given while {status}"
    rate = None
    if dose is not None and hours is not None:
        rate = round(dose / hours, 2)
    return AgentDose(
        agent=name,
        dose_mg=dose,
        unrounded_mg=computed.unrounded_mg if dosed else None,
        basis=basis,
        route=agent.route,
        day=calc.infusion_days(agent, protocol),
        infusion_hours=hours,
        rate_mg_per_h=rate,
        frequency=calc.level_frequency(agent, level, protocol),
        vials=calc.units(agent, dose, vial_mg),
        dose_level=level.id,
        status=status,
    )


def _tier_note(agent: Agent, patient: Patient, as_of: dt.date, state: AgentState | None) -> str:
    start = patient.treatment_start if state is not None and patient.treatment_start else as_of
    _, why = calc.start_level(agent, patient, start)
    return f"start tier from {why}, not re-tiered"


def _units_note(agent: Agent, amount: float) -> str:
    if agent.unit_mg is None:
        return ""
    count = calc.units(agent, amount, None)
    form = agent.unit_form or "unit"
    return f"{count} x {agent.unit_mg:g} mg {form}{'s' if count != 1 else ''}"


def _lenvatinib_liver_warning(patient: Patient, protocol: Protocol) -> list[str]:
    if "lenvatinib" not in protocol.agent_ids():
        return []
    cp = derive(patient, protocol.dosing.bsa_formula).derived.child_pugh
    if cp is None:
        return ["Child-Pugh class unknown: the lenvatinib label gives a recommended HCC dose only for Child-Pugh A"]
    if cp.cls != "A":
        return [
            f"Child-Pugh {cp.cls}{cp.score}: the lenvatinib label gives no recommended HCC dose in Child-Pugh B/C "
            "(the paper included Child-Pugh B); the dose shown is the weight-tier dose and needs a clinician's decision"
        ]
    return []


def _precycle(patient: Patient, protocol: Protocol, as_of: dt.date) -> tuple[list[str], bool]:
    """The HAIC's pre-cycle check on ``as_of`` from results no older than the schedule's max age.

    Returns the warnings and whether a known value fails a limit (the HAIC is then delayed).
    """
    limits = precycle.limits(protocol)
    if not limits:
        return ["the protocol defines no pre-cycle laboratory limits: check ANC, platelets and liver function"], False
    schedule: Any = getattr(protocol, "schedule", None)
    max_age = int(getattr(schedule.precycle_labs, "result_max_age_days", 0))
    latest: dict[str, float] = {}
    for lab in sorted(patient.labs or (), key=lambda lab: lab.date):
        if as_of - dt.timedelta(days=max_age) <= lab.date <= as_of:
            for name in precycle.LAB_FIELDS:
                value = getattr(lab, name)
                if value is not None:
                    latest[name] = value
    check = precycle.check_labs(limits, latest)
    out = [f"pre-cycle check not met: {lim.field} {value:g} fails {lim.describe()}" for lim, value in check.failing]
    if check.unknown:
        out.append(
            f"pre-cycle check unknown: no result within {max_age} days before {as_of} for {', '.join(check.unknown)}; "
            "the HAIC needs these before it is given"
        )
    return out, bool(check.failing)
