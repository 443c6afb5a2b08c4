"""TACE failure/refractoriness (JSH-LCSGJ 2014) and its operational options, both sides of each boundary.

Dates are chosen so the interval is countable by hand: 2026-01-05 + 27 days =
2026-02-01, + 28 = 2026-02-02, + 92 = 2026-04-07, + 93 = 2026-04-08 (the 'days'
reading). Calendar months (the default): 1 month after 2026-03-01 is 2026-04-01,
3 months after 2025-12-01 is 2026-03-01, 1 month after 2026-01-31 is 2026-02-28
(2024-02-29 in the leap year 2024).
"""

from __future__ import annotations

import datetime as dt

import pytest

from hccprotocol.eligibility.facts import whole_months
from hccprotocol.eligibility.options import EligibilityOptions
from hccprotocol.eligibility.tace_series import Outcome, longest_runs

from .eligibility_support import jsh, judge, session, tace_only

IR = "jsh2014.insufficient_response"
IP = "jsh2014.intrahepatic_progression"
MARKERS = "jsh2014.tumour_markers"
VI = "jsh2014.vascular_invasion"
EHS = "jsh2014.extrahepatic_spread"


def two_insufficient(second_days: int = 35, **second: object) -> list[dict[str, object]]:
    """Two insufficient responses; the second follows a change of agents unless ``second`` says otherwise."""
    return [
        session("2026-01-05", viable_tumour_pct=70.0),
        session(
            "2026-05-04", days_to_imaging=second_days, **{"viable_tumour_pct": 65.0, "agents_changed": True, **second}
        ),
    ]


@pytest.mark.parametrize(("days", "status"), [(27, "not_met"), (28, "met"), (92, "met"), (93, "not_met")])
def test_response_window_28_to_92_days_inclusive(days: int, status: str) -> None:
    result = judge(tace_only(two_insufficient(second_days=days)), response_window="days")
    assert jsh(result, IR).status == status
    assert result.tace_refractory.status == status
    second = jsh(result, IR).evidence[1]
    assert second.counted is (status == "met")
    assert f"{days} days" in second.why


def test_window_dates_worked_by_hand() -> None:
    sessions = [session("2026-01-05", viable_tumour_pct=70.0)]
    sessions[0]["imaging_date"] = "2026-02-01"  # 27 days
    sessions.append(session("2026-03-02", viable_tumour_pct=70.0, agents_changed=True))
    sessions[1]["imaging_date"] = "2026-06-02"  # 92 days
    result = judge(tace_only(sessions), response_window="days")
    assert [e.counted for e in jsh(result, IR).evidence] == [False, True]


@pytest.mark.parametrize("days", [27, 93])
def test_a_site_can_widen_the_window(days: int) -> None:
    result = judge(
        tace_only(two_insufficient(second_days=days)), response_window="days", response_window_min_days=27,
        response_window_max_days=93,
    )
    assert jsh(result, IR).status == "met"


@pytest.mark.parametrize(("viable", "status"), [(50.0, "not_met"), (51.0, "met"), (50.1, "met")])
def test_insufficient_response_is_viable_tumour_above_50_pct(viable: float, status: str) -> None:
    sessions = [
        session("2026-01-05", viable_tumour_pct=viable),
        session("2026-03-02", viable_tumour_pct=viable, agents_changed=True),
    ]
    assert jsh(judge(tace_only(sessions)), IR).status == status


