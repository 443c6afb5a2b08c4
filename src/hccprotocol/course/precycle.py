"""Pre-cycle laboratory limits for the HAIC drugs: ONE definition for the calendar, the course and ``dose``/``plan``.

Why one rule: the calendar (``schedule.labs``), the course replay and the dose plan must agree on when
a HAIC cycle may go ahead. The limits are the protocol's (``schedule.precycle_labs.limits``); when a
value passes one is the rule ``precycle.limit`` of ``rules/dose-modification-course.yaml`` (in the
model's language: a min limit passes at or above it, a max limit at or below it), evaluated by the
model's reference evaluator in :func:`passes`. A value that is not known never passes (unknown: it is
reported as missing, and never clears a delay).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from typing import Protocol as TypingProtocol

from hccprotocol.model.semantics import Truth, evaluate
from hccprotocol.patient import LabResult, Liver, Patient
from hccprotocol.protocol import Protocol

__all__ = [
    "LAB_FIELDS",
    "BaselineChildPugh",
    "Judgement",
    "LabCheck",
    "Limit",
    "baseline_child_pugh",
    "check_labs",
    "judge",
    "limits",
    "liver_block_notes",
    "max_age_days",
    "passes",
    "values_on",
]

LAB_FIELDS = tuple(f for f in LabResult.model_fields if f != "date")


@dataclass(frozen=True)
class Limit:
    id: str
    field: str
    min: float | None
    max: float | None
    source: str

    def describe(self) -> str:
        return f"{self.field} >= {self.min:g}" if self.min is not None else f"{self.field} <= {self.max:g}"


@dataclass(frozen=True)
class LabCheck:
    """The answer for one set of latest values: failing limits (with values) and unknown fields."""

    failing: tuple[tuple[Limit, float], ...]
    unknown: tuple[str, ...]

    @property
    def met(self) -> bool:
        return not self.failing and not self.unknown


def limits(protocol: Protocol) -> tuple[Limit, ...]:
    """The protocol's pre-cycle limits (``schedule.precycle_labs.limits``); empty when the section is absent."""
    schedule: Any = getattr(protocol, "schedule", None)
    precycle: Any = getattr(schedule, "precycle_labs", None)
    if precycle is None or not getattr(precycle, "enabled", True):
        return ()
    out: list[Limit] = []
    for lim in precycle.limits:
        kind = "min" if lim.min is not None else "max"
        out.append(Limit(f"precycle.{lim.field}.{kind}", lim.field, lim.min, lim.max, lim.source))
    return tuple(out)


def max_age_days(protocol: Protocol) -> int:
    """``schedule.precycle_labs.result_max_age_days``: how old a result may be and still answer the check."""
    return int(protocol.schedule.precycle_labs.result_max_age_days)


def values_on(labs: tuple[LabResult, ...] | None, on: dt.date, max_age: int) -> dict[str, float]:
    """The latest known value of each field among results dated ``on - max_age`` .. ``on`` (both inclusive).

    Why one function: ``dose`` (on its ``--as-of`` day) and the course (on each result's date) must read
    the same window as the calendar (``schedule.precycle_labs.result_max_age_days``); an older value does
    not answer the check, however recent the other fields are.
    """
    earliest = on - dt.timedelta(days=max_age)
    latest: dict[str, float] = {}
    for lab in sorted(labs or (), key=lambda lab: lab.date):
        if earliest <= lab.date <= on:
            for name in LAB_FIELDS:
                value = getattr(lab, name)
                if value is not None:
                    latest[name] = value
    return latest


class LimitLike(TypingProtocol):
    """A limit with exactly one of ``min`` / ``max`` (``Limit`` here, ``schedule.options.LabLimit``)."""

    @property
    def min(self) -> float | None: ...

    @property
    def max(self) -> float | None: ...


def passes(limit: LimitLike, value: float | None) -> Truth:
    """Whether ``value`` passes ``limit`` by the rule ``precycle.limit`` (None: the value is not known).

    The one definition of the comparison the calendar, the course and ``dose``/``plan`` read.
    """
    from hccprotocol.course.tables import course_rules  # the rule file's loader (categories, options)

    rule = course_rules().precycle
    if limit.min is not None:
        return evaluate(rule.min_passes_when, {"value": value}, {"min": limit.min})
    return evaluate(rule.max_passes_when, {"value": value}, {"max": limit.max})


