"""The schedule engine: dated activities of one patient's treatment as a pandas DataFrame.

Why this shape: one row per dated activity (an admission, an infusion, a
period of daily lenvatinib, a hold window, a laboratory check, an imaging
visit, a course change) is what every export needs: JSON, CSV and the terminal
table print the rows, iCalendar turns each into one event, HTML groups them by
month. The engine only computes dates from options (``ScheduleOptions``), the
site calendar and the course timeline; it never decides a dose (``DoseSource``)
and never invents a value it was not given.

Projection, in order:

1. HAIC cycle 1 on ``start`` (moved forward only by the site calendar). Each
   later HAIC is due ``cycle_length_days`` after the actual previous one; the
   site calendar may move it forward (shown, not a delay).
2. Before each HAIC from ``precycle_labs.from_cycle``: the laboratory check (an
   earlier cycle has no blood draw but is checked against what is recorded; cycle 1
   against the baseline work-up, with the Child-Pugh class, as ``dose`` checks it). A
   recorded result outside a limit, or a HAIC agent held by the course, delays
   the cycle by ``delay_step_days`` and it is re-checked; everything after
   re-projects. Beyond ``max_delay_days`` HAIC is discontinued. HAIC also
   stops when the course has discontinued both cytotoxic agents (oxaliplatin
   and fluorouracil): leucovorin only modulates fluorouracil and is never
   infused alone (nor without fluorouracil). A check with no result is shown
   as due, never passed; a check that can only fall on closed site days is an
   input error, never silently a closed day.
3. Lenvatinib and the PD-1 inhibitor start on the window day of cycle 1; PD-1
   then follows each HAIC on the same cycle day (a note gives the interval
   when a delay stretches it past the cycle length); lenvatinib runs daily,
   split at cycle boundaries, course changes and optional holds around HAIC.
   When HAIC stops early, lenvatinib and PD-1 are not dropped: the issue says
   lenvatinib continues "except where the course interrupts or stops it", so
   both continue (PD-1 every cycle length from its last dose, or on its own
   ``pd1_schedule`` interval) to the planned horizon, the day the planned
   cycles would have ended, each row and a warning saying so, pending
   clinical review.
4. Imaging every ``imaging_interval_days`` from the first HAIC.

Doses: the dose of a day is the course's dose in force (or the starting dose),
and its arithmetic (``basis``, e.g. "65 mg/m2 x 1.8025 m2") is that of the
course level in force on that day, never the starting level's.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from hccprotocol.patient import Patient
from hccprotocol.schedule.labs import LabCheck, draw_day, evaluate_check
from hccprotocol.schedule.options import ScheduleOptions
from hccprotocol.schedule.rules import source_of
from hccprotocol.schedule.site_calendar import OPEN_EVERY_DAY, ScheduleInputError, SiteCalendar
from hccprotocol.schedule.timeline import (
    CYTOTOXIC_HAIC_AGENTS,
    HAIC_AGENTS,
    AgentDose,
    AgentTiming,
    CourseTimeline,
    DoseSource,
    FixedDoses,
    canonical_agent,
)

__all__ = ["COLUMNS", "Schedule", "TrailEntry", "build_schedule"]

COLUMNS: tuple[str, ...] = (
    "date",
    "end_date",
    "time",
    "cycle",
    "cycle_day",
    "agent",
    "activity",
    "dose_mg",
    "route",
    "duration_h",
    "note",
    "rule",
)
"""The DataFrame columns, which are also the keys of each ``events`` entry of ``plan --format json``."""

_ONE_DAY = dt.timedelta(days=1)
_UTC = dt.UTC


@dataclass(frozen=True)
class TrailEntry:
    """One scheduling decision: the rule, the day it concerns, what was decided, from which inputs."""

    rule: str
    date: dt.date
    decision: str
    inputs: dict[str, object] = field(default_factory=dict)
    source: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "date": self.date.isoformat(),
            "decision": self.decision,
            "inputs": dict(self.inputs),
            "source": self.source,
        }


@dataclass(frozen=True)
class Schedule:
    """The engine's result: the events DataFrame and how it was reached."""

    events: pd.DataFrame
    haic_dates: tuple[dt.date, ...]
    systemic_start: dt.date | None
    end: dt.date
    trail: tuple[TrailEntry, ...]
    warnings: tuple[str, ...]
    haic_stopped: str | None


@dataclass
class _Row:
    date: dt.date
    activity: str
    rule: str
    agent: str | None = None
    end_date: dt.date | None = None
    time: str | None = None
    dose_mg: float | None = None
    route: str | None = None
    duration_h: float | None = None
    note: str | None = None


@dataclass
class _Segment:
    """A run of days with the same lenvatinib state inside one cycle."""

    kind: str
    cycle: int
    lo: dt.date
    hi: dt.date
    dose: float | None = None
    frequency: str | None = None
    reason: str | None = None
    rule: str | None = None
    after_stop: bool = False

    def same(self, other: _Segment) -> bool:
        return (self.kind, self.cycle, self.dose, self.frequency, self.reason, self.rule, self.after_stop) == (
            other.kind, other.cycle, other.dose, other.frequency, other.reason, other.rule, other.after_stop
        )


