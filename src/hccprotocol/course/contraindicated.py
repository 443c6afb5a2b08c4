"""A drug with a recorded contraindication never appears dosed in the course.

Why after the replay: the replay follows the dose-modification tables, which know
nothing of contraindications; the record's ``contraindications`` (Lin 2023,
exclusion (8)) forbid the drug outright. Its events are removed (a "start" at
153 mg would read as a dose given), its state on every day is ``contraindicated``
with no dose, and a warning names the record field. ``dose`` and ``plan`` read the
same list (``hccprotocol.gate.contraindicated_agents``).
"""

from __future__ import annotations

from hccprotocol.course.model import AgentState, Course, Snapshot
from hccprotocol.gate import CONTRAINDICATION_SOURCE, contraindicated_agents
from hccprotocol.patient import Patient
from hccprotocol.protocol import Protocol

__all__ = ["mark_contraindicated"]


def mark_contraindicated(course: Course, patient: Patient, protocol: Protocol) -> Course:
    """``course`` with every contraindicated drug shown as ``contraindicated`` (no event, no dose, a warning)."""
    forbidden = contraindicated_agents(patient, protocol)
    if not forbidden:
        return course
    names = {t.protocol_agent: t.state.agent for t in course.tracks}
    shown = {names[a]: path for a, path in forbidden.items() if a in names}

    def blank(name: str) -> AgentState:
        return AgentState(agent=name, status="contraindicated", dose_mg=None, dose_level=None, frequency=None)

    tracks = tuple(
        t.model_copy(update={"state": blank(t.state.agent), "restore_permitted": False, "restore_to_level": None,
                             "resume_level": None, "resume_reduced": False})
        if t.state.agent in shown else t
        for t in course.tracks
    )  # fmt: skip
    dropped = {name: sum(1 for e in course.events if e.agent == name) for name in shown}
    snapshots = [s for s in course.snapshots if s.state.agent not in shown]
    snapshots[:0] = [Snapshot(date=course.start, state=blank(name)) for name in shown]
    warnings = tuple(
        f"{name}: {path} is true: contraindicated, never dosed ({CONTRAINDICATION_SOURCE}); "
        f"{dropped[name]} replayed event(s) not shown"
        for name, path in shown.items()
    )
    return course.model_copy(
        update={
            "events": tuple(e for e in course.events if e.agent not in shown),
            "current": tuple(t.state for t in tracks),
            "tracks": tracks,
            "snapshots": tuple(snapshots),
            "warnings": warnings + course.warnings,
        }
    )