@pytest.mark.parametrize(
    ("tace", "imaging", "counted"),
    [
        ("2026-03-01", "2026-03-31", False),  # before 1 month
        ("2026-03-01", "2026-04-01", True),  # 1 month after 1 March is 1 April
        ("2025-12-01", "2026-03-01", True),  # 3 months after 1 December is 1 March
        ("2025-12-01", "2026-03-02", False),
        ("2026-01-31", "2026-02-27", False),
        ("2026-01-31", "2026-02-28", True),  # 31 January + 1 month clamps to 28 February
        ("2024-01-31", "2024-02-28", False),
        ("2024-01-31", "2024-02-29", True),  # leap year
        ("2025-11-30", "2026-02-28", True),  # 30 November + 3 months clamps to 28 February
        ("2025-11-30", "2026-03-01", False),
    ],
)
def test_calendar_month_window_both_edges(tace: str, imaging: str, counted: bool) -> None:
    first = session(tace, viable_tumour_pct=70.0)
    first["imaging_date"] = imaging
    sessions = [first, session("2026-06-01", viable_tumour_pct=70.0, agents_changed=True)]
    found = jsh(judge(tace_only(sessions)), IR)
    assert found.evidence[0].counted is counted
    assert found.status == ("met" if counted else "not_met")
    assert "response_window = calendar_months: 1-3 months" in found.evidence[0].why


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2026-03-01", "2026-04-01", (1, 0)),
        ("2026-03-01", "2026-03-31", (0, 30)),
        ("2025-12-01", "2026-03-01", (3, 0)),
        ("2026-01-31", "2026-02-28", (1, 0)),
        ("2026-01-31", "2026-03-30", (1, 30)),  # 2026-01-31 + 2 months = 2026-03-31
        ("2026-01-31", "2026-03-31", (2, 0)),
        ("2026-05-04", "2026-05-04", (0, 0)),
    ],
)
def test_whole_calendar_months_worked_by_hand(start: str, end: str, expected: tuple[int, int]) -> None:
    assert whole_months(dt.date.fromisoformat(start), dt.date.fromisoformat(end)) == expected


def test_one_insufficient_response_is_not_enough() -> None:
    sessions = [session("2026-01-05", viable_tumour_pct=20.0), session("2026-03-02", viable_tumour_pct=90.0)]
    result = judge(tace_only(sessions))
    assert jsh(result, IR).status == "not_met"
    assert result.tace_refractory.status == "not_met"
    assert result.eligible is False


def test_a_response_between_two_insufficient_responses_breaks_the_run() -> None:
    sessions = [
        session("2026-01-05", viable_tumour_pct=70.0),
        session("2026-03-02", viable_tumour_pct=30.0),
        session("2026-05-04", viable_tumour_pct=70.0),
    ]
    assert jsh(judge(tace_only(sessions)), IR).status == "not_met"


@pytest.mark.parametrize(("breaks", "status"), [(True, "not_met"), (False, "met")])
def test_non_counting_session_breaks_the_run_option(breaks: bool, status: str) -> None:
    sessions = [
        session("2026-01-05", viable_tumour_pct=70.0),
        session("2026-03-02", selective=False, viable_tumour_pct=70.0),
        session("2026-05-04", viable_tumour_pct=70.0, agents_changed=True),
    ]
    result = judge(tace_only(sessions), non_counting_session_breaks_run=breaks)
    assert jsh(result, IR).status == status
    assert [e.counted for e in jsh(result, IR).evidence] == [True, False, True]


@pytest.mark.parametrize("breaks", [True, False])
def test_a_session_with_missing_viable_tumour_leaves_the_run_unknown(breaks: bool) -> None:
    """Missing data between two insufficient responses could complete the run, or be a response that breaks it:
    unknown under either setting of the option (it applies to sessions known not to count), never not_met."""
    sessions = [
        session("2026-01-05", viable_tumour_pct=70.0),
        session("2026-03-02", viable_tumour_pct=None, agents_changed=True),
        session("2026-05-04", viable_tumour_pct=70.0, agents_changed=True),
    ]
    del sessions[1]["viable_tumour_pct"]
    result = judge(tace_only(sessions), non_counting_session_breaks_run=breaks)
    assert jsh(result, IR).status == "unknown"
    assert jsh(result, IR).inputs["tace.insufficient_response.run"] == 1
    assert jsh(result, IR).inputs["tace.insufficient_response.possible_run"] == 3


def test_unknown_selectivity_can_neither_count_nor_rule_out() -> None:
    sessions = two_insufficient()
    del sessions[1]["selective"]
    result = judge(tace_only(sessions))
    assert jsh(result, IR).status == "unknown"
    assert result.tace_refractory.status == "unknown"
    assert result.eligible is None


CHANGE_CASES = [
    # (option, agents_changed, feeding_artery_reanalysed, status); None = not recorded
    ("agents_or_feeding_artery", False, False, "not_met"),
    ("agents_or_feeding_artery", True, False, "met"),
    ("agents_or_feeding_artery", False, True, "met"),
    ("agents_or_feeding_artery", True, None, "met"),
    ("agents_or_feeding_artery", None, False, "unknown"),
    ("agents_or_feeding_artery", False, None, "unknown"),
    ("not_required", False, False, "met"),
    ("not_required", None, None, "met"),
]


