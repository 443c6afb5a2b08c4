"""Replay of a patient's course: adverse events, laboratory results and clinician decisions -> dose events.

Why a replay: a dose level is the result of everything that happened since the
first HAIC (each grade 3 event lowers lenvatinib one level, a discontinued drug
never restarts, a restore needs a recorded decision). Replaying the record from
the start in date order, through the declarative transition tables in
``rules/dose-modification-*.yaml`` (selected by durable_rules), gives the level
and status of every drug at every point, each change with its reason, rule id
and source.

Public API (stable; the calendar of issue 5 calls it)::

    from hccprotocol.course import replay_course, Course
    course = replay_course(patient, protocol, start=None, as_of=None)
    course.events          # tuple[CourseEvent]: date, agent, action, from/to mg and level, frequency,
                           #   reason, rule, source
    course.current         # tuple[AgentState]: agent, status, dose_mg, dose_level, frequency (after the last event)
    course.state_on(date)  # dict[agent, AgentState] at the end of that date
    course.tracks          # per drug: start level, restore permitted (and to which level), blocking record entries,
                           #   resume_level / resume_reduced while held or interrupted
    course.warnings        # e.g. a persistence threshold an ongoing event crosses after as_of (with its date)
    course.to_json_dict()  # the `course --format json` contract

With ``as_of`` nothing dated after it is replayed and no event is dated after it (``course`` and
``dose`` pass the same date, so they agree); ``as_of=None`` replays every entry and projects the
persistence thresholds of ongoing events (the calendar's reading). The HAIC drugs start on the
course start; lenvatinib and the PD-1 inhibitor on cycle day ``schedule.systemic_start.default_day``.

Bad input raises :class:`hccprotocol.errors.InputError` subclasses (exit 2):
unknown CTCAE term (with a suggestion), a grade the term lacks, attribution to
an id the protocol does not give, an event before the start (or attributed to
lenvatinib / the PD-1 before their start day), a PD-1 agent on the
HAIC+lenvatinib arm, a dose change the policy does not permit.
"""

from __future__ import annotations

import datetime as dt

from hccprotocol.course.model import AgentState, AgentTrack, Course, CourseAction, CourseEvent, DrugStatus, Snapshot
from hccprotocol.patient import Patient
from hccprotocol.protocol import Protocol

__all__ = [
    "AgentState",
    "AgentTrack",
    "Course",
    "CourseAction",
    "CourseEvent",
    "DrugStatus",
    "Snapshot",
    "replay_course",
]


def replay_course(
    patient: Patient,
    protocol: Protocol,
    start: dt.date | None = None,
    as_of: dt.date | None = None,
) -> Course:
    """Replay the course from ``start`` (default: ``patient.treatment_start``) up to ``as_of`` (default: all).

    Parameters:
        patient: the validated record (adverse_events, dose_changes, labs are read).
        protocol: a loaded protocol (agents, dose levels, modification options).
        start: course start date (the first HAIC); required when the record has no treatment_start.
        as_of: ignore record entries dated after this day and emit no event after it (``dose`` / ``course
            --as-of``); thresholds crossed later are warnings. None: replay everything.

    A drug with a recorded contraindication is ``contraindicated`` throughout, with no event
    (``hccprotocol.course.contraindicated``); a failing cycle-1 baseline work-up is a warning
    (``hccprotocol.course.baseline``).

    Raises ``CourseInputError`` / ``CtcaeError`` / ``DosingInputError`` (all exit 2) for bad input.
    """
    from hccprotocol.course.baseline import note_baseline
    from hccprotocol.course.contraindicated import mark_contraindicated
    from hccprotocol.course.replay import replay

    course = replay(patient, protocol, start=start, as_of=as_of)
    return note_baseline(mark_contraindicated(course, patient, protocol), patient, protocol)
