"""Output models of the eligibility engine and the two ways statuses combine.

Why the combination is here and not in the rule files: the issue fixes it for
every rule file (any one refractoriness criterion suffices; a candidate is
excluded by one definitive exclusion even when others are unknown), and it
must be the same function for the per-patient and the cohort path.

Status semantics: for an inclusion criterion ``met`` means satisfied; for an
exclusion criterion ``met`` means the excluding condition is present.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Basis",
    "CriterionResult",
    "EligibilityResult",
    "Evidence",
    "NotEvaluatedResult",
    "ProtocolRef",
    "RefractoryCriterion",
    "Status",
    "TaceRefractory",
    "any_met",
    "decide",
    "excludes",
]

Status = Literal["met", "not_met", "unknown"]


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Evidence(_Out):
    session: int | None = Field(description="Index in tace_history (0-based)")
    date: str | None = Field(description="Date of the TACE session")
    counted: bool = Field(description="The session entered the series as a definite data point")
    why: str
    inputs: dict[str, Any] = Field(
        description="Session fields this item was judged on, by record path (tace_history[i].field) -> value; "
        "null = not recorded"
    )


class RefractoryCriterion(_Out):
    id: str
    title: str
    status: Status
    why: str
    inputs: dict[str, Any]
    source: str
    numbering: dict[str, str]
    evidence: list[Evidence]


class TaceRefractory(_Out):
    status: Status
    ruleset: str = Field(description="Name of the definition, e.g. 'JSH-LCSGJ 2014'")
    ruleset_id: str
    version: str
    criteria: list[RefractoryCriterion]


class CriterionResult(_Out):
    id: str
    kind: Literal["inclusion", "exclusion"]
    title: str
    status: Status
    why: str
    inputs: dict[str, Any]
    source: str
    numbering: dict[str, str]


class NotEvaluatedResult(_Out):
    id: str
    kind: Literal["inclusion", "exclusion"]
    title: str
    treatment: str
    source: str


class ProtocolRef(_Out):
    id: str
    version: str


class Basis(_Out):
    """Why the decision is what it is, and under which rules and options."""

    rules: dict[str, str] = Field(description="Criteria rule file: id, name, version")
    excluded_by: list[str] = Field(description="Criteria that definitively exclude the patient")
    unknown: list[str] = Field(description="Criteria that could not be decided from the record")
    not_evaluated: list[NotEvaluatedResult]
    options: dict[str, Any] = Field(description="The protocol's eligibility options in effect")
    warnings: list[str] = Field(
        default_factory=list,
        description="What the answer does not show by itself: a contradictory record, or an eligible answer on a "
        "record with missing fields that no criterion reads (also listed in the assessment's warnings)",
    )


class EligibilityResult(_Out):
    protocol: ProtocolRef
    eligible: bool | None
    tace_refractory: TaceRefractory
    criteria: list[CriterionResult]
    basis: Basis


def excludes(kind: str, status: Status) -> bool:
    """A criterion definitively excludes: an inclusion criterion not met, or an exclusion criterion met."""
    return (kind == "inclusion" and status == "not_met") or (kind == "exclusion" and status == "met")


def decide(criteria: Iterable[CriterionResult]) -> tuple[bool | None, list[str], list[str]]:
    """``False`` if any criterion definitively excludes, else ``None`` if any is unknown, else ``True``."""
    items = list(criteria)
    excluded = [c.id for c in items if excludes(c.kind, c.status)]
    unknown = [c.id for c in items if c.status == "unknown"]
    if excluded:
        return False, excluded, unknown
    return (None if unknown else True), excluded, unknown


def any_met(statuses: Iterable[Status]) -> Status:
    """Any one criterion suffices: met if one is met, not_met if all are not met, else unknown."""
    values = list(statuses)
    if "met" in values:
        return "met"
    return "not_met" if all(v == "not_met" for v in values) else "unknown"
