"""Helpers for the schedule tests: patients, fixed providers and a one-call plan builder.

The providers here stand in for the dosing, course and eligibility engines so
the date rules are tested on their own; doses given here are hand values from
the paper/label (e.g. lenvatinib 12 mg for >= 60 kg), not engine output.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from hccprotocol.patient import Patient
from hccprotocol.patient_file import parse_patient
from hccprotocol.protocol import Protocol, load_protocol
from hccprotocol.schedule.adapters import pd1_interval_days, protocol_timings
from hccprotocol.schedule.plan import EligibilityGate, Plan, Providers, make_plan
from hccprotocol.schedule.site_calendar import SiteCalendar
from hccprotocol.schedule.timeline import AgentDose, CourseChange, CourseTimeline, FixedDoses

D = dt.date.fromisoformat
TODAY = D("2026-12-01")
START = D("2027-01-04")  # a Monday

PAPER_DOSES = FixedDoses(
    {
        "lenvatinib": AgentDose("lenvatinib", 12.0, "oral", "once daily", "weight >= 60 kg -> 12 mg (label 2.4)"),
        "pd1": AgentDose("pd1", 200.0, "intravenous", "every 3 weeks", "200 mg fixed (Lin 2023)"),
    }
)


def patient(**fields: Any) -> Patient:
    return parse_patient({"id": "T1", **fields}, source="test")


def protocol(arm: str = "haic-lenvatinib-pd1", **schedule: Any) -> Protocol:
    base = load_protocol(arm)
    if not schedule:
        return base
    merged = base.schedule.model_dump()
    for key, value in schedule.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return base.model_copy(update={"schedule": type(base.schedule).model_validate(merged)})


def providers(
    *,
    eligible: bool | None = True,
    changes: Iterable[CourseChange] = (),
    doses: FixedDoses = PAPER_DOSES,
    pd1_interval: int | None = None,
) -> Providers:
    timeline = CourseTimeline.of(changes)
    return Providers(
        eligibility=lambda p, pr: EligibilityGate(
            eligible, {True: "eligible", False: "not eligible", None: "eligibility undetermined"}[eligible]
        ),
        doses=lambda p, pr, s: (doses, ()),
        course=lambda p, pr, s: (timeline, ()),
        timings=protocol_timings,
        pd1_interval=lambda pr: pd1_interval if pd1_interval is not None else pd1_interval_days(pr),
    )


def plan(
    record: Patient | None = None,
    *,
    arm: str | Protocol = "haic-lenvatinib-pd1",
    start: dt.date = START,
    cycles: int | None = 4,
    changes: Iterable[CourseChange] = (),
    eligible: bool | None = True,
    site: SiteCalendar | None = None,
    timezone: str | None = None,
    force: bool = False,
    allow_past: bool = False,
    today: dt.date = TODAY,
    pd1_interval: int | None = None,
    doses: FixedDoses = PAPER_DOSES,
) -> Plan:
    proto = arm if isinstance(arm, Protocol) else protocol(arm)
    return make_plan(
        record or patient(),
        proto,
        start=start,
        providers=providers(eligible=eligible, changes=changes, pd1_interval=pd1_interval, doses=doses),
        cycles=cycles,
        timezone=timezone,
        site_calendar=site,
        force=force,
        allow_past=allow_past,
        today=today,
    )


def rows(p: Plan, activity: str | None = None, agent: str | None = None) -> list[dict[str, Any]]:
    out = p.event_rows()
    if activity is not None:
        out = [r for r in out if r["activity"] == activity]
    if agent is not None:
        out = [r for r in out if r["agent"] == agent]
    return out


def dates(p: Plan, activity: str, agent: str | None = None) -> list[str]:
    return [r["date"] for r in rows(p, activity, agent)]


def haic_dates(p: Plan) -> list[str]:
    return dates(p, "admission")


def labs(date: str, **values: float) -> dict[str, Any]:
    good = {"anc_10e9_l": 2.0, "platelets_10e9_l": 120.0, "total_bilirubin_umol_l": 15.0, "albumin_g_l": 38.0}
    return {"date": date, **good, **values}
