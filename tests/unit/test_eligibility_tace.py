"""TACE failure/refractoriness (JSH-LCSGJ 2014) and its operational options, both sides of each boundary.

Dates are chosen so the interval is countable by hand: 2026-01-05 + 27 days =
2026-02-01, + 28 = 2026-02-02, + 92 = 2026-04-07, + 93 = 2026-04-08.
"""

from __future__ import annotations

import pytest

from hccprotocol.eligibility.tace_series import Outcome, longest_runs

from .eligibility_support import jsh, judge, session, tace_only

IR = "jsh2014.insufficient_response"
IP = "jsh2014.intrahepatic_progression"
MARKERS = "jsh2014.tumour_markers"
VI = "jsh2014.vascular_invasion"
EHS = "jsh2014.extrahepatic_spread"


def two_insufficient(second_days: int = 35, **second: object) -> list[dict[str, object]]:
    return [
        session("2026-01-05", viable_tumour_pct=70.0),
        session("2026-05-04", days_to_imaging=second_days, **{"viable_tumour_pct": 65.0, **second}),
    ]


@pytest.mark.parametrize(("days", "status"), [(27, "not_met"), (28, "met"), (92, "met"), (93, "not_met")])
def test_response_window_28_to_92_days_inclusive(days: int, status: str) -> None:
    result = judge(tace_only(two_insufficient(second_days=days)))
    assert jsh(result, IR).status == status
    assert result.tace_refractory.status == status
    second = jsh(result, IR).evidence[1]
    assert second.counted is (status == "met")
    assert f"{days} days" in second.why


def test_window_dates_worked_by_hand() -> None:
    sessions = [session("2026-01-05", viable_tumour_pct=70.0)]
    sessions[0]["imaging_date"] = "2026-02-01"  # 27 days
    sessions.append(session("2026-03-02", viable_tumour_pct=70.0))
    sessions[1]["imaging_date"] = "2026-06-02"  # 92 days
    result = judge(tace_only(sessions))
    assert [e.counted for e in jsh(result, IR).evidence] == [False, True]


@pytest.mark.parametrize("days", [27, 93])
def test_a_site_can_widen_the_window(days: int) -> None:
    result = judge(
        tace_only(two_insufficient(second_days=days)), response_window_min_days=27, response_window_max_days=93
    )
    assert jsh(result, IR).status == "met"


@pytest.mark.parametrize(("viable", "status"), [(50.0, "not_met"), (51.0, "met"), (50.1, "met")])
def test_insufficient_response_is_viable_tumour_above_50_pct(viable: float, status: str) -> None:
    sessions = [session("2026-01-05", viable_tumour_pct=viable), session("2026-03-02", viable_tumour_pct=viable)]
    assert jsh(judge(tace_only(sessions)), IR).status == status


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
        session("2026-05-04", viable_tumour_pct=70.0),
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
        session("2026-03-02", viable_tumour_pct=None),
        session("2026-05-04", viable_tumour_pct=70.0),
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


@pytest.mark.parametrize(
    ("required", "agents_changed", "status"),
    [(False, False, "met"), (True, False, "not_met"), (True, True, "met"), (True, None, "unknown")],
)
def test_agents_changed_required_option(required: bool, agents_changed: bool | None, status: str) -> None:
    sessions = two_insufficient()
    if agents_changed is None:
        del sessions[1]["agents_changed"]
    else:
        sessions[1]["agents_changed"] = agents_changed
    assert jsh(judge(tace_only(sessions), agents_changed_required=required), IR).status == status


