"""The calendar's 17 rules are data (rules/calendar-lin-2023.yaml) loaded through the model."""

from __future__ import annotations

import yaml

from hccprotocol.schedule import rules as calendar
from tests.unit.rulefile_mutation import RULES, assert_refused, line_of, mutate

FILE = "rules/calendar-lin-2023.yaml"
TEXT = (RULES / "calendar-lin-2023.yaml").read_text()

# The ids scenarios, trails and other rule files name (issue 12's catalogue: 17 calendar rules).
IDS = [
    "schedule.haic_cycle",
    "schedule.haic_infusion",
    "schedule.systemic_start",
    "schedule.pd1_each_cycle",
    "schedule.pd1_interval",
    "schedule.lenvatinib_daily",
    "schedule.lenvatinib_hold_around_haic",
    "schedule.precycle_labs",
    "schedule.precycle_delay",
    "schedule.course_hold_delay",
    "schedule.haic_discontinued",
    "schedule.haic_stopped_by_course",
    "schedule.leucovorin_with_fluorouracil",
    "schedule.systemic_after_haic_stop",
    "schedule.site_shift",
    "schedule.imaging",
    "schedule.course_change",
]


def _load(text: str) -> object:
    return calendar.load_calendar_text(text, FILE)


def test_the_shipped_calendar_file_keeps_every_rule_id() -> None:
    model = calendar.calendar_file()
    assert model.kind == "calendar" and model.id == "calendar-lin-2023"
    assert [r.id for r in model.calendar] == IDS
    assert list(calendar.RULES) == IDS
    assert all(r.title and r.statement and r.source and r.version == model.version for r in model.calendar)
    assert model.calendar[0].line == line_of(TEXT, "- id: schedule.haic_cycle")


def test_the_engine_api_reads_the_file() -> None:
    assert calendar.source_of("schedule.imaging").startswith("Lin et al. Front Oncol 2023")
    assert "every 5 to 7 weeks" in calendar.source_of("schedule.imaging")
    assert calendar.source_of("no.such.rule") == ""
    assert calendar.RULES["schedule.haic_discontinued"].options == ("max_delay_days",)


def test_rules_name_the_options_they_apply() -> None:
    by_id = {r.id: r for r in calendar.calendar_file().calendar}
    assert "cycle_length_days" in by_id["schedule.haic_cycle"].options
    assert "precycle_labs_days_before_haic" in by_id["schedule.precycle_labs"].options
    opts = calendar.calendar_options()
    # defaults read from the protocol's schedule model (schedule/options.py: 21 days, 42 days, 30 days)
    assert opts["cycle_length_days"].default == 21
    assert opts["imaging_interval_days"].default == 42
    assert opts["max_delay_days"].default == 30


def test_values_the_model_requires_match_the_shipped_protocol_files() -> None:
    pd1 = yaml.safe_load((RULES.parent / "protocol" / "haic-lenvatinib-pd1.yaml").read_text())
    options = pd1["dosing"]
    for name, value in calendar.SHIPPED_VALUES.items():
        assert options[name] == value, name


def test_misspelt_key_is_refused_with_its_line() -> None:
    line = line_of(TEXT, "statement:", 3)
    assert_refused(_load, mutate(TEXT, line, "statement:", "statment:"), FILE, line, "statment")


def test_misspelt_option_is_refused_with_its_line() -> None:
    line = line_of(TEXT, "- cycle_length_days")
    assert_refused(_load, mutate(TEXT, line, "cycle_length_days", "cycle_lenght_days"), FILE, line, "not declared")


def test_wrong_value_type_is_refused_with_its_line() -> None:
    line = line_of(TEXT, "title: HAIC every cycle length")
    bad = mutate(TEXT, line, "title: HAIC every cycle length from the actual previous HAIC", "title: [21, days]")
    assert_refused(_load, bad, FILE, line, "string")


def test_dangling_rule_reference_duplicate_id_is_refused() -> None:
    line = line_of(TEXT, "- id: schedule.imaging")
    bad = mutate(TEXT, line, "schedule.imaging", "schedule.site_shift")
    assert_refused(_load, bad, FILE, line, "duplicate rule id")
