"""Which days of an oral-drug period are dosing days: daily, or every other day (qod), never guessed.

Why here: a period row (``activity: oral``, ``date`` .. ``end_date``) carries the
dose and frequency at the start of its note ("4 mg every other day"), written by
the schedule engine. The frequency is looked up among the drug's dose levels in
the protocol (``frequency`` and ``interval_days``), so "every other day" is
never drawn as daily. Every-other-day keeps its rhythm across contiguous
periods at the same frequency (a period split at a HAIC day or a cycle boundary
does not restart it); a new frequency, or the first day back after a hold,
starts with a dosing day. A frequency the protocol does
not define is reported as unknown (``None``): no day is marked as a dosing day.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from hccprotocol.protocol import Protocol

__all__ = ["OralDose", "dosing_days", "oral_dose"]

_LEAD = re.compile(r"^(?P<mg>\d+(?:\.\d+)?) mg (?P<freq>[^;]+)")
_DAILY = {"daily", "once daily"}


class OralDose:
    """Dose, frequency text and interval (days) of one oral period row."""

    def __init__(self, dose_mg: float | None, frequency: str, interval_days: int | None) -> None:
        self.dose_mg = dose_mg
        self.frequency = frequency
        self.interval_days = interval_days

    def label(self) -> str:
        """'4 mg every other day', '12 mg once daily' (the wording of the protocol's level)."""
        dose = "dose not computed" if self.dose_mg is None else f"{self.dose_mg:g} mg"
        return f"{dose} {self.frequency}"


def _interval(agent: str | None, frequency: str, protocol: Protocol) -> int | None:
    for a in protocol.agents:
        if a.id == agent:
            for level in a.levels:
                if level.frequency == frequency and float(level.interval_days).is_integer():
                    return int(level.interval_days)
    return 1 if frequency in _DAILY else None


def oral_dose(row: dict[str, Any], protocol: Protocol) -> OralDose | None:
    """The dose and frequency of an ``oral`` row (None for any other row)."""
    if row.get("activity") != "oral":
        return None
    note = str(row.get("note") or "")
    lead = _LEAD.match(note)
    frequency = lead.group("freq").strip() if lead else note.split(";")[0].strip() or "daily"
    return OralDose(row.get("dose_mg"), frequency, _interval(row.get("agent"), frequency, protocol))


def dosing_days(rows: list[dict[str, Any]], protocol: Protocol) -> dict[int, list[dt.date]]:
    """Row index -> the dosing days of that oral period (all days when daily, alternate days when qod)."""
    out: dict[int, list[dt.date]] = {}
    last_dose: dict[str | None, dt.date] = {}
    last_end: dict[str | None, tuple[dt.date, int]] = {}
    for index, row in sorted(enumerate(rows), key=lambda item: str(item[1]["date"])):
        dose = oral_dose(row, protocol)
        if dose is None or dose.interval_days is None:
            continue
        agent = row.get("agent")
        first = dt.date.fromisoformat(str(row["date"]))
        last = dt.date.fromisoformat(str(row["end_date"])) if row.get("end_date") else first
        step = dt.timedelta(days=dose.interval_days)
        day = first
        previous = last_dose.get(agent)
        if previous is not None and last_end.get(agent) == (first - dt.timedelta(days=1), dose.interval_days):
            day = max(first, previous + step)  # the same rhythm continues across a split period
        days: list[dt.date] = []
        while day <= last:
            days.append(day)
            day += step
        out[index] = days
        if days:
            last_dose[agent] = days[-1]
        last_end[agent] = (last, dose.interval_days)
    return out