@dataclass(frozen=True)
class _Dose:
    """The dose of one agent on one day, with the arithmetic of the level in force."""

    dose_mg: float | None
    frequency: str | None
    basis: str | None
    base: AgentDose | None


@dataclass(frozen=True)
class _Pd1Dose:
    number: int
    day: dt.date
    shift_note: str | None
    rule: str
    follows_cycle: int | None = None
    """The HAIC cycle this dose follows (pd1_schedule q3w_with_haic), None otherwise."""
    after_stop: bool = False


SYSTEMIC_AFTER_STOP = "schedule.systemic_after_haic_stop"


class _Builder:
    def __init__(
        self,
        *,
        patient: Patient,
        agents: Sequence[str],
        options: ScheduleOptions,
        start: dt.date,
        cycles: int,
        timezone: str,
        site_calendar: SiteCalendar,
        timeline: CourseTimeline,
        doses: DoseSource,
        timings: Mapping[str, AgentTiming],
        pd1_interval_days: int | None,
    ) -> None:
        self.patient = patient
        self.pd1_interval_days = pd1_interval_days
        self.agents = tuple(canonical_agent(a) for a in agents)
        self.opt = options
        self.start = start
        self.cycles = cycles
        self.zone = ZoneInfo(timezone)
        self.site = site_calendar
        self.timeline = timeline
        self.doses = doses
        self.timings = timings
        self.rows: list[_Row] = []
        self.trail: list[TrailEntry] = []
        self.warnings: list[str] = []
        self.haic_dates: list[dt.date] = []
        self.delays: dict[int, int] = {}
        """Total delay (days) of each placed HAIC cycle."""
        self.stop_day: dt.date | None = None
        """The day HAIC was discontinued (its ``discontinue`` row), None while every cycle was placed."""
        self.stop_cycle: int | None = None
        self.unchecked_failures: dict[int, str] = {}
        """Cycles before ``precycle_labs.from_cycle`` whose recorded results are missing (admission note)."""
        self.pd1_id = patient.pd1_agent or "pd1"

    # -- helpers -----------------------------------------------------------------

    def decide(self, rule: str, day: dt.date, decision: str, inputs: dict[str, object] | None = None) -> None:
        self.trail.append(TrailEntry(rule, day, decision, dict(inputs or {}), source_of(rule)))

    def shift(self, day: dt.date, what: str) -> tuple[dt.date, str | None]:
        """Move ``day`` to the next open site day; return the note describing the move, if any."""
        moved, skipped = self.site.shift_forward(day, self.opt.site_shift_max_days, what)
        if moved == day:
            return day, None
        note = f"moved from {day.isoformat()} by the site calendar ({'; '.join(skipped)}); not a delay"
        self.decide(
            "schedule.site_shift",
            moved,
            f"{what} moved from {day.isoformat()} to {moved.isoformat()}",
            {"site_calendar.closed": list(skipped)},
        )
        return moved, note

    def local_times(self, day: dt.date, clock: dt.time, offset_h: float, duration_h: float | None) -> tuple[
        dt.date, str, dt.date | None
    ]:
        """Start date, HH:MM and (when on a later day) end date, counting real elapsed hours in the site zone."""
        base = dt.datetime.combine(day, clock, tzinfo=self.zone).astimezone(_UTC)
        begin = (base + dt.timedelta(hours=offset_h)).astimezone(self.zone)
        end_date: dt.date | None = None
        if duration_h:
            finish = (base + dt.timedelta(hours=offset_h + duration_h)).astimezone(self.zone)
            end_date = finish.date() if finish.date() != begin.date() else None
        return begin.date(), begin.strftime("%H:%M"), end_date

    def dose(self, agent: str, day: dt.date) -> _Dose:
        """The dose in force on ``day`` and the arithmetic of the level it is given at.

        The course sets the dose from its changes (start, reduce, resume, restore);
        the basis shown next to it is that of the course's level on that day, so a
        reduced oxaliplatin dose reads "65 mg/m2 x ..." and never the starting
        "85 mg/m2 x ...". When the level's arithmetic is not known the note says so.
        """
        state = self.timeline.state_on(agent, day)
        base = self.doses.base_dose(agent)
        frequency = state.frequency or (base.frequency if base else None)
        if state.dose_mg is None:
            return _Dose(base.dose_mg if base else None, frequency, base.basis if base else None, base)
        return _Dose(state.dose_mg, frequency, self.basis_at(agent, state.dose_mg, state.level, base), base)

    def basis_at(self, agent: str, dose: float, level: str | None, base: AgentDose | None) -> str:
        if base is not None and base.basis and base.dose_mg == dose and (level is None or base.level == level):
            return base.basis
        if level is not None:
            at_level = self.doses.level_dose(agent, level)
            if at_level is not None and at_level.basis and at_level.dose_mg == dose:
                return at_level.basis
            return f"dose level {level} set by the course (arithmetic not available)"
        return "dose set by the course (arithmetic not available)"

    def dose_note(self, dose: _Dose) -> str | None:
        if dose.dose_mg is not None:
            return None
        why = dose.base.note if dose.base and dose.base.note else "no dose computed for this agent"
        return f"dose not computed: {why}"

    # -- HAIC cycles ---------------------------------------------------------------

    def haic_agents(self) -> tuple[str, ...]:
        return tuple(a for a in self.agents if a in HAIC_AGENTS)

    def agents_given(self, haic: dt.date) -> tuple[list[str], str | None]:
        """The HAIC agents infused on ``haic`` (not discontinued by the course), and a note on any left out.

        Leucovorin modulates fluorouracil: it is infused only together with fluorouracil.
        An empty list means no cytotoxic agent (oxaliplatin, fluorouracil) is left.
        """
        remaining = [a for a in self.haic_agents() if self.timeline.state_on(a, haic).status != "discontinued"]
        if not any(a in CYTOTOXIC_HAIC_AGENTS for a in remaining):
            return [], None
        note = None
        if "leucovorin" in remaining and "fluorouracil" in self.haic_agents() and "fluorouracil" not in remaining:
            remaining.remove("leucovorin")
            note = "leucovorin not given: it modulates fluorouracil, which the course has discontinued"
            self.decide(
                "schedule.leucovorin_with_fluorouracil", haic, note,
                {"course.fluorouracil.status": "discontinued", "course.leucovorin.status": "active"},
            )
        return remaining, note

    def stop_for_course(self, cycle: int, haic: dt.date) -> str:
        """HAIC stops: the course has discontinued every cytotoxic HAIC agent. The note names each rule and source."""
        parts: list[str] = []
        inputs: dict[str, object] = {}
        for agent in self.haic_agents():
            state = self.timeline.state_on(agent, haic)
            inputs[f"course.{agent}.status"] = state.status
            change = state.change
            if state.status != "discontinued" or change is None:
                continue
            text = f"{agent} discontinued on {change.date.isoformat()}"
            if change.reason:
                text += f" ({change.reason})"
            text += f" [rule {change.rule or 'schedule.course_change'}"
            text += f"; source: {change.source}]" if change.source else "]"
            parts.append(text)
            if change.rule:
                inputs[f"course.{agent}.rule"] = change.rule
        note = (
            f"HAIC stopped before cycle {cycle}: no cytotoxic HAIC agent is left (oxaliplatin and fluorouracil "
            "discontinued by the course; leucovorin is never infused alone): " + "; ".join(parts)
            + ". Further treatment needs clinical review."
        )
        self.rows.append(_Row(haic, "discontinue", "schedule.haic_stopped_by_course", note=note))
        self.decide("schedule.haic_stopped_by_course", haic, note, inputs)
        return note

    def project_cycles(self) -> str | None:
        """Place every HAIC; return why HAIC stopped early, or None when all cycles were placed."""
        labs_opt = self.opt.precycle_labs
        for cycle in range(1, self.cycles + 1):
            due = self.start if cycle == 1 else self.haic_dates[-1] + dt.timedelta(days=self.opt.cycle_length_days)
            delay = 0
            while True:
                planned = due + dt.timedelta(days=delay)
                haic, shift_note = self.shift(planned, f"HAIC cycle {cycle}")
                active, left_out = self.agents_given(haic)
                if not active:
                    self.stop_day, self.stop_cycle = haic, cycle
                    return self.stop_for_course(cycle, haic)
                held = [(a, self.timeline.state_on(a, haic).change) for a in active]
                held = [(a, c) for a, c in held if self.timeline.state_on(a, haic).status == "held"]
                check: LabCheck | None = None
                if labs_opt.enabled and cycle >= labs_opt.from_cycle:
                    check = self.lab_check(cycle, haic)
                elif labs_opt.enabled:
                    check = self.unchecked_result(cycle, haic, first_attempt=delay == 0)
                if not held and (check is None or not check.blocks_cycle):
                    break
                reasons: list[str] = []
                inputs: dict[str, object] = {}
                rule = "schedule.precycle_delay"
                if check is not None and check.blocks_cycle:
                    reasons.append("pre-cycle labs failed: " + "; ".join(check.failures))
                    inputs.update(check.inputs)
                if held:
                    rule = "schedule.precycle_delay" if reasons else "schedule.course_hold_delay"
                    for agent, change in held:
                        why = change.reason if change and change.reason else "held"
                        reasons.append(f"{agent} held by the course ({why})")
                        inputs[f"course.{agent}.status"] = "held"
                if delay + self.opt.delay_step_days > self.opt.max_delay_days:
                    note = (
                        f"HAIC discontinued before cycle {cycle}: a further {self.opt.delay_step_days}-day delay "
                        f"would exceed the maximum of {self.opt.max_delay_days} days (already delayed {delay} days); "
                        + "; ".join(reasons)
                        + ". Further treatment needs clinical review."
                    )
                    self.rows.append(_Row(haic, "discontinue", "schedule.haic_discontinued", note=note))
                    inputs["schedule.max_delay_days"] = self.opt.max_delay_days
                    inputs["delay_so_far_days"] = delay
                    self.decide("schedule.haic_discontinued", haic, note, inputs)
                    self.stop_day, self.stop_cycle = haic, cycle
                    return note
                delay += self.opt.delay_step_days
                note = (
                    f"HAIC cycle {cycle} delayed {self.opt.delay_step_days} days (total delay {delay} of at most "
                    f"{self.opt.max_delay_days}): " + "; ".join(reasons)
                )
                self.rows.append(_Row(haic, "delay", rule, note=note))
                inputs["schedule.delay_step_days"] = self.opt.delay_step_days
                self.decide(rule, haic, note, inputs)
            self.haic_dates.append(haic)
            self.delays[cycle] = delay
            self.decide(
                "schedule.haic_cycle",
                haic,
                f"HAIC cycle {cycle} on {haic.isoformat()}" + (f" after {delay} days of delay" if delay else ""),
                {"start": self.start.isoformat()} if cycle == 1 else {
                    "previous_haic": self.haic_dates[-2].isoformat(),
                    "schedule.cycle_length_days": self.opt.cycle_length_days,
                },
            )
            self.haic_rows(cycle, haic, active, shift_note, check, left_out)
        return None

    def unchecked_result(self, cycle: int, haic: dt.date, *, first_attempt: bool) -> LabCheck:
        """A cycle before ``from_cycle`` has no scheduled blood draw, but is checked against what is recorded.

        Cycle 1 is the baseline work-up (as ``dose`` reads it): the results dated within
        ``result_max_age_days`` before the HAIC, through the same limits, and (on the planned
        day) the Child-Pugh class of the record's ``liver`` block against
        ``baseline_child_pugh_classes``. A failing result or class delays the cycle like any
        failed check (``dose`` says ``delayed``); a missing one leaves the admission
        provisional with a note and a warning (``dose`` says ``pending_precycle_check``).
        """
        labs_opt = self.opt.precycle_labs
        check = evaluate_check(self.patient.labs, haic, labs_opt)
        if cycle == 1 and first_attempt:
            from hccprotocol.course.precycle import baseline_child_pugh

            cp = baseline_child_pugh(self.patient, labs_opt.baseline_child_pugh_classes)
            if cp.failing:
                inputs = {**check.inputs, "derived.child_pugh.class": cp.cls}
                check = dataclasses.replace(
                    check, outcome="failed", failures=(*check.failures, cp.describe()), inputs=inputs
                )
            elif cp.unknown and check.outcome != "failed":
                check = dataclasses.replace(
                    check,
                    outcome="incomplete" if check.result_date is not None else "due",
                    missing=(*check.missing, *cp.missing),
                )
        what = "the baseline work-up for HAIC cycle 1" if cycle == 1 else f"HAIC cycle {cycle}"
        if check.blocks_cycle:
            text = (
                f"a pre-cycle result recorded for {what} on {haic.isoformat()} fails the limits: "
                + "; ".join(check.failures)
                + f" (no blood draw is scheduled before cycle {labs_opt.from_cycle}; the recorded result is checked)"
            )
            self.warnings.append(text)
            self.decide("schedule.precycle_labs", haic, text, check.inputs)
        elif check.outcome in ("due", "incomplete"):
            missing = ", ".join(check.missing) if check.missing else "every limited value"
            text = (
                f"{what} on {haic.isoformat()}: no result within {labs_opt.result_max_age_days} days before the "
                f"HAIC for {missing}; due before the admission (not assumed passed)"
            )
            self.unchecked_failures[cycle] = text
            self.warnings.append(text)
            self.decide("schedule.precycle_labs", haic, text, check.inputs)
        return check

    def lab_day(self, cycle: int, haic: dt.date) -> tuple[dt.date, str | None]:
        """The open site day the pre-cycle blood is drawn (``schedule.labs.draw_day``: never a closed day)."""
        drawn = draw_day(cycle, haic, self.opt.precycle_labs, self.site)
        if drawn.note is not None:
            self.decide(
                "schedule.site_shift", drawn.day, f"pre-cycle check for cycle {cycle} {drawn.note}",
                {"site_calendar.closed": list(drawn.skipped),
                 "schedule.precycle_labs.haic_morning_fallback": self.opt.precycle_labs.haic_morning_fallback},
            )
        return drawn.day, drawn.note

    def lab_check(self, cycle: int, haic: dt.date) -> LabCheck:
        labs_opt = self.opt.precycle_labs
        check = evaluate_check(self.patient.labs, haic, labs_opt)
        day, moved = self.lab_day(cycle, haic)
        limits = ", ".join(limit.describe() for limit in labs_opt.limits)
        note = f"pre-cycle check for HAIC cycle {cycle} ({limits}): {check.note()}"
        if moved:
            note += f"; {moved}"
        self.rows.append(_Row(day, "labs", "schedule.precycle_labs", note=note))
        self.decide("schedule.precycle_labs", day, f"check for cycle {cycle}: {check.outcome}", check.inputs)
        return check

    def haic_rows(
        self,
        cycle: int,
        haic: dt.date,
        active: list[str],
        shift_note: str | None,
        check: LabCheck | None,
        left_out: str | None,
    ) -> None:
        clock = self.opt.admission_clock()
        span = [
            (t.start_h or 0.0) + (t.duration_h or 0.0)
            for a in active
            if (t := self.timings.get(a)) is not None and t.kind == "haic_infusion"
        ]
        notes = [f"HAIC cycle {cycle}: admission, catheter placement and infusion"]
        if shift_note:
            notes.append(shift_note)
        if check is not None and check.outcome in ("due", "incomplete"):
            notes.append("provisional: pre-cycle labs not yet passed")
        if left_out:
            notes.append(left_out)
        if cycle in self.unchecked_failures:
            notes.append(self.unchecked_failures[cycle])
        day, hhmm, end = self.local_times(haic, clock, 0.0, max(span) if span else None)
        self.rows.append(
            _Row(day, "admission", "schedule.haic_cycle", end_date=end, time=hhmm,
                 duration_h=max(span) if span else None, note="; ".join(notes))
        )
        for agent in active:
            timing = self.timings.get(agent)
            dose = self.dose(agent, haic)
            note_parts = [p for p in (self.dose_note(dose), dose.basis) if p]
            if timing is None or timing.start_h is None:
                note_parts.append("infusion hour not defined by the protocol")
                self.rows.append(
                    _Row(haic, "infusion", "schedule.haic_infusion", agent=agent, dose_mg=dose.dose_mg,
                         route=timing.route if timing else "intra-arterial", note="; ".join(note_parts) or None)
                )
                continue
            day, hhmm, end = self.local_times(haic, clock, timing.start_h, timing.duration_h)
            note_parts.append(
                f"hours {timing.start_h:g}-{timing.start_h + (timing.duration_h or 0):g} after admission"
            )
            self.rows.append(
                _Row(day, "infusion", "schedule.haic_infusion", agent=agent, end_date=end, time=hhmm,
                     dose_mg=dose.dose_mg, route=timing.route, duration_h=timing.duration_h,
                     note="; ".join(note_parts))
            )

    # -- lenvatinib and PD-1 -------------------------------------------------------

    def systemic_start(self) -> dt.date | None:
        wanted = [a for a in ("lenvatinib", "pd1") if a in self.agents]
        if not wanted or not self.haic_dates:
            return None
        s = self.opt.systemic_start
        first = self.haic_dates[0]
        window = [first + dt.timedelta(days=d - 1) for d in range(s.default_day, s.window_last_day + 1)]
        label = " and ".join("the PD-1 inhibitor" if a == "pd1" else a for a in wanted)
        day, skipped = self.site.first_open_in(
            window, f"starting {label} (cycle 1 days {s.default_day}-{s.window_last_day})"
        )
        cycle_day = (day - first).days + 1
        decision = f"{label} start on cycle 1 day {cycle_day} ({day.isoformat()})"
        if skipped:
            decision += "; closed: " + ", ".join(skipped)
        self.decide(
            "schedule.systemic_start",
            day,
            decision,
            {
                "schedule.systemic_start.default_day": s.default_day,
                "schedule.systemic_start.window": f"{s.window_first_day}-{s.window_last_day}",
                "first_haic": first.isoformat(),
            },
        )
        return day

    def pd1_days(self, start: dt.date, end: dt.date) -> list[_Pd1Dose]:
        """Each PD-1 dose up to ``end``: with each HAIC (or every ``pd1_interval_days``), then after a HAIC stop.

        After HAIC stops (q3w_with_haic), the PD-1 continues every cycle length from
        its last dose, and not before the cycle day it would have followed the HAIC
        that was not given: a dose that waited for a delayed HAIC is not moved back
        before the day HAIC was discontinued.
        """
        out = [_Pd1Dose(1, start, None, "schedule.systemic_start", follows_cycle=None)]
        stop = self.stop_day
        if self.pd1_interval_days is not None:
            k = 1
            while (target := start + dt.timedelta(days=k * self.pd1_interval_days)) <= end:
                day, note = self.shift(target, f"PD-1 dose {k + 1}")
                out.append(_Pd1Dose(k + 1, day, note, "schedule.pd1_interval",
                                    after_stop=stop is not None and day >= stop))
                k += 1
            return [d for d in out if d.day <= end]
        cycle_day = (start - self.haic_dates[0]).days + 1
        for cycle, haic in enumerate(self.haic_dates[1:], start=2):
            target = haic + dt.timedelta(days=cycle_day - 1)
            if target > end:
                break
            day, note = self.shift(target, f"PD-1 dose {len(out) + 1}")
            out.append(_Pd1Dose(len(out) + 1, day, note, "schedule.pd1_each_cycle", follows_cycle=cycle))
        if stop is not None:
            length = dt.timedelta(days=self.opt.cycle_length_days)
            target = max(out[-1].day + length, stop + dt.timedelta(days=cycle_day - 1))
            while target <= end:
                day, note = self.shift(target, f"PD-1 dose {len(out) + 1}")
                out.append(_Pd1Dose(len(out) + 1, day, note, SYSTEMIC_AFTER_STOP, after_stop=True))
                target = day + length
        return [d for d in out if d.day <= end]

    def pd1_interval_note(self, dose: _Pd1Dose, previous: dt.date | None, skipped: list[int]) -> str | None:
        """The interval from the previous dose given, when it is longer than the PD-1 cycle, and why."""
        expected = self.pd1_interval_days or self.opt.cycle_length_days
        if previous is None or (gap := (dose.day - previous).days) <= expected:
            return None
        causes: list[str] = []
        if dose.follows_cycle is not None and self.delays.get(dose.follows_cycle, 0):
            causes.append(
                f"follows the delayed HAIC (cycle {dose.follows_cycle} delayed {self.delays[dose.follows_cycle]} days)"
            )
        if skipped:
            causes.append("dose " + ", ".join(str(n) for n in skipped) + " not given")
        if dose.after_stop and self.stop_day is not None and previous < self.stop_day:
            causes.append(f"first dose after HAIC was discontinued on {self.stop_day.isoformat()}")
        if dose.shift_note:
            causes.append("moved by the site calendar")
        return f"{gap} days since the previous dose (planned every {expected} days)" + (
            ": " + "; ".join(causes) if causes else ""
        )

    def pd1_rows(self, start: dt.date, end: dt.date) -> None:
        timing = self.timings.get("pd1")
        clock = self.opt.pd1_clock()
        previous: dt.date | None = None
        skipped: list[int] = []
        for entry in self.pd1_days(start, end):
            number, day = entry.number, entry.day
            state = self.timeline.state_on("pd1", day)
            if state.status == "discontinued":
                break
            if state.status == "held":
                change = state.change
                why = change.reason if change and change.reason else "held by the course"
                self.rows.append(
                    _Row(day, "hold", change.rule if change and change.rule else "schedule.course_change",
                         agent=self.pd1_id, note=f"PD-1 dose {number} not given: {why}")
                )
                skipped.append(number)
                continue
            dose = self.dose("pd1", day)
            notes = [p for p in (self.dose_note(dose), dose.basis, entry.shift_note) if p]
            if (interval := self.pd1_interval_note(entry, previous, skipped)) is not None:
                notes.append(interval)
            if entry.after_stop and self.stop_day is not None:
                how = (
                    f"every {self.opt.cycle_length_days} days from its last dose"
                    if self.pd1_interval_days is None
                    else f"on its own schedule, every {self.pd1_interval_days} days"
                )
                notes.append(
                    f"HAIC discontinued on {self.stop_day.isoformat()}: the PD-1 inhibitor continues {how}, "
                    "pending clinical review"
                )
            if self.pd1_id == "pd1":
                notes.append("PD-1 inhibitor not chosen yet (record pd1_agent)")
            # The protocol's agent has no infusion block for PD-1: the booked length is schedule.pd1_infusion_minutes.
            duration = timing.duration_h if timing and timing.duration_h else self.opt.pd1_infusion_minutes / 60
            d, hhmm, end_d = self.local_times(day, clock, 0.0, duration)
            self.rows.append(
                _Row(d, "infusion", entry.rule, agent=self.pd1_id, end_date=end_d, time=hhmm, dose_mg=dose.dose_mg,
                     route=timing.route if timing else "intravenous", duration_h=duration,
                     note="; ".join(notes) or None)
            )
            previous, skipped = day, []

    def lenvatinib_rows(self, start: dt.date, end: dt.date) -> None:
        agent = "lenvatinib"
        stop = self.stop_day
        boundaries = {start, end + _ONE_DAY}
        boundaries.update(h for h in self.haic_dates if start < h <= end)
        if stop is not None and start < stop <= end:
            boundaries.add(stop)
        for change in self.timeline.for_agent(agent):
            # delay, and a hold/interrupt resumed the same day, act on that date only (CourseTimeline.state_on)
            paused = change.action in ("delay", "interrupt", "hold")
            for d in (change.date, change.date + _ONE_DAY) if paused else (change.date,):
                if start < d <= end:
                    boundaries.add(d)
        around = self.opt.lenvatinib_around_haic
        windows: list[tuple[dt.date, dt.date]] = []
        if around.hold:
            for h in self.haic_dates[1:]:
                lo, hi = h - dt.timedelta(days=around.days_before), h + dt.timedelta(days=around.days_after)
                windows.append((lo, hi))
                boundaries.update(d for d in (lo, hi + _ONE_DAY) if start < d <= end)
        points = sorted(boundaries)
        segments: list[_Segment] = []
        for lo, nxt in itertools.pairwise(points):
            hi = nxt - _ONE_DAY
            state = self.timeline.state_on(agent, lo)
            if state.status == "discontinued":
                break
            cycle = self.cycle_of(lo)
            after_stop = stop is not None and lo >= stop
            if state.status == "held":
                held_by = state.change
                seg = _Segment("hold", cycle, lo, hi, reason=held_by.reason if held_by else None,
                               rule=held_by.rule if held_by else None, after_stop=after_stop)
            elif any(a <= lo <= b for a, b in windows):
                seg = _Segment("hold_around", cycle, lo, hi)
            else:
                dose = self.dose(agent, lo)
                seg = _Segment("oral", cycle, lo, hi, dose=dose.dose_mg, frequency=dose.frequency,
                               after_stop=after_stop)
            if segments and segments[-1].same(seg) and segments[-1].hi + _ONE_DAY == lo:
                segments[-1].hi = hi
            else:
                segments.append(seg)
        base = self.doses.base_dose(agent)
        timing = self.timings.get(agent)
        route = timing.route if timing else "oral"
        for seg in segments:
            lo, hi = seg.lo, seg.hi
            if seg.kind == "oral":
                # Dose and frequency lead the note ("4 mg every other day"): every export reads them from here.
                notes = [f"{seg.dose:g} mg {seg.frequency or 'daily'}" if seg.dose is not None
                         else seg.frequency or "daily"]
                if seg.dose is None and (dn := self.dose_note(_Dose(None, None, None, base))) is not None:
                    notes.append(dn)
                rule = "schedule.systemic_start" if lo == start else "schedule.lenvatinib_daily"
                if lo == start:
                    notes.append("first dose")
                if seg.after_stop and stop is not None:
                    rule = SYSTEMIC_AFTER_STOP
                    notes.append(
                        f"HAIC discontinued on {stop.isoformat()}: lenvatinib continues daily, pending clinical review"
                    )
                for change in self.timeline.for_agent(agent):
                    if change.date == lo and change.action in ("resume", "reduce", "restore"):
                        notes.append(f"{change.action}: {change.reason or 'course change'}")
                        rule = change.rule or "schedule.course_change"
                self.rows.append(
                    _Row(lo, "oral", rule, agent=agent, end_date=hi, dose_mg=seg.dose, route=route,
                         note="; ".join(notes))
                )
            elif seg.kind == "hold":
                self.rows.append(
                    _Row(lo, "hold", seg.rule or "schedule.course_change", agent=agent, end_date=hi,
                         route=route, note=f"lenvatinib interrupted: {seg.reason or 'held by the course'}")
                )
            else:
                self.rows.append(
                    _Row(lo, "hold", "schedule.lenvatinib_hold_around_haic", agent=agent, end_date=hi, route=route,
                         note=f"lenvatinib held around HAIC (option lenvatinib_around_haic: {around.days_before} "
                         f"days before to {around.days_after} days after)")
                )

    def continuation_warning(self, end: dt.date) -> None:
        """After a HAIC stop: say which systemic drugs continue, to when, and that a clinician must review."""
        stop = self.stop_day
        if stop is None:
            return
        going_on = [
            "lenvatinib" if a == "lenvatinib" else f"the PD-1 inhibitor ({self.pd1_id})"
            for a in ("lenvatinib", "pd1")
            if a in self.agents and self.timeline.state_on(a, stop).status != "discontinued"
        ]
        if not going_on:
            return
        text = (
            f"HAIC discontinued on {stop.isoformat()} (before cycle {self.stop_cycle}); systemic therapy continues: "
            f"{' and '.join(going_on)} to {end.isoformat()}, the day the {self.cycles} planned cycles would have "
            "ended, pending clinical review"
        )
        self.warnings.append(text)
        self.decide(
            SYSTEMIC_AFTER_STOP, stop, text,
            {"schedule.cycles": self.cycles, "haic_placed": len(self.haic_dates), "planned_end": end.isoformat()},
        )

    def course_markers(self, end: dt.date) -> None:
        for change in self.timeline.changes:
            agent = canonical_agent(change.agent)
            if change.action == "start" or not self.start <= change.date <= end or agent not in self.agents:
                continue
            if agent == "lenvatinib" and change.action in ("interrupt", "hold", "resume", "delay"):
                continue
            shown = self.pd1_id if agent == "pd1" else change.agent
            parts = [f"{change.action}"]
            if change.from_mg is not None or change.to_mg is not None:
                parts.append(f"{_mg(change.from_mg)} -> {_mg(change.to_mg)}")
            if change.frequency:
                parts.append(change.frequency)
            if change.reason:
                parts.append(change.reason)
            if change.source:
                parts.append(f"source: {change.source}")
            self.rows.append(
                _Row(change.date, change.action, change.rule or "schedule.course_change", agent=shown,
                     dose_mg=change.to_mg, note="; ".join(parts))
            )
            self.decide(
                change.rule or "schedule.course_change",
                change.date,
                f"course: {shown} {change.action}" + (f" ({change.reason})" if change.reason else ""),
                {"course.action": change.action, "course.to_mg": change.to_mg},
            )

    def imaging_rows(self, end: dt.date) -> None:
        first = self.haic_dates[0]
        k = 1
        while (planned := first + dt.timedelta(days=k * self.opt.imaging_interval_days)) <= end:
            day, shift_note = self.shift(planned, f"imaging {k}")
            note = (
                f"follow-up CT or MRI, response by mRECIST (every {self.opt.imaging_interval_days} days "
                f"from the first HAIC, visit {k})"
            )
            self.rows.append(
                _Row(day, "imaging", "schedule.imaging", note=note + (f"; {shift_note}" if shift_note else ""))
            )
            k += 1
        self.decide(
            "schedule.imaging",
            first,
            f"{k - 1} imaging visit(s) every {self.opt.imaging_interval_days} days from {first.isoformat()}",
            {"schedule.imaging_interval_days": self.opt.imaging_interval_days},
        )

    def cycle_of(self, day: dt.date) -> int:
        cycle = 1
        for index, haic in enumerate(self.haic_dates, start=1):
            if haic <= day:
                cycle = index
        return cycle

    # -- assembly ------------------------------------------------------------------

    def planned_end(self) -> dt.date:
        """The last day of the last planned cycle, had every cycle not given run on time after the last HAIC."""
        remaining = self.cycles - len(self.haic_dates)
        return self.haic_dates[-1] + dt.timedelta(days=(remaining + 1) * self.opt.cycle_length_days - 1)

    def build(self) -> Schedule:
        stopped = self.project_cycles()
        if not self.haic_dates:
            raise ScheduleInputError(f"no HAIC can be scheduled from {self.start.isoformat()}: {stopped}")
        end = self.planned_end()
        if self.stop_day is not None:
            end = max(end, self.stop_day)
        systemic = self.systemic_start()
        if systemic is not None and systemic <= end:
            if "pd1" in self.agents:
                self.pd1_rows(systemic, end)
            if "lenvatinib" in self.agents:
                self.lenvatinib_rows(systemic, end)
            self.continuation_warning(end)
        self.imaging_rows(end)
        self.course_markers(end)
        frame = self._frame()
        return Schedule(
            events=frame,
            haic_dates=tuple(self.haic_dates),
            systemic_start=systemic,
            end=end,
            trail=tuple(sorted(self.trail, key=lambda t: t.date)),
            warnings=tuple(self.warnings),
            haic_stopped=stopped,
        )

    def _frame(self) -> pd.DataFrame:
        order = sorted(range(len(self.rows)), key=lambda i: (self.rows[i].date, self.rows[i].time or "", i))
        data: dict[str, list[Any]] = {c: [] for c in COLUMNS}
        first = self.haic_dates[0]
        for i in order:
            r = self.rows[i]
            cycle = self.cycle_of(r.date)
            anchor = self.haic_dates[cycle - 1] if r.date >= first else first
            data["date"].append(r.date)
            data["end_date"].append(r.end_date)
            data["time"].append(r.time)
            data["cycle"].append(cycle)
            data["cycle_day"].append((r.date - anchor).days + 1)
            data["agent"].append(r.agent)
            data["activity"].append(r.activity)
            data["dose_mg"].append(r.dose_mg)
            data["route"].append(r.route)
            data["duration_h"].append(r.duration_h)
            data["note"].append(r.note)
            data["rule"].append(r.rule)
        frame = pd.DataFrame(
            {
                c: pd.Series(v, dtype="int64" if c in ("cycle", "cycle_day") else
                             "float64" if c in ("dose_mg", "duration_h") else object)
                for c, v in data.items()
            }
        )
        return frame


