"""``course --format table``: a summary, the current status of each drug first, then one line per change.

Why a summary: a long course has hundreds of events; the reader at the terminal
needs where each drug stands now, then what changed when. Changes made to
several drugs by the same rule on the same day (a HAIC delay of oxaliplatin,
leucovorin and fluorouracil) share one line; the reason and source of every
event are in ``course --format json``. Tables fit the console or are stacked
(``render.layout``).
"""

from __future__ import annotations

from rich.console import Console, Group, RenderableType
from rich.text import Text

from hccprotocol.course.model import Course
from hccprotocol.render.layout import Col, console_width, fitted_table


def _mg(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def _level(level: str | None, mg: float | None) -> str:
    return "-" if level is None and mg is None else f"{level or '-'} ({_mg(mg)} mg)"


def render_course_table(course: Course, console: Console) -> None:
    width = console_width(console)
    since: dict[str, str] = {}
    for e in course.events:
        since[e.agent] = e.date.isoformat()
    current_rows = [
        [c.agent, c.status, _mg(c.dose_mg), c.dose_level or "-", c.frequency or "-", since.get(c.agent, "-")]
        for c in course.current
    ]
    when = f" on {course.as_of}" if course.as_of is not None else ""
    current = fitted_table(
        f"Current status{when} ({course.protocol} {course.protocol_version}, course from {course.start})",
        [Col("Agent"), Col("Status"), Col("Dose mg", no_wrap=True), Col("Level"), Col("Frequency", prose=True),
         Col("Last change", no_wrap=True)],
        current_rows,
        width,
    )
    merged: list[list[str]] = []
    for e in course.events:
        change = f"{_level(e.from_level, e.from_mg)} -> {_level(e.to_level, e.to_mg)}"
        if e.from_level == e.to_level and e.from_mg == e.to_mg:
            change = _level(e.to_level, e.to_mg)
        key = [e.date.isoformat(), e.action, change, e.rule]
        if merged and [merged[-1][0], merged[-1][2], merged[-1][3], merged[-1][4]] == key:
            merged[-1][1] += f", {e.agent}"
            continue
        merged.append([e.date.isoformat(), e.agent, e.action, change, e.rule])
    events = fitted_table(
        f"Changes ({len(course.events)} events on {len(merged)} lines; reasons and sources: --format json)",
        [Col("Date", no_wrap=True), Col("Agents", prose=True), Col("Action"), Col("Level", prose=True),
         Col("Rule")],
        merged,
        width,
    )
    parts: list[RenderableType] = [current, events]
    parts.extend(Text(f"WARNING: {w}", style="bold yellow") for w in course.warnings)
    console.print(Group(*parts))
