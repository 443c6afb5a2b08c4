"""The JSON documents of ``assess``, ``dose``, ``course`` and ``plan``, and their JSON Schemas.

Why one module: an integrator reads the same envelope from every command: the
patient id, the as-of date, the tool version and the provenance header
(:mod:`hccprotocol.provenance`) at the top, then the command's own contract keys
(unchanged). The JSON Schemas (``hccprotocol schema assess|dose|course|plan``) are
generated from the same pydantic models that describe each document, and a
test validates real outputs against them, so schema and output cannot drift.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from hccprotocol import __version__
from hccprotocol.provenance import Header

if TYPE_CHECKING:
    from hccprotocol.assessment import Assessment
    from hccprotocol.course.model import Course
    from hccprotocol.dosing.model import DosePlan
    from hccprotocol.schedule.plan import Plan

__all__ = [
    "OutputName",
    "assess_document",
    "course_document",
    "dose_document",
    "output_schema",
    "plan_document",
]

OutputName = Literal["assess", "dose", "course", "plan"]


def _envelope(patient_id: str, as_of: dt.date, header: Header) -> dict[str, Any]:
    return {
        "patient_id": patient_id,
        "as_of": as_of.isoformat(),
        "hccprotocol_version": __version__,
        "header": header.model_dump(mode="json"),
    }


def assess_document(result: Assessment, header: Header) -> dict[str, Any]:
    body = result.to_json_dict()
    return {**_envelope(result.patient_id, header.as_of, header), **body}


def dose_document(plan: DosePlan, patient_id: str, header: Header) -> dict[str, Any]:
    return {**_envelope(patient_id, header.as_of, header), **plan.to_json_dict()}


def course_document(course: Course, patient_id: str, header: Header) -> dict[str, Any]:
    """``events`` and ``current`` (the issue-6 contract) plus the course's warnings and where it starts/stops."""
    body = course.to_json_dict()
    return {
        **_envelope(patient_id, header.as_of, header),
        "protocol": course.protocol,
        "protocol_version": course.protocol_version,
        "start": course.start.isoformat(),
        **body,
        "warnings": list(course.warnings),
    }


def plan_document(plan: Plan, header: Header) -> dict[str, Any]:
    body = plan.to_json_dict()
    envelope = _envelope(plan.patient.id, header.as_of, header)
    return {**envelope, **body}


def output_schema(name: OutputName) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one command's ``--format json`` output."""
    model = _models()[name]
    schema = model.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://hccprotocol.invalid/schema/{name}-{__version__}.json"
    return schema


def _models() -> dict[str, type[BaseModel]]:
    """Output models built on first use (they import the engines' result models)."""
    from hccprotocol.assessment import Assessment
    from hccprotocol.course.model import AgentState, CourseEvent
    from hccprotocol.dosing.model import DosePlan
    from hccprotocol.schedule.plan import PlanDocument

    class Envelope(BaseModel):
        model_config = ConfigDict(extra="forbid", frozen=True)

        patient_id: str
        as_of: dt.date = Field(description="Date the output describes; equals header.as_of")
        hccprotocol_version: str
        header: Header

    class AssessOutput(Assessment):
        """``assess --format json``."""

        as_of: dt.date
        header: Header

    class DoseOutput(Envelope, DosePlan):
        """``dose --format json``."""

    class CourseOutput(Envelope):
        """``course --format json``."""

        protocol: str
        protocol_version: str
        start: dt.date
        events: list[CourseEvent]
        current: list[AgentState]
        warnings: list[str] = Field(description="Notes for the reader (also printed under the table)")

    class PlanOutput(PlanDocument):
        """``plan --format json``."""

        as_of: dt.date
        header: Header

    return {"assess": AssessOutput, "dose": DoseOutput, "course": CourseOutput, "plan": PlanOutput}