def _set_change(s: dict[str, object], agents: bool | None, reanalysed: bool | None) -> None:
    for field, value in (("agents_changed", agents), ("feeding_artery_reanalysed", reanalysed)):
        if value is None:
            del s[field]
        else:
            s[field] = value


@pytest.mark.parametrize(("option", "agents", "reanalysed", "status"), CHANGE_CASES)
def test_the_later_insufficient_response_must_follow_a_change(
    option: str, agents: bool | None, reanalysed: bool | None, status: str
) -> None:
    """JSH 2014 1 (i): 'even after changing the chemotherapeutic drugs and/or reanalysis of the feeding artery'."""
    sessions = two_insufficient()
    _set_change(sessions[1], agents, reanalysed)
    found = jsh(judge(tace_only(sessions), change_before_later_session=option), IR)
    assert found.status == status
    assert f"change_before_later_session = {option}" in found.why


def test_the_first_session_needs_no_change_and_its_change_fields_are_not_asked_for() -> None:
    sessions = two_insufficient()
    del sessions[0]["agents_changed"]
    del sessions[0]["feeding_artery_reanalysed"]
    found = jsh(judge(tace_only(sessions)), IR)
    assert found.status == "met"
    assert "tace_history[0].agents_changed" not in found.evidence[0].inputs


def test_the_evidence_names_the_change_it_read() -> None:
    sessions = two_insufficient(agents_changed=False, feeding_artery_reanalysed=True)
    second = jsh(judge(tace_only(sessions)), IR).evidence[1]
    assert second.inputs["tace_history[1].feeding_artery_reanalysed"] is True
    assert (
        "change_before_later_session = agents_or_feeding_artery: agents_changed = false, "
        "feeding_artery_reanalysed = true: after a change, so it may extend a run"
    ) in second.why


def test_the_former_option_name_is_refused_with_its_replacement_named() -> None:
    with pytest.raises(ValueError, match="change_before_later_session"):
        EligibilityOptions.model_validate({"agents_changed_required": True})


@pytest.mark.parametrize(("counts", "status"), [((3, 4, 5), "met"), ((3, 4, 4), "not_met"), ((3, 3, 4), "not_met")])
def test_two_consecutive_progressions_in_the_liver(counts: tuple[int, int, int], status: str) -> None:
    """Progression: more intrahepatic tumours at imaging than before that TACE. Counts 3 -> 4 -> 5 -> 6 etc."""
    before, first, second = counts
    sessions = [
        session("2026-01-05", intrahepatic_tumour_count_before=before, intrahepatic_tumour_count=first),
        session(
            "2026-03-02", intrahepatic_tumour_count_before=first, intrahepatic_tumour_count=second, agents_changed=True
        ),
    ]
    result = judge(tace_only(sessions))
    assert jsh(result, IP).status == status
    assert jsh(result, IP).numbering == {"jsh_lcsgj_2014": "1 (ii)", "lin_2023": "(1)"}


def test_paper_numbers_the_first_two_jsh_criteria_the_other_way_round() -> None:
    result = judge(tace_only(two_insufficient()))
    assert jsh(result, IR).numbering == {"jsh_lcsgj_2014": "1 (i)", "lin_2023": "(2)"}


@pytest.mark.parametrize(
    ("required", "rising", "status"),
    [
        (1, (True, False), "met"),
        (1, (False, False), "not_met"),
        (2, (True, False), "not_met"),
        (2, (True, True), "met"),
    ],
)
def test_tumour_markers_sessions_required(required: int, rising: tuple[bool, bool], status: str) -> None:
    sessions = [
        session("2026-01-05", markers_rising_after=rising[0]),
        session("2026-03-02", markers_rising_after=rising[1]),
    ]
    result = judge(tace_only(sessions), tumour_markers_sessions_required=required)
    assert jsh(result, MARKERS).status == status


