"""Request validation and the eligibility gate of ``make_plan``: bad input is an error with exit code 2."""

from __future__ import annotations

import pytest

from hccprotocol.errors import ClinicalGateError
from hccprotocol.schedule import clock
from hccprotocol.schedule.plan import parse_start_date
from hccprotocol.schedule.site_calendar import ScheduleInputError
from tests.unit.schedule_support import D, patient, plan


@pytest.mark.parametrize("text", ["2027-02-30", "2027-13-01", "04/01/2027", "2027-1-4", "tomorrow", ""])
def test_bad_start_dates(text: str) -> None:
    with pytest.raises(ScheduleInputError) as info:
        parse_start_date(text)
    assert info.value.exit_code == 2
    assert "--start" in info.value.message


def test_leap_day() -> None:
    assert parse_start_date("2028-02-29") == D("2028-02-29")
    with pytest.raises(ScheduleInputError):
        parse_start_date("2027-02-29")


@pytest.mark.parametrize("cycles", [0, -1])
def test_zero_or_negative_cycles(cycles: int) -> None:
    with pytest.raises(ScheduleInputError, match="at least 1"):
        plan(cycles=cycles)


def test_cycles_above_8_need_force() -> None:
    assert len(plan(cycles=8).schedule.haic_dates) == 8
    with pytest.raises(ScheduleInputError, match="use --force"):
        plan(cycles=9)
    forced = plan(cycles=9, force=True)
    assert len(forced.schedule.haic_dates) == 9
    assert any("9 HAIC cycles planned with --force" in w for w in forced.warnings)
    assert forced.banner is None  # eligible patient: only the cycle count was forced


def test_default_cycles_from_the_protocol() -> None:
    p = plan(cycles=None)
    assert p.cycles == 4 and p.options["cycles_from"] == "schedule.default_cycles"


def test_start_in_the_past_needs_allow_past() -> None:
    with pytest.raises(ScheduleInputError, match="in the past"):
        plan(start=D("2026-11-30"), today=D("2026-12-01"))
    assert plan(start=D("2026-12-01"), today=D("2026-12-01")).start == D("2026-12-01")  # today is not the past
    assert plan(start=D("2026-11-30"), today=D("2026-12-01"), allow_past=True).start == D("2026-11-30")


def test_today_is_injectable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(clock.ENV, raising=False)
    monkeypatch.setattr(clock, "today_provider", lambda tz: D("2030-01-01"))
    assert clock.today("UTC") == D("2030-01-01")
    monkeypatch.setenv(clock.ENV, "2026-06-01")
    assert clock.today("UTC") == D("2026-06-01")


def test_unknown_time_zone() -> None:
    with pytest.raises(ScheduleInputError, match="IANA"):
        plan(timezone="Europe/Atlantis")


@pytest.mark.parametrize(("eligible", "summary"), [(False, "not eligible"), (None, "eligibility undetermined")])
def test_no_calendar_unless_eligible(eligible: bool | None, summary: str) -> None:
    # Issue 13: a refusal by the clinical gate exits 3 (was 2, invalid input).
    with pytest.raises(ClinicalGateError, match=f"is {summary}.*--force") as info:
        plan(eligible=eligible)
    assert info.value.exit_code == 3
    forced = plan(eligible=eligible, force=True)
    assert forced.forced and forced.banner is not None and summary in forced.banner
    assert forced.warnings[0].startswith("FORCED")


def test_eligible_patient_gets_an_unmarked_calendar() -> None:
    p = plan(eligible=True)
    assert not p.forced and p.banner is None


def test_treatment_start_mismatch_is_a_warning() -> None:
    p = plan(patient(treatment_start="2027-01-05"))
    assert any("differs from treatment_start" in w for w in p.warnings)
