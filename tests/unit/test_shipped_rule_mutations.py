"""Each shipped eligibility rule file, mutated one line at a time, is refused with the file AND the line.

The mutations are applied to the real text of ``rules/lin-2023-eligibility.yaml`` and
``rules/jsh-lcsgj-2014.yaml`` (not to a fixture), loaded through ``model.load_rule_text`` with the
protocol's eligibility options, as the engines load them. Each is a mistake that would otherwise leave a
criterion silently unknown, never met, or wrong: a misspelt key, a misspelt fact path, a value of the wrong
type, an unreachable condition, an undeclared option, a text missing a reading.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hccprotocol.eligibility.compile import eligibility_option_specs
from hccprotocol.model.errors import RuleFileError
from hccprotocol.model.loader import load_rule_text

RULES = Path(__file__).resolve().parents[2] / "rules"
LIN = "lin-2023-eligibility.yaml"
JSH = "jsh-lcsgj-2014.yaml"

# (file, exact line as shipped, mutated line, occurrence of that line, words the error must contain)
MUTATIONS = [
    # misspelt keys
    (LIN, "    statement: ECOG performance status score of 1 or less.",
     "    statment: ECOG performance status score of 1 or less.", 0, "unknown key 'statment'"),
    (JSH, "    repeat_needs_change: true", "    repeat_need_change: true", 0, "unknown key 'repeat_need_change'"),
    (LIN, "    when: {ecog: {lte: 1}}", "    wen: {ecog: {lte: 1}}", 0, "unknown key 'wen'"),
    # misspelt fact paths
    (LIN, "    when: {ecog: {lte: 1}}", "    when: {ecgo: {lte: 1}}", 0, "unknown fact path 'ecgo'"),
    (LIN, "    when: {history.other_tki: true}", "    when: {history.other_tk: true}", 0,
     "unknown fact path 'history.other_tk'"),
    (JSH, "        - {tace.insufficient_response.consecutive_sessions: {gte: 2}}",
     "        - {tace.insufficient_respons.consecutive_sessions: {gte: 2}}", 0, "unknown fact path"),
    (JSH, "    present_when: {viable_tumour_pct: {gt: 50}}", "    present_when: {viable_tumor_pct: {gt: 50}}", 0,
     "did you mean viable_tumour_pct"),
    (JSH, '    present_why: "viable tumour {viable_tumour_pct} % > 50 %: insufficient response"',
     '    present_why: "viable tumour {viable_tumor_pct} % > 50 %: insufficient response"', 0,
     "{viable_tumor_pct} is neither a TACE session fact nor a declared option"),
    # wrong value types
    (LIN, "    when: {ecog: {lte: 1}}", '    when: {ecog: {lte: "1"}}', 0, "cannot be compared with '1'"),
    (LIN, "    when: {derived.child_pugh.score_range: {lte: 9}}",
     "    when: {derived.child_pugh.score_range: {lte: 9.5}}", 0, "is a whole number"),
    (LIN, "    when: {history.prior_immunotherapy: true}", "    when: {history.prior_immunotherapy: 1}", 0,
     "is true/false; it cannot be compared with 1"),
    (LIN, '        - {derived.bclc_stage: {in: ["0", A, D]}}', "        - {derived.bclc_stage: {in: [0, A, D]}}", 0,
     'write "0" in quotes'),
    (LIN, "        - {derived.bclc_stage: {in: [B, C]}}", "        - {derived.bclc_stage: {in: [B, Cc]}}", 0,
     "'Cc' is not one of"),
    (JSH, "    present_when: {markers_rising_after: true}", "    present_when: {markers_rising_after: {gt: 0}}", 0,
     "is true/false"),
    # unreachable rules
    (LIN, "    when: {ecog: {gt: 1}}", "    when: {all: [{ecog: {gt: 1}}, {ecog: {lt: 1}}]}", 0, "unreachable"),
    (LIN, "    when: {tace_refractory.status: met}",
     "    when: {any: [{tace_refractory.status: {in: [met, not_met]}}, {not: {known: tace_refractory.status}}]}", 0,
     "can never be false"),
    (JSH, "        - {tace.adequate_tace.consecutive_sessions: {gte: 1}}",
     "        - {tace.adequate_tace.consecutive_sessions: {lt: 0}}", 0, "unreachable"),
    # options
    (JSH, "                    gte: {option: response_window_min_months}",
     "                    gte: {option: response_window_min_month}", 0, "option 'response_window_min_month'"),
    (JSH, "            - {option.invasion_spread_reading: presence}",
     "            - {option.invasion_spread_reading: present}", 0, "'present' is not one of"),
    (JSH, "          agents_or_feeding_artery: >-", "          agents_or_feeding_arteries: >-", 0,
     "gives exactly the cases"),
    # references and the asymmetric criteria's guarantees
    (JSH, "    evidence: [insufficient_response]", "    evidence: [insufficient_responses]", 0,
     "no session finding 'insufficient_responses'"),
    (JSH, "      sessions: new_vascular_invasion", "      sessions: new_vascular_invasions", 0,
     "no session finding 'new_vascular_invasions'"),
    (LIN, "        - {derived.bclc_stage_contradicted: false}", "        - {derived.bclc_stage_conflict: false}", 0,
     "a record with this contradiction could make the criterion met"),
    (JSH, "                    - {tace.new_vascular_invasion.consecutive_sessions: {lt: 1}}",
     "                    - {tace.new_vascular_invasion.possible_run: {gte: 0}}", 0,
     "could be met and not met at once"),
]


def _mutate(text: str, old: str, new: str, occurrence: int) -> tuple[str, int]:
    lines = text.split("\n")
    found = [i for i, line in enumerate(lines) if line == old]
    assert len(found) > occurrence, f"the shipped file no longer has the line {old!r}"
    index = found[occurrence]
    lines[index] = new
    return "\n".join(lines), index + 1


@pytest.mark.parametrize("name", [LIN, JSH])
def test_the_shipped_files_load_unmutated(name: str) -> None:
    model = load_rule_text((RULES / name).read_text(encoding="utf-8"), f"rules/{name}",
                           options=eligibility_option_specs())
    assert model.criteria


@pytest.mark.parametrize(
    ("name", "old", "new", "occurrence", "message"),
    MUTATIONS,
    ids=[f"{m[0][:3]}:{m[2].strip()[:40]}" for m in MUTATIONS],
)
def test_each_mutation_is_refused_with_file_and_line(
    name: str, old: str, new: str, occurrence: int, message: str
) -> None:
    text, line = _mutate((RULES / name).read_text(encoding="utf-8"), old, new, occurrence)
    with pytest.raises(RuleFileError) as info:
        load_rule_text(text, f"rules/{name}", options=eligibility_option_specs())
    error = info.value
    assert error.file == f"rules/{name}"
    hits = [issue for issue in error.issues if message in issue.message]
    assert hits, f"no problem mentions {message!r}: {[i.message for i in error.issues]}"
    # the problem names the mutated line, or (a problem between two parts of one rule, e.g. a contradiction
    # that the mutated condition no longer excludes) a line of the same rule; given as rules/<file>:<line>
    assert all(issue.path.startswith(f"rules/{name}:") for issue in hits)
    lines = [int(issue.path.split(":", 1)[1].split(" ", 1)[0]) for issue in hits]
    first, last = _rule_span(text, line)
    assert line in lines or any(first <= n <= last for n in lines), (line, [i.path for i in hits])


def _rule_span(text: str, line: int) -> tuple[int, int]:
    """First and last line of the rule (list item ``  - id:``) holding ``line``."""
    starts = [i + 1 for i, row in enumerate(text.split("\n")) if row.startswith("  - id:")]
    first = max(n for n in starts if n <= line)
    later = [n for n in starts if n > line]
    return first, (later[0] - 1 if later else len(text.split("\n")))