@pytest.mark.parametrize(
    ("reading", "present", "new", "status"),
    [
        # the paper: presence at assessment, after adequate selective TACE
        ("presence", True, False, "met"),
        ("presence", True, True, "met"),
        ("presence", False, False, "not_met"),
        # JSH 2014: appearance after adequate selective TACE (and so present at assessment)
        ("appearance", True, False, "not_met"),
        ("appearance", True, True, "met"),
        ("appearance", False, False, "not_met"),
        # a session records a new finding the tumour record says is absent: contradictory under either reading
        ("presence", False, True, "unknown"),
        ("appearance", False, True, "unknown"),
    ],
)
def test_invasion_and_spread_reading(reading: str, present: bool, new: bool, status: str) -> None:
    record = tace_only([session("2026-01-05", new_vascular_invasion=new, new_extrahepatic_spread=new)])
    record["tumour"]["vascular_invasion"] = present
    record["tumour"]["extrahepatic_spread"] = present
    result = judge(record, invasion_spread_reading=reading)
    assert jsh(result, VI).status == status
    assert jsh(result, EHS).status == status
    # contradictory: a warning for each criterion, and one for BCLC (the record is not staged)
    assert (len(result.basis.warnings) == 3) is (status == "unknown")


@pytest.mark.parametrize(("first_selective", "status"), [(False, "met"), (True, "met")])
def test_an_appearance_counts_after_any_tace(first_selective: bool, status: str) -> None:
    """Issue 8 item 2: only JSH 2014 criterion 1 is qualified by 'adequately performed selective TACE';
    'appearance of vascular invasion' (3) and 'of extrahepatic spread' (4) count after any TACE."""
    record = tace_only([
        session("2026-01-05", selective=first_selective, new_vascular_invasion=True, new_extrahepatic_spread=True),
        session("2026-03-02"),
    ])
    record["tumour"]["vascular_invasion"] = True
    record["tumour"]["extrahepatic_spread"] = True
    result = judge(record, invasion_spread_reading="appearance")
    assert jsh(result, VI).status == status
    assert jsh(result, EHS).status == status
    first = next(e for e in jsh(result, VI).evidence if "appear" in e.why and e.session == 0)
    assert first.counted is True
    assert f"(selective = {'true' if first_selective else 'false'})" in first.why


@pytest.mark.parametrize("reading", ["presence", "appearance"])
@pytest.mark.parametrize(("field", "criterion"), [("vascular_invasion", VI), ("extrahepatic_spread", EHS)])
def test_a_new_finding_the_tumour_record_denies_is_a_contradiction(reading: str, field: str, criterion: str) -> None:
    sessions = [session("2026-01-05"), session("2026-03-02", selective=False, **{f"new_{field}": True})]
    record = tace_only(sessions)
    record["tumour"][field] = False
    result = judge(record, invasion_spread_reading=reading)
    found = jsh(result, criterion)
    assert found.status == "unknown"
    assert f"tumour.{field} = false" in found.why
    assert f"tace_history[1].new_{field} = true" in found.why
    assert "tace_history[0]" not in found.why
    (warning,) = [w for w in result.basis.warnings if w.startswith(criterion)]
    assert warning.startswith(f"{criterion}: The record contradicts itself")
    assert f"tumour.{field} = false" in warning and f"tace_history[1].new_{field} = true" in warning


def test_no_contradiction_without_a_new_finding_or_with_the_finding_present() -> None:
    consistent = tace_only([session("2026-01-05", new_vascular_invasion=True)])
    consistent["tumour"]["vascular_invasion"] = True
    assert judge(consistent).basis.warnings == []
    absent = tace_only([session("2026-01-05", new_vascular_invasion=False)])
    assert judge(absent).basis.warnings == []
    assert jsh(judge(absent), VI).status == "not_met"


def test_a_contradiction_after_a_non_selective_tace_is_unknown_and_warns() -> None:
    """Criteria 3/4 count after any TACE, so a non-selective session's new finding that the tumour record denies
    is a contradiction too: unknown, never not_met; the why and the warnings say so."""
    record = tace_only([session("2026-01-05", selective=False, new_vascular_invasion=True)])
    result = judge(record)
    assert jsh(result, VI).status == "unknown"
    assert "tace_history[0].new_vascular_invasion = true" in jsh(result, VI).why
    assert [w.split(":", 1)[0] for w in result.basis.warnings] == [VI, "inclusion.bclc_b_or_c"]


