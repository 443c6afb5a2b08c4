"""Every rule id and protocol option is exercised by a tagged scenario; a tag never names an unknown id.

The catalogue's ids are checked against the rule files read here directly (yaml), not through the
loaders the catalogue uses; the check is proven to fail on a copy of the features from which the
only scenario of a rule is deleted, and on an unknown tag.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from hccprotocol.review.catalogue import catalogue, option_comments
from hccprotocol.review.features import parse_features, tag_values
from hccprotocol.review.traceability import coverage

ROOT = Path(__file__).resolve().parents[2]
FEATURES = ROOT / "features"


def _yaml(name: str) -> dict:
    return yaml.safe_load((ROOT / "rules" / name).read_text(encoding="utf-8"))


def test_catalogue_holds_every_rule_id_of_the_rule_files() -> None:
    lin, jsh = _yaml("lin-2023-eligibility.yaml"), _yaml("jsh-lcsgj-2014.yaml")
    criteria = {c["id"] for c in lin["criteria"] + jsh["criteria"]}
    findings = {f["id"] for f in jsh["session_findings"]}
    transitions = {
        t["id"]
        for name in ("dose-modification-lenvatinib.yaml", "dose-modification-folfox.yaml", "dose-modification-pd1.yaml")
        for t in _yaml(name)["transitions"]
    }
    labs = {t["id"] for t in _yaml("ctcae-lab-grading.yaml")["triggers"]}
    calendar = {r["id"] for r in _yaml("calendar-lin-2023.yaml")["calendar"]}
    course = _yaml("dose-modification-course.yaml")
    events = {r["id"] for r in course["persistence"] + course["lab_events"]} | {course["precycle"]["id"]}
    # 15 criteria of Lin 2023 (not_evaluated excluded) + 5 of JSH 2014; 7 findings; 21 + 25 + 24 transitions;
    # 4 persistence clocks + 1 lab event + the pre-cycle limit rule
    assert (len(criteria), len(findings), len(transitions), len(labs), len(calendar), len(events)) == (
        20, 7, 70, 4, 17, 6
    )
    kinds = {r.kind for r in catalogue().rules.values()}
    assert kinds == {"criterion", "finding", "transition", "lab_grading", "calendar", "course_event"}
    got = {kind: {i for i, r in catalogue().rules.items() if r.kind == kind} for kind in kinds}
    assert got == {"criterion": criteria, "finding": findings, "transition": transitions, "lab_grading": labs,
                   "calendar": calendar, "course_event": events}
    assert "inclusion.receipt_of_therapy" not in catalogue().rules  # not evaluated: not a rule the engine applies


def test_every_option_has_its_default_and_why_from_the_protocol_file() -> None:
    shipped = yaml.safe_load((ROOT / "protocol/haic-lenvatinib-pd1.yaml").read_text(encoding="utf-8"))
    options = catalogue().options
    assert options["modification.lenvatinib_policy"].default == "paper_made_safe"
    assert options["schedule.systemic_start.default_day"].default == 4
    assert options["eligibility.response_window"].default == shipped["eligibility"]["response_window"]
    assert options["agents.oxaliplatin.renal_start.policy"].default == "label"
    assert "less safe than a label" in options["agents.oxaliplatin.renal_start.policy"].why
    assert options["eligibility.response_window_max_months"].why == '"1-3 months".'
    assert [name for name, o in options.items() if not o.why] == []
    # 6 dosing + 14 modification + 24 schedule leaves + 11 eligibility + the oxaliplatin renal start policy
    assert len(options) == 56


def test_option_comments_attach_to_the_key_below_and_its_siblings() -> None:
    text = "a:\n  # default 1. Why: one\n  x: 1\n  y: 2\n\n  z: 3\nlist:\n  - id: drug\n    # why drug\n    p: q\n"
    assert option_comments(text) == {"a.x": "default 1. Why: one", "a.y": "default 1. Why: one",
                                     "a.z": "default 1. Why: one", "list.drug.p": "why drug"}


def test_every_rule_id_and_option_has_a_tagged_scenario_and_no_tag_is_unknown() -> None:
    assert coverage(catalogue(), FEATURES).problems() == []


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "features"
    shutil.copytree(FEATURES, target)
    return target


def _delete_scenario(folder: Path, file: str, line: int) -> None:
    """Remove the scenario starting at ``line`` (with its tag lines) up to the next scenario or Rule."""
    path = folder / file
    lines = path.read_text(encoding="utf-8").splitlines()
    starts = sorted(s.line for f in parse_features(folder) if f.file == file for s in f.scenarios)
    rule_lines = [i + 1 for i, text in enumerate(lines) if text.strip().startswith("Rule:")]
    end = min([n for n in [*starts, *rule_lines] if n > line] or [len(lines) + 1])
    begin = line
    while begin > 1 and lines[begin - 2].strip().startswith("@"):
        begin -= 1
    # the next scenario's own tags stay with it
    while end - 1 > line and lines[end - 2].strip().startswith("@"):
        end -= 1
    path.write_text("\n".join(lines[: begin - 1] + lines[end - 1 :]) + "\n", encoding="utf-8")


def test_deleting_the_only_scenario_of_a_rule_fails_the_check(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    before = coverage(catalogue(), folder)
    rule, (key,) = next((r, keys) for r, keys in before.rules.items() if len(keys) == 1)
    file, line = key.rsplit(":", 1)
    _delete_scenario(folder, file, int(line))
    after = coverage(catalogue(), folder)
    assert after.rules[rule] == ()
    assert f"rule {rule} has no scenario tagged @rule:{rule}" in after.problems()
    remaining = sum(len(f.scenarios) for f in parse_features(folder))
    assert remaining == sum(len(f.scenarios) for f in parse_features(FEATURES)) - 1


def test_an_unknown_rule_or_option_tag_fails_the_check(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    path = folder / "measures.feature"
    text = path.read_text(encoding="utf-8")
    first = re.search(r"^(\s*)Scenario", text, flags=re.M)
    assert first is not None
    tags = f"{first.group(1)}@rule:inclusion.no_such_criterion @option:schedule.no_such_option\n"
    path.write_text(text[: first.start()] + tags + text[first.start():], encoding="utf-8")
    problems = coverage(catalogue(), folder).problems()
    assert any(p.startswith("@rule:inclusion.no_such_criterion names no rule id") for p in problems), problems
    assert any(p.startswith("@option:schedule.no_such_option names no protocol option") for p in problems)


def test_tags_become_rule_and_option_marks_that_select_scenarios() -> None:
    """``-m`` on the registered ``rule``/``option`` markers selects tagged scenarios (the hook in tests/bdd)."""
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "--collect-only", "-p", "no:cacheprovider", "-m", "rule",
         "tests/bdd/test_measures_bdd.py", "tests/bdd/test_schedule_bdd.py"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    selected = [line for line in run.stdout.splitlines() if "::" in line]
    assert selected and all("test_schedule_bdd" in line for line in selected), run.stdout
    assert "deselected" in run.stdout


@pytest.mark.parametrize("kind", ["rule", "option"])
def test_markers_are_registered(kind: str) -> None:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert f'"{kind}(' in text


@pytest.mark.slow
def test_every_transition_and_calendar_tag_names_a_rule_that_acts_in_its_scenario(tmp_path: Path) -> None:
    """A ``@rule`` tag on a dose-modification transition or a calendar rule is not a claim: the scenario's own
    result (course events, calendar rows and trail, dose bases) names that rule in at least one example row.
    (Criteria, session findings and lab-grading triggers are read from the scenario text and tables.)"""
    fired = tmp_path / "fired.jsonl"
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/bdd"],
        cwd=ROOT, capture_output=True, text=True, check=False, env={**os.environ, "HCCPROTOCOL_BDD_FIRED": str(fired)},
    )
    assert run.returncode == 0, run.stdout[-3000:]
    named: dict[tuple[str, int], set[str]] = {}
    for line in fired.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        named.setdefault((entry["file"], entry["line"]), set()).update(entry["rules"])
    rules = catalogue().rules
    claimed = [
        (f"{sc.file}:{sc.line}", sorted(set(tagged) - named.get((sc.file, sc.line), set())))
        for doc in parse_features(FEATURES)
        for sc in doc.scenarios
        if (tagged := [r for r in tag_values(sc.all_tags, "rule") if rules[r].kind in ("transition", "calendar")])
    ]
    assert [c for c in claimed if c[1]] == []
    assert len(claimed) >= 70  # 72 scenarios carry such tags today
    # the check can fail: a grade 3 TRAE scenario names the grade 3 transition, not the death one
    first = next(sc for doc in parse_features(FEATURES) for sc in doc.scenarios
                 if sc.name == "A grade 3 TRAE interrupts, then lenvatinib resumes one level lower")
    assert "lenvatinib.paper.grade3" in named[(first.file, first.line)]
    assert "lenvatinib.death" not in named[(first.file, first.line)]
