"""The cycle-1 baseline work-up, as a note on the replayed course.

Why a note: the replay acts on results dated from the first HAIC on; results of the
baseline work-up (dated within ``schedule.precycle_labs.result_max_age_days`` before it)
and the Child-Pugh class are judged by ``dose`` and the calendar for cycle 1 (a failure
delays it). The course says the same thing in its warnings, with the failing values, so
that a reader of ``course`` is never told less than ``dose`` and ``plan`` show.
"""

from __future__ import annotations

import datetime as dt

from hccprotocol.course import precycle
from hccprotocol.course.model import Course
from hccprotocol.patient import Patient
from hccprotocol.protocol import Protocol

__all__ = ["note_baseline"]


def note_baseline(course: Course, patient: Patient, protocol: Protocol) -> Course:
    """``course`` with a warning when the baseline work-up fails a pre-cycle limit or the Child-Pugh class.

    Only while cycle 1 is the cycle in question (``as_of`` from the start to the end of cycle 1, or no
    ``as_of``, the calendar's reading); later the course's own pre-cycle results speak.
    """
    cycle_1_end = course.start.toordinal() + protocol.schedule.cycle_length_days
    if course.as_of is not None and not course.start <= course.as_of < dt.date.fromordinal(cycle_1_end):
        return course  # before the course, or after cycle 1: nothing to say about the baseline any more
    judged = precycle.judge(patient, protocol, course.start, first_cycle=True)
    if judged is None:
        return course
    failures = [f"{lim.field} {value:g} fails {lim.describe()}" for lim, value in judged.failing]
    cp = judged.child_pugh
    if cp is not None and cp.failing:
        failures.append(cp.describe())
    if not failures:
        return course
    note = (
        f"cycle 1 baseline work-up (results within {precycle.max_age_days(protocol)} days before {course.start}) "
        f"not met: {'; '.join(failures)}: the first HAIC is delayed until a result passes (as `dose` and `plan` "
        "show); the course's start events give the protocol's start levels, not a dose given"
    )
    return course.model_copy(update={"warnings": (note, *course.warnings)})
