"""HAIC stopping early: which agents an admission may give, and what happens to lenvatinib and PD-1 after.

Expected dates are counted by hand on a 2027 calendar: the first HAIC is Monday
4 January; 21-day cycles put HAIC on 25 Jan, 15 Feb and 8 Mar; four planned
cycles end on 4 Jan + 4 x 21 - 1 = 28 March; PD-1 on cycle day 4 is 7 Jan,
28 Jan, 18 Feb, 11 Mar. February 2027 has 28 days.
"""

from __future__ import annotations

import datetime as dt

from hccprotocol.schedule.site_calendar import SiteCalendar
from hccprotocol.schedule.timeline import CourseChange
from tests.unit.schedule_support import D, dates, haic_dates, labs, patient, plan, protocol, rows


def _stop(agent: str, day: str = "2027-01-20") -> CourseChange:
    return CourseChange(
        D(day), agent, "discontinue", reason=f"{agent} grade 4 toxicity", rule=f"r.{agent}",
        source=f"{agent} label",
    )


def _covered(records: list[dict[str, object]]) -> set[dt.date]:
    days: set[dt.date] = set()
    for r in records:
        day, last = D(str(r["date"])), D(str(r["end_date"] or r["date"]))
        while day <= last:
            days.add(day)
            day += dt.timedelta(days=1)
    return days


def _span(first: str, last: str) -> set[dt.date]:
    return {D(first) + dt.timedelta(days=k) for k in range((D(last) - D(first)).days + 1)}


def _failing_each_week(n: int) -> list[dict[str, object]]:
    # platelets 50 < 75: results of 24 Jan, 31 Jan, 7 Feb, ... each answer the re-check of the next day
    return [labs((D("2027-01-24") + dt.timedelta(days=7 * k)).isoformat(), platelets_10e9_l=50.0) for k in range(n)]


# -- item 1: never an admission for leucovorin alone ----------------------------------------------------------


def test_no_cytotoxic_agent_left_stops_haic_instead_of_infusing_leucovorin_alone() -> None:
    p = plan(changes=[_stop("oxaliplatin"), _stop("fluorouracil")])  # leucovorin itself not discontinued
    assert haic_dates(p) == ["2027-01-04"]
    assert dates(p, "infusion", "leucovorin") == ["2027-01-04"]
    [stop] = [r for r in rows(p, "discontinue") if r["agent"] is None]
    assert (stop["date"], stop["rule"]) == ("2027-01-25", "schedule.haic_stopped_by_course")
    # the reason names each discontinuation with its rule id and source
    for agent in ("oxaliplatin", "fluorouracil"):
        assert f"{agent} discontinued on 2027-01-20 ({agent} grade 4 toxicity)" in stop["note"]
        assert f"[rule r.{agent}; source: {agent} label]" in stop["note"]
    [trail] = [t for t in p.schedule.trail if t.rule == "schedule.haic_stopped_by_course"]
    assert trail.inputs["course.oxaliplatin.rule"] == "r.oxaliplatin"
    assert trail.inputs["course.leucovorin.status"] == "active"
    assert "leucovorin" in trail.source.lower()


def test_one_cytotoxic_agent_left_keeps_haic_going() -> None:
    # oxaliplatin gone, fluorouracil (with its leucovorin) continues: all four HAIC dates stay
    p = plan(changes=[_stop("oxaliplatin")])
    assert haic_dates(p) == ["2027-01-04", "2027-01-25", "2027-02-15", "2027-03-08"]
    assert dates(p, "infusion", "oxaliplatin") == ["2027-01-04"]
    assert dates(p, "infusion", "leucovorin") == haic_dates(p)
    assert dates(p, "infusion", "fluorouracil") == haic_dates(p)
    assert not [r for r in rows(p, "discontinue") if r["agent"] is None]


def test_leucovorin_is_not_given_without_fluorouracil() -> None:
    # fluorouracil discontinued, leucovorin not (yet) by the course: oxaliplatin alone from cycle 2
    p = plan(changes=[_stop("fluorouracil")])
    assert haic_dates(p) == ["2027-01-04", "2027-01-25", "2027-02-15", "2027-03-08"]
    assert dates(p, "infusion", "leucovorin") == ["2027-01-04"]
    assert dates(p, "infusion", "oxaliplatin") == haic_dates(p)
    second = rows(p, "admission")[1]
    assert "leucovorin not given" in second["note"]
    # oxaliplatin alone runs hours 0-2: the admission spans 2 h and ends the same day
    assert (second["duration_h"], second["end_date"]) == (2.0, None)
    assert any(t.rule == "schedule.leucovorin_with_fluorouracil" for t in p.schedule.trail)


