"""The pre-cycle laboratory check: which recorded result answers it, and whether it passes.

Why a module: "no result" and "an incomplete result" must never read as
"passed". A check is ``due`` when no result was recorded in its window,
``incomplete`` when the result lacks a limited value (still due), ``failed``
when any recorded value is outside a limit (even if others are missing), and
``passed`` only when every limited value is present and inside its limit.

Each limited field is read from the latest result in the window that records
it, the same reading as the course replay and ``dose``
(``hccprotocol.course.precycle.values_on``): a newer partial result does not
hide a failing value that is still recent enough to answer the check, and the
calendar and the dose plan agree on which check fails. Whether a value passes a limit
is the one rule ``precycle.limit`` (``hccprotocol.course.precycle.passes``), read by all three.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from hccprotocol.course import precycle
from hccprotocol.patient import LabResult
from hccprotocol.schedule.options import PrecycleLabs
from hccprotocol.schedule.site_calendar import ScheduleInputError, SiteCalendar

__all__ = ["DrawDay", "LabCheck", "draw_day", "evaluate_check"]

Outcome = Literal["due", "incomplete", "passed", "failed"]


@dataclass(frozen=True)
class LabCheck:
    haic_date: dt.date
    outcome: Outcome
    result_index: int | None
    result_date: dt.date | None
    inputs: dict[str, object]
    failures: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def blocks_cycle(self) -> bool:
        return self.outcome == "failed"

    def note(self) -> str:
        if self.outcome == "due":
            return "due: no result recorded yet (not assumed passed)"
        assert self.result_date is not None
        when = self.result_date.isoformat()
        if self.outcome == "failed":
            return f"failed (result of {when}): " + "; ".join(self.failures)
        if self.outcome == "incomplete":
            return f"due: result of {when} lacks " + ", ".join(self.missing) + " (not assumed passed)"
        return f"passed (result of {when})"


def evaluate_check(labs: tuple[LabResult, ...] | None, haic_date: dt.date, options: PrecycleLabs) -> LabCheck:
    """Judge the check for a HAIC on ``haic_date`` from the results dated in its window (latest value per field)."""
    earliest = haic_date - dt.timedelta(days=options.result_max_age_days)
    in_window = [(i, r) for i, r in enumerate(labs or ()) if earliest <= r.date <= haic_date]
    if not in_window:
        return LabCheck(haic_date, "due", None, None, {}, (), ())
    index, result = max(in_window, key=lambda item: (item[1].date, item[0]))
    inputs: dict[str, object] = {f"labs[{index}].date": result.date.isoformat()}
    failures: list[str] = []
    missing: list[str] = []
    for limit in options.limits:
        recorded = [(i, r) for i, r in in_window if getattr(r, limit.field) is not None]
        if not recorded:
            inputs[f"labs[{index}].{limit.field}"] = None
            missing.append(limit.field)
            continue
        at, source = max(recorded, key=lambda item: (item[1].date, item[0]))
        value = getattr(source, limit.field)
        inputs[f"labs[{at}].{limit.field}"] = value
        if at != index:
            inputs[f"labs[{at}].date"] = source.date.isoformat()
        older = f" (result of {source.date.isoformat()})" if source.date != result.date else ""
        if precycle.passes(limit, value) is not False:
            continue
        if limit.min is not None:
            failures.append(
                f"{limit.field} {value:g} below {limit.min:g} {limit.unit}{older} (needs {limit.describe()})"
            )
        else:
            failures.append(
                f"{limit.field} {value:g} above {limit.max:g} {limit.unit}{older} (needs {limit.describe()})"
            )
    outcome: Outcome = "failed" if failures else "incomplete" if missing else "passed"
    return LabCheck(haic_date, outcome, index, result.date, inputs, tuple(failures), tuple(missing))


@dataclass(frozen=True)
class DrawDay:
    """The day the pre-cycle blood is drawn, and why it is not the nominal day."""

    day: dt.date
    note: str | None
    skipped: tuple[str, ...]
    haic_morning: bool


def draw_day(cycle: int, haic: dt.date, options: PrecycleLabs, site: SiteCalendar) -> DrawDay:
    """The open site day for the pre-cycle draw: the nominal day, else earlier in the window, else the HAIC morning.

    Never a closed day. A result older than ``result_max_age_days`` does not
    answer the check, so the search stops there. When every such day is closed,
    ``haic_morning_fallback`` draws it on the morning of the HAIC (the HAIC day
    is open: it was placed on one), before admission; without the option it is
    an input error (exit 2) naming the closed days.
    """
    nominal = haic - dt.timedelta(days=options.days_before_haic)
    earliest = haic - dt.timedelta(days=options.result_max_age_days)
    if nominal == haic and site.is_open(haic):
        return DrawDay(haic, None, (), True)  # days_before_haic 0: the HAIC morning is the nominal day
    skipped: list[str] = []
    day = nominal
    while day >= earliest:
        reason = site.closed_reason(day)
        if reason is None:
            if not skipped:
                return DrawDay(day, None, (), False)
            note = f"drawn on {day.isoformat()}, before the closed day(s) {', '.join(skipped)}"
            return DrawDay(day, note, tuple(skipped), False)
        skipped.append(f"{day.isoformat()} ({reason})")
        day -= dt.timedelta(days=1)
    if options.haic_morning_fallback and nominal != haic and site.is_open(haic):
        note = (
            f"drawn on the morning of the HAIC ({haic.isoformat()}), before admission: the site is closed on "
            f"{', '.join(skipped)} (option precycle_labs.haic_morning_fallback); results are needed before "
            "the first infusion"
        )
        return DrawDay(haic, note, tuple(skipped), True)
    raise ScheduleInputError(
        f"the site calendar blocks every day on which the pre-cycle laboratory check for HAIC cycle {cycle} "
        f"({haic.isoformat()}) can be drawn: {', '.join(skipped)} (a result answers the check only when drawn "
        f"{options.days_before_haic} to {options.result_max_age_days} days before the HAIC); open one of "
        "these days in the site calendar, set schedule.precycle_labs.haic_morning_fallback to true, or change "
        "schedule.precycle_labs.days_before_haic or result_max_age_days in the protocol"
    )
