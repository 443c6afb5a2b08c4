"""The CTCAE data rule files load through the model's data loader and refuse a broken edit with file and line.

Mutations of the real text of rules/dose-modification-categories.yaml, rules/ctcae-term-classes.yaml and
rules/ctcae-lab-grading.yaml: a misspelt key, a misspelt reference (a CTCAE term, a class, a labs field: the
"field paths" of these files), a value of the wrong type, and a dangling reference.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from hccprotocol.course.lab_grading import lab_grading, load_lab_grading_text
from hccprotocol.course.tables import load_categories_text
from hccprotocol.course.term_classes import load_term_classes_text
from hccprotocol.model import RuleFileError
from tests.unit.rulefile_mutation import RULES, assert_refused, line_of, mutate

CATS = "dose-modification-categories.yaml"
CLASSES = "ctcae-term-classes.yaml"
LABS = "ctcae-lab-grading.yaml"
LOADERS: dict[str, Callable[[str, str], object]] = {
    CATS: load_categories_text,
    CLASSES: load_term_classes_text,
    LABS: load_lab_grading_text,
}


def _refused(name: str, needle: str, old: str, new: str, match: str, occurrence: int = 1) -> None:
    text = (RULES / name).read_text()
    line = line_of(text, needle, occurrence)
    file = f"rules/{name}"
    assert_refused(lambda t: LOADERS[name](t, file), mutate(text, line, old, new), file, line, match)


@pytest.mark.parametrize("name", [CATS, CLASSES, LABS])
def test_the_shipped_file_loads(name: str) -> None:
    LOADERS[name]((RULES / name).read_text(), f"rules/{name}")


@pytest.mark.parametrize(
    ("name", "needle", "old", "new"),
    [(CATS, "    why:", "why", "wy"),
     (CLASSES, "    patterns:", "patterns", "paterns"),
     (LABS, "    from_grade: 4", "from_grade", "from_grde")],
)  # fmt: skip
def test_misspelt_key(name: str, needle: str, old: str, new: str) -> None:
    _refused(name, needle, old, new, "misspelt")


def test_misspelt_term_soc_class_and_field() -> None:
    _refused(CATS, "terms: [Neutrophil count decreased]", "Neutrophil count decreased", "Neutrophil count decrease",
             "not a CTCAE v5.0 term")  # fmt: skip
    _refused(CATS, "socs: [Gastrointestinal disorders]", "Gastrointestinal", "Gastrointestinale",
             "not a CTCAE v5.0 system organ class")  # fmt: skip
    _refused(CATS, "classes: [", "classes: [", "classes: [x_", "is not a class of rules/ctcae-term-classes.yaml")
    _refused(CLASSES, "Portal vein thrombosis:", "Portal vein thrombosis", "Portal vein thrombosiss",
             "not a CTCAE v5.0 term")  # fmt: skip
    _refused(LABS, "term: Neutrophil count decreased", "decreased", "decrased", "not a CTCAE v5.0 term")
    _refused(LABS, "  anc_10e9_l:", "anc_10e9_l", "anc_10e9_ll", "is not a labs[] field")


def test_wrong_value_type() -> None:
    _refused(LABS, "    from_grade: 4", "4", "four", "integer")
    _refused(LABS, "below: {2: 1.5", "1.5", "low", "number")
    _refused(CATS, "socs: [Gastrointestinal disorders]", "[Gastrointestinal disorders]", "7", "tuple")


def test_dangling_reference() -> None:
    _refused(LABS, "    field: anc_10e9_l", "anc_10e9_l", "hemoglobin_g_l", "is not graded in fields")
    _refused(LABS, "- id: labs.folfox.thrombocytopenia", "labs.folfox.thrombocytopenia", "labs.folfox.neutropenia",
             "duplicate trigger id")  # fmt: skip


def test_a_duplicate_key_is_refused_with_its_line() -> None:
    text = (RULES / LABS).read_text()
    line = line_of(text, "    from_grade: 4")
    bad = mutate(text, line, "    from_grade: 4", "    from_grade: 4\n    from_grade: 3")
    with pytest.raises(RuleFileError) as info:
        load_lab_grading_text(bad, f"rules/{LABS}")
    assert line + 1 in info.value.lines and "duplicate key" in str(info.value)


def test_lab_grading_triggers_are_rules_with_ids_and_lines() -> None:
    text = (RULES / LABS).read_text()
    for t in lab_grading().triggers:
        assert t.title and t.statement and t.source == t.why
        assert t.line == line_of(text, f"- id: {t.id}")