def test_leucovorin_discontinued_with_fluorouracil_leaves_oxaliplatin() -> None:
    p = plan(changes=[_stop("fluorouracil"), _stop("leucovorin")])
    assert dates(p, "infusion", "oxaliplatin") == ["2027-01-04", "2027-01-25", "2027-02-15", "2027-03-08"]
    assert dates(p, "infusion", "leucovorin") == ["2027-01-04"]
    assert "leucovorin not given" not in rows(p, "admission")[1]["note"]


# -- item 3: lenvatinib and PD-1 continue after HAIC stops ----------------------------------------------------


def test_after_a_course_stop_lenvatinib_and_pd1_continue_to_the_planned_end() -> None:
    p = plan(patient(pd1_agent="sintilimab"), changes=[_stop("oxaliplatin"), _stop("fluorouracil")])
    assert p.schedule.end == D("2027-03-28")
    # PD-1 every 21 days from its last dose (7 Jan): 28 Jan, 18 Feb, 11 Mar; 1 Apr is after 28 Mar
    assert dates(p, "infusion", "sintilimab") == ["2027-01-07", "2027-01-28", "2027-02-18", "2027-03-11"]
    after = rows(p, "infusion", "sintilimab")[1:]
    assert {r["rule"] for r in after} == {"schedule.systemic_after_haic_stop"}
    assert all("HAIC discontinued on 2027-01-25" in r["note"] and "pending clinical review" in r["note"]
               for r in after)
    oral = rows(p, "oral", "lenvatinib")
    assert _covered(oral) == _span("2027-01-07", "2027-03-28")
    assert [(r["date"], r["end_date"]) for r in oral] == [("2027-01-07", "2027-01-24"), ("2027-01-25", "2027-03-28")]
    assert oral[1]["rule"] == "schedule.systemic_after_haic_stop"
    assert "lenvatinib continues daily, pending clinical review" in oral[1]["note"]
    [warning] = [w for w in p.warnings if "systemic therapy continues" in w]
    assert "HAIC discontinued on 2027-01-25" in warning and "to 2027-03-28" in warning
    assert "lenvatinib" in warning and "sintilimab" in warning and "clinical review" in warning
    assert dates(p, "imaging") == ["2027-02-15"]  # 4 Jan + 84 = 29 Mar is after the end


def test_after_a_delay_stop_pd1_resumes_on_cycle_day_4_of_the_stop_day() -> None:
    p = plan(patient(labs=_failing_each_week(5)))
    # stop 22 Feb (25 Jan + 28 days of delay); last PD-1 7 Jan; 7 Jan + 21 = 28 Jan was waiting for the HAIC,
    # so the next is 22 Feb + 3 = 25 Feb, then 25 Feb + 21 = 18 Mar; 8 Apr is after 28 Mar
    assert dates(p, "infusion", "pd1") == ["2027-01-07", "2027-02-25", "2027-03-18"]
    first_after = rows(p, "infusion", "pd1")[1]
    assert "49 days since the previous dose (planned every 21 days)" in first_after["note"]
    assert "first dose after HAIC was discontinued on 2027-02-22" in first_after["note"]
    assert "days since the previous dose" not in rows(p, "infusion", "pd1")[2]["note"]  # 25 Feb -> 18 Mar: 21 days
    assert _covered(rows(p, "oral", "lenvatinib")) == _span("2027-01-07", "2027-03-28")


def test_q4w_paper_pd1_keeps_its_own_interval_after_the_stop() -> None:
    p = plan(changes=[_stop("oxaliplatin"), _stop("fluorouracil")], pd1_interval=28)
    # 7 Jan + 28 = 4 Feb, + 28 = 4 Mar, + 28 = 1 Apr (after 28 Mar)
    assert dates(p, "infusion", "pd1") == ["2027-01-07", "2027-02-04", "2027-03-04"]
    after = rows(p, "infusion", "pd1")[1:]
    assert {r["rule"] for r in after} == {"schedule.pd1_interval"}
    assert all("on its own schedule, every 28 days" in r["note"] for r in after)


