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

__all__ = ["HAIC_PROCEDURE", "CourseInputError", "check_arm", "check_record", "resolve_agent"]

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


def check_record(patient: Patient, protocol: Protocol, start: dt.date) -> None:
    """Validate adverse events and dose changes; every error names the record entry."""
    check_arm(patient, protocol)
    for i, ae in enumerate(patient.adverse_events or ()):
        path = f"adverse_events[{i}]"
        ctcae.check_event(ae.term, ae.grade, path=path)
        for j, raw in enumerate(ae.attributed_to):
            resolve_agent(raw, patient, protocol, path=f"{path}.attributed_to[{j}]", allow_procedure=True)
        if ae.onset_date < start:
            raise CourseInputError(
                f"{path}.onset_date: {ae.onset_date} is before the course start {start}; "
                "events before the first HAIC are baseline findings, not course events"
            )
    for i, change in enumerate(patient.dose_changes or ()):
        path = f"dose_changes[{i}]"
        resolve_agent(change.agent, patient, protocol, path=f"{path}.agent", allow_procedure=False)
        if change.date < start:
            raise CourseInputError(f"{path}.date: {change.date} is before the course start {start}")
