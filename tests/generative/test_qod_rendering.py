"""Property (issue 9, item 9): qod never rendered as daily.

For any day lenvatinib is reduced to 4 mg every other day (label ladder, Lenvima SmPC HCC reduction
table: "4 mg every other day"), with or without an interruption before it and with any number of
cycles, every export says so and the month grid marks only alternate days:

1. in the HTML month grid, no two consecutive days both carry a "4 mg every other day" mark, and every
   day of such a period that is not marked lies between two marked days (exactly every second day);
2. each qod period row's JSON/CSV note and iCalendar SUMMARY and DESCRIPTION say "4 mg every other day";
3. no iCalendar SUMMARY or CSV note of a qod period says "once daily".
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from html.parser import HTMLParser

import icalendar
from hypothesis import given, settings
from hypothesis import strategies as st

from hccprotocol.render.csv_export import render_plan_csv
from hccprotocol.render.html import render_plan_html
from hccprotocol.render.ics import render_plan_ics
from hccprotocol.schedule.timeline import CourseChange
from tests.unit.schedule_support import START, plan

QOD = "4 mg every other day"


class _Grid(HTMLParser):
    """Dates of the month-grid cells whose chips contain ``QOD``."""

    def __init__(self) -> None:
        super().__init__()
        self.day: str | None = None
        self.in_chip = False
        self.marked: set[dt.date] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "td" and values.get("data-date"):
            self.day = values["data-date"]
        if tag == "span" and "chip" in (values.get("class") or ""):
            self.in_chip = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "span":
            self.in_chip = False
        if tag == "td":
            self.day = None

    def handle_data(self, data: str) -> None:
        if self.in_chip and self.day and QOD in data:
            self.marked.add(dt.date.fromisoformat(self.day))


@settings(max_examples=25, deadline=None, database=None)
@given(
    reduce_day=st.integers(min_value=5, max_value=60),
    interrupted_for=st.integers(min_value=0, max_value=5),
    cycles=st.integers(min_value=2, max_value=5),
)
def test_qod_never_rendered_as_daily(reduce_day: int, interrupted_for: int, cycles: int) -> None:
    resume = START + dt.timedelta(days=reduce_day + interrupted_for)
    changes = [
        CourseChange(START + dt.timedelta(days=reduce_day), "lenvatinib", "interrupt", reason="grade 3 toxicity"),
        CourseChange(resume, "lenvatinib", "resume", from_mg=8.0, to_mg=4.0, level="4mg-qod",
                     frequency="every other day", reason="resolved to grade <= 1"),
    ] if interrupted_for else [
        CourseChange(resume, "lenvatinib", "reduce", from_mg=8.0, to_mg=4.0, level="4mg-qod",
                     frequency="every other day", reason="grade 3 toxicity"),
    ]
    p = plan(changes=changes, cycles=cycles)
    periods = [r for r in p.event_rows() if r["activity"] == "oral" and str(r["note"]).startswith(QOD)]
    qod_days: set[dt.date] = set()
    for r in periods:
        first, last = dt.date.fromisoformat(r["date"]), dt.date.fromisoformat(r["end_date"] or r["date"])
        qod_days |= {first + dt.timedelta(days=k) for k in range((last - first).days + 1)}
    if not periods:
        return  # the reduction falls after the planned horizon
    grid = _Grid()
    grid.feed(render_plan_html(p))
    assert grid.marked <= qod_days
    assert grid.marked, "a qod period must mark its dosing days"
    for day in grid.marked:
        assert day + dt.timedelta(days=1) not in grid.marked
    for day in qod_days - grid.marked:
        neighbours = {day - dt.timedelta(days=1), day + dt.timedelta(days=1)} & qod_days
        assert neighbours <= grid.marked  # an unmarked qod day lies between dosing days
    assert min(qod_days) in grid.marked  # the first day of the new level is a dosing day
    # CSV and iCalendar
    notes = [row["note"] for row in csv.DictReader(io.StringIO(render_plan_csv(p))) if row["activity"] == "oral"]
    assert sum(n.startswith(QOD) for n in notes) == len(periods)
    cal = icalendar.Calendar.from_ical(render_plan_ics(p))
    oral = [e for e in cal.walk("VEVENT") if "by mouth" in str(e["SUMMARY"]) and "4 mg" in str(e["SUMMARY"])]
    assert len(oral) == len(periods)
    for event in oral:
        assert QOD in str(event["SUMMARY"]) and "once daily" not in str(event["SUMMARY"])
        assert QOD in str(event["DESCRIPTION"])
