"""Steps of ``features/schedule.feature``: the treatment calendar in clinical language.

The calendar is built with the real dosing and course engines (``schedule.adapters``).
The eligibility gate has its own scenarios in the eligibility feature; a scenario lets
every patient through it only when it says so (``the eligibility gate is let through``,
in the feature's Background), never silently: without that step the real gate runs.

## Given
- ``Given today is 2026-12-01``: fixes "today" (a start before it needs --allow-past).
- ``Given the site is closed on 2027-01-25`` (or a comma-separated list, or ``no day``).

## When
- ``When the calendar is planned on "<protocol>" from <date> for <n> cycles``

## Then
- ``Then the treatment of cycle 1 is:`` table | date | until | time | agent | activity | dose_mg | hours |
- ``Then HAIC is given on <dates>``, ``Then imaging is scheduled on <dates>``
- ``Then lenvatinib starts on <date>``; ``lenvatinib is on hold from <a> to <b>``;
  ``lenvatinib is taken at <mg> mg from <a> to <b>``; ``<agent> is given on <a> and <b>``
- ``Then a delay is shown on <date>`` / ``no delay is shown``; ``the pre-cycle check on <date> is due``
- ``Then HAIC is discontinued on <date>``; ``the <agent> infusions are on <dates>``;
  ``a warning says systemic therapy continues to <date> pending clinical review``
- ``Then the plan is refused with "<text>"``
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import icalendar
import pytest
import yaml
from pytest_bdd import given, parsers, scenarios, then, when

from hccprotocol.errors import InputError
from hccprotocol.protocol import Protocol, load_protocol
from hccprotocol.render.csv_export import render_plan_csv
from hccprotocol.render.html import render_plan_html
from hccprotocol.render.ics import render_plan_ics
from hccprotocol.schedule.adapters import default_providers
from hccprotocol.schedule.plan import EligibilityGate, Plan, Providers, make_plan
from hccprotocol.schedule.site_calendar import SiteCalendar
from hccprotocol.schedule.timeline import CourseChange, CourseTimeline
from tests.bdd.conftest import validated

scenarios("schedule.feature")

ROOT = Path(__file__).resolve().parents[2]


def _dates(text: str) -> list[dt.date]:
    return [dt.date.fromisoformat(part.strip()) for part in text.replace(" and ", ",").split(",") if part.strip()]


def _days(first: dt.date, last: dt.date) -> set[dt.date]:
    return {first + dt.timedelta(days=k) for k in range((last - first).days + 1)}


def _covered(rows: list[dict[str, Any]]) -> set[dt.date]:
    days: set[dt.date] = set()
    for r in rows:
        first = dt.date.fromisoformat(r["date"])
        last = dt.date.fromisoformat(r["end_date"]) if r["end_date"] else first
        days |= _days(first, last)
    return days


@pytest.fixture
def site() -> dict[str, Any]:
    return {}


@pytest.fixture
def outcome() -> dict[str, Any]:
    return {}


@given(parsers.parse("today is {day}"), target_fixture="today")
def today_is(day: str) -> dt.date:
    return dt.date.fromisoformat(day)


@given(parsers.parse("the site is closed on {days}"))
def site_closed(site: dict[str, Any], days: str) -> None:
    site["closed_dates"] = [] if days.strip() == "no day" else [d.isoformat() for d in _dates(days)]


def _providers(let_through: bool, course_source: dict[str, Any] | None = None) -> Providers:
    real = default_providers()
    course = real.course
    if course_source:
        changes = tuple(course_source["changes"])
        course = lambda patient, protocol, start: (CourseTimeline.of(changes), ())  # noqa: E731
    return Providers(
        eligibility=(
            (lambda patient, protocol: EligibilityGate(True, "eligible (gate covered elsewhere)"))
            if let_through else real.eligibility
        ),
        doses=real.doses,
        course=course,
        timings=real.timings,
        pd1_interval=real.pd1_interval,
    )


@pytest.fixture
def option_changes() -> dict[str, Any]:
    return {}


@pytest.fixture
def gate() -> dict[str, bool]:
    return {"let_through": False}


@given("the eligibility gate is let through (its scenarios are in eligibility.feature)")
def gate_let_through(gate: dict[str, bool]) -> None:
    gate["let_through"] = True


@pytest.fixture
def course_source() -> dict[str, Any]:
    """Changes a non-default course source reports (``Given the course source reports ...``); empty: the real one."""
    return {}


@given("the course source reports, without rule ids:")
def course_source_reports(course_source: dict[str, Any], datatable: list[list[str]]) -> None:
    """Columns date, agent, action: the only changes the calendar receives (no replay of the record)."""
    header, *rows = datatable
    assert header == ["date", "agent", "action"], header
    course_source["changes"] = [
        CourseChange(date=dt.date.fromisoformat(d), agent=agent, action=action)  # type: ignore[arg-type]
        for d, agent, action in rows
    ]


@given(parsers.re(r'the protocol option "(?P<key>[a-z_]+(?:\.[a-z0-9_]+)+)" is (?P<value>.+)'))
def protocol_option(option_changes: dict[str, Any], key: str, value: str) -> None:
    """``value`` is JSON (``"label"``, ``23``); the calendar uses a site copy of the protocol with it changed."""
    option_changes[key] = json.loads(value)


def _protocol(arm: str, changes: dict[str, Any], tmp_path: Path) -> Protocol:
    if not changes:
        return load_protocol(arm)
    data = yaml.safe_load((ROOT / "protocol" / f"{arm}.yaml").read_text(encoding="utf-8"))
    for dotted, value in changes.items():
        *parents, key = dotted.split(".")
        node = data
        for part in parents:
            node = node[part]
        node[key] = value
    path = tmp_path / f"site-{arm}.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return load_protocol(str(path))


@when(parsers.parse('the calendar is planned on "{arm}" from {start} for {cycles:d} cycles, allowing a past start'))
def planned_past(
    record: dict[str, Any], site: dict[str, Any], today: dt.date, outcome: dict[str, Any], arm: str, start: str,
    cycles: int, option_changes: dict[str, Any], tmp_path: Path, course_source: dict[str, Any], gate: dict[str, bool],
) -> None:
    planned(record, site, today, outcome, arm, start, cycles, option_changes, tmp_path, course_source, gate,
            allow_past=True)


@when(parsers.parse(
    'the calendar is planned on "{arm}" from {start} with the protocol\'s default number of cycles'
))
def planned_default_cycles(
    record: dict[str, Any], site: dict[str, Any], today: dt.date, outcome: dict[str, Any], arm: str, start: str,
    option_changes: dict[str, Any], tmp_path: Path, course_source: dict[str, Any], gate: dict[str, bool],
) -> None:
    """No cycle count is passed: the protocol's schedule.default_cycles applies."""
    planned(record, site, today, outcome, arm, start, None, option_changes, tmp_path, course_source, gate)


