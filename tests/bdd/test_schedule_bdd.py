"""Steps of ``features/schedule.feature``: the treatment calendar in clinical language.

The calendar is built with the real dosing and course engines (``schedule.adapters``).
The eligibility gate has its own scenarios in the eligibility feature; here every
patient is let through the gate so that the scenarios are about dates.

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

import datetime as dt
from typing import Any

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from hccprotocol.errors import InputError
from hccprotocol.protocol import load_protocol
from hccprotocol.schedule.adapters import default_providers
from hccprotocol.schedule.plan import EligibilityGate, Plan, Providers, make_plan
from hccprotocol.schedule.site_calendar import SiteCalendar
from tests.bdd.conftest import validated

scenarios("schedule.feature")


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


def _providers() -> Providers:
    real = default_providers()
    return Providers(
        eligibility=lambda patient, protocol: EligibilityGate(True, "eligible (gate covered elsewhere)"),
        doses=real.doses,
        course=real.course,
        timings=real.timings,
        pd1_interval=real.pd1_interval,
    )


@when(parsers.parse('the calendar is planned on "{arm}" from {start} for {cycles:d} cycles'))
def planned(
    record: dict[str, Any], site: dict[str, Any], today: dt.date, outcome: dict[str, Any], arm: str, start: str,
    cycles: int,
) -> None:
    try:
        outcome["plan"] = make_plan(
            validated(record),
            load_protocol(arm),
            start=dt.date.fromisoformat(start),
            providers=_providers(),
            cycles=cycles,
            site_calendar=SiteCalendar.model_validate(site) if site else None,
            today=today,
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


@then(parsers.parse('the plan is refused with "{text}"'))
def refused(outcome: dict[str, Any], text: str) -> None:
    error = outcome.get("error")
    assert error is not None and error.exit_code == 2
    assert text in error.message
