"""The ``schedule:`` section: shipped defaults match the paper/label values, bad values fail at load."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from hccprotocol.errors import ProtocolDefinitionError
from hccprotocol.protocol import load_protocol
from hccprotocol.schedule.options import ScheduleOptions
from hccprotocol.schedule.site_calendar import ScheduleInputError, load_site_calendar

ARMS = ["haic-lenvatinib-pd1", "haic-lenvatinib"]


@pytest.mark.parametrize("arm", ARMS)
def test_shipped_defaults(arm: str) -> None:
    s = load_protocol(arm).schedule
    assert s.cycle_length_days == 21  # "3-week cycle regimen"
    assert (s.systemic_start.window_first_day, s.systemic_start.window_last_day) == (4, 6)  # "fourth to sixth days"
    assert s.systemic_start.default_day == 4
    assert s.imaging_interval_days == 42  # 6 weeks, middle of "every 5 to 7 weeks"
    assert 35 <= s.imaging_interval_days <= 49
    assert (s.delay_step_days, s.max_delay_days) == (7, 30)  # 30-day delay: SYSUCC HAIC (He 2017)
    assert (s.default_cycles, s.max_cycles_without_force) == (4, 8)
    assert (s.admission_time, s.timezone) == ("08:00", "UTC")
    assert s.lenvatinib_around_haic.hold is False
    assert (s.precycle_labs.from_cycle, s.precycle_labs.days_before_haic) == (2, 1)
    limits = {lim.field: (lim.min, lim.max) for lim in s.precycle_labs.limits}
    # oxaliplatin label: ANC >= 1.5, platelets >= 75; SYSUCC: bilirubin <= 30 umol/L, albumin >= 30 g/L
    assert limits == {
        "anc_10e9_l": (1.5, None),
        "platelets_10e9_l": (75.0, None),
        "total_bilirubin_umol_l": (None, 30.0),
        "albumin_g_l": (30.0, None),
    }


@pytest.mark.parametrize("arm", ARMS)
def test_every_option_is_documented_in_the_yaml(arm: str) -> None:
    text = (Path(__file__).resolve().parents[2] / "protocol" / f"{arm}.yaml").read_text()
    section = text[text.index("\nschedule:") :]
    for key in ScheduleOptions.model_fields:
        assert f"  {key}:" in section, key
    assert section.count("Why") >= 10


def _options(**changes: Any) -> dict[str, Any]:
    data = load_protocol().schedule.model_dump()
    data.update(changes)
    return data


@pytest.mark.parametrize(
    "changes",
    [
        {"systemic_start": {"window_first_day": 4, "window_last_day": 6, "default_day": 7}},
        {"systemic_start": {"window_first_day": 4, "window_last_day": 6, "default_day": 3}},
        {"admission_time": "8:00"},
        {"admission_time": "24:00"},
        {"timezone": "Mars/Olympus"},
        {"default_cycles": 9},
        {"cycle_length_days": 0},
        {"unknown_option": 1},
        {"precycle_labs": {"limits": [{"field": "anc_10e9_l", "unit": "x", "source": "s"}]}},
        {"precycle_labs": {"limits": [{"field": "anc_10e9_l", "min": 1, "max": 2, "unit": "x", "source": "s"}]}},
        {"precycle_labs": {"limits": [{"field": "weight_kg", "min": 1, "unit": "x", "source": "s"}]}},
        {"precycle_labs": {"limits": []}},
    ],
)
def test_invalid_options_fail(changes: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        ScheduleOptions.model_validate(_options(**changes))


@pytest.mark.parametrize(("days_before", "max_age", "valid"), [(3, 3, True), (4, 3, False), (0, 0, True)])
def test_the_check_day_lies_inside_the_result_window(days_before: int, max_age: int, valid: bool) -> None:
    # a result drawn 4 days before the HAIC could never answer a check that accepts results up to 3 days old
    labs = {
        **load_protocol().schedule.precycle_labs.model_dump(),
        "days_before_haic": days_before,
        "result_max_age_days": max_age,
    }
    if valid:
        ScheduleOptions.model_validate(_options(precycle_labs=labs))
    else:
        with pytest.raises(ValidationError, match="never answer the check"):
            ScheduleOptions.model_validate(_options(precycle_labs=labs))


def test_valid_edges_pass() -> None:
    ScheduleOptions.model_validate(
        _options(systemic_start={"window_first_day": 4, "window_last_day": 6, "default_day": 6}, admission_time="23:59")
    )


def test_a_site_copy_with_a_bad_schedule_fails_at_load_naming_the_key(tmp_path: Path) -> None:
    shipped = Path(__file__).resolve().parents[2] / "protocol" / "haic-lenvatinib-pd1.yaml"
    data = yaml.safe_load(shipped.read_text())
    data["schedule"]["imaging_interval_days"] = 0
    site = tmp_path / "site.yaml"
    site.write_text(yaml.safe_dump(data))
    with pytest.raises(ProtocolDefinitionError) as info:
        load_protocol(str(site))
    assert any(i.path == "schedule.imaging_interval_days" for i in info.value.issues)


def test_site_calendar_file(tmp_path: Path) -> None:
    good = tmp_path / "site.yaml"
    good.write_text(
        "name: Ward 3\nclosed_weekdays: [sunday]\n"
        "closed_dates:\n  - 2027-01-01\n  - {date: 2027-05-01, reason: Labour Day}\n"
    )
    cal = load_site_calendar(good)
    assert cal.closed_weekdays == ("sunday",)
    assert [c.date.isoformat() for c in cal.closed_dates] == ["2027-01-01", "2027-05-01"]
    bad = tmp_path / "bad.yaml"
    bad.write_text("closed_weekdays: [someday]\n")
    with pytest.raises(ScheduleInputError) as info:
        load_site_calendar(bad)
    assert info.value.exit_code == 2
    with pytest.raises(ScheduleInputError, match="no such site calendar"):
        load_site_calendar(tmp_path / "absent.yaml")
    other = tmp_path / "site.txt"
    other.write_text("x")
    with pytest.raises(ScheduleInputError, match=r"\.yaml, \.yml or \.json"):
        load_site_calendar(other)