def test_a_pvtt_type_the_tumour_record_denies_is_a_contradiction() -> None:
    record = tace_only([session("2026-01-05")])
    record["tumour"]["pvtt_cheng_type"] = "II"
    result = judge(record)
    assert jsh(result, VI).status == "unknown"
    assert 'tumour.pvtt_cheng_type = "II"' in jsh(result, VI).why
    consistent = tace_only([session("2026-01-05")])
    consistent["tumour"]["pvtt_cheng_type"] = "II"
    consistent["tumour"]["vascular_invasion"] = True
    assert jsh(judge(consistent), VI).status == "not_met"  # present, but did not appear after TACE


@pytest.mark.parametrize(("history", "status"), [([], "not_met"), (None, "unknown")])
def test_refractoriness_presupposes_tace_whatever_vascular_invasion_says(
    history: list[dict[str, object]] | None, status: str
) -> None:
    record = tace_only(history)
    record["tumour"]["vascular_invasion"] = True
    record["tumour"]["extrahepatic_spread"] = True
    result = judge(record)
    assert {c.status for c in result.tace_refractory.criteria} == {status}
    assert result.tace_refractory.status == status
    assert result.eligible is (False if status == "not_met" else None)


def test_only_non_selective_tace_is_no_adequate_tace() -> None:
    record = tace_only([session("2026-01-05", selective=False), session("2026-03-02", selective=False)])
    record["tumour"]["vascular_invasion"] = True
    assert judge(record).tace_refractory.status == "not_met"


def test_output_names_the_ruleset_and_version() -> None:
    refractory = judge(tace_only(two_insufficient())).tace_refractory
    assert refractory.ruleset == "JSH-LCSGJ 2014"
    assert (refractory.ruleset_id, refractory.version) == ("jsh-lcsgj-2014", "2.1.0")
    assert [c.id for c in refractory.criteria] == [IR, IP, MARKERS, VI, EHS]


S, N, E, R = Outcome.SKIP, Outcome.NEGATIVE, Outcome.EXTEND, Outcome.RESTART


@pytest.mark.parametrize(
    ("sessions", "breaks", "expected"),
    [
        ([], True, (0, 0)),
        ([{E}, {E}], True, (2, 2)),
        ([{E}, {S}, {E}], True, (1, 1)),
        ([{E}, {S}, {E}], False, (2, 2)),
        ([{E}, {N}, {E}], False, (1, 1)),
        ([{E}, {E, N}, {E}], True, (1, 3)),
        ([{E}, {S, E, N}, {E}], False, (1, 3)),
        ([{E}, {R}], True, (1, 1)),
        ([{E}, {E, R}], True, (1, 2)),
        ([{E}, {E}, {E}, {N}, {E}], True, (3, 3)),
    ],
)
def test_longest_runs_hand_worked(sessions: list[set[Outcome]], breaks: bool, expected: tuple[int, int]) -> None:
    assert longest_runs(sessions, breaks) == expected


@pytest.mark.parametrize(
    ("viable", "status", "text"),
    [
        (50.00001, "met", "viable tumour 50.00001 % > 50 %: insufficient response"),
        (50.0, "not_met", "viable tumour 50.0 % <= 50 %: not an insufficient response"),
    ],
)
def test_values_are_quoted_exactly_as_recorded(viable: float, status: str, text: str) -> None:
    """A rounded quote ('50 % > 50 %') would contradict the decision: the value is printed unrounded."""
    sessions = [
        session("2026-01-05", viable_tumour_pct=viable),
        session("2026-03-02", viable_tumour_pct=viable, agents_changed=True),
    ]
    found = jsh(judge(tace_only(sessions)), IR)
    assert found.status == status
    assert all(text in e.why for e in found.evidence)
    assert "viable tumour 50 %" not in found.evidence[0].why
    assert found.evidence[0].inputs["tace_history[0].viable_tumour_pct"] == viable


