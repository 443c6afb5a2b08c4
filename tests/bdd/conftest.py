"""Shared pytest-bdd steps: how a clinician's scenario turns into a patient record.

Phrase steps in clinical language; keep the expected clinical value in the
.feature file, never in step code. Steps specific to one domain live in that
domain's ``test_<domain>_bdd.py``; steps reused across domains live here.

## Given
- ``Given a patient with:`` + a two-column table ``| field | value |`` where
  field is a dotted path (``liver.inr``) and value is JSON (``1.2``, ``true``,
  ``"none"``) or the word ``absent`` (the field is left out: unknown).
- ``Given the example patient "p01-bclc-c-pvtt"``: a file from ``examples/`` (the review report lists
  every field of that file in its appendix, linked from the step, so no input is hidden from the reviewer).
- ``Given adverse events recorded as:``: columns by name, ALL required: onset, term, grade, attributed to
  (comma-separated drug ids), immune related (true/false), resolved (a date, or - for ongoing); optional
  column life threatening (true/false, or - for not stated: the record then does not say). No value is
  filled in by the step.

## Tags: which rule or option a scenario exercises
``@rule:<id>`` (a criterion, session finding, dose-modification transition, lab-grading trigger or calendar
rule id) and ``@option:<name>`` (a protocol option, dotted: ``modification.lenvatinib_policy``,
``eligibility.response_window``) on the Scenario or Scenario Outline line (pytest-bdd 9 drops Examples-level
tags from the cucumber JSON). Every id of ``hccprotocol.review.catalogue`` needs at least one tagged scenario
and a tag naming an unknown id fails ``tests/unit/test_traceability.py``; ``hccprotocol review-report`` shows
which tagged scenarios passed. ``-m rule`` / ``-m option`` select tagged scenarios.
"""

from __future__ import annotations

import itertools
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from pytest_bdd import given, parsers

from hccprotocol.patient import Patient
from hccprotocol.patient_file import load_patient, parse_patient

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def set_path(record: dict[str, Any], dotted: str, raw: str) -> None:
    """Set ``a.b[0].c`` in a nested dict from a JSON cell; ``absent`` removes it."""
    parts = dotted.replace("]", "").replace("[", ".").split(".")
    node: Any = record
    for here, nxt in itertools.pairwise(parts):
        key: Any = int(here) if here.isdigit() else here
        if isinstance(node, list):
            while len(node) <= key:
                node.append({})
            node = node[key]
        else:
            node = node.setdefault(key, [] if nxt.isdigit() else {})
    last: Any = int(parts[-1]) if parts[-1].isdigit() else parts[-1]
    if raw.strip() == "absent":
        if isinstance(node, dict):
            node.pop(last, None)
        return
    node[last] = json.loads(raw)


@pytest.fixture
def record() -> dict[str, Any]:
    """The raw patient record a scenario builds up before it is validated."""
    return {"id": "BDD"}


@given("a patient with:", target_fixture="record")
def patient_with(record: dict[str, Any], datatable: list[list[str]]) -> dict[str, Any]:
    """Table of ``| field | value |`` rows; a header row ``| field | value |`` is optional."""
    rows = datatable[1:] if datatable and datatable[0] == ["field", "value"] else datatable
    for field, value in rows:
        set_path(record, field, value)
    return record


@given(parsers.parse('the example patient "{name}"'), target_fixture="record")
def example_patient(name: str) -> dict[str, Any]:
    """A bundled example from ``examples/`` (name without extension)."""
    path = next(EXAMPLES.glob(f"{name}.*"))
    return load_patient(path).model_dump(mode="json", exclude_none=True)


def true_false(column: str, cell: str) -> bool:
    """A yes/no cell written ``true`` or ``false``; anything else is an error (never read as false)."""
    value = cell.strip()
    if value not in ("true", "false"):
        raise ValueError(f"column {column!r}: write true or false, got {cell!r}")
    return value == "true"


def _dash(cell: str) -> str | None:
    return None if cell.strip() in ("-", "") else cell.strip()


