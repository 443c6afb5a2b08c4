"""Steps for features/dosing.feature and features/dose_modification.feature.

Phrasing: "When the doses for DATE are calculated" (``dose``), "When the course is replayed" (``course``);
tables of adverse events / dose changes / laboratory results use the record's field names. Expected doses and
levels stay in the .feature files; these steps only read the result.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from pytest_bdd import given, parsers, scenarios, then, when

from hccprotocol.course import Course, replay_course
from hccprotocol.dosing import DosePlan, next_cycle_doses
from hccprotocol.errors import ClinicalGateError, InputError
from hccprotocol.protocol import Protocol, load_protocol
from hccprotocol.schedule.adapters import default_providers
from hccprotocol.schedule.plan import Plan, make_plan
from tests.bdd.conftest import true_false, validated

scenarios("dosing.feature")
scenarios("dose_modification.feature")

REPO = Path(__file__).resolve().parents[2]


class Result:
    """What a When step produced: a plan, a course, a calendar, or the input error."""

    def __init__(self) -> None:
        self.plan: DosePlan | None = None
        self.course: Course | None = None
        self.calendar: Plan | None = None
        self.error: InputError | ClinicalGateError | None = None


@pytest.fixture
def protocol_state() -> dict[str, Any]:
    return {"base": "haic-lenvatinib-pd1", "changes": {}}


@pytest.fixture
def result() -> Result:
    return Result()


def _protocol(state: dict[str, Any], tmp_path: Path) -> Protocol:
    if not state["changes"] and "renal_policy" not in state:
        return load_protocol(state["base"])
    data = yaml.safe_load((REPO / "protocol" / f"{state['base']}.yaml").read_text(encoding="utf-8"))
    for dotted, value in state["changes"].items():
        section, key = dotted.split(".")
        data[section][key] = value
    if "renal_policy" in state:
        oxaliplatin = next(a for a in data["agents"] if a["id"] == "oxaliplatin")
        oxaliplatin["renal_start"]["policy"] = state["renal_policy"]
    path = tmp_path / "site-protocol.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return load_protocol(str(path))


def _cell(text: str) -> Any:
    return None if text.strip() in ("-", "") else text.strip()


## Given


@given(parsers.parse('the protocol "{name}"'))
def given_protocol(protocol_state: dict[str, Any], name: str) -> None:
    protocol_state["base"] = name


@given(parsers.re(r'the protocol option "(?P<key>[a-z_]+\.[a-z0-9_]+)" is (?P<value>.+)'))
def given_option(protocol_state: dict[str, Any], key: str, value: str) -> None:
    """``value`` is JSON (``23``, ``"label"``, ``null``)."""
    import json

    protocol_state["changes"][key] = json.loads(value)


@given(parsers.parse('the oxaliplatin renal start policy is "{policy}"'))
def given_renal_policy(protocol_state: dict[str, Any], policy: str) -> None:
    """``agents[oxaliplatin].renal_start.policy`` in a site copy of the protocol (label | none)."""
    protocol_state["renal_policy"] = policy


@given("adverse events:")
def given_adverse_events(record: dict[str, Any], datatable: list[list[str]]) -> None:
    """Columns: onset, term, grade, attributed to (comma-separated ids), immune related (true/false), resolved
    (- = ongoing). Every value is in the table; a cell other than true/false for immune related is an error."""
    events = record.setdefault("adverse_events", [])
    for onset, term, grade, to, irae, resolved in datatable[1:]:
        events.append(
            {
                "onset_date": onset.strip(),
                "term": term.strip(),
                "grade": int(grade),
                "attributed_to": [t.strip() for t in to.split(",") if t.strip()],
                "immune_related": true_false("immune related", irae),
                "resolved_date": _cell(resolved),
            }
        )


@given("dose changes:")
def given_dose_changes(record: dict[str, Any], datatable: list[list[str]]) -> None:
    changes = record.setdefault("dose_changes", [])
    for date, agent, action in datatable[1:]:
        changes.append({"date": date.strip(), "agent": agent.strip(), "action": action.strip()})


@given("laboratory results:")
def given_labs(record: dict[str, Any], datatable: list[list[str]]) -> None:
    header = [h.strip() for h in datatable[0]]
    labs = record.setdefault("labs", [])
    for row in datatable[1:]:
        entry: dict[str, Any] = {"date": row[0].strip()}
        for name, cell in zip(header[1:], row[1:], strict=True):
            if _cell(cell) is not None:
                entry[name] = float(cell)
        labs.append(entry)


## When


@when(parsers.parse("the doses for {day} are calculated"))
def when_doses(
    record: dict[str, Any], protocol_state: dict[str, Any], tmp_path: Path, result: Result, day: str
) -> None:
    try:
        result.plan = next_cycle_doses(
            validated(record), _protocol(protocol_state, tmp_path), dt.date.fromisoformat(day)
        )
    except (InputError, ClinicalGateError) as exc:
        result.error = exc


@when(parsers.parse("the doses for {day} are calculated with --force"))
def when_doses_forced(
    record: dict[str, Any], protocol_state: dict[str, Any], tmp_path: Path, result: Result, day: str
) -> None:
    try:
        result.plan = next_cycle_doses(
            validated(record), _protocol(protocol_state, tmp_path), dt.date.fromisoformat(day), force=True
        )
    except (InputError, ClinicalGateError) as exc:
        result.error = exc


@when(parsers.parse("the calendar is planned from {start} for {cycles:d} cycles"))
def when_calendar(
    record: dict[str, Any], protocol_state: dict[str, Any], tmp_path: Path, result: Result, start: str, cycles: int
) -> None:
    """The real engines (eligibility, dosing, course); "today" is fixed before the start so the date is allowed."""
    result.calendar = make_plan(
        validated(record), _protocol(protocol_state, tmp_path), start=dt.date.fromisoformat(start),
        providers=default_providers(), cycles=cycles, today=dt.date.fromisoformat(start) - dt.timedelta(days=7),
    )


@when("the course is replayed")
def when_course(record: dict[str, Any], protocol_state: dict[str, Any], tmp_path: Path, result: Result) -> None:
    result.error = None
    try:
        result.course = replay_course(validated(record), _protocol(protocol_state, tmp_path))
    except (InputError, ClinicalGateError) as exc:
        result.error = exc


@when(parsers.parse("the course is replayed up to {day}"))
def when_course_as_of(
    record: dict[str, Any], protocol_state: dict[str, Any], tmp_path: Path, result: Result, day: str
) -> None:
    try:
        result.course = replay_course(
            validated(record), _protocol(protocol_state, tmp_path), as_of=dt.date.fromisoformat(day)
        )
    except (InputError, ClinicalGateError) as exc:
        result.error = exc


## Then: doses


def _row(result: Result, agent: str) -> Any:
    assert result.error is None, result.error.render() if result.error else ""
    assert result.plan is not None
    return next(a for a in result.plan.agents if a.agent == agent)


@then(parsers.parse("the {agent} dose is {mg:g} mg once daily as {capsules:d} capsules"))
def then_lenvatinib(result: Result, agent: str, mg: float, capsules: int) -> None:
    row = _row(result, agent)
    assert (row.dose_mg, row.frequency, row.vials) == (mg, "once daily", capsules)


@then(parsers.parse('the {agent} dose is {mg:g} mg from "{basis}" ({unrounded:g} mg unrounded)'))
def then_bsa_dose(result: Result, agent: str, mg: float, basis: str, unrounded: float) -> None:
    row = _row(result, agent)
    assert (row.dose_mg, row.basis, row.unrounded_mg) == (mg, basis, unrounded)


@then(parsers.parse("the {agent} dose is {mg:g} mg in {vials:d} vials"))
def then_vials(result: Result, agent: str, mg: float, vials: int) -> None:
    row = _row(result, agent)
    assert (row.dose_mg, row.vials) == (mg, vials)


@then(parsers.re(r"the (?P<agent>\w+) dose is (?P<mg>[\d.]+) mg$"))
def then_dose(result: Result, agent: str, mg: str) -> None:
    assert _row(result, agent).dose_mg == float(mg)


@then(parsers.parse('the {agent} runs over {hours:g} h at {rate:g} mg/h on days "{days}"'))
def then_infusion(result: Result, agent: str, hours: float, rate: float, days: str) -> None:
    row = _row(result, agent)
    assert (row.infusion_hours, row.rate_mg_per_h, row.day) == (hours, rate, days)


@then(parsers.parse("the BSA used is {bsa:g} m2"))
def then_bsa(result: Result, bsa: float) -> None:
    assert result.plan is not None and result.plan.bsa_m2 == bsa


@then(parsers.parse('the option "{key}" is shown as {value:d}'))
def then_option(result: Result, key: str, value: int) -> None:
    assert result.plan is not None and result.plan.options[key] == value


@then(parsers.parse('the {agent} gets no dose and the warning names "{field}"'))
def then_no_dose(result: Result, agent: str, field: str) -> None:
    assert _row(result, agent).dose_mg is None
    assert result.plan is not None and any(field in w for w in result.plan.warnings)


@then(parsers.parse('a warning says "{text}"'))
def then_warning(result: Result, text: str) -> None:
    assert result.plan is not None and any(text in w for w in result.plan.warnings)


@then(parsers.parse('the {agent} frequency mentions "{text}"'))
def then_frequency(result: Result, agent: str, text: str) -> None:
    assert text in _row(result, agent).frequency


@then(parsers.parse('the doses are refused naming "{text}"'))
def then_refused(result: Result, text: str) -> None:
    assert result.error is not None and text in result.error.render()
    assert result.error.exit_code == 2


@then(parsers.re(r'the (?P<agent>\w+) status is "(?P<status>[^"]+)" and its basis names "(?P<text>[^"]+)"$'))
def then_status_basis(result: Result, agent: str, status: str, text: str) -> None:
    row = _row(result, agent)
    assert (row.status, text in row.basis) == (status, True), row.basis


@then(parsers.re(r'the (?P<agent>\w+) status is "(?P<status>[^"]+)"$'))
def then_status(result: Result, agent: str, status: str) -> None:
    row = _row(result, agent)
    assert row.status == status, f"{row.status}: {row.basis}"


@then(parsers.re(r"the (?P<agent>\w+) gets no dose$"))
def then_no_dose_at_all(result: Result, agent: str) -> None:
    row = _row(result, agent)
    assert (row.dose_mg, row.unrounded_mg, row.rate_mg_per_h, row.vials) == (None, None, None, None)


@then(parsers.parse('the {agent} dose is {mg:g} mg at level "{level}"'))
def then_dose_level(result: Result, agent: str, mg: float, level: str) -> None:
    row = _row(result, agent)
    assert (row.dose_mg, row.dose_level, row.status) == (mg, level, "active"), row.basis


@then(parsers.parse('every dose line is marked "{text}"'))
def then_every_line_marked(result: Result, text: str) -> None:
    assert result.plan is not None and result.plan.eligibility["forced"] is True
    assert all(a.basis.startswith(f"[{text}]") for a in result.plan.agents), [a.basis for a in result.plan.agents]


@then(parsers.parse('no dose line is marked "{text}"'))
def then_no_line_marked(result: Result, text: str) -> None:
    assert result.plan is not None and result.plan.eligibility["forced"] is False
    assert not any(text in a.basis for a in result.plan.agents)
    assert not any(text in w for w in result.plan.warnings)


@then(parsers.parse('the doses are refused by the clinical gate naming "{text}"'))
def then_gate_refused(result: Result, text: str) -> None:
    """The same refusal (error class, wording and exit code 3) as ``plan``."""
    assert isinstance(result.error, ClinicalGateError), result.error
    assert text in result.error.message and "no doses:" in result.error.message
    assert "use --force" in result.error.message


@then(parsers.parse("the first HAIC is on {day}"))
def then_first_haic(result: Result, day: str) -> None:
    assert result.calendar is not None
    assert result.calendar.schedule.haic_dates[0] == dt.date.fromisoformat(day)
    delays = [r for r in result.calendar.event_rows() if r["activity"] == "delay"]
    first = result.calendar.start.isoformat()
    assert bool([r for r in delays if r["date"] == first]) == (day != first)


## Then: course


@then(parsers.parse("the course has no {agent} event"))
def then_no_course_event(result: Result, agent: str) -> None:
    assert not [e for e in _course(result).events if e.agent == agent]


def _course(result: Result) -> Course:
    assert result.error is None, result.error.render() if result.error else ""
    assert result.course is not None
    return result.course


@then(parsers.parse("the {agent} course is:"))
def then_course_table(result: Result, agent: str, datatable: list[list[str]]) -> None:
    events = [e for e in _course(result).events if e.agent == agent][1:]
    got = [(e.date.isoformat(), e.action, e.to_level or "-") for e in events]
    assert got == [(d.strip(), a.strip(), lv.strip()) for d, a, lv in datatable[1:]]


@then(parsers.parse('{agent} is "{status}" at level "{level}" at the end'))
def then_current(result: Result, agent: str, status: str, level: str) -> None:
    state = next(c for c in _course(result).current if c.agent == agent)
    assert (state.status, state.dose_level or "-") == (status, level)


@then(parsers.parse('{agent} resumed at levels "{levels}"'))
def then_resumed(result: Result, agent: str, levels: str) -> None:
    got = [e.to_level for e in _course(result).events if e.agent == agent and e.action == "resume"]
    assert got == [lv.strip() for lv in levels.split(",")]


@then(parsers.re(r"(?P<agent>\w+) starts on (?P<day>\d{4}-\d{2}-\d{2})$"))
def then_starts_on(result: Result, agent: str, day: str) -> None:
    starts = [e.date.isoformat() for e in _course(result).events if e.agent == agent and e.action == "start"]
    assert starts == [day]


@then(parsers.parse("no event is dated after {day}"))
def then_no_event_after(result: Result, day: str) -> None:
    assert all(e.date <= dt.date.fromisoformat(day) for e in _course(result).events)


@then(parsers.parse('a restore of {agent} to "{level}" is permitted'))
def then_restore_permitted(result: Result, agent: str, level: str) -> None:
    track = next(t for t in _course(result).tracks if t.state.agent == agent)
    assert (track.restore_permitted, track.restore_to_level) == (True, level)


@then(parsers.parse('every {agent} level in the course is "{level}"'))
def then_every_level(result: Result, agent: str, level: str) -> None:
    events = [e for e in _course(result).events if e.agent == agent]
    assert events and all(e.to_level in (None, level) for e in events)
    assert not [e for e in events if e.action in ("reduce", "restore")]


@then(parsers.parse("the {agent} dose after recovery is {mg:g} mg"))
def then_after_recovery(result: Result, agent: str, mg: float) -> None:
    last = [e for e in _course(result).events if e.agent == agent][-1]
    assert last.to_mg == mg


@then(parsers.parse('the record is rejected naming "{text}"'))
def then_rejected(result: Result, text: str) -> None:
    assert result.error is not None, "the record was accepted"
    assert text in result.error.render(), result.error.render()
    assert result.error.exit_code == 2


## Issue 9 (dose-modification safety): steps added by the dose-modification work; kept in their own block.


@then(parsers.parse('the course warns "{text}"'))
def then_course_warns(result: Result, text: str) -> None:
    assert any(text in w for w in _course(result).warnings), _course(result).warnings


@then(parsers.parse('{agent} is at level "{level}" after recovery'))
def then_level_after_recovery(result: Result, agent: str, level: str) -> None:
    state = next(c for c in _course(result).current if c.agent == agent)
    assert state.dose_level == level, state


@then(parsers.parse("{agent} is restored: {outcome}"))
def then_restored(result: Result, agent: str, outcome: str) -> None:
    if outcome == "refused":
        assert result.error is not None and "not permitted" in result.error.render()
        assert result.error.exit_code == 2
        return
    state = next(c for c in _course(result).current if c.agent == agent)
    assert (state.status, state.dose_level) == ("active", outcome)
