"""Every shipped dose-modification table is refused, with its file and line, when a reviewer's edit breaks it.

Mutations of the real text (rules/dose-modification-*.yaml), loaded as the course loads them
(hccprotocol.course.tables.load_table_text -> hccprotocol.model.load_rule_text): a misspelt key, a
misspelt fact path (`grde`), a value of the wrong type, a dangling dose-level reference, an undeclared
option and a term that is not CTCAE v5.0.
"""

from __future__ import annotations

import pytest

from hccprotocol.course.tables import load_table_text
from tests.unit.rulefile_mutation import RULES, assert_refused, line_of, mutate

FILES = ("dose-modification-lenvatinib.yaml", "dose-modification-folfox.yaml", "dose-modification-pd1.yaml")


def _case(name: str) -> tuple[str, str]:
    return (RULES / name).read_text(), f"rules/{name}"


@pytest.mark.parametrize("name", FILES)
def test_the_shipped_file_loads(name: str) -> None:
    text, file = _case(name)
    table = load_table_text(text, file)
    death = table.transitions[0]
    assert death.id.endswith(".death") and death.line == line_of(text, f"- id: {death.id}")


@pytest.mark.parametrize("name", FILES)
def test_misspelt_key(name: str) -> None:
    text, file = _case(name)
    line = line_of(text, "    priority: 0")
    assert_refused(lambda t: load_table_text(t, file), mutate(text, line, "priority", "priorty"), file, line, "priorty")


@pytest.mark.parametrize("name", FILES)
def test_misspelt_field_path(name: str) -> None:
    text, file = _case(name)
    line = line_of(text, "when: {grade: 5}")
    bad = mutate(text, line, "{grade: 5}", "{grde: 5}")
    assert_refused(lambda t: load_table_text(t, file), bad, file, line, "unknown fact path 'grde'")


@pytest.mark.parametrize("name", FILES)
def test_wrong_value_type(name: str) -> None:
    text, file = _case(name)
    line = line_of(text, "when: {grade: 5}")
    bad = mutate(text, line, "{grade: 5}", '{grade: "5"}')  # a text compared with a CTCAE grade (a number)
    assert_refused(lambda t: load_table_text(t, file), bad, file, line, "cannot be compared")


@pytest.mark.parametrize("name", FILES)
def test_wrong_value_type_of_a_field(name: str) -> None:
    text, file = _case(name)
    line = line_of(text, "    priority: 0")
    assert_refused(lambda t: load_table_text(t, file), mutate(text, line, "0", "first"), file, line, "integer")


@pytest.mark.parametrize("name", FILES)
def test_dangling_level_reference(name: str) -> None:
    text, file = _case(name)
    line = line_of(text, "    then: same")
    bad = mutate(text, line, "then: same", "then: {level: 6mg}")
    rule_line = max(i for i in range(1, line) if text.splitlines()[i - 1].startswith("  - id:"))
    assert_refused(lambda t: load_table_text(t, file), bad, file, rule_line, "no dose level '6mg'")


def test_undeclared_option_and_unknown_term_are_refused_with_their_line() -> None:
    text, file = _case("dose-modification-folfox.yaml")
    line = line_of(text, "option.folfox_hypersensitivity: any_grade")
    bad = mutate(text, line, "option.folfox_hypersensitivity", "option.folfox_hypersensitivty")
    assert_refused(lambda t: load_table_text(t, file), bad, file, line, "folfox_hypersensitivity")
    line = line_of(text, "{term: Anaphylaxis}")
    bad = mutate(text, line, "{term: Anaphylaxis}", "{term: Anaphylaxis shock}")
    assert_refused(lambda t: load_table_text(t, file), bad, file, line, "not a CTCAE v5.0 term")


def test_hold_without_then_is_refused_with_the_rule_line() -> None:
    text, file = _case("dose-modification-pd1.yaml")
    line = line_of(text, "    then: same")
    lines = text.splitlines(keepends=True)
    del lines[line - 1]
    rule_line = max(i for i in range(1, line) if text.splitlines()[i - 1].startswith("  - id:"))
    assert_refused(lambda t: load_table_text(t, file), "".join(lines), file, rule_line, "'then' is required")
