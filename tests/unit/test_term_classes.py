"""CTCAE term classes (rules/ctcae-term-classes.yaml) and the categories built from them: complete, reviewed lists.

The expected members below are written out by hand from the CTCAE v5.0 term list (ctcae-v5.json) for clinical
review; a change of membership (a pattern edit, a CTCAE update) fails here loudly and must be re-reviewed.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest
from pydantic import ValidationError

from hccprotocol import ctcae
from hccprotocol.course.tables import categories, load_table_text, tables
from hccprotocol.course.term_classes import TermClasses, term_classes
from hccprotocol.model import RuleFileError
from hccprotocol.model.conditions import Compare, iter_nodes

EXPECTED: dict[str, set[str]] = {
    # Lenvima US PI Table 1: arterial thromboembolic event, any grade -> permanently discontinue
    "arterial_thromboembolism": {"Arterial thromboembolism"},
    "cerebrovascular_ischaemia": {"Ischemia cerebrovascular", "Stroke", "Transient ischemic attacks"},
    "peripheral_ischaemia": {"Peripheral ischemia"},
    "visceral_ischaemia": {"Visceral arterial ischemia"},
    "myocardial_infarction": {"Myocardial infarction"},
    # RPLS / PRES
    "rpls": {"Reversible posterior leukoencephalopathy syndrome"},
    # fistula formation grade 3-4: every CTCAE v5.0 fistula, whatever the organ (24 terms)
    "fistula": {
        "Anal fistula", "Colonic fistula", "Duodenal fistula", "Enterovesical fistula", "Esophageal fistula",
        "Gastric fistula", "Gastrointestinal fistula", "Ileal fistula", "Jejunal fistula", "Oral cavity fistula",
        "Pancreatic fistula", "Rectal fistula", "Salivary gland fistula", "Biliary fistula", "Gallbladder fistula",
        "Urinary fistula", "Uterine fistula", "Vaginal fistula", "Bronchial fistula", "Bronchopleural fistula",
        "Laryngeal fistula", "Pharyngeal fistula", "Pulmonary fistula", "Tracheal fistula",
    },
    # GI perforation, any grade (Gastrointestinal + Hepatobiliary SOCs; bladder / uterine / vaginal / fallopian
    # tube perforations are not gastrointestinal)
    "gi_perforation": {
        "Colonic perforation", "Duodenal perforation", "Esophageal perforation", "Gastric perforation",
        "Ileal perforation", "Jejunal perforation", "Rectal perforation", "Small intestinal perforation",
        "Gallbladder perforation", "Perforation bile duct",
    },
    # the lenvatinib grade 4 laboratory exception: named counts and chemistry values only
    "lab_grade4_as_grade3": {
        "Neutrophil count decreased", "Platelet count decreased", "Lymphocyte count decreased",
        "White blood cell decreased", "Alanine aminotransferase increased", "Aspartate aminotransferase increased",
        "GGT increased", "Alkaline phosphatase increased", "Creatinine increased",
    },
}  # fmt: skip


def _raw_terms() -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(
        resources.files("hccprotocol.data").joinpath("ctcae-v5.json").read_text(encoding="utf-8")
    )
    return data


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_class_lists_the_reviewed_members(name: str) -> None:
    assert set(term_classes().members(name)) == EXPECTED[name]


def test_no_class_is_left_unreviewed() -> None:
    assert set(term_classes().classes) == set(EXPECTED)


def test_every_fistula_and_gi_perforation_term_of_ctcae_is_covered() -> None:
    """Independent of the patterns: a plain scan of ctcae-v5.json (the file, not the loader)."""
    raw = _raw_terms()
    fistulas = {t["term"] for t in raw if "fistula" in t["term"].lower()}
    gi = {"Gastrointestinal disorders", "Hepatobiliary disorders"}
    perforations = {t["term"] for t in raw if "perforation" in t["term"].lower() and t["soc"] in gi}
    assert fistulas == EXPECTED["fistula"]
    assert perforations == EXPECTED["gi_perforation"]


def test_every_term_named_in_the_rules_exists_in_ctcae() -> None:
    known = {t["term"] for t in _raw_terms()}
    for cls in term_classes().classes.values():
        assert set(cls.members()) <= known
        assert set(cls.exclude) <= known and set(cls.also) <= known
    for name, cat in categories().categories.items():
        assert set(cat.terms) <= known, name
        assert categories().members(name) <= known, name
    named = 0
    for table in tables():
        for tr in table.transitions:
            for node in iter_nodes(tr.when):
                if isinstance(node, Compare) and node.path == "term":
                    assert node.value in known, (tr.id, node.value)
                    named += 1
    assert named >= 3  # Anaphylaxis rows of FOLFOX, lenvatinib and PD-1


def test_lenvatinib_permanent_list_is_the_union_of_its_classes() -> None:
    expected = (
        EXPECTED["arterial_thromboembolism"] | EXPECTED["cerebrovascular_ischaemia"] | EXPECTED["peripheral_ischaemia"]
        | EXPECTED["visceral_ischaemia"] | EXPECTED["myocardial_infarction"] | EXPECTED["gi_perforation"]
        | {"Hepatic failure", "Nephrotic syndrome"}
    )  # fmt: skip
    assert categories().members("lenvatinib_permanent") == expected
    assert categories().members("lenvatinib_fistula") == EXPECTED["fistula"]


def test_venous_events_are_not_arterial() -> None:
    cats = categories()
    for term in ("Thromboembolic event", "Portal vein thrombosis", "Superficial thrombophlebitis"):
        assert "lenvatinib_permanent" not in cats.of(term), term


def test_lab_grade4_exception_never_covers_qtc_ejection_fraction_or_life_threatening_grade4() -> None:
    members = term_classes().members("lab_grade4_as_grade3")
    assert "Electrocardiogram QT corrected interval prolonged" not in members
    assert "Ejection fraction decreased" not in members
    for term in members:  # CTCAE grade 4 of a member is a number, never "life-threatening" by definition
        assert "life-threatening" not in ctcae.terms()[term].grades[4].lower(), term
    assert "laboratory" not in categories().of("Electrocardiogram QT corrected interval prolonged")
    assert "laboratory" not in categories().of("Ejection fraction decreased")


def _classes(**cls: Any) -> dict[str, Any]:
    return {"id": "t", "version": "1", "classes": {"c": {"label": "l", **cls}}}


@pytest.mark.parametrize(
    ("cls", "message"),
    [({"patterns": ["fistula"], "socs": ["Gut disorders"]}, "not a CTCAE v5.0 system organ class"),
     ({"patterns": ["fistulla"]}, "matches no CTCAE v5.0 term"),
     ({"patterns": ["fistula"], "exclude": {"Anal fistul": "typo"}}, "not a CTCAE v5.0 term"),
     ({"patterns": ["fistula"], "exclude": {"Stroke": "not found by the patterns"}}, "stale exclusion"),
     ({"patterns": ["fistula"], "also": {"Anal fistula": "already"}}, "already found"),
     ({"patterns": ["fistula"], "exlude": {}}, "Extra inputs are not permitted")],
)  # fmt: skip
def test_class_file_validation_refuses_bad_data(cls: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        TermClasses.model_validate(_classes(**cls))


def _table(when: str) -> str:
    return (
        'id: t\nversion: "1.0.0"\nkind: dose_modification\ntitle: t\nsource: s\npolicy_option: lenvatinib_policy\n'
        "applies_to: [lenvatinib]\ntransitions:\n  - id: x.y\n    title: t\n    statement: r\n    source: s\n"
        f"    event: ae_onset\n    when: {when}\n    action: discontinue\n    priority: 0\n"
    )


@pytest.mark.parametrize(
    ("when", "message"),
    [("{all: [{attributed: true}, {in_lenvatinib_permanet: true}]}", "did you mean in_lenvatinib_permanent"),
     ("{all: [{atributed: true}, {grade: 4}]}", "unknown fact path 'atributed'"),
     ("{term: Myocarditis acute}", "not a CTCAE v5.0 term"),
     ("{grdae: {gte: 3}}", "unknown fact path 'grdae'"),
     ("{grade: {between: 3}}", "unknown operator")],
)  # fmt: skip
def test_a_misspelt_key_or_term_in_a_table_is_refused_at_load(when: str, message: str) -> None:
    with pytest.raises(RuleFileError) as info:
        load_table_text(_table(when), "t.yaml")
    assert 14 in info.value.lines and message in str(info.value.issues), info.value  # line of `when:`


def test_the_shipped_vocabulary_is_accepted() -> None:
    table = load_table_text(_table("{all: [{in_lenvatinib_fistula: true}, {grade: {gte: 3}}]}"), "t.yaml")
    assert [t.id for t in table.transitions] == ["x.y"]


def test_unknown_class_in_a_category_is_refused() -> None:
    from hccprotocol.course.tables import Categories

    with pytest.raises(ValidationError, match="is not a class"):
        Categories.model_validate(
            {"id": "c", "version": "1", "categories": {"x": {"why": "w", "classes": ["fistulas"]}}}
        )
