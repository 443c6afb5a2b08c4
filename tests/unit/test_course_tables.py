"""The dose-modification tables (rules/dose-modification-*.yaml) as data: load, vocabulary, validation."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from hccprotocol.course.tables import Table, Transition, categories, tables
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


def test_no_transition_leaves_discontinued() -> None:
    with pytest.raises(ValidationError, match="never restarts"):
        Transition.model_validate(
            {"id": "x.y", "event": "clinician", "from": ["discontinued"], "action": "resume", "priority": 1,
             "reason": "r", "source": "s"}
        )  # fmt: skip


def test_hold_requires_then() -> None:
    with pytest.raises(ValidationError, match="'then' is required"):
        Transition.model_validate(
            {"id": "x.y", "event": "ae_onset", "action": "hold", "priority": 1, "reason": "r", "source": "s"}
        )


def test_unknown_policy_in_a_table_is_rejected() -> None:
    row = {"id": "x.y", "event": "ae_onset", "policies": ["aggressive"], "action": "discontinue", "priority": 0,
           "reason": "r", "source": "s"}  # fmt: skip
    with pytest.raises(ValidationError, match="unknown"):
        Table.model_validate(
            {"id": "t", "version": "1", "title": "t", "policy_option": "lenvatinib_policy", "agents": ["lenvatinib"],
             "transitions": [row]}
        )  # fmt: skip


def test_categories_use_real_ctcae_terms() -> None:
    cats = categories()
    assert "gastrointestinal" in cats.of("Diarrhea")
    assert set(cats.of("Neutrophil count decreased")) >= {"neutropenia", "haematological", "laboratory"}
    assert cats.of("Hypothyroidism") == ("endocrinopathy",)
