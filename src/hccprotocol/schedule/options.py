"""Schedule options: every day rule of the treatment calendar that the paper leaves open.

Why a model: the paper fixes little about dates ("3-week cycle", "on the fourth
to sixth days after HAIC", "followed up every 5 to 7 weeks"), so each choice the
calendar makes is a named option with a documented default, read from the
``schedule:`` section of a protocol file, shown in every output and testable on
both sides. A site changes one value in its copy of the protocol file; nothing
here is hard-coded in the engine.

Sources of the defaults (see ``protocol/*.yaml`` for the same text next to each value):

- Lin et al. 2023, Materials and methods: "FOLFOX-HAIC was performed for a 3-week
  cycle regimen"; "On the fourth to sixth days after HAIC, lenvatinib ... [and] a
  PD-1 inhibitor"; "followed up every 5 to 7 weeks ... with imaging".
- Oxaliplatin label (clinical-references.md 2.1): next dose only when neutrophils
  >= 1.5 x10^9/L and platelets >= 75 x10^9/L.
- SYSUCC HAIC protocol (He 2017, clinical-references.md 2.2): suspend when total
  bilirubin > 30 umol/L or albumin < 30 g/L; treatment stopped when no recovery
  after a 30-day delay.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "LabLimit",
    "LenvatinibAroundHaic",
    "PrecycleLabs",
    "ScheduleOptions",
    "SystemicStart",
    "validate_timezone",
]

LabField = Literal[
    "anc_10e9_l",
    "platelets_10e9_l",
    "hemoglobin_g_l",
    "total_bilirubin_umol_l",
    "albumin_g_l",
    "alt_u_l",
    "ast_u_l",
    "creatinine_umol_l",
    "inr",
    "urine_protein_g_24h",
]

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def validate_timezone(name: str) -> str:
    """An IANA time-zone name that the bundled tz database knows (``Europe/Berlin``, ``UTC``)."""
    if not name or name != name.strip() or name.startswith("/") or ".." in name:
        raise ValueError(f"{name!r} is not an IANA time-zone name such as 'Asia/Shanghai' or 'UTC'")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is not an IANA time-zone name such as 'Asia/Shanghai' or 'UTC'") from None
    return name


class Options(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SystemicStart(Options):
    """When lenvatinib and the PD-1 inhibitor start in cycle 1 (cycle day 1 = the HAIC day)."""

    window_first_day: int = Field(4, ge=2, le=21, description="First cycle day of the start window (paper: 4th day)")
    window_last_day: int = Field(6, ge=2, le=21, description="Last cycle day of the start window (paper: 6th day)")
    default_day: int = Field(
        4, ge=2, le=21, description="Cycle day used unless the site calendar blocks it (first day of the window)"
    )

    @model_validator(mode="after")
    def _day_in_window(self) -> SystemicStart:
        if not self.window_first_day <= self.default_day <= self.window_last_day:
            raise ValueError(
                f"default_day {self.default_day} must lie in the window "
                f"{self.window_first_day}-{self.window_last_day}"
            )
        return self


class LenvatinibAroundHaic(Options):
    """Whether daily lenvatinib pauses around later HAIC admissions (the paper is silent)."""

    hold: bool = Field(False, description="Hold lenvatinib around each HAIC after the first (default: continue daily)")
    days_before: int = Field(1, ge=0, le=7, description="When held: days before the HAIC day the hold starts")
    days_after: int = Field(2, ge=0, le=7, description="When held: days after the HAIC day the hold ends (inclusive)")


class LabLimit(Options):
    """One pre-cycle limit: the cycle goes ahead only when the value satisfies it (bounds inclusive)."""

    field: LabField
    min: float | None = Field(None, description="Lowest passing value (inclusive)")
    max: float | None = Field(None, description="Highest passing value (inclusive)")
    unit: str
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _one_bound(self) -> LabLimit:
        if (self.min is None) == (self.max is None):
            raise ValueError(f"limit on {self.field}: give exactly one of 'min' or 'max'")
        return self

    def describe(self) -> str:
        bound = f">= {self.min:g}" if self.min is not None else f"<= {self.max:g}"
        return f"{self.field} {bound} {self.unit}"


class PrecycleLabs(Options):
    """The laboratory check before each HAIC, and which recorded result answers it."""

    enabled: bool = Field(True, description="Schedule a pre-cycle laboratory check before each HAIC")
    from_cycle: int = Field(
        2,
        ge=1,
        description="First cycle with a scheduled blood draw (before it, cycle 1 is checked against the baseline "
        "work-up: the results dated within result_max_age_days, and the Child-Pugh class)",
    )
    baseline_child_pugh_classes: tuple[Literal["A", "B", "C"], ...] = Field(
        ("A", "B"),
        min_length=1,
        description="Child-Pugh classes with which the first HAIC may go ahead (paper inclusion (5): A or B)",
    )
    days_before_haic: int = Field(1, ge=0, le=7, description="The check is due this many days before the HAIC day")
    result_max_age_days: int = Field(
        3,
        ge=0,
        le=14,
        description="A result dated up to this many days before the HAIC day (or on it) answers the check",
    )
    limits: tuple[LabLimit, ...] = Field(min_length=1)
    haic_morning_fallback: bool = Field(
        True,
        description="When every day from days_before_haic back to result_max_age_days is closed at the site, draw "
        "the blood on the morning of the HAIC, before admission, instead of refusing the calendar",
    )

    @model_validator(mode="after")
    def _drawn_inside_the_window(self) -> PrecycleLabs:
        # A check drawn before the oldest day whose result answers it could never pass.
        if self.days_before_haic > self.result_max_age_days:
            raise ValueError(
                f"days_before_haic {self.days_before_haic} is older than result_max_age_days "
                f"{self.result_max_age_days}: a result drawn that day would never answer the check"
            )
        return self


class ScheduleOptions(Options):
    """The ``schedule:`` section of a protocol: every default of the calendar, with its reason in the YAML."""

    cycle_length_days: int = Field(21, ge=7, le=56, description="Days from the actual previous HAIC to the next")
    default_cycles: int = Field(4, ge=1, description="HAIC cycles planned when --cycles is not given")
    max_cycles_without_force: int = Field(8, ge=1, description="More cycles than this need --force (paper range 2-8)")
    systemic_start: SystemicStart = SystemicStart()
    lenvatinib_around_haic: LenvatinibAroundHaic = LenvatinibAroundHaic()
    precycle_labs: PrecycleLabs
    delay_step_days: int = Field(7, ge=1, le=28, description="A failed pre-cycle check delays the HAIC by this much")
    max_delay_days: int = Field(
        30, ge=0, le=120, description="Total delay of one cycle beyond which HAIC is discontinued"
    )
    imaging_interval_days: int = Field(42, ge=7, le=120, description="Follow-up CT/MRI every this many days")
    site_shift_max_days: int = Field(
        14, ge=0, le=60, description="Longest forward shift the site calendar may impose before it is an error"
    )
    admission_time: str = Field("08:00", description="HAIC admission (infusion hour 0), site local time HH:MM")
    pd1_time: str = Field("08:00", description="PD-1 infusion start, site local time HH:MM")
    pd1_infusion_minutes: int = Field(
        60,
        ge=15,
        le=240,
        description="Length of the PD-1 infusion booked in the calendar (sintilimab label: over 30-60 min; "
        "default 60, the upper bound, so the chair is booked for the whole infusion)",
    )
    timezone: str = Field(
        "UTC",
        description="Zone used by library callers of make_plan that pass none; the plan command never uses it "
        "(it requires --timezone or the site calendar's timezone: no silent UTC)",
    )

    @field_validator("admission_time", "pd1_time")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        if not _HHMM.match(value):
            raise ValueError(f"{value!r} is not a 24-hour time HH:MM")
        return value

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        return validate_timezone(value)

    @model_validator(mode="after")
    def _cycles_consistent(self) -> ScheduleOptions:
        if self.default_cycles > self.max_cycles_without_force:
            raise ValueError("default_cycles must not exceed max_cycles_without_force")
        if self.systemic_start.window_last_day > self.cycle_length_days:
            raise ValueError("the systemic start window must end within the first cycle")
        return self

    def admission_clock(self) -> dt.time:
        return dt.time.fromisoformat(self.admission_time)

    def pd1_clock(self) -> dt.time:
        return dt.time.fromisoformat(self.pd1_time)