@when(parsers.parse('the calendar is planned on "{arm}" from {start} for {cycles:d} cycles'))
def planned(
    record: dict[str, Any], site: dict[str, Any], today: dt.date, outcome: dict[str, Any], arm: str, start: str,
    cycles: int | None, option_changes: dict[str, Any], tmp_path: Path, course_source: dict[str, Any],
    gate: dict[str, bool], allow_past: bool = False,
) -> None:
    outcome.pop("error", None)
    try:
        outcome["plan"] = make_plan(
            validated(record),
            _protocol(arm, option_changes, tmp_path),
            start=dt.date.fromisoformat(start),
            providers=_providers(gate["let_through"], course_source),
            cycles=cycles,
            site_calendar=SiteCalendar.model_validate(site) if site else None,
            today=today,
            allow_past=allow_past,
        )
    except InputError as exc:
        outcome["error"] = exc


def _plan(outcome: dict[str, Any]) -> Plan:
    assert "error" not in outcome, outcome.get("error")
    plan: Plan = outcome["plan"]
    return plan


def _rows(outcome: dict[str, Any], activity: str, agent: str | None = None) -> list[dict[str, Any]]:
    return [
        r for r in _plan(outcome).event_rows()
        if r["activity"] == activity and (agent is None or r["agent"] == agent)
    ]


@then(parsers.parse("the treatment of cycle {cycle:d} is:"))
def treatment_of_cycle(outcome: dict[str, Any], cycle: int, datatable: list[list[str]]) -> None:
    header, *expected = datatable
    actual = []
    for r in _plan(outcome).event_rows():
        if r["cycle"] != cycle or r["activity"] not in ("admission", "infusion", "oral"):
            continue
        actual.append(
            [
                r["date"],
                r["end_date"] or "",
                r["time"] or "",
                r["agent"] or "",
                r["activity"],
                "" if r["dose_mg"] is None else f"{r['dose_mg']:g}",
                "" if r["duration_h"] is None else f"{r['duration_h']:g}",
            ]
        )
    assert header == ["date", "until", "time", "agent", "activity", "dose_mg", "hours"]
    assert sorted(actual) == sorted(expected)