@given("adverse events recorded as:")
def adverse_events_by_header(record: dict[str, Any], datatable: list[list[str]]) -> None:
    """See the module docstring: every clinical value of the event comes from its row."""
    header = [h.strip() for h in datatable[0]]
    required = ["onset", "term", "grade", "attributed to", "immune related", "resolved"]
    lacking = [c for c in required if c not in header]
    unknown = set(header) - {*required, "life threatening"}
    if lacking or unknown:
        raise ValueError(f"adverse events table: missing columns {lacking}, unknown columns {sorted(unknown)}")
    events = record.setdefault("adverse_events", [])
    for row in datatable[1:]:
        cells = dict(zip(header, (c.strip() for c in row), strict=True))
        event: dict[str, Any] = {
            "onset_date": cells["onset"],
            "term": cells["term"],
            "grade": int(cells["grade"]),
            "attributed_to": [t.strip() for t in cells["attributed to"].split(",") if t.strip()],
            "immune_related": true_false("immune related", cells["immune related"]),
            "resolved_date": _dash(cells["resolved"]),
        }
        judged = _dash(cells.get("life threatening", "-"))
        if judged is not None:
            event["life_threatening"] = true_false("life threatening", judged)
        events.append(event)


def validated(record: dict[str, Any]) -> Patient:
    return parse_patient(record, source="scenario")


def pytest_bdd_apply_tag(tag: str, function: Any) -> bool | None:
    """``@rule:<id>`` and ``@option:<name>`` become ``pytest.mark.rule("<id>")`` / ``pytest.mark.option("<name>")``.

    Why: a tag is a marker name by default, and a name with ':' or '.' cannot be registered
    (``--strict-markers``); the traceability test and the review report read the tags from the
    .feature files and the cucumber JSON, ``-m`` can still select by ``rule``/``option``.
    """
    kind, sep, name = tag.partition(":")
    if sep and kind in ("rule", "option") and name:
        getattr(pytest.mark, kind)(name)(function)
        return True
    return None


FIRED_ENV = "HCCPROTOCOL_BDD_FIRED"
"""When set to a file path, every scenario appends the rule ids its result names (a JSON line)."""


def _named_rules(value: Any) -> set[str]:
    """Rule ids a scenario's result names explicitly: course events, calendar rows and trail, dose bases."""
    found: set[str] = set()
    for holder in (value, getattr(value, "__dict__", {})):
        items = holder.values() if isinstance(holder, dict) else ()
        for item in items:
            events = getattr(item, "events", None)
            if isinstance(events, list | tuple):
                found |= {e.rule for e in events if hasattr(e, "rule")}
            if hasattr(item, "event_rows"):
                found |= {r["rule"] for r in item.event_rows()}
                found |= {t.to_json()["rule"] for t in item.schedule.trail}
            for agent in getattr(item, "agents", None) or ():
                basis = getattr(agent, "basis", "")
                if isinstance(basis, str):
                    found |= set(re.findall(r"[a-z][a-z0-9_]*(?:\.[a-z0-9_\-]+)+", basis))
    return found


def pytest_bdd_after_scenario(request: pytest.FixtureRequest, feature: Any, scenario: Any) -> None:
    """Each scenario builds its own record: nothing to clean. With ``HCCPROTOCOL_BDD_FIRED`` set, record which
    rule ids the result named, so a test can check that every ``@rule`` tag names a rule that acted."""
    path = os.environ.get(FIRED_ENV)
    if not path:
        return
    named: set[str] = set()
    for name in ("result", "outcome"):
        if name in request.fixturenames:
            named |= _named_rules(request.getfixturevalue(name))
    line = {"file": Path(feature.filename).name, "line": scenario.line_number, "rules": sorted(named)}
    with Path(path).open("a", encoding="utf-8") as out:
        out.write(json.dumps(line) + "\n")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """On failure, add a readable 'BDD scenario' section: feature, scenario and its steps."""
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    from pytest_bdd.reporting import test_report_context_registry

    ctx = test_report_context_registry.get(report)
    if ctx is None:
        return
    scenario = ctx.scenario
    lines = [
        f"Feature: {scenario['feature']['name']}",
        f"Scenario: {scenario['name']} (line {scenario['line_number']})",
    ]
    for step in scenario["steps"]:
        mark = "FAILED" if step.get("failed") else "passed"
        lines.append(f"  {step['keyword']} {step['name']}  [{mark}]")
    report.sections.append(("BDD scenario", "\n".join(lines)))