@pytest.mark.parametrize(("counts", "status"), [((3, 4, 5), "met"), ((3, 4, 4), "not_met"), ((3, 3, 4), "not_met")])
def test_two_consecutive_progressions_in_the_liver(counts: tuple[int, int, int], status: str) -> None:
    """Progression: more intrahepatic tumours at imaging than before that TACE. Counts 3 -> 4 -> 5 -> 6 etc."""
    before, first, second = counts
    sessions = [
        session("2026-01-05", intrahepatic_tumour_count_before=before, intrahepatic_tumour_count=first),
        session("2026-03-02", intrahepatic_tumour_count_before=first, intrahepatic_tumour_count=second),
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
    assert (len(result.basis.warnings) == 2) is (status == "unknown")


@pytest.mark.parametrize(("first_selective", "status"), [(False, "not_met"), (True, "met")])
def test_an_appearance_must_follow_adequate_selective_tace(first_selective: bool, status: str) -> None:
    """JSH 2014 judges every criterion after adequately performed selective TACE: vascular invasion and spread
    new after a non-selective session (then a selective one without anything new) do not count."""
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
    assert first.counted is first_selective


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
    (warning,) = result.basis.warnings
    assert warning.startswith(f"{criterion}: The record contradicts itself")
    assert f"tumour.{field} = false" in warning and f"tace_history[1].new_{field} = true" in warning


def test_no_contradiction_without_a_new_finding_or_with_the_finding_present() -> None:
    consistent = tace_only([session("2026-01-05", new_vascular_invasion=True)])
    consistent["tumour"]["vascular_invasion"] = True
    assert judge(consistent).basis.warnings == []
    absent = tace_only([session("2026-01-05", new_vascular_invasion=False)])
    assert judge(absent).basis.warnings == []
    assert jsh(judge(absent), VI).status == "not_met"


def test_a_contradiction_without_adequate_tace_keeps_not_met_but_warns() -> None:
    """Refractoriness presupposes adequate selective TACE, whatever criteria (4)/(5) say; the record is still
    contradictory, and the why and the warnings say so."""
    record = tace_only([session("2026-01-05", selective=False, new_vascular_invasion=True)])
    result = judge(record)
    assert jsh(result, VI).status == "not_met"
    assert "tace_history[0].new_vascular_invasion = true" in jsh(result, VI).why
    assert len(result.basis.warnings) == 1


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
    assert (refractory.ruleset_id, refractory.version) == ("jsh-lcsgj-2014", "1.0.0")
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
    sessions = [session("2026-01-05", viable_tumour_pct=viable), session("2026-03-02", viable_tumour_pct=viable)]
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
        "viable tumour 65.0 % > 50 %: insufficient response"
    )
    assert "counted" not in second.why
    assert "Not known: tace_history[1].imaging_date." in found.why


def test_an_unknown_finding_names_its_missing_field() -> None:
    sessions = two_insufficient()
    del sessions[1]["viable_tumour_pct"]
    second = jsh(judge(tace_only(sessions)), IR).evidence[1]
    assert second.why.endswith(
        "insufficient response (viable tumour > 50 % of the treated lesions): unknown "
        "(not recorded: tace_history[1].viable_tumour_pct)"
    )


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
        session("2026-03-02", days_to_imaging=days, viable_tumour_pct=70.0),
        session("2026-06-08", viable_tumour_pct=70.0),
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


@pytest.mark.parametrize(
    ("required", "agents_changed", "status"),
    [(False, False, "met"), (True, False, "not_met"), (True, True, "met"), (True, None, "unknown")],
)
def test_agents_changed_required_applies_to_intrahepatic_progression_too(
    required: bool, agents_changed: bool | None, status: str
) -> None:
    """JSH 2014 1 (ii): 'two or more consecutive progressions ... even after changing the chemotherapeutic
    drugs': the option qualifies the progression run as it does the insufficient-response run (1 (i))."""
    sessions = [
        session("2026-01-05", intrahepatic_tumour_count_before=3, intrahepatic_tumour_count=4),
        session("2026-03-02", intrahepatic_tumour_count_before=4, intrahepatic_tumour_count=5),
    ]
    if agents_changed is None:
        del sessions[1]["agents_changed"]
    else:
        sessions[1]["agents_changed"] = agents_changed
    result = judge(tace_only(sessions), agents_changed_required=required)
    assert jsh(result, IP).status == status
    inputs = jsh(result, IP).evidence[1].inputs
    assert ("tace_history[1].agents_changed" in inputs) is required


def test_agents_changed_required_does_not_apply_to_tumour_markers() -> None:
    sessions = [session("2026-01-05", markers_rising_after=True, agents_changed=False)]
    assert jsh(judge(tace_only(sessions), agents_changed_required=True), MARKERS).status == "met"
