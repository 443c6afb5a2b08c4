"""CTCAE v5.0 validation: terms and grades from the packaged term list; synonyms suggest, never substitute."""

from __future__ import annotations

import pytest

from hccprotocol import ctcae
from hccprotocol.errors import InputError


def test_837_terms_packaged() -> None:
    # CTCAE v5.0 has 837 terms (clinical-references.md 12)
    assert len(ctcae.terms()) == 837


def test_known_term_and_grade_pass() -> None:
    found = ctcae.check_event("Hepatic infection", 3, path="adverse_events[0]")
    assert found.soc == "Infections and infestations"


def test_liver_abscess_is_not_a_term_and_hepatic_infection_is_suggested() -> None:
    with pytest.raises(ctcae.CtcaeError) as err:
        ctcae.check_event("Liver abscess", 3, path="adverse_events[0]")
    assert "adverse_events[0].term" in err.value.message
    assert "'Hepatic infection'" in err.value.message
    assert err.value.exit_code == 2


@pytest.mark.parametrize(
    ("term", "missing", "present"),
    [
        ("Fatigue", 4, 3),  # fatigue has grades 1-3 only
        ("Hepatic infection", 1, 2),  # starts at grade 2
        ("Proteinuria", 4, 3),  # no grade 4 or 5
        ("Peripheral sensory neuropathy", 5, 4),  # no grade 5
        ("Febrile neutropenia", 2, 3),  # starts at grade 3
    ],
)
def test_grade_the_term_does_not_have(term: str, missing: int, present: int) -> None:
    with pytest.raises(ctcae.CtcaeError, match=f"has no grade {missing}"):
        ctcae.check_event(term, missing, path="adverse_events[1]")
    assert ctcae.check_event(term, present, path="adverse_events[1]").term == term


def test_case_mismatch_is_an_error_with_the_exact_term_suggested() -> None:
    with pytest.raises(ctcae.CtcaeError, match="'Diarrhea'"):
        ctcae.check_event("diarrhea", 2, path="x")


def test_unknown_name_without_synonym_has_no_suggestion() -> None:
    with pytest.raises(InputError) as err:
        ctcae.check_event("Wobbly knees", 2, path="x")
    assert "did you mean" not in err.value.message


def test_every_synonym_suggests_real_terms_and_no_synonym_is_itself_a_term() -> None:
    names = {t.casefold() for t in ctcae.terms()}
    table = ctcae._synonyms()
    assert table  # loaded
    for name, (suggested, _) in table.items():
        assert name not in names, name
        assert all(ctcae.lookup(t) is not None for t in suggested)


@pytest.mark.parametrize(
    ("paper_name", "term"),
    [
        ("Decreased appetite", "Anorexia"),
        ("Thrombocytopenia", "Platelet count decreased"),
        ("Hyperbilirubinemia", "Blood bilirubin increased"),
        ("Hand-foot skin reaction", "Palmar-plantar erythrodysesthesia syndrome"),
        ("Gastrointestinal hemorrhage", "Upper gastrointestinal hemorrhage"),
    ],
)
def test_paper_table5_names_map_to_suggestions(paper_name: str, term: str) -> None:
    assert term in ctcae.suggestions(paper_name)
    assert ctcae.lookup(paper_name) is None  # suggests only: the paper's name is still rejected
