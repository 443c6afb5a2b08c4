"""The course's own rules as data: persistence clocks, laboratory events and the pre-cycle limit rule.

Why: these were Python special cases of the course replay ("a grade 2 neuropathy ongoing
``neuropathy_persistent_days`` is persistent, for oxaliplatin only"; "urine protein results go to
the lenvatinib table, and proteinuria is its category"; "a pre-cycle value passes a min limit when it
is at or above it"), and the pre-cycle comparison was written twice (course and calendar). As rules
of ``rules/dose-modification-course.yaml`` each has an id, title, statement, source and line, its
conditions are in the model's language and checked against declared facts, and a misspelt key,
path, option or agent is a load error naming the file and the line.

* ``persistence``: when an ongoing event is still judged ``persist`` days after its onset (the
  option that gives the days, the agents, and optionally which events: ``when`` over the course
  event's facts). The transition tables decide what happens then (``event: ae_persisting``).
* ``lab_events``: which dated laboratory value (a declared course fact) is replayed through an
  agent's table as a course event (``event``), which category's first occurrence and hold it counts,
  and which course fact says a previous result still holds the agent.
* ``precycle``: when one value passes a ``min`` and a ``max`` limit of
  ``schedule.precycle_labs.limits`` (facts: :mod:`hccprotocol.model.course_facts`). Combined with
  Kleene ``all`` over the limits: passed (all true), failed (any false), due (else).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from pydantic import Field

from hccprotocol.model.check import check_condition, reachable
from hccprotocol.model.conditions import Condition
from hccprotocol.model.course_facts import LIMIT_OPTIONS
from hccprotocol.model.datafile import validate_located
from hccprotocol.model.errors import RuleFileError
from hccprotocol.model.facts import standard_catalogue
from hccprotocol.model.options import OptionSpec
from hccprotocol.model.rules import Rule, _Frozen
from hccprotocol.model.syntax import parse_condition
from hccprotocol.model.yamlsrc import Source, read_yaml

__all__ = ["CourseRules", "LabEvent", "PersistenceClock", "PrecycleRule", "load_course_rules_text"]

_ID = r"^[a-z0-9][a-z0-9-]*$"


class PersistenceClock(Rule):
    """An ongoing event still judged ``days_option`` days after its onset, for ``agents``."""

    agents: tuple[str, ...] = Field(min_length=1)
    persist: Literal["toxicity", "neuropathy"]
    days_option: str = Field(description="The protocol's modification option giving the days")
    when: Condition | None = Field(None, description="Which events (course-event facts at onset); none: every event")


class LabEvent(Rule):
    """A dated laboratory value replayed through the agents' tables as a course event."""

    agents: tuple[str, ...] = Field(min_length=1)
    field: str = Field(description="The labs[] field, also the course fact holding the value")
    event: Literal["lab_protein"]
    category: str = Field(description="The category whose first occurrence and hold the result counts")
    blocking_fact: str = Field(description="The course fact saying a previous result still holds the agent")


class PrecycleRule(Rule):
    """When one recorded value passes a ``min`` limit and a ``max`` limit (``value``; ``option: min|max``)."""

    min_passes_when: Condition
    max_passes_when: Condition


class CourseRules(_Frozen):
    id: str = Field(pattern=_ID)
    version: str = Field(pattern=r"^\d+\.\d+\.\d+$")
    kind: Literal["course_events"]
    title: str = Field(min_length=1)
    source: str = Field(min_length=1)
    persistence: tuple[PersistenceClock, ...] = ()
    lab_events: tuple[LabEvent, ...] = ()
    precycle: PrecycleRule
    file: str = Field("", exclude=True)
    sha256: str = ""

    def rules(self) -> tuple[Rule, ...]:
        return (*self.persistence, *self.lab_events, self.precycle)


def load_course_rules_text(
    text: str,
    file: str,
    *,
    agents: Iterable[str],
    day_options: Iterable[str],
    options: Mapping[str, OptionSpec],
    categories: Iterable[str],
) -> CourseRules:
    """Load the course rules; ``agents``: protocol agent ids, ``day_options``: modification options in days."""
    src = read_yaml(text, file)
    data = src.data
    if not isinstance(data, dict):
        raise src.error((), "a rule file is a mapping (id, version, kind, title, source, ...)")
    problems: list[tuple[int, str, str]] = []
    prepared = _prepare(data, src, problems)
    if problems:
        raise RuleFileError(file, problems)
    prepared["file"] = file
    prepared["sha256"] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    model = validate_located(prepared, src, CourseRules)
    cats = tuple(categories)
    _check(model, src, set(agents), set(day_options), dict(options), cats, problems)
    if problems:
        raise RuleFileError(file, problems)
    return model


