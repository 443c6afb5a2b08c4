"""Rule files: shipped ones load; files that would make an engine silently wrong are refused at load."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from hccprotocol.eligibility import evaluate_eligibility
from hccprotocol.eligibility.compile import compiled_rules
from hccprotocol.eligibility.options import EligibilityOptions
from hccprotocol.errors import ProtocolDefinitionError, RuleEngineError
from hccprotocol.patient_file import parse_patient
from hccprotocol.rules_source import (
    RuleSource,
    available_rule_sources,
    condition_paths,
    load_rule_source,
    resolve_condition,
)

from .eligibility_support import candidate, edit
from .eligibility_support import protocol as arm

REPO = Path(__file__).resolve().parents[2]


def test_shipped_rule_files_load_once() -> None:
    assert {"jsh-lcsgj-2014", "lin-2023-eligibility"} <= set(available_rule_sources())
    assert load_rule_source("jsh-lcsgj-2014") is load_rule_source("jsh-lcsgj-2014")
    jsh = load_rule_source("jsh-lcsgj-2014")
    assert jsh.name == "JSH-LCSGJ 2014"
    assert len(jsh.criteria) == 5
    lin = load_rule_source("lin-2023-eligibility")
    assert [c.kind for c in lin.criteria].count("inclusion") == 5
    assert [c.kind for c in lin.criteria].count("exclusion") == 10


def _criterion(**overrides: Any) -> dict[str, Any]:
    base = {
        "id": "inclusion.x",
        "kind": "inclusion",
        "title": "X",
        "statement": "X holds.",
        "source": "test",
        "met_when": {"$lte": {"ecog": 1}},
        "not_met_when": {"$gt": {"ecog": 1}},
        "explain": {"met": "a", "not_met": "b", "unknown": "c"},
    }
    base.update(overrides)
    return base


def _source(*criteria: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "test-rules",
        "name": "Test",
        "version": "0",
        "kind": "eligibility",
        "title": "t",
        "source": "t",
        "combine": "eligibility_decision",
        "criteria": list(criteria) or [_criterion()],
    }


def test_a_valid_source_validates() -> None:
    RuleSource.model_validate(_source())


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ({"$nex": {"ecog": 1}}, "only $nex"),
        ({"$or": [{"$nex": {"ecog": 1}}, {"ecog": 2}]}, "only $nex"),
        ({"$and": [{"$or": [{"$nex": {"a": 1}}, {"b": 1}]}, {"$nex": {"c": 1}}]}, "only $nex"),
        ({"$mt": {"ecog": "1.*"}}, "not supported"),
        ({"$gt": {"ecog": "1"}}, "unsupported value"),
        ({"$gt": {"ecog": True}}, "numbers"),
        ({"ecog": 1, "sex": "male"}, "exactly one key"),
        ({"$and": []}, "non-empty"),
        ({"Liver.INR": 1}, "field path"),
        ({"$ex": {"ecog": True}}, "$ex"),
    ],
)
def test_conditions_outside_the_engine_subset_are_refused(condition: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("$", r"\$")):
        RuleSource.model_validate(_source(_criterion(met_when=condition)))


def test_nex_with_a_positive_test_is_accepted() -> None:
    RuleSource.model_validate(_source(_criterion(met_when={"$and": [{"$nex": {"a": 1}}, {"$ex": {"b": 1}}]})))


def test_duplicate_ids_are_refused() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        RuleSource.model_validate(_source(_criterion(), _criterion()))


def test_wrong_kind_for_the_file_is_refused() -> None:
    with pytest.raises(ValueError, match="does not belong"):
        RuleSource.model_validate(_source(_criterion(kind="refractoriness")))


def _write(tmp_path: Path, data: dict[str, Any]) -> str:
    path = tmp_path / "site-rules.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return str(path)


def test_unknown_fact_path_is_refused_at_compile(tmp_path: Path) -> None:
    data = _source(_criterion(met_when={"$lte": {"ecgo": 1}}))
    with pytest.raises(ProtocolDefinitionError, match="unknown fact paths"):
        compiled_rules(_write(tmp_path, data), EligibilityOptions())


def test_unknown_option_is_refused_at_compile(tmp_path: Path) -> None:
    data = _source(_criterion(met_when={"$lte": {"ecog": {"$option": "ecog_limit"}}}))
    with pytest.raises(ProtocolDefinitionError, match="unknown option"):
        compiled_rules(_write(tmp_path, data), EligibilityOptions())


def test_case_must_cover_every_value_of_the_option(tmp_path: Path) -> None:
    case = {"$case": {"option": "invasion_spread_reading", "cases": {"presence": {"tumour.vascular_invasion": True}}}}
    data = _source(_criterion(met_when=case))
    with pytest.raises(ProtocolDefinitionError, match="exactly the cases"):
        compiled_rules(_write(tmp_path, data), EligibilityOptions())


def test_invalid_rule_file_names_the_problem(tmp_path: Path) -> None:
    data = _source()
    del data["criteria"][0]["explain"]
    with pytest.raises(ProtocolDefinitionError) as info:
        load_rule_source(_write(tmp_path, data))
    assert any("explain" in issue.path for issue in info.value.issues)


def test_resolve_substitutes_options_and_selects_cases() -> None:
    jsh = load_rule_source("jsh-lcsgj-2014")
    vi = next(c for c in jsh.criteria if c.id == "jsh2014.vascular_invasion")
    options = EligibilityOptions(invasion_spread_reading="appearance").values()
    resolved = resolve_condition(copy.deepcopy(vi.met_when), options)
    # appearance: present at assessment and new since a TACE session (any TACE: JSH 2014 criterion 3)
    assert condition_paths(resolved) == ["tumour.vascular_invasion", "tace.new_vascular_invasion.run"]
    presence_options = EligibilityOptions(invasion_spread_reading="presence").values()
    presence = resolve_condition(copy.deepcopy(vi.met_when), presence_options)
    assert condition_paths(presence) == ["tace.tace_performed.run", "tumour.vascular_invasion"]
    markers = next(c for c in jsh.criteria if c.id == "jsh2014.tumour_markers")
    resolved = resolve_condition(markers.met_when, EligibilityOptions(tumour_markers_sessions_required=3).values())
    assert resolved == {"$gte": {"tace.tumour_markers_rising.run": 3}}


def test_window_options_must_be_in_order() -> None:
    with pytest.raises(ValueError, match="must not exceed"):
        EligibilityOptions(response_window_min_days=93, response_window_max_days=92)


def test_both_shipped_protocols_list_every_eligibility_option_explicitly() -> None:
    for name in ("haic-lenvatinib-pd1", "haic-lenvatinib"):
        data = yaml.safe_load((REPO / "protocol" / f"{name}.yaml").read_text(encoding="utf-8"))
        assert set(data["eligibility"]) == set(EligibilityOptions.model_fields), name


def test_a_contradiction_naming_an_unknown_session_finding_is_refused() -> None:
    contradiction = {"when": {"ecog": 4}, "why": "x", "sessions": "no_such_finding"}
    with pytest.raises(ValueError, match="names unknown session findings"):
        RuleSource.model_validate(_source(_criterion(contradiction=contradiction)))


def test_a_contradiction_with_an_unknown_fact_path_is_refused_at_compile(tmp_path: Path) -> None:
    data = _source(_criterion(contradiction={"when": {"ecgo": 4}, "why": "x"}))
    with pytest.raises(ProtocolDefinitionError, match="unknown fact paths"):
        compiled_rules(_write(tmp_path, data), EligibilityOptions())


def test_a_matched_contradiction_is_named_in_the_why_and_warned(tmp_path: Path) -> None:
    data = _source(_criterion(contradiction={"when": {"$gte": {"ecog": 3}}, "why": "Test contradiction."}))
    rules = _write(tmp_path, data)
    for ecog, warned in ((3, True), (2, False)):
        result = evaluate_eligibility(parse_patient(edit(candidate(), ecog=ecog)), arm(criteria_rules=rules))
        (item,) = result.criteria
        assert item.status == "not_met"
        assert ("Test contradiction (ecog = 3)." in item.why) is warned
        assert result.basis.warnings == (["inclusion.x: Test contradiction (ecog = 3)."] if warned else [])


def test_a_contradiction_that_overlaps_met_is_an_engine_error(tmp_path: Path) -> None:
    data = _source(_criterion(contradiction={"when": {"$lte": {"ecog": 1}}, "why": "overlaps met"}))
    rules = _write(tmp_path, data)
    with pytest.raises(RuleEngineError, match="contradictory record"):
        evaluate_eligibility(parse_patient(candidate()), arm(criteria_rules=rules))


def _reading_text(cases: dict[str, str]) -> dict[str, Any]:
    return {"$case": {"option": "invasion_spread_reading", "cases": cases}}


@pytest.mark.parametrize("reading", ["presence", "appearance"])
def test_an_explanation_can_follow_the_option_it_reads(tmp_path: Path, reading: str) -> None:
    explain = {"met": _reading_text({"presence": "met by presence", "appearance": "met by appearance"}),
               "not_met": "b", "unknown": "c"}
    rules = _write(tmp_path, _source(_criterion(explain=explain)))
    protocol = arm(criteria_rules=rules, invasion_spread_reading=reading)
    result = evaluate_eligibility(parse_patient(candidate()), protocol)
    assert result.criteria[0].why == f"met by {reading}"


def test_an_explanation_missing_a_case_of_its_option_is_refused(tmp_path: Path) -> None:
    explain = {"met": _reading_text({"presence": "met by presence"}), "not_met": "b", "unknown": "c"}
    with pytest.raises(ProtocolDefinitionError, match=r"must give exactly the cases \['appearance', 'presence'\]"):
        compiled_rules(_write(tmp_path, _source(_criterion(explain=explain))), EligibilityOptions())


def test_every_jsh_criterion_names_the_options_that_decided_it() -> None:
    result = evaluate_eligibility(parse_patient(candidate()), arm())
    whys = {c.id: c.why for c in result.tace_refractory.criteria}
    assert "Reading: response_window = calendar_months; response_window_min_months = 1; " in whys[
        "jsh2014.insufficient_response"
    ]
    assert "change_before_later_session = agents_or_feeding_artery." in whys["jsh2014.intrahepatic_progression"]
    assert whys["jsh2014.tumour_markers"].endswith("Reading: tumour_markers_sessions_required = 1.")
    assert whys["jsh2014.vascular_invasion"].endswith("Reading: invasion_spread_reading = appearance.")
    # the days reading is not read under calendar months, so it is not named
    assert "response_window_min_days" not in whys["jsh2014.insufficient_response"]