def _mg(value: float | None) -> str:
    return "?" if value is None else f"{value:g} mg"


def build_schedule(
    *,
    patient: Patient,
    agents: Sequence[str],
    options: ScheduleOptions,
    start: dt.date,
    cycles: int,
    timezone: str | None = None,
    site_calendar: SiteCalendar | None = None,
    timeline: CourseTimeline | None = None,
    doses: DoseSource | None = None,
    timings: Mapping[str, AgentTiming] | None = None,
    pd1_interval_days: int | None = None,
) -> Schedule:
    """Project one patient's calendar. Raises :class:`ScheduleInputError` (exit 2) for unusable input.

    ``agents`` are the protocol's agent ids; ``timeline`` the course's dated
    changes; ``doses`` the starting doses; ``timings`` how each agent is given.
    Anything not given is shown as unknown in the rows, never assumed.
    """
    if cycles < 1:
        raise ScheduleInputError(f"cycles must be a positive whole number (received {cycles})")
    builder = _Builder(
        patient=patient,
        agents=agents,
        options=options,
        start=start,
        cycles=cycles,
        timezone=timezone or options.timezone,
        site_calendar=site_calendar or OPEN_EVERY_DAY,
        timeline=timeline or CourseTimeline(),
        doses=doses or FixedDoses(),
        timings=timings or {},
        pd1_interval_days=pd1_interval_days,
    )
    return builder.build()