def _prepare(data: dict[str, Any], src: Source, problems: list[tuple[int, str, str]]) -> dict[str, Any]:
    out = dict(data)
    version = data.get("version")

    def rule(entry: Any, loc: tuple[str | int, ...], keys: tuple[str, ...]) -> Any:
        if not isinstance(entry, dict):
            return entry
        entry = dict(entry)
        entry["line"] = src.line(loc)
        if "version" not in entry and isinstance(version, str):
            entry["version"] = version
        for key in keys:
            if entry.get(key) is not None:
                try:
                    entry[key] = parse_condition(entry[key], (*loc, key), src)
                except RuleFileError as exc:
                    problems.extend(exc.problems)
        return entry

    for section, keys in (("persistence", ("when",)), ("lab_events", ())):
        items = data.get(section)
        if isinstance(items, list):
            out[section] = [rule(item, (section, i), keys) for i, item in enumerate(items)]
    pre = rule(data.get("precycle"), ("precycle",), ("min_passes_when", "max_passes_when"))
    if isinstance(pre, dict):
        pre["line"] = src.line(("precycle", "id"))  # a mapping, not a list item: the line of its id
    out["precycle"] = pre
    return out


def _check(
    model: CourseRules,
    src: Source,
    agents: set[str],
    day_options: set[str],
    options: dict[str, OptionSpec],
    categories: tuple[str, ...],
    problems: list[tuple[int, str, str]],
) -> None:
    event_facts = standard_catalogue("dose_event", categories=categories)
    seen: dict[str, int] = {}
    for r in model.rules():
        if r.id in seen:
            problems.append((r.line, r.id, f"duplicate rule id (first on line {seen[r.id]})"))
        seen.setdefault(r.id, r.line)
    for i, clock in enumerate(model.persistence):
        _agents(clock.agents, agents, src, ("persistence", i), clock.id, problems)
        if clock.days_option not in day_options:
            problems.append(
                (
                    src.line(("persistence", i, "days_option")),
                    f"{clock.id}.days_option",
                    f"{clock.days_option!r} is not a modification option in days ({', '.join(sorted(day_options))})",
                )
            )
        if clock.when is not None:
            found = check_condition(clock.when, event_facts, options, f"{clock.id}.when")
            problems.extend(found)
            if not found and reachable(clock.when, event_facts, options, True) is False:
                problems.append((clock.when.line, f"{clock.id}.when", "unreachable: this condition can never be true"))
    per_agent: dict[str, str] = {}
    for i, lab in enumerate(model.lab_events):
        _agents(lab.agents, agents, src, ("lab_events", i), lab.id, problems)
        for key, kind in (("field", "number"), ("blocking_fact", "boolean")):
            path = getattr(lab, key)
            fact = event_facts.get(path)
            if fact is None or fact.kind != kind:
                problems.append(
                    (src.line(("lab_events", i, key)), f"{lab.id}.{key}", f"{path!r} is no {kind} course fact")
                )
        if lab.category not in categories:
            problems.append(
                (src.line(("lab_events", i, "category")), f"{lab.id}.category", f"no category {lab.category!r}")
            )
        for agent in lab.agents:
            if agent in per_agent:
                problems.append(
                    (lab.line, f"{lab.id}.agents", f"{agent} already has a laboratory event ({per_agent[agent]})")
                )
            per_agent[agent] = lab.id
    limit_facts = standard_catalogue("lab_limit")
    pre = model.precycle
    for key, cond in (("min_passes_when", pre.min_passes_when), ("max_passes_when", pre.max_passes_when)):
        found = check_condition(cond, limit_facts, LIMIT_OPTIONS, f"{pre.id}.{key}")
        problems.extend(found)
        if not found:
            for goal in (True, False):
                if reachable(cond, limit_facts, LIMIT_OPTIONS, goal) is False:
                    problems.append((cond.line, f"{pre.id}.{key}", f"unreachable: this condition can never be {goal}"))


def _agents(
    named: tuple[str, ...],
    agents: set[str],
    src: Source,
    loc: tuple[str | int, ...],
    rule_id: str,
    problems: list[tuple[int, str, str]],
) -> None:
    stray = [a for a in named if a not in agents]
    if stray:
        problems.append((src.line((*loc, "agents")), f"{rule_id}.agents", f"no protocol agent {stray}"))
