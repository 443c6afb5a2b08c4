"""rules/dose-modification-course.yaml: the course's persistence clocks, laboratory events and pre-cycle limit rule.

Loaded through the model (hccprotocol.model.course_rules); mutations of the shipped text are refused with the
file and the line; the pre-cycle rule is the one definition the calendar and the course read.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from hccprotocol.course import precycle, tables
from hccprotocol.course.tables import course_rules, load_course_text
from hccprotocol.patient import LabResult
from hccprotocol.schedule.labs import evaluate_check
from hccprotocol.schedule.options import LabLimit, PrecycleLabs
from tests.unit.rulefile_mutation import RULES, assert_refused, line_of, mutate

NAME = "dose-modification-course.yaml"
FILE = f"rules/{NAME}"
TEXT = (RULES / NAME).read_text()


def _refused(needle: str, old: str, new: str, match: str, *, at: str | None = None) -> None:
    line = line_of(TEXT, needle)
    expected = line_of(TEXT, at) if at else line
    assert_refused(lambda t: load_course_text(t, FILE), mutate(TEXT, line, old, new), FILE, expected, match)


def test_the_shipped_rules_load_with_ids_and_lines() -> None:
    rules = course_rules()
    assert [c.id for c in rules.persistence] == [
        "lenvatinib.persist.toxicity",
        "folfox.persist.toxicity",
        "pd1.persist.toxicity",
        "folfox.persist.neuropathy",
    ]
    assert [e.id for e in rules.lab_events] == ["lenvatinib.lab.urine-protein"]
    assert rules.precycle.id == "precycle.limit"
    assert all(r.line == line_of(TEXT, f"id: {r.id}") for r in rules.rules())


def test_misspelt_key() -> None:
    _refused("    days_option: neuropathy_persistent_days", "days_option", "days_opton", "misspelt")


def test_misspelt_field_path() -> None:
    _refused("when: {all: [{in_neuropathy: true}, {grade: 2}]}", "in_neuropathy", "in_neuropaty",
             "did you mean in_neuropathy")  # fmt: skip
    _refused("    field: urine_protein_g_24h", "urine_protein_g_24h", "urine_protein_g_24", "no number course fact")


def test_wrong_value_type() -> None:
    _refused("when: {all: [{in_neuropathy: true}, {grade: 2}]}", "{grade: 2}", "{grade: two}", "cannot be compared")
    _refused("min_passes_when:", "{option: min}", '"1.5"', "cannot be compared")


def test_dangling_references() -> None:
    _refused("    days_option: neuropathy_persistent_days", "neuropathy_persistent_days", "neuropathy_days",
             "not a modification option in days")  # fmt: skip
    _refused("    agents: [oxaliplatin]", "oxaliplatin", "oxaliplatine", "no protocol agent")
    _refused("    category: proteinuria", "proteinuria", "proteinuri", "no category")
    _refused("min_passes_when:", "{option: min}", "{option: minimum}", "did you mean min")


def test_an_unreachable_limit_rule_is_refused() -> None:
    bad = "{all: [{value: {gte: {option: min}}}, {value: {lt: {option: min}}}]}"
    _refused("min_passes_when:", "{value: {gte: {option: min}}}", bad, "unreachable")


@pytest.mark.parametrize(
    ("limit", "value", "expected"),
    [
        # Oxaliplatin US PI: next dose when neutrophils >= 1.5 x10^9/L (1.5 passes, 1.49 does not)
        (LabLimit(field="anc_10e9_l", min=1.5, unit="10^9/L", source="s"), 1.5, True),
        (LabLimit(field="anc_10e9_l", min=1.5, unit="10^9/L", source="s"), 1.49, False),
        # He 2017: suspended when total bilirubin > 30 umol/L (30 passes, 30.1 does not)
        (LabLimit(field="total_bilirubin_umol_l", max=30, unit="umol/L", source="s"), 30.0, True),
        (LabLimit(field="total_bilirubin_umol_l", max=30, unit="umol/L", source="s"), 30.1, False),
        (LabLimit(field="anc_10e9_l", min=1.5, unit="10^9/L", source="s"), None, None),
    ],
)
def test_the_limit_rule_on_both_sides(limit: LabLimit, value: float | None, expected: bool | None) -> None:
    assert precycle.passes(limit, value) is expected


def test_calendar_and_course_read_the_one_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """An exclusive reading written in the rule file changes the calendar and the course together at 1.5."""
    limit = LabLimit(field="anc_10e9_l", min=1.5, unit="10^9/L", source="s")
    options = PrecycleLabs(limits=(limit,))
    labs = (LabResult(date=dt.date(2026, 9, 20), anc_10e9_l=1.5),)
    course_limit = precycle.Limit("precycle.anc_10e9_l.min", "anc_10e9_l", 1.5, None, "s")
    assert evaluate_check(labs, dt.date(2026, 9, 21), options).outcome == "passed"
    assert precycle.check_labs((course_limit,), {"anc_10e9_l": 1.5}).met
    exclusive = load_course_text(TEXT.replace("{value: {gte: {option: min}}}", "{value: {gt: {option: min}}}"), FILE)
    monkeypatch.setattr(tables, "course_rules", lambda: exclusive)
    assert evaluate_check(labs, dt.date(2026, 9, 21), options).outcome == "failed"
    assert precycle.check_labs((course_limit,), {"anc_10e9_l": 1.5}).failing
    assert dataclasses.is_dataclass(course_limit)
