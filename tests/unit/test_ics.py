"""The .ics export parses with two independent parsers (icalendar, vobject) and matches the JSON."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject

from hccprotocol.render.ics import render_plan_ics
from hccprotocol.render.plan_json import render_plan_json
from hccprotocol.schedule.plan import Plan
from hccprotocol.schedule.site_calendar import SiteCalendar
from hccprotocol.schedule.timeline import CourseChange
from tests.unit.schedule_support import D, labs, patient, plan


def _plans() -> dict[str, Plan]:
    return {
        "triple": plan(patient(pd1_agent="camrelizumab"), timezone="Asia/Shanghai"),
        "dual": plan(arm="haic-lenvatinib", cycles=6, timezone="Europe/Berlin"),
        "delayed": plan(patient(labs=[labs("2027-01-24", anc_10e9_l=1.0)]), timezone="America/New_York"),
        "interrupted": plan(
            changes=[
                CourseChange(D("2027-01-20"), "lenvatinib", "interrupt", reason="grade 3"),
                CourseChange(D("2027-02-01"), "lenvatinib", "resume", to_mg=8.0),
            ]
        ),
        "forced": plan(eligible=None, force=True, site=SiteCalendar.model_validate({"closed_weekdays": ["sunday"]})),
        # several warnings (forced gate, forced cycle count): the calendar description joins them on one line
        "many_warnings": plan(eligible=False, force=True, cycles=9),
    }


PLANS = _plans()


@pytest.fixture(params=sorted(PLANS))
def case(request: pytest.FixtureRequest) -> tuple[Plan, bytes, dict[str, object]]:
    p = PLANS[request.param]
    return p, render_plan_ics(p), json.loads(render_plan_json(p))


def test_icalendar_parses_without_errors_and_counts_match_json(case: tuple[Plan, bytes, dict[str, object]]) -> None:
    _, ics, doc = case
    cal = icalendar.Calendar.from_ical(ics)
    assert [(c.name, c.errors) for c in cal.walk() if c.errors] == []
    events = cal.walk("VEVENT")
    assert len(events) == len(doc["events"])  # type: ignore[arg-type]
    assert len({str(e["UID"]) for e in events}) == len(events)
    for e in events:
        assert e.start is not None and e.get("DTSTAMP") is not None


def test_vobject_parses_and_counts_match_json(case: tuple[Plan, bytes, dict[str, object]]) -> None:
    _, ics, doc = case
    cal = vobject.readOne(ics.decode("utf-8"))
    assert len(cal.vevent_list) == len(doc["events"])  # type: ignore[arg-type]
    for ev in cal.vevent_list:
        assert ev.dtstart.value is not None
        assert ev.summary.value


def test_crlf_and_folded_lines(case: tuple[Plan, bytes, dict[str, object]]) -> None:
    _, ics, _ = case
    assert b"\r\n" in ics
    assert all(len(line) <= 75 for line in ics.split(b"\r\n"))


def test_timed_events_carry_the_zone_and_all_day_events_have_exclusive_end() -> None:
    p = PLANS["triple"]
    cal = icalendar.Calendar.from_ical(render_plan_ics(p))
    by_summary = {str(e["SUMMARY"]): e for e in cal.walk("VEVENT")}
    oxali = next(e for s, e in by_summary.items() if s.startswith("Oxaliplatin") and "cycle 1" in s)
    assert oxali.start == dt.datetime(2027, 1, 4, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert oxali.end - oxali.start == dt.timedelta(hours=2)
    assert "TZID=Asia/Shanghai" in render_plan_ics(p).decode()
    fu = next(e for s, e in by_summary.items() if s.startswith("Fluorouracil") and "cycle 1" in s)
    assert fu.end == dt.datetime(2027, 1, 6, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # 11:00 + 46 h
    lenv = next(e for s, e in by_summary.items() if s.startswith("Lenvatinib") and "cycle 1" in s)
    # lenvatinib taken 7-24 January (cycle 1 days 4-21): all-day, DTEND = 25 January (exclusive)
    assert (lenv.start, lenv.end) == (dt.date(2027, 1, 7), dt.date(2027, 1, 25))
    assert not isinstance(lenv.start, dt.datetime)


GENERATED = dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)


def test_output_is_byte_identical_for_the_same_input_and_generation_time() -> None:
    again = plan(patient(pd1_agent="camrelizumab"), timezone="Asia/Shanghai")
    assert render_plan_ics(again, GENERATED) == render_plan_ics(PLANS["triple"], GENERATED)


# Issue 13 changed these deliberately: DTSTAMP was the record's latest date (which can lie in the future);
# it is now the generation time, and SEQUENCE grows with it so that a re-import updates the events.
def test_dtstamp_is_the_generation_time_never_the_record() -> None:
    p = PLANS["delayed"]  # latest date in the record: the lab result of 24 January 2027, after GENERATED
    cal = icalendar.Calendar.from_ical(render_plan_ics(p, GENERATED))
    assert {e.decoded("DTSTAMP") for e in cal.walk("VEVENT")} == {GENERATED}


def test_dtstamp_is_never_in_the_future() -> None:
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    future = before + dt.timedelta(days=30)
    cal = icalendar.Calendar.from_ical(render_plan_ics(PLANS["triple"], future))
    after = dt.datetime.now(dt.UTC)
    for e in cal.walk("VEVENT"):
        assert before <= e.decoded("DTSTAMP") <= after


def test_sequence_increases_on_regeneration() -> None:
    first = icalendar.Calendar.from_ical(render_plan_ics(PLANS["triple"], GENERATED))
    later = icalendar.Calendar.from_ical(render_plan_ics(PLANS["triple"], GENERATED + dt.timedelta(seconds=1)))
    # seconds from 2020-01-01T00:00Z to 2026-12-01T09:30Z: 2526 days x 86400 + 9.5 h x 3600
    assert {int(e["SEQUENCE"]) for e in first.walk("VEVENT")} == {2526 * 86400 + 34200}
    assert {int(e["SEQUENCE"]) for e in later.walk("VEVENT")} == {2526 * 86400 + 34201}


def test_uids_are_stable_when_the_start_moves() -> None:
    """Same patient and protocol, the first HAIC moved by a week: every event keeps its UID and moves."""
    moved = plan(patient(pd1_agent="camrelizumab"), timezone="Asia/Shanghai", start=D("2027-01-11"))
    before = {str(e["UID"]): e for e in icalendar.Calendar.from_ical(render_plan_ics(PLANS["triple"])).walk("VEVENT")}
    after = {str(e["UID"]): e for e in icalendar.Calendar.from_ical(render_plan_ics(moved)).walk("VEVENT")}
    assert set(before) == set(after) and len(before) > 10
    for uid, event in after.items():
        assert event.decoded("DTSTART") != before[uid].decoded("DTSTART")
        assert str(event["SUMMARY"]) == str(before[uid]["SUMMARY"])


def test_pd1_infusions_have_their_infusion_duration() -> None:
    cal = icalendar.Calendar.from_ical(render_plan_ics(PLANS["triple"]))
    pd1 = [e for e in cal.walk("VEVENT") if str(e["SUMMARY"]).startswith("Camrelizumab")]
    assert pd1
    for e in pd1:
        # schedule.pd1_infusion_minutes default 60 (sintilimab label: over 30-60 min): 08:00-09:00 site time
        assert e.end - e.start == dt.timedelta(minutes=60)
        assert e.start.time() == dt.time(8, 0)


def test_forced_calendar_says_so_in_every_event() -> None:
    cal = icalendar.Calendar.from_ical(render_plan_ics(PLANS["forced"]))
    assert "FORCED" in str(cal["X-WR-CALNAME"])
    for e in cal.walk("VEVENT"):
        assert str(e["SUMMARY"]).startswith("[FORCED]")
        assert "FORCED CALENDAR" in str(e["DESCRIPTION"])
