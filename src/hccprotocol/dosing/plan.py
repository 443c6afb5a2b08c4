"""Assemble the ``dose`` output: the course state on ``as_of`` turned into mg, rates, units and warnings.

Why through the course: the next cycle's dose is the start level after every
recorded modification, and only the replay knows those. Before treatment starts
there is nothing to replay and every drug is at its start level. A record with
adverse events or dose changes but no ``treatment_start`` is refused: those
entries can only be read against the course start, and a dose must never be
given while they are ignored.

The pre-cycle laboratory check (``schedule.precycle_labs``) gates the HAIC drugs:
their mg is always computed (the pharmacist verifies it) but the status says
whether they may be given yet (see :class:`hccprotocol.dosing.model.AgentDose`).
Cycle 1 is the baseline work-up: the same limits, read by the same functions
(``course.precycle``), on the results dated within the window before the first
HAIC, plus the Child-Pugh class.

Before any of that, the clinical gate shared with ``plan`` (``hccprotocol.gate``):
a patient who is not eligible or undetermined is refused unless ``force`` (then
every line is marked), and a drug with a recorded contraindication is
``contraindicated``. A dose that needs an unknown input (BSA; the creatinine
clearance of the oxaliplatin renal start) is ``pending_input``, never a guess.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from hccprotocol.course import AgentState, AgentTrack, precycle, replay_course
from hccprotocol.course.record import check_arm, check_record
from hccprotocol.course.replay import baseline_notes, baseline_statuses
from hccprotocol.dosing import calc
from hccprotocol.dosing.model import AgentDose, DosePlan, DoseStatus, DosingInputError
from hccprotocol.gate import CONTRAINDICATION_SOURCE, contraindicated_agents, eligibility_gate, enforce
from hccprotocol.measures.derive import derive
from hccprotocol.patient import Patient
from hccprotocol.protocol import Agent, Protocol

__all__ = ["plan_doses"]


_GIVEN: frozenset[str] = frozenset({"active", "pending_precycle_check", "delayed"})
"""Statuses whose dose is computed and shown (only ``active`` may be given now)."""


def plan_doses(patient: Patient, protocol: Protocol, as_of: dt.date, *, force: bool = False) -> DosePlan:
    check_arm(patient, protocol)
    _check_course_entries(patient, protocol)  # a record that cannot be read is an input error first
    gate = eligibility_gate(patient, protocol)
    mark = enforce(gate, patient, protocol, force=force, what="doses")
    bsa = calc.bsa_for_dosing(patient, protocol)
    warnings: list[str] = []
    if protocol.approval.status != "approved":
        warnings.append(
            f"protocol {protocol.id} {protocol.version} is {protocol.approval.status}: {protocol.approval.note}"
        )
    started = patient.treatment_start is not None and as_of >= patient.treatment_start
    tracks: dict[str, AgentTrack] = {}
    restore_notes: list[str] = []
    before_start: dict[str, DoseStatus] = {}
    if started:
        course = replay_course(patient, protocol, as_of=as_of)
        tracks = {t.protocol_agent: t for t in course.tracks}
        restore_notes.extend(course.warnings)
    else:
        restore_notes.extend(baseline_notes(patient, protocol, as_of))
        # e.g. urine protein >= 2 g/24 h before the first lenvatinib dose: held, not active (issue 9 item 10)
        before_start.update(baseline_statuses(patient, protocol, as_of))
    first_cycle = patient.treatment_start is None or as_of <= patient.treatment_start
    # the renal start is judged at the course start: a later cycle's dose follows from the start level
    course_start = patient.treatment_start if patient.treatment_start is not None else as_of
    gate_labs = _precycle(patient, protocol, as_of, first_cycle)
    forbidden = contraindicated_agents(patient, protocol)
    agents = []
    for agent in protocol.agents:
        found = tracks.get(agent.id)
        status: DoseStatus = found.state.status if found is not None else before_start.get(agent.id, "active")
        renal = calc.renal_start(agent, patient, course_start)
        if agent.id in forbidden:
            status = "contraindicated"
        elif agent.route == "intra-arterial" and status in ("active", "delayed"):
            if gate_labs.failing or status == "delayed":
                status = "delayed"
            elif gate_labs.pending:
                status = "pending_precycle_check"
        if status in _GIVEN and (
            (agent.basis == "per_m2" and bsa.value_m2 is None) or (renal is not None and renal.level is None)
        ):
            status = "pending_input"
        row = _agent_dose(agent, patient, protocol, bsa, found, status, as_of, warnings, renal, forbidden)
        if mark is not None:
            row = row.model_copy(update={"basis": f"[FORCED: {gate.summary}] {row.basis}"})
        agents.append(row)
        if renal is not None:
            warnings.append(f"{agent.id} starting dose: {renal.why} (source: {renal.source})")
    for agent_id, path in forbidden.items():
        warnings.append(f"{agent_id}: {path} is true: contraindicated, no dose ({CONTRAINDICATION_SOURCE})")
    if bsa.value_m2 is None and any(a.basis == "per_m2" for a in protocol.agents):
        warnings.append(f"BSA unknown ({', '.join(bsa.missing)} missing): no per-m2 (FOLFOX) dose is given")
    if bsa.capped:
        warnings.append(
            f"BSA {bsa.uncapped_m2:.4f} m2 capped at {bsa.value_m2:g} m2 by dosing.bsa_cap_m2 "
            "(ASCO recommends full actual-weight dosing)"
        )
    warnings.extend(_lenvatinib_liver_warning(patient, protocol))
    warnings.extend(gate_labs.warnings)
    warnings.extend(restore_notes)
    if mark is not None:
        warnings.insert(0, mark)
    return DosePlan(
        protocol=protocol.id,
        bsa_m2=bsa.value_m2,
        bsa_formula=bsa.formula,
        options=options_in_force(protocol),
        warnings=warnings,
        agents=agents,
        eligibility={
            "eligible": gate.eligible,
            "summary": gate.summary,
            "reasons": list(gate.reasons),
            "forced": mark is not None,
        },
    )


def options_in_force(protocol: Protocol) -> dict[str, Any]:
    """Every dosing and modification option (PD-1 options only on the PD-1 arm)."""
    out: dict[str, Any] = {}
    for section in (protocol.dosing, protocol.modification):
        for key, value in section.model_dump(mode="json").items():
            if value is not None or key == "bsa_cap_m2":
                out[key] = value
    for agent in protocol.agents:
        if agent.renal_start is not None:
            out[f"{agent.id}_renal_start"] = agent.renal_start.policy
    out["precycle_from_cycle"] = protocol.schedule.precycle_labs.from_cycle
    return out


def _check_course_entries(patient: Patient, protocol: Protocol) -> None:
    """Validate adverse events and dose changes; refuse them when no treatment start says what they follow."""
    start = patient.treatment_start
    if start is not None:
        check_record(patient, protocol, start)
        return
    present = [name for name in ("adverse_events", "dose_changes") if getattr(patient, name)]
    if not present:
        return
    check_record(patient, protocol, dt.date.min)  # terms, grades and ids first: the clearest message
    raise DosingInputError(
        f"{' and '.join(present)} recorded but treatment_start is missing: they can only be read against the "
        "course start (the date of the first HAIC); record treatment_start. No dose is given while recorded "
        "events would be ignored"
    )


def _agent_dose(
    agent: Agent,
    patient: Patient,
    protocol: Protocol,
    bsa: calc.Bsa,
    track: AgentTrack | None,
    status: DoseStatus,
    as_of: dt.date,
    warnings: list[str],
    renal: calc.RenalDecision | None = None,
    forbidden: dict[str, str] | None = None,
) -> AgentDose:
    state: AgentState | None = track.state if track is not None else None
    if state is None:
        level_id, _ = calc.start_level(agent, patient, as_of)
        if renal is not None and renal.level is not None:
            level_id = renal.level
    else:
        level_id = state.dose_level or ""
    name = (patient.pd1_agent or "pd1") if agent.id == "pd1" else agent.id
    dosed = status in _GIVEN and level_id != ""
    level = agent.level(level_id) if level_id else None
    hours = calc.infusion_hours(agent, protocol)
    vial_mg = None
    if agent.id == "pd1":
        product = next((p for p in agent.products if p.name == patient.pd1_agent), None)
        vial_mg = product.vial_mg if product else None
        if product is None and status != "contraindicated":
            choices = ", ".join(
                f"{p.name} ({calc.units(agent, level.amount if level else None, p.vial_mg)} x {p.vial_mg:g} mg vial)"
                for p in agent.products
            )
            warnings.append(f"PD-1 inhibitor not chosen (pd1_agent absent): the choice is open: {choices}")
    if level is None or status == "contraindicated":
        path = (forbidden or {}).get(agent.id, "contraindications")
        return AgentDose(
            agent=name,
            dose_mg=None,
            unrounded_mg=None,
            basis=f"contraindicated: {path} is true; never given ({CONTRAINDICATION_SOURCE})"
            if status == "contraindicated"
            else "discontinued",
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
    if renal is not None and renal.level is not None and renal.level != agent.start_level:
        basis += f" ({renal.why})"
    if status == "pending_input":
        if agent.basis == "per_m2" and bsa.value_m2 is None:
            basis = f"{basis}; no dose until {', '.join(bsa.missing)} is recorded (pending_input)"
        if renal is not None and renal.level is None:
            basis = f"{basis}; no dose (pending_input): {renal.why}"
    elif not dosed:
        basis = f"{basis}; not given while {status}{_resume_note(agent, track, bsa, protocol)}"
    elif status == "pending_precycle_check":
        basis += "; may not be given yet: the pre-cycle laboratory check has no result (see warnings)"
    elif status == "delayed":
        basis += "; may not be given yet: delayed by the pre-cycle laboratory limits (see warnings)"
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


def _resume_note(agent: Agent, track: AgentTrack | None, bsa: calc.Bsa, protocol: Protocol) -> str:
    """Where a held or interrupted drug resumes: the same level, one level lower, or nowhere (discontinued)."""
    if track is None or track.state.status not in ("held", "interrupted"):
        return ""
    if track.resume_level is None:
        return "; no lower dose level is left: it is discontinued when it would resume"
    level = agent.level(track.resume_level)
    mg = calc.level_mg(level, bsa, protocol.dosing.per_m2_rounding_mg).dose_mg
    how = "one level lower" if track.resume_reduced else "at the same level"
    amount = f", {mg:g} mg" if mg is not None else ""
    return f"; resumes {how} at {level.id} ({level.frequency}{amount}) once nothing holds it"


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


@dataclass(frozen=True)
class _Gate:
    """The HAIC's pre-cycle check on ``as_of``: warnings, a known failing value, a check still to be done."""

    warnings: list[str]
    failing: bool
    pending: bool


