"""``plan --format ics``: an RFC 5545 calendar that imports into any calendar application.

Why these choices:

- One VEVENT per calendar row, so the event count always equals the JSON's.
- Timed rows (admissions, infusions) are timed events in the site zone
  (``DTSTART;TZID=...`` with a VTIMEZONE); their end is the real elapsed
  infusion time (a 46-hour 5-FU infusion ends two days later).
- Rows without a time (oral-drug periods, holds, labs, imaging, delays) are
  all-day events; DTEND is exclusive (the day after the last day), as RFC 5545
  requires, so a period 1-21 January has DTEND 22 January.
- A VTIMEZONE for the site zone (icalendar's, valid 1970-2038) is built once per
  process and reused: building it is most of the cost of an export.
- UID and DTSTAMP are derived from the content (patient, protocol, row and the
  record's latest date), never random and never "now": the same input gives
  byte-identical output, and a calendar application updates rather than
  duplicates an event when the plan is re-exported.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone

from hccprotocol import __version__
from hccprotocol.render.plan_labels import summary
from hccprotocol.schedule.plan import Plan

__all__ = ["render_plan_ics"]

_DOMAIN = "hccprotocol"


def _uid(plan: Plan, row: dict[str, object], seen: dict[str, int]) -> str:
    key = json.dumps(
        {
            "patient": plan.patient.id,
            "protocol": plan.protocol.id,
            "date": row["date"],
            "time": row["time"],
            "agent": row["agent"],
            "activity": row["activity"],
            "cycle": row["cycle"],
        },
        sort_keys=True,
    )
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    seen[digest] = seen.get(digest, 0) + 1
    suffix = "" if seen[digest] == 1 else f"-{seen[digest]}"
    return f"{digest}{suffix}@{_DOMAIN}"


def _description(plan: Plan, row: dict[str, object]) -> str:
    lines = []
    if plan.banner:
        lines.append(plan.banner)
    if row.get("note"):
        lines.append(str(row["note"]))
    lines.append(f"Rule: {row['rule']}")
    lines.append(f"Protocol: {plan.protocol.id} {plan.protocol.version}; patient {plan.patient.id}")
    return "\n".join(lines)


def render_plan_ics(plan: Plan) -> bytes:
    zone = ZoneInfo(plan.timezone)
    stamp = dt.datetime.combine(plan.generated_on, dt.time(0, 0), tzinfo=dt.UTC)
    title = f"Treatment calendar {plan.patient.id} ({plan.protocol.id} {plan.protocol.version})"
    if plan.banner:
        title = f"{plan.banner} - {title}"
    cal_uid = hashlib.sha256(f"{plan.patient.id}|{plan.protocol.id}|{plan.start}".encode()).hexdigest()[:32]
    cal = Calendar.new(
        prodid=f"-//hccprotocol//plan {__version__}//EN",
        name=title,
        description=" | ".join(plan.warnings) or None,
        uid=f"{cal_uid}@{_DOMAIN}",
    )
    cal.add("x-wr-timezone", plan.timezone)
    seen: dict[str, int] = {}
    for row in plan.event_rows():
        day = dt.date.fromisoformat(str(row["date"]))
        text = summary(row, plan.protocol)
        if plan.banner:
            text = f"[FORCED] {text}"
        common = {
            "summary": text,
            "description": _description(plan, row),
            "uid": _uid(plan, row, seen),
            "stamp": stamp,
            "categories": [str(row["activity"])],
        }
        if row["time"] is not None:
            clock = dt.time.fromisoformat(str(row["time"]))
            begin = dt.datetime.combine(day, clock, tzinfo=zone)
            duration = row["duration_h"]
            if isinstance(duration, float | int) and duration > 0:
                finish = (begin.astimezone(dt.UTC) + dt.timedelta(hours=float(duration))).astimezone(zone)
                event = Event.new(start=begin, end=finish, **common)  # type: ignore[arg-type]
            else:
                event = Event.new(start=begin, **common)  # type: ignore[arg-type]
        else:
            last = dt.date.fromisoformat(str(row["end_date"])) if row["end_date"] else day
            event = Event.new(start=day, end=last + dt.timedelta(days=1), **common)  # type: ignore[arg-type]
        cal.add_component(event)
    for position, tzid in enumerate(sorted(cal.get_missing_tzids())):
        cal.subcomponents.insert(position, _vtimezone(tzid))
    return bytes(cal.to_ical())


@functools.lru_cache(maxsize=64)
def _vtimezone(tzid: str) -> Timezone:
    """The VTIMEZONE of a zone, built once per process (building it walks decades of transitions)."""
    return Timezone.from_tzid(tzid)
