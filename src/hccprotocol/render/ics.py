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
- UID is derived from what an event *is*, never from its date: patient,
  protocol, activity, agent, HAIC cycle number and its ordinal among the rows
  of that cycle with the same agent and activity (the second lenvatinib period
  of cycle 2 after a hold). Moving ``--start`` moves every date but keeps every
  UID, so a calendar application that re-imports the rescheduled plan moves
  the events instead of adding a second copy.
- SEQUENCE is the generation time in whole seconds since 2020-01-01T00:00Z:
  it increases with every regeneration (RFC 5545 3.8.7.4: a revision of an
  event with the same UID must carry a higher SEQUENCE for the client to take
  it), fits the 32-bit INTEGER type until 2088, and needs no stored counter.
- DTSTAMP is the generation time (UTC), never a date taken from the record and
  never in the future (a stamp after "now" is clamped to now). The generation
  time is ``HCCPROTOCOL_NOW`` (ISO date-time, for reproducible runs) or the
  clock; the same input and generation time give byte-identical output.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone

from hccprotocol import __version__
from hccprotocol.render.plan_labels import summary
from hccprotocol.schedule.plan import Plan

__all__ = ["NOW_ENV", "generation_time", "render_plan_ics", "sequence_of"]

_DOMAIN = "hccprotocol"
NOW_ENV = "HCCPROTOCOL_NOW"
_SEQUENCE_EPOCH = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


def generation_time(requested: dt.datetime | None = None) -> dt.datetime:
    """When the calendar is generated (UTC, whole seconds): ``requested``, ``HCCPROTOCOL_NOW`` or the clock.

    Never after the real clock: a requested time in the future is clamped to now.
    """
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    chosen = requested
    if chosen is None and os.environ.get(NOW_ENV):
        chosen = dt.datetime.fromisoformat(os.environ[NOW_ENV])
    if chosen is None:
        return now
    if chosen.tzinfo is None:
        chosen = chosen.replace(tzinfo=dt.UTC)
    return min(chosen.astimezone(dt.UTC).replace(microsecond=0), now)


def sequence_of(generated: dt.datetime) -> int:
    """SEQUENCE: whole seconds from 2020-01-01T00:00Z to the generation time (increases on regeneration)."""
    return max(0, int((generated - _SEQUENCE_EPOCH).total_seconds()))


def _uid(plan: Plan, row: dict[str, object], seen: dict[str, int]) -> str:
    """Stable identity of a row: patient, protocol, activity, agent, cycle and ordinal; never the date."""
    identity = {
        "patient": plan.patient.id,
        "protocol": plan.protocol.id,
        "agent": row["agent"],
        "activity": row["activity"],
        "cycle": row["cycle"],
    }
    key = json.dumps(identity, sort_keys=True)
    seen[key] = seen.get(key, 0) + 1
    digest = hashlib.sha256(f"{key}#{seen[key]}".encode()).hexdigest()[:32]
    return f"{digest}@{_DOMAIN}"


def _description(plan: Plan, row: dict[str, object]) -> str:
    lines = []
    if plan.banner:
        lines.append(plan.banner)
    if row.get("note"):
        lines.append(str(row["note"]))
    lines.append(f"Rule: {row['rule']}")
    lines.append(f"Protocol: {plan.protocol.id} {plan.protocol.version}; patient {plan.patient.id}")
    return "\n".join(lines)


def render_plan_ics(plan: Plan, generated_at: dt.datetime | None = None) -> bytes:
    """The plan as iCalendar bytes; ``generated_at`` fixes DTSTAMP/SEQUENCE (default: see :func:`generation_time`)."""
    zone = ZoneInfo(plan.timezone)
    stamp = generation_time(generated_at)
    sequence = sequence_of(stamp)
    title = f"Treatment calendar {plan.patient.id} ({plan.protocol.id} {plan.protocol.version})"
    if plan.banner:
        title = f"{plan.banner} - {title}"
    cal_uid = hashlib.sha256(f"{plan.patient.id}|{plan.protocol.id}".encode()).hexdigest()[:32]
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
        event.add("sequence", sequence)
        cal.add_component(event)
    for position, tzid in enumerate(sorted(cal.get_missing_tzids())):
        cal.subcomponents.insert(position, _vtimezone(tzid))
    return bytes(cal.to_ical())


@functools.lru_cache(maxsize=64)
def _vtimezone(tzid: str) -> Timezone:
    """The VTIMEZONE of a zone, built once per process (building it walks decades of transitions)."""
    return Timezone.from_tzid(tzid)
