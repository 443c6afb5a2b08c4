"""Checks of the course-related parts of a record against the CTCAE and the protocol, before any replay.

Why before: a dose decision must never be computed from an event that names an
unknown term, a grade the term does not have, a drug the protocol does not
give, or a date before the course started. Each problem is an error naming the
record entry (``adverse_events[2].attributed_to[0]``), exit 2.
"""

from __future__ import annotations

import datetime as dt

from hccprotocol import ctcae
from hccprotocol.errors import InputError
from hccprotocol.patient import Patient
from hccprotocol.protocol import Protocol

__all__ = [
    "HAIC_PROCEDURE",
    "CourseInputError",
    "agent_start",
    "check_arm",
    "check_record",
    "resolve_agent",
    "systemic_start",
]

HAIC_PROCEDURE = "haic_procedure"


class CourseInputError(InputError):
    """The record's events, dose changes or dates cannot be replayed under this protocol."""

    code = "course.invalid"


def check_arm(patient: Patient, protocol: Protocol) -> None:
    """A PD-1 agent recorded for an arm without PD-1 is a contradiction, not something to ignore."""
    if patient.pd1_agent is not None and not protocol.includes_pd1:
        raise CourseInputError(
            f"pd1_agent is {patient.pd1_agent!r} but protocol {protocol.id!r} gives no PD-1 inhibitor; "
            "use the haic-lenvatinib-pd1 protocol or remove pd1_agent"
        )


def resolve_agent(raw: str, patient: Patient, protocol: Protocol, *, path: str, allow_procedure: bool) -> str:
    """Map a record id to a protocol agent id (``camrelizumab`` -> ``pd1``); raise naming ``path`` if unknown."""
    ids = set(protocol.agent_ids())
    if raw in ids and raw != "pd1":
        return raw
    if allow_procedure and raw == HAIC_PROCEDURE:
        return raw
    if "pd1" in ids:
        if raw == "pd1" or raw == patient.pd1_agent:
            return "pd1"
        products = {p.name for a in protocol.agents for p in a.products}
        if raw in products:
            chosen = patient.pd1_agent
            detail = (
                f"pd1_agent is {chosen!r}" if chosen else "pd1_agent is not recorded (use 'pd1' or record pd1_agent)"
            )
            raise CourseInputError(f"{path}: {raw!r} is not the PD-1 inhibitor of this record: {detail}")
    allowed = sorted(ids - {"pd1"}) + (
        ["pd1", *([patient.pd1_agent] if patient.pd1_agent else [])] if "pd1" in ids else []
    )
    if allow_procedure:
        allowed.append(HAIC_PROCEDURE)
    raise CourseInputError(
        f"{path}: {raw!r} is not given by protocol {protocol.id!r}; allowed ids: {', '.join(allowed)}"
    )


def systemic_start(protocol: Protocol, start: dt.date) -> dt.date:
    """The day lenvatinib and the PD-1 inhibitor start: cycle day ``schedule.systemic_start.default_day`` of cycle 1.

    Why the default day and not the calendar's: the course has no site calendar; the calendar
    (``hccprotocol.schedule``) may move the start within the window (days 4-6), and the course's reason says so.
    """
    return start + dt.timedelta(days=protocol.schedule.systemic_start.default_day - 1)


def agent_start(protocol: Protocol, agent_id: str, start: dt.date) -> dt.date:
    """First dosing day of an agent: the HAIC drugs on the course start, the systemic drugs on their start day."""
    route = next(a.route for a in protocol.agents if a.id == agent_id)
    return start if route == "intra-arterial" else systemic_start(protocol, start)


def check_record(patient: Patient, protocol: Protocol, start: dt.date) -> None:
    """Validate adverse events and dose changes; every error names the record entry."""
    check_arm(patient, protocol)
    for i, ae in enumerate(patient.adverse_events or ()):
        path = f"adverse_events[{i}]"
        ctcae.check_event(ae.term, ae.grade, path=path)
        agents = [
            resolve_agent(raw, patient, protocol, path=f"{path}.attributed_to[{j}]", allow_procedure=True)
            for j, raw in enumerate(ae.attributed_to)
        ]
        if ae.onset_date < start:
            raise CourseInputError(
                f"{path}.onset_date: {ae.onset_date} is before the course start {start}; "
                "events before the first HAIC are baseline findings, not course events"
            )
        for j, agent_id in enumerate(agents):
            where = f"{path}.attributed_to[{j}]"
            _not_before_agent_start(protocol, agent_id, ae.attributed_to[j], start, ae.onset_date, where)
    for i, change in enumerate(patient.dose_changes or ()):
        path = f"dose_changes[{i}]"
        agent_id = resolve_agent(change.agent, patient, protocol, path=f"{path}.agent", allow_procedure=False)
        if change.date < start:
            raise CourseInputError(f"{path}.date: {change.date} is before the course start {start}")
        _not_before_agent_start(protocol, agent_id, change.agent, start, change.date, f"{path}.agent")


def _not_before_agent_start(
    protocol: Protocol, agent_id: str, name: str, start: dt.date, on: dt.date, path: str
) -> None:
    """Lenvatinib and the PD-1 start on cycle day 4: nothing dated earlier can be about them."""
    if agent_id == HAIC_PROCEDURE:
        return
    first = agent_start(protocol, agent_id, start)
    if on < first:
        day = protocol.schedule.systemic_start.default_day
        raise CourseInputError(
            f"{path}: {name} starts on {first} (cycle day {day}, schedule.systemic_start.default_day, of the "
            f"course starting {start}); an entry dated {on} cannot concern it (before its start, like an event "
            "before the course start)"
        )