def _precycle(patient: Patient, protocol: Protocol, as_of: dt.date, first_cycle: bool) -> _Gate:
    """The pre-cycle check from results no older than ``schedule.precycle_labs.result_max_age_days``.

    A known failing value delays the HAIC, a missing one leaves it pending (any cycle). Cycle 1 is the
    baseline work-up: the same limits on the results dated within the window before the first HAIC, and
    the Child-Pugh class of the ``liver`` block (``schedule.precycle_labs.baseline_child_pugh_classes``);
    ``from_cycle`` only says from which cycle the calendar schedules a blood draw.
    """
    judged = precycle.judge(patient, protocol, as_of, first_cycle=first_cycle)
    if judged is None:
        return _Gate(
            ["the protocol defines no pre-cycle laboratory limits: check ANC, platelets and liver function"],
            False,
            False,
        )
    max_age = judged.max_age
    out = [f"pre-cycle check not met: {lim.field} {value:g} fails {lim.describe()}" for lim, value in judged.failing]
    failing, unknown = bool(judged.failing), list(judged.unknown)
    cp = judged.child_pugh
    if cp is not None:
        # cycle 1: the baseline work-up, read through the same limits, plus the Child-Pugh class
        if cp.failing:
            out.append(f"pre-cycle check for cycle 1 (baseline work-up) not met: {cp.describe()}")
            failing = True
        elif cp.unknown:
            unknown.append("Child-Pugh class (" + ", ".join(cp.missing) + ")")
        out.extend(judged.liver_notes)
    if unknown:
        what = "for cycle 1 (baseline work-up) " if first_cycle else ""
        out.append(
            f"pre-cycle check {what}unknown: no result within {max_age} days before {as_of} for "
            f"{', '.join(unknown)}; the HAIC needs these before it is given"
        )
    return _Gate(out, failing, bool(unknown))