def check_labs(checks: tuple[Limit, ...], latest: dict[str, float]) -> LabCheck:
    """Evaluate the limits over the latest known value of each field (``passes``; Kleene: any false fails)."""
    failing = tuple((lim, latest[lim.field]) for lim in checks if passes(lim, latest.get(lim.field)) is False)
    unknown = tuple(sorted({lim.field for lim in checks if lim.field not in latest}))
    return LabCheck(failing, unknown)


@dataclass(frozen=True)
class BaselineChildPugh:
    """Cycle 1's Child-Pugh part of the baseline work-up: the class (None: unknown) and whether it passes."""

    cls: str | None
    score: int | None
    allowed: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def failing(self) -> bool:
        return self.cls is not None and self.cls not in self.allowed

    @property
    def unknown(self) -> bool:
        return self.cls is None

    def describe(self) -> str:
        rule = f"schedule.precycle_labs.baseline_child_pugh_classes {'/'.join(self.allowed)}"
        if self.cls is None:
            return f"Child-Pugh class unknown ({', '.join(self.missing)} missing; {rule})"
        verdict = "allowed" if not self.failing else "not allowed"
        return f"Child-Pugh {self.cls}{self.score} {verdict} ({rule}; Lin 2023 inclusion (5))"


def baseline_child_pugh(patient: Patient, allowed: tuple[str, ...]) -> BaselineChildPugh:
    """The Child-Pugh class of the record's ``liver`` block against ``baseline_child_pugh_classes``.

    Why the liver block: it is the baseline assessment the eligibility decision read
    (ascites and encephalopathy are only recorded there); the same derived measure as ``assess``.
    """
    from hccprotocol.measures.derive import derive

    cp = derive(patient).derived.child_pugh
    if cp is None:
        liver = patient.liver
        names = ("total_bilirubin_umol_l", "albumin_g_l", "inr", "ascites", "encephalopathy")
        missing = tuple(f"liver.{n}" for n in names if liver is None or getattr(liver, n) is None)
        return BaselineChildPugh(None, None, tuple(allowed), missing or ("liver",))
    return BaselineChildPugh(cp.cls, cp.score, tuple(allowed), ())


def liver_block_notes(patient: Patient, checks: tuple[Limit, ...]) -> list[str]:
    """Undated ``liver`` values that fail a pre-cycle limit: reported, never used to pass one.

    Why not a result: the block has no date, so it cannot show that it is within
    ``result_max_age_days`` of the HAIC; a dated result must answer the check. A failing
    baseline value is still never passed over in silence.
    """
    liver = patient.liver
    if liver is None:
        return []
    values = {
        lim.field: getattr(liver, lim.field)
        for lim in checks
        if lim.field in Liver.model_fields and getattr(liver, lim.field) is not None
    }
    found = check_labs(checks, values)
    return [
        f"pre-cycle check for cycle 1: the baseline liver.{lim.field} {value:g} fails {lim.describe()} (undated: a "
        "dated result within the window must pass before the first HAIC)"
        for lim, value in found.failing
    ]


@dataclass(frozen=True)
class Judgement:
    """The pre-cycle check of one HAIC day, as ``dose``/``plan`` and the course read it (one composition).

    ``failing``: limits a known value fails; ``unknown``: limited fields with no result in the window;
    for cycle 1 (the baseline work-up) also the Child-Pugh class and the undated ``liver`` values that
    fail a limit (notes only: an undated value never passes a check).
    """

    max_age: int
    failing: tuple[tuple[Limit, float], ...]
    unknown: tuple[str, ...]
    child_pugh: BaselineChildPugh | None
    liver_notes: tuple[str, ...]

    @property
    def failed(self) -> bool:
        return bool(self.failing) or (self.child_pugh is not None and self.child_pugh.failing)


def judge(patient: Patient, protocol: Protocol, on: dt.date, *, first_cycle: bool) -> Judgement | None:
    """The check for a HAIC on ``on`` (None when the protocol defines no limits).

    Why one function: the course's cycle-1 note (``course.baseline``) and the dose plan's gate
    (``dosing.plan``) composed the same check (window values through the limits, then the Child-Pugh
    class for cycle 1) each on its own; they now read this one.
    """
    checks = limits(protocol)
    if not checks:
        return None
    age = max_age_days(protocol)
    found = check_labs(checks, values_on(patient.labs, on, age))
    cp = (
        baseline_child_pugh(patient, protocol.schedule.precycle_labs.baseline_child_pugh_classes)
        if first_cycle
        else None
    )
    notes = tuple(liver_block_notes(patient, checks)) if first_cycle else ()
    return Judgement(age, found.failing, found.unknown, cp, notes)