def test_an_unknown_session_names_its_missing_fields_and_never_says_counted() -> None:
    sessions = two_insufficient()
    del sessions[1]["imaging_date"]
    found = jsh(judge(tace_only(sessions)), IR)
    assert found.status == "unknown"
    second = found.evidence[1]
    assert second.counted is False
    assert second.why == (
        "unknown whether this session counts (not recorded: tace_history[1].imaging_date); "
        "viable tumour 65.0 % > 50 %: insufficient response; change_before_later_session = "
        "agents_or_feeding_artery: agents_changed = true, feeding_artery_reanalysed = false: after a change, so it "
        "may extend a run"
    )
    assert "counted" not in second.why
    assert "Not known: tace_history[1].imaging_date." in found.why


def test_an_unknown_finding_names_its_missing_field() -> None:
    sessions = two_insufficient()
    del sessions[1]["viable_tumour_pct"]
    second = jsh(judge(tace_only(sessions)), IR).evidence[1]
    assert (
        "insufficient response (viable tumour > 50 % of the treated lesions): unknown "
        "(not recorded: tace_history[1].viable_tumour_pct)"
    ) in second.why


def test_acronyms_keep_their_case_in_an_unknown_finding() -> None:
    """The tumour-marker finding's title ends in 'TACE': it must not read 'tace'."""
    sessions = two_insufficient()
    del sessions[1]["markers_rising_after"]
    result = judge(tace_only(sessions))
    why = jsh(result, MARKERS).evidence[1].why
    assert "right after TACE: unknown (not recorded: tace_history[1].markers_rising_after)" in why
    assert "tace:" not in why


@pytest.mark.parametrize(
    ("middle", "status"),
    [
        # (a) a session KNOWN not to count breaks the run (default non_counting_session_breaks_run: true)
        ({"selective": False}, "not_met"),
        ({"days_to_imaging": 93}, "not_met"),
        ({"days_to_imaging": 27}, "not_met"),
        # (b) a session with MISSING data may or may not count: unknown, never not_met, never met
        ({"selective": None}, "unknown"),
        ({"imaging_date": None}, "unknown"),
        ({"viable_tumour_pct": None}, "unknown"),
    ],
)
def test_default_known_non_counting_session_breaks_the_run_missing_data_is_unknown(
    middle: dict[str, object], status: str
) -> None:
    changes = dict(middle)
    days = changes.pop("days_to_imaging", 35)
    assert isinstance(days, int)
    # 2026-03-02 + 93 days = 2026-06-03: the third session follows that imaging
    sessions = [
        session("2026-01-05", viable_tumour_pct=70.0),
        session("2026-03-02", days_to_imaging=days, viable_tumour_pct=70.0, agents_changed=True),
        session("2026-06-08", viable_tumour_pct=70.0, agents_changed=True),
    ]
    for key, value in changes.items():
        if value is None:
            del sessions[1][key]
        else:
            sessions[1][key] = value
    result = judge(tace_only(sessions))
    assert jsh(result, IR).status == status
    assert result.tace_refractory.status == status
    assert result.eligible is (False if status == "not_met" else None)


@pytest.mark.parametrize(("option", "agents", "reanalysed", "status"), CHANGE_CASES)
def test_the_change_requirement_applies_to_intrahepatic_progression_too(
    option: str, agents: bool | None, reanalysed: bool | None, status: str
) -> None:
    """JSH 2014 1 (ii): 'two or more consecutive progressions ... even after changing the chemotherapeutic
    drugs and/or reanalysis of the feeding artery': the option qualifies the progression run as it does 1 (i)."""
    sessions = [
        session("2026-01-05", intrahepatic_tumour_count_before=3, intrahepatic_tumour_count=4),
        session("2026-03-02", intrahepatic_tumour_count_before=4, intrahepatic_tumour_count=5),
    ]
    _set_change(sessions[1], agents, reanalysed)
    result = judge(tace_only(sessions), change_before_later_session=option)
    assert jsh(result, IP).status == status
    inputs = jsh(result, IP).evidence[1].inputs
    assert ("tace_history[1].agents_changed" in inputs) is (option == "agents_or_feeding_artery")


def test_the_change_requirement_does_not_apply_to_tumour_markers() -> None:
    sessions = [session("2026-01-05"), session("2026-03-02", markers_rising_after=True)]
    assert jsh(judge(tace_only(sessions)), MARKERS).status == "met"