@then(parsers.parse("HAIC is given on {days}"))
def haic_given(outcome: dict[str, Any], days: str) -> None:
    assert [r["date"] for r in _rows(outcome, "admission")] == [d.isoformat() for d in _dates(days)]


@then(parsers.parse("imaging is scheduled on {days}"))
def imaging_on(outcome: dict[str, Any], days: str) -> None:
    assert [r["date"] for r in _rows(outcome, "imaging")] == [d.isoformat() for d in _dates(days)]


@then(parsers.parse("the calendar ends on {day}"))
def calendar_ends(outcome: dict[str, Any], day: str) -> None:
    assert _plan(outcome).schedule.end == dt.date.fromisoformat(day)


@then(parsers.parse("lenvatinib starts on {day}"))
def lenvatinib_starts(outcome: dict[str, Any], day: str) -> None:
    assert min(_covered(_rows(outcome, "oral", "lenvatinib"))) == dt.date.fromisoformat(day)


@then(parsers.parse("{agent} is given on {first} and {second}"))
def agent_given(outcome: dict[str, Any], agent: str, first: str, second: str) -> None:
    assert [r["date"] for r in _rows(outcome, "infusion", agent)][:2] == [first, second]


@then(parsers.parse("lenvatinib is on hold from {first} to {last}"))
def lenvatinib_on_hold(outcome: dict[str, Any], first: str, last: str) -> None:
    held = _covered(_rows(outcome, "hold", "lenvatinib"))
    assert held == _days(dt.date.fromisoformat(first), dt.date.fromisoformat(last))


@then(parsers.parse("lenvatinib is taken at {mg:g} mg from {first} to {last}"))
def lenvatinib_taken(outcome: dict[str, Any], mg: float, first: str, last: str) -> None:
    taken = _covered([r for r in _rows(outcome, "oral", "lenvatinib") if r["dose_mg"] == mg])
    assert taken == _days(dt.date.fromisoformat(first), dt.date.fromisoformat(last))


@then(parsers.parse("a delay is shown on {day}"))
def delay_shown(outcome: dict[str, Any], day: str) -> None:
    assert [r["date"] for r in _rows(outcome, "delay")] == [day]


@then("no delay is shown")
def no_delay(outcome: dict[str, Any]) -> None:
    assert _rows(outcome, "delay") == []


@then(parsers.parse("the pre-cycle check on {day} is due"))
def check_due(outcome: dict[str, Any], day: str) -> None:
    [row] = [r for r in _rows(outcome, "labs") if r["date"] == day]
    assert "due:" in row["note"] and "not assumed passed" in row["note"]


@then(parsers.parse("the HAIC of {day} says it was moved from {original}"))
def haic_moved(outcome: dict[str, Any], day: str, original: str) -> None:
    [row] = [r for r in _rows(outcome, "admission") if r["date"] == day]
    assert f"moved from {original}" in row["note"] and "not a delay" in row["note"]


@then(parsers.parse("HAIC is discontinued on {day}"))
def haic_discontinued(outcome: dict[str, Any], day: str) -> None:
    stops = [r for r in _rows(outcome, "discontinue") if r["agent"] is None]
    assert [r["date"] for r in stops] == [day]
    assert "Further treatment needs clinical review" in stops[0]["note"]


@then(parsers.parse("the {agent} infusions are on {days}"))
def infusions_on(outcome: dict[str, Any], agent: str, days: str) -> None:
    assert [r["date"] for r in _rows(outcome, "infusion", agent)] == [d.isoformat() for d in _dates(days)]


@then(parsers.parse("a warning says systemic therapy continues to {day} pending clinical review"))
def continuation_warning(outcome: dict[str, Any], day: str) -> None:
    assert any(
        "systemic therapy continues" in w and f"to {day}" in w and "pending clinical review" in w
        for w in _plan(outcome).warnings
    )


@then(parsers.parse('the calendar\'s times are in "{zone}"'))
def times_in(outcome: dict[str, Any], zone: str) -> None:
    assert _plan(outcome).timezone == zone


