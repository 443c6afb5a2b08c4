"""Terminal table of a replayed course: every dose event with its reason, rule and source."""

from __future__ import annotations

from rich.console import Console, Group
from rich.table import Table

from hccprotocol.course.model import Course


def _mg(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def render_course_table(course: Course, console: Console) -> None:
    events = Table(title=f"Course from {course.start} ({course.protocol} {course.protocol_version})")
    for column in ("Date", "Agent", "Action", "From", "To", "Frequency", "Reason", "Rule", "Source"):
        events.add_column(column, overflow="fold")
    for e in course.events:
        events.add_row(
            e.date.isoformat(),
            e.agent,
            e.action,
            f"{e.from_level or '-'} ({_mg(e.from_mg)} mg)",
            f"{e.to_level or '-'} ({_mg(e.to_mg)} mg)",
            e.frequency or "-",
            e.reason,
            e.rule,
            e.source,
        )
    current = Table(title="Current")
    for column in ("Agent", "Status", "Dose mg", "Level", "Frequency"):
        current.add_column(column)
    for c in course.current:
        current.add_row(c.agent, c.status, _mg(c.dose_mg), c.dose_level or "-", c.frequency or "-")
    notes = [f"WARNING: {w}" for w in course.warnings]
    if course.as_of is not None:
        current.title = f"Current on {course.as_of}"
    console.print(Group(events, current, *notes))
