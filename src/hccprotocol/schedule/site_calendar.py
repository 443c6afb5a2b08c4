"""A site's non-treatment days (weekends, holidays) and how they move an activity.

Why a separate file and model: the days a day ward is closed belong to the
site, not to the protocol, and change every year. A site calendar moves an
infusion forward to the next open day; the move is shown and is never counted
as a clinical delay. A calendar that leaves no open day where one is needed is
bad input (exit 2), never silently ignored.

File format (YAML or JSON)::

    name: Example day ward
    timezone: Asia/Shanghai        # IANA zone of the site; plan uses it when --timezone is not given
    closed_weekdays: [saturday, sunday]
    closed_dates:
      - {date: 2027-01-01, reason: New Year's Day}
      - 2027-02-11
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator

from hccprotocol.data_files import read_data, validate_definition
from hccprotocol.errors import InputError

__all__ = ["ClosedDate", "ScheduleInputError", "SiteCalendar", "load_site_calendar"]

Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAYS: tuple[str, ...] = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class ScheduleInputError(InputError):
    """The calendar cannot be built from this input (dates, cycles, site calendar); exit 2."""

    code = "schedule.invalid"


class ClosedDate(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    date: dt.date
    reason: str | None = None


class SiteCalendar(BaseModel):
    """Days on which the site gives no treatment. An empty calendar leaves every day open."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str | None = None
    timezone: str | None = Field(None, description="The site's IANA time zone (used when --timezone is not given)")
    closed_weekdays: tuple[Weekday, ...] = ()
    closed_dates: tuple[ClosedDate, ...] = Field(default=())
    _closed_days: frozenset[int] = PrivateAttr(default=frozenset())
    _closed: dict[dt.date, str | None] = PrivateAttr(default_factory=dict)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str | None) -> str | None:
        from hccprotocol.schedule.options import validate_timezone

        return None if value is None else validate_timezone(value)

    @field_validator("closed_dates", mode="before")
    @classmethod
    def _plain_dates(cls, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return [{"date": v} if isinstance(v, str | dt.date) else v for v in value]
        return value

    def model_post_init(self, context: Any, /) -> None:
        self._closed_days = frozenset(WEEKDAYS.index(d) for d in self.closed_weekdays)
        self._closed = {c.date: c.reason for c in self.closed_dates}

    def closed_reason(self, day: dt.date) -> str | None:
        """Why the site is closed on ``day``, or None when it is open."""
        if day in self._closed:
            return self._closed[day] or "site closed"
        if day.weekday() in self._closed_days:
            return f"site closed on {WEEKDAYS[day.weekday()].capitalize()}s"
        return None

    def is_open(self, day: dt.date) -> bool:
        return self.closed_reason(day) is None

    def shift_forward(self, day: dt.date, max_days: int, what: str) -> tuple[dt.date, tuple[str, ...]]:
        """The first open day from ``day`` on, at most ``max_days`` later, and why each skipped day was closed."""
        skipped: list[str] = []
        for offset in range(max_days + 1):
            candidate = day + dt.timedelta(days=offset)
            reason = self.closed_reason(candidate)
            if reason is None:
                return candidate, tuple(skipped)
            skipped.append(f"{candidate.isoformat()} ({reason})")
        last = day + dt.timedelta(days=max_days)
        raise ScheduleInputError(
            f"the site calendar blocks every day from {day.isoformat()} to {last.isoformat()} for {what}; "
            "open a day in the site calendar or raise schedule.site_shift_max_days in the protocol"
        )

    def first_open_in(self, days: list[dt.date], what: str) -> tuple[dt.date, tuple[str, ...]]:
        """The first open day of a window, or an error naming the window when every day is closed."""
        skipped: list[str] = []
        for candidate in days:
            reason = self.closed_reason(candidate)
            if reason is None:
                return candidate, tuple(skipped)
            skipped.append(f"{candidate.isoformat()} ({reason})")
        raise ScheduleInputError(
            f"the site calendar blocks every day of the window for {what}: " + ", ".join(skipped)
        )

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "timezone": self.timezone,
            "closed_weekdays": list(self.closed_weekdays),
            "closed_dates": [{"date": c.date.isoformat(), "reason": c.reason} for c in self.closed_dates],
        }


OPEN_EVERY_DAY = SiteCalendar()


def load_site_calendar(path: Path) -> SiteCalendar:
    """Read a site calendar file (``.yaml``, ``.yml`` or ``.json``); any problem is an input error."""
    if path.suffix.lower() not in {".yaml", ".yml", ".json"}:
        raise ScheduleInputError(f"{path}: a site calendar must be a .yaml, .yml or .json file")
    data = read_data(path, ScheduleInputError, noun="site calendar file")
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ScheduleInputError(f"{path}: a site calendar must be a mapping with closed_weekdays/closed_dates")
    return validate_definition(SiteCalendar, data, where=str(path), what="site calendar", error=ScheduleInputError)