def test_a_discontinued_pd1_does_not_come_back_after_the_stop() -> None:
    changes = [_stop("pd1", "2027-01-10"), _stop("oxaliplatin"), _stop("fluorouracil")]
    p = plan(changes=changes)
    assert dates(p, "infusion", "pd1") == ["2027-01-07"]
    [warning] = [w for w in p.warnings if "systemic therapy continues" in w]
    assert "lenvatinib" in warning and "PD-1" not in warning


def test_stop_after_the_planned_end_extends_the_calendar_to_the_stop_day() -> None:
    # 2 cycles planned: 4 Jan + 2 x 21 - 1 = 14 Feb; the stop is decided on 22 Feb, so the calendar runs to it
    p = plan(patient(labs=_failing_each_week(5)), cycles=2)
    assert p.schedule.end == D("2027-02-22")
    assert _covered(rows(p, "oral", "lenvatinib")) == _span("2027-01-07", "2027-02-22")
    assert dates(p, "infusion", "pd1") == ["2027-01-07"]  # 25 Feb is after the end


def test_no_stop_no_continuation_rows() -> None:
    p = plan()
    assert not [r for r in p.event_rows() if r["rule"] == "schedule.systemic_after_haic_stop"]
    assert not [w for w in p.warnings if "systemic therapy continues" in w]


# -- item 3: the PD-1 interval when it stretches past the cycle -----------------------------------------------


def test_pd1_after_a_delayed_haic_states_the_interval() -> None:
    # four failed weekly checks: cycle 2 on 25 Jan + 28 = 22 Feb; PD-1 on 25 Feb, 49 days after 7 Jan
    p = plan(patient(labs=[*_failing_each_week(4), labs("2027-02-21")]))
    assert haic_dates(p)[1] == "2027-02-22"
    pd1 = rows(p, "infusion", "pd1")
    assert [r["date"] for r in pd1] == ["2027-01-07", "2027-02-25", "2027-03-18", "2027-04-08"]
    assert "49 days since the previous dose (planned every 21 days): follows the delayed HAIC " \
           "(cycle 2 delayed 28 days)" in pd1[1]["note"]
    assert all("days since the previous dose" not in (r["note"] or "") for r in pd1[2:])


def test_pd1_interval_note_boundary_21_and_22_days() -> None:
    on_time = rows(plan(), "infusion", "pd1")
    assert all("days since the previous dose" not in r["note"] for r in on_time)  # 21 days each
    # site closed Thursday 28 Jan: PD-1 dose 2 moves to 29 Jan, 22 days after 7 Jan
    moved = rows(plan(site=SiteCalendar.model_validate({"closed_dates": ["2027-01-28"]})), "infusion", "pd1")
    assert moved[1]["date"] == "2027-01-29"
    assert "22 days since the previous dose (planned every 21 days): moved by the site calendar" in moved[1]["note"]
    assert "days since the previous dose" not in moved[2]["note"]  # 29 Jan -> 18 Feb: 20 days


def test_pd1_interval_note_names_a_dose_not_given() -> None:
    p = plan(changes=[
        CourseChange(D("2027-01-27"), "pd1", "hold", reason="immune hepatitis grade 2", rule="r.hold"),
        CourseChange(D("2027-02-10"), "pd1", "resume", rule="r.resume"),
    ])
    # dose 2 (28 Jan) not given: 7 Jan -> 18 Feb is 42 days
    given = rows(p, "infusion", "pd1")
    assert given[1]["date"] == "2027-02-18"
    assert "42 days since the previous dose (planned every 21 days): dose 2 not given" in given[1]["note"]


def test_hold_around_haic_option_is_unaffected_after_the_stop() -> None:
    arm = protocol(lenvatinib_around_haic={"hold": True, "days_before": 1, "days_after": 2})
    p = plan(arm=arm, changes=[_stop("oxaliplatin"), _stop("fluorouracil")])
    # no later HAIC is given, so there is no hold around HAIC: lenvatinib daily 7 Jan - 28 Mar
    assert rows(p, "hold", "lenvatinib") == []
    assert _covered(rows(p, "oral", "lenvatinib")) == _span("2027-01-07", "2027-03-28")
