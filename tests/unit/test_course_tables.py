"""The dose-modification tables (rules/dose-modification-*.yaml) as data: load, vocabulary, validation."""

from __future__ import annotations

import pytest

from hccprotocol.course.tables import categories, load_table_text, tables
from hccprotocol.model import RuleFileError
from hccprotocol.regimen import POLICY_CHOICES


def test_every_table_loads_and_covers_its_drugs() -> None:
    loaded = {t.id: t for t in tables()}
    assert set(loaded) == {"dose-modification-lenvatinib", "dose-modification-folfox", "dose-modification-pd1"}
    covered = {a for t in loaded.values() for a in t.agents}
    assert covered == {"oxaliplatin", "leucovorin", "fluorouracil", "lenvatinib", "pd1"}


def test_every_policy_choice_has_a_grade3_path_for_lenvatinib_and_pd1() -> None:
    loaded = {t.id: t for t in tables()}
    for table_id, option in (
        ("dose-modification-lenvatinib", "lenvatinib_policy"),
        ("dose-modification-pd1", "pd1_policy"),
    ):
        for policy in POLICY_CHOICES[option]:
            rows = [
                t for t in loaded[table_id].transitions
                if t.event == "ae_onset" and (not t.policies or policy in t.policies) and t.action != "discontinue"
            ]  # fmt: skip
            assert rows, (table_id, policy)


def test_pd1_table_never_reduces_or_restores() -> None:
    pd1 = next(t for t in tables() if t.id == "dose-modification-pd1")
    assert all(t.action not in ("reduce", "restore") and t.then != "reduce" for t in pd1.transitions)


def _table(row: str, policy_option: str = "lenvatinib_policy", agents: str = "[lenvatinib]") -> str:
    """A one-row table in the model's language (the old Table.model_validate cases, same meaning)."""
    return (
        'id: t\nversion: "1.0.0"\nkind: dose_modification\ntitle: t\nsource: s\n'
        f"policy_option: {policy_option}\napplies_to: {agents}\ntransitions:\n"
        "  - id: x.y\n    title: t\n    statement: r\n    source: s\n" + row
    )


def test_no_transition_leaves_discontinued() -> None:
    text = _table("    event: clinician\n    from: [discontinued]\n    when: {action: resume}\n"
                  "    action: resume\n    priority: 1\n")  # fmt: skip
    with pytest.raises(RuleFileError, match="from") as info:
        load_table_text(text, "t.yaml")
    assert 14 in info.value.lines  # the line of `from: [discontinued]` (a discontinued drug never restarts)


def test_hold_requires_then() -> None:
    text = _table("    event: ae_onset\n    when: {grade: 3}\n    action: hold\n    priority: 1\n")
    with pytest.raises(RuleFileError, match="'then' is required"):
        load_table_text(text, "t.yaml")


def test_unknown_policy_in_a_table_is_rejected() -> None:
    text = _table("    event: ae_onset\n    policies: [aggressive]\n    when: {grade: 3}\n"
                  "    action: discontinue\n    priority: 0\n")  # fmt: skip
    with pytest.raises(RuleFileError, match="unknown"):
        load_table_text(text, "t.yaml")


def test_categories_use_real_ctcae_terms() -> None:
    cats = categories()
    assert "gastrointestinal" in cats.of("Diarrhea")
    assert set(cats.of("Neutrophil count decreased")) >= {"neutropenia", "haematological", "laboratory"}
    assert cats.of("Hypothyroidism") == ("endocrinopathy",)
