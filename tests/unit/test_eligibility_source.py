"""Eligibility rule files load through the protocol model; files that would make an engine silently wrong are
refused at load, with the file and the line (site files are written in the model's language, rules/LANGUAGE.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from hccprotocol.eligibility import evaluate_eligibility
from hccprotocol.eligibility.compile import available_rule_files, compiled_rules, load_rules
from hccprotocol.eligibility.options import EligibilityOptions
from hccprotocol.engines.fold import fold_options
from hccprotocol.errors import ProtocolDefinitionError
from hccprotocol.model.conditions import Compare, paths_read
from hccprotocol.model.errors import RuleFileError
from hccprotocol.patient_file import parse_patient

from .eligibility_support import candidate, edit
from .eligibility_support import protocol as arm

REPO = Path(__file__).resolve().parents[2]


def test_shipped_rule_files_load_once() -> None:
    assert {"jsh-lcsgj-2014", "lin-2023-eligibility"} <= set(available_rule_files())
    assert load_rules("jsh-lcsgj-2014") is load_rules("jsh-lcsgj-2014")
    jsh = load_rules("jsh-lcsgj-2014")
    assert jsh.display_name == "JSH-LCSGJ 2014"
    assert len(jsh.criteria) == 5
    lin = load_rules("lin-2023-eligibility")
    assert [c.kind for c in lin.criteria].count("inclusion") == 5
    assert [c.kind for c in lin.criteria].count("exclusion") == 10


def test_only_the_genuinely_asymmetric_criteria_state_not_met_when() -> None:
    """The paper's criteria state their condition once; BCLC B/C (a disputed stage is unknown) and JSH 3/4
    (a contradictory record is unknown; no TACE is not met) say why they are not the negation."""
    asymmetric = {
        c.id: c.asymmetric_why
        for f in ("jsh-lcsgj-2014", "lin-2023-eligibility")
        for c in load_rules(f).criteria
        if c.not_met_when is not None
    }
    assert sorted(asymmetric) == ["inclusion.bclc_b_or_c", "jsh2014.extrahepatic_spread", "jsh2014.vascular_invasion"]
    assert all(asymmetric.values())


def _criterion(**overrides: Any) -> dict[str, Any]:
    base = {
        "id": "inclusion.x",
        "kind": "inclusion",
        "title": "X",
        "statement": "X holds.",
        "source": "test",
        "when": {"ecog": {"lte": 1}},
        "explain": {"met": "a", "not_met": "b", "unknown": "c"},
    }
    base.update(overrides)
    return base


def _source(*criteria: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "test-rules",
        "name": "Test",
        "version": "0.1.0",
        "kind": "eligibility",
        "title": "t",
        "source": "t",
        "criteria": list(criteria) or [_criterion()],
    }


def _write(tmp_path: Path, data: dict[str, Any]) -> str:
    path = tmp_path / "site-rules.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return str(path)


def _refused(tmp_path: Path, data: dict[str, Any], message: str) -> RuleFileError:
    with pytest.raises(RuleFileError, match=message) as info:
        load_rules(_write(tmp_path, data))
    assert info.value.file.endswith("site-rules.yaml") and all(line > 0 for line in info.value.lines)
    return info.value


def test_a_valid_site_file_loads(tmp_path: Path) -> None:
    assert load_rules(_write(tmp_path, _source())).criteria[0].id == "inclusion.x"


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ({"ecgo": {"lte": 1}}, r"unknown fact path 'ecgo' .*did you mean ecog"),
        ({"ecog": {"le": 1}}, "unknown operator 'le'"),
        ({"ecog": {"gt": "1"}}, "ecog is a number; it cannot be compared with '1'"),
        ({"history.other_tki": {"gt": True}}, "is true/false; gt does not apply"),
        ({"$lte": {"ecog": 1}}, "old rule syntax"),
        ({"ecog": 1, "bclc_stage": "B"}, "exactly one test"),
        ({"all": []}, "non-empty list"),
        ({"Liver.INR": 1}, "not a fact path"),
        ({"all": [{"ecog": {"lte": 1}}, {"ecog": {"gt": 1}}]}, "unreachable"),
        ({"ecog": {"lte": {"option": "ecog_limit"}}}, "option 'ecog_limit' is not declared"),
    ],
)
def test_conditions_the_model_refuses_are_refused_with_their_line(
    tmp_path: Path, condition: dict[str, Any], message: str
) -> None:
    _refused(tmp_path, _source(_criterion(when=condition)), message)


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    _refused(tmp_path, _source(_criterion(), _criterion()), "duplicate rule id")


def test_wrong_kind_for_the_file_is_refused(tmp_path: Path) -> None:
    _refused(tmp_path, _source(_criterion(kind="refractoriness")), "does not belong")


def test_invalid_rule_file_names_the_problem(tmp_path: Path) -> None:
    data = _source()
    del data["criteria"][0]["explain"]
    error = _refused(tmp_path, data, "Field required")
    assert any("explain" in issue.path for issue in error.issues)


def test_a_criterion_that_could_be_met_and_not_met_is_refused(tmp_path: Path) -> None:
    data = _source(_criterion(not_met_when={"ecog": {"gte": 1}}, asymmetric_why="test"))
    _refused(tmp_path, data, "could be met and not met at once")


def test_not_met_when_says_why_it_is_not_the_negation(tmp_path: Path) -> None:
    _refused(tmp_path, _source(_criterion(not_met_when={"ecog": {"gte": 2}})), "asymmetric_why go together")


def test_options_fold_into_the_conditions_the_engines_see() -> None:
    jsh = load_rules("jsh-lcsgj-2014")
    vi = next(c for c in jsh.criteria if c.id == "jsh2014.vascular_invasion")
    appearance = EligibilityOptions(invasion_spread_reading="appearance").values()
    # appearance: present at assessment and new since a TACE session (any TACE: JSH 2014 criterion 3)
    assert paths_read(fold_options(vi.when, appearance)) == (
        "tumour.vascular_invasion", "tace.new_vascular_invasion.consecutive_sessions"
    )
    presence = EligibilityOptions(invasion_spread_reading="presence").values()
    assert paths_read(fold_options(vi.when, presence)) == (
        "tace.tace_performed.consecutive_sessions", "tumour.vascular_invasion"
    )
    markers = next(c for c in jsh.criteria if c.id == "jsh2014.tumour_markers")
    folded = fold_options(markers.when, EligibilityOptions(tumour_markers_sessions_required=3).values())
    assert isinstance(folded, Compare)
    assert (folded.path, folded.op, folded.value) == ("tace.tumour_markers_rising.consecutive_sessions", "gte", 3)


def test_the_trail_names_the_runs_by_their_bounds() -> None:
    """A run is shown as the certain run (met side of >=) and the possible run (not-met side)."""
    jsh = compiled_rules("jsh-lcsgj-2014", EligibilityOptions())
    ir = next(c for c in jsh.criteria if c.rule.id == "jsh2014.insufficient_response")
    assert ir.inputs == (
        "tace.adequate_tace.run", "tace.insufficient_response.run",
        "tace.adequate_tace.possible_run", "tace.insufficient_response.possible_run",
    )
    lin = compiled_rules("lin-2023-eligibility", EligibilityOptions(), tuple(f.finding.id for f in jsh.findings))
    cp = next(c for c in lin.criteria if c.rule.id == "inclusion.child_pugh_a_or_b")
    assert cp.inputs[:2] == ("derived.child_pugh.score_max", "derived.child_pugh.score_min")


def test_window_options_must_be_in_order() -> None:
    with pytest.raises(ValueError, match="must not exceed"):
        EligibilityOptions(response_window_min_days=93, response_window_max_days=92)


def test_both_shipped_protocols_list_every_eligibility_option_explicitly() -> None:
    for name in ("haic-lenvatinib-pd1", "haic-lenvatinib"):
        data = yaml.safe_load((REPO / "protocol" / f"{name}.yaml").read_text(encoding="utf-8"))
        assert set(data["eligibility"]) == set(EligibilityOptions.model_fields), name


def test_a_contradiction_naming_an_unknown_session_finding_is_refused(tmp_path: Path) -> None:
    contradiction = {"when": {"ecog": 4}, "why": "x", "sessions": "no_such_finding"}
    _refused(tmp_path, _source(_criterion(contradiction=contradiction)), "no session finding 'no_such_finding'")


def test_a_contradiction_with_an_unknown_fact_path_is_refused(tmp_path: Path) -> None:
    _refused(tmp_path, _source(_criterion(contradiction={"when": {"ecgo": 4}, "why": "x"})), "unknown fact path")


def test_a_matched_contradiction_is_named_in_the_why_and_warned(tmp_path: Path) -> None:
    data = _source(_criterion(contradiction={"when": {"ecog": {"gte": 3}}, "why": "Test contradiction."}))
    rules = _write(tmp_path, data)
    for ecog, warned in ((3, True), (2, False)):
        result = evaluate_eligibility(parse_patient(edit(candidate(), ecog=ecog)), arm(criteria_rules=rules))
        (item,) = result.criteria
        assert item.status == "not_met"
        assert ("Test contradiction (ecog = 3)." in item.why) is warned
        assert result.basis.warnings == (["inclusion.x: Test contradiction (ecog = 3)."] if warned else [])


def test_a_contradiction_that_overlaps_met_is_refused_at_load(tmp_path: Path) -> None:
    data = _source(_criterion(contradiction={"when": {"ecog": {"lte": 1}}, "why": "overlaps met"}))
    _refused(tmp_path, data, "a record with this contradiction could make the criterion met")


def _reading_text(cases: dict[str, str]) -> dict[str, Any]:
    return {"option": "invasion_spread_reading", "cases": cases}


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
    _refused(
        tmp_path, _source(_criterion(explain=explain)), r"gives exactly the cases \['appearance', 'presence'\]"
    )


def test_an_unknown_rule_file_id_is_refused() -> None:
    with pytest.raises(ProtocolDefinitionError, match="unknown rule file 'dose-modification-pd1'"):
        load_rules("dose-modification-pd1")


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


def test_a_reading_without_its_branch_is_refused_under_that_reading(tmp_path: Path) -> None:
    """A site copy of JSH 2014 whose vascular-invasion condition lost its 'appearance' branch loads (it can be
    met under 'presence'), but compiling it for the default reading, where it could never be met, is refused."""
    data = yaml.safe_load((REPO / "rules" / "jsh-lcsgj-2014.yaml").read_text(encoding="utf-8"))
    vi = next(c for c in data["criteria"] if c["id"] == "jsh2014.vascular_invasion")
    appearance = {"option.invasion_spread_reading": "appearance"}
    vi["when"]["any"] = [b for b in vi["when"]["any"] if appearance not in b["all"]]
    path = tmp_path / "site-jsh.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    assert load_rules(str(path)).criteria[3].id == "jsh2014.vascular_invasion"
    with pytest.raises(RuleFileError, match=r"site-jsh\.yaml:\d+: jsh2014\.vascular_invasion\.when: under the "
                       r"protocol's options \(invasion_spread_reading = appearance\) it can never be met"):
        compiled_rules(str(path), EligibilityOptions(invasion_spread_reading="appearance"))
    compiled_rules(str(path), EligibilityOptions(invasion_spread_reading="presence"))