@then(parsers.parse('the {agent} hold row of {day} names the rule "{rule}"'))
def hold_row_rule(outcome: dict[str, Any], agent: str, day: str, rule: str) -> None:
    rows = [r for r in _rows(outcome, "hold", agent) if r["date"] == day]
    assert rows and all(r["rule"] == rule for r in rows), rows


@then(parsers.parse('the decision trail names the rule "{rule}" on {day}'))
def trail_names(outcome: dict[str, Any], rule: str, day: str) -> None:
    entries = [t.to_json() for t in _plan(outcome).schedule.trail]
    assert any(e["rule"] == rule and str(e["date"]) == day for e in entries), [e["rule"] for e in entries]


@then(parsers.parse('the plan is refused with "{text}"'))
def refused(outcome: dict[str, Any], text: str) -> None:
    error = outcome.get("error")
    assert error is not None and error.exit_code == 2
    assert text in error.message


@then(parsers.parse('lenvatinib reads "{label}" from {first} to {last} in JSON, CSV and iCalendar'))
def reads_in_every_export(outcome: dict[str, Any], label: str, first: str, last: str) -> None:
    plan = _plan(outcome)
    rows = [r for r in _rows(outcome, "oral", "lenvatinib") if str(r["note"]).startswith(label)]
    assert _covered(rows) == _days(dt.date.fromisoformat(first), dt.date.fromisoformat(last))
    csv_rows = [r for r in csv.DictReader(io.StringIO(render_plan_csv(plan))) if r["activity"] == "oral"]
    assert [r["date"] for r in csv_rows if r["note"].startswith(label)] == [r["date"] for r in rows]
    events = icalendar.Calendar.from_ical(render_plan_ics(plan)).walk("VEVENT")
    titled = [e for e in events if f"Lenvatinib {label} by mouth" in str(e["SUMMARY"])]
    assert [e.decoded("DTSTART").isoformat() for e in titled] == [r["date"] for r in rows]
    assert all(label in str(e["DESCRIPTION"]) for e in titled)


class _Grid(HTMLParser):
    """Date of each month-grid cell -> the text of its chips."""

    def __init__(self) -> None:
        super().__init__()
        self.day: str | None = None
        self.chip = False
        self.cells: dict[dt.date, list[str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "td" and values.get("data-date"):
            self.day = values["data-date"]
        self.chip = tag == "span" and "chip" in (values.get("class") or "")

    def handle_endtag(self, tag: str) -> None:
        self.chip = False
        if tag == "td":
            self.day = None

    def handle_data(self, data: str) -> None:
        if self.chip and self.day:
            self.cells.setdefault(dt.date.fromisoformat(self.day), []).append(data)


def _marked(outcome: dict[str, Any], label: str) -> set[dt.date]:
    grid = _Grid()
    grid.feed(render_plan_html(_plan(outcome)))
    return {day for day, chips in grid.cells.items() if any(chip.startswith(label) for chip in chips)}


@then(parsers.parse('the month grid marks "{label}" on {days} only'))
def grid_marks_only(outcome: dict[str, Any], label: str, days: str) -> None:
    assert _marked(outcome, label) == set(_dates(days))


@then(parsers.parse('the month grid marks "{label}" on every day from {first} to {last}'))
def grid_marks_every_day(outcome: dict[str, Any], label: str, first: str, last: str) -> None:
    assert _marked(outcome, label) == _days(dt.date.fromisoformat(first), dt.date.fromisoformat(last))


@then(parsers.parse("the pre-cycle blood for cycle {cycle:d} is drawn on {day}, the morning of the HAIC"))
def drawn_on_haic_morning(outcome: dict[str, Any], cycle: int, day: str) -> None:
    [row] = [r for r in _rows(outcome, "labs") if f"HAIC cycle {cycle} " in r["note"]]
    assert row["date"] == day and f"morning of the HAIC ({day}), before admission" in row["note"]
    assert day in [r["date"] for r in _rows(outcome, "admission")]


@then(parsers.parse("the pre-cycle blood for cycle {cycle:d} is drawn on {day}"))
def drawn_on(outcome: dict[str, Any], cycle: int, day: str) -> None:
    [row] = [r for r in _rows(outcome, "labs") if f"HAIC cycle {cycle} " in r["note"]]
    assert row["date"] == day
