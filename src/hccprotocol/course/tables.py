"""Dose-modification transition tables (``rules/dose-modification-*.yaml``): load through the model, select.

Why the model and Python apply: the clinical logic ("grade 3 TRAE under the label
policy with a lower level left -> interrupt, then reduce") lives in reviewed YAML
written in the protocol model's condition language (rules/LANGUAGE.md), loaded and
checked by :func:`hccprotocol.model.load_rule_text` (every path against the course's
declared facts, every option against the protocol's ``modification:`` section, every
key; errors name the file and the line). Each course event gives one fact per drug;
every transition whose event, agent, policy and state match and whose ``when`` is
TRUE under the model's three-valued semantics (the reference evaluator, which the
durable and pandas engines agree with by property test; unknown never fires)
matches; the lowest ``priority`` wins, ties going to the one listed first. Python
then applies the chosen action to the drug's state using the protocol's dose levels,
so the tables never hold a dose number and a site's ladder change needs no rule change.
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hccprotocol import ctcae
from hccprotocol.course.term_classes import term_classes
from hccprotocol.model import RuleFile, RuleFileError, load_rule_text
from hccprotocol.model.conditions import Compare, Condition, In, iter_nodes
from hccprotocol.model.course_rules import CourseRules, load_course_rules_text
from hccprotocol.model.datafile import Located, load_data_text
from hccprotocol.model.facts import FactCatalogue, FactKind, check_fact_values, standard_catalogue
from hccprotocol.model.options import OptionSpec
from hccprotocol.model.semantics import evaluate
from hccprotocol.regimen import POLICY_CHOICES, AgentId, ModificationOptions

__all__ = [
    "FACT_KEYS",
    "Categories",
    "Table",
    "Transition",
    "categories",
    "course_rules",
    "load_categories_text",
    "load_course_text",
    "load_table_text",
    "modification_options",
    "select",
    "table_for",
    "tables",
]

EventKind = Literal["ae_onset", "ae_persisting", "ae_resolved", "clinician", "lab_protein", "companion_discontinued"]
Status = Literal["active", "interrupted", "held", "delayed", "discontinued"]
Action = Literal["discontinue", "interrupt", "hold", "reduce", "resume", "restore"]
_LIVE: tuple[str, ...] = ("active", "interrupted", "held", "delayed")
_AGENTS: frozenset[str] = frozenset(get_args(AgentId))


class _Def(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


# -- options and facts --------------------------------------------------------------


def _option_kind(annotation: Any) -> tuple[FactKind, tuple[str, ...]] | None:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _option_kind(inner[0]) if len(inner) == 1 else None
    if typing.get_origin(annotation) is Literal and all(isinstance(v, str) for v in get_args(annotation)):
        return "enum", tuple(get_args(annotation))
    kinds: dict[Any, FactKind] = {bool: "boolean", int: "integer", float: "number"}
    kind = kinds.get(annotation)
    return (kind, ()) if kind is not None else None


@functools.cache
def modification_options() -> Mapping[str, OptionSpec]:
    """The protocol's ``modification:`` options a transition may read as ``option.<name>``.

    Why declared from the protocol model: a misspelt option is refused at load. The
    ``default`` of a spec is only its declaration: the course always evaluates with the
    protocol's own values (the reference evaluator raises on an option it is not given);
    where the model has no default (the protocol file must state the value) the first
    allowed value is recorded and the why says so.
    """
    out: dict[str, OptionSpec] = {}
    for name, field in ModificationOptions.model_fields.items():
        found = _option_kind(field.annotation)
        if found is None:
            continue
        kind, values = found
        default = field.default
        why = field.description or name
        if not isinstance(default, bool | int | float | str):
            if kind != "enum":
                continue  # a number the protocol must state (persistence days): read by Python, not by a rule
            default = values[0]
            why = f"{why} (no model default: every protocol file states it)"
        out[name] = OptionSpec(
            name=name, kind=kind, values=values, default=default, why=why, source=f"protocol/*.yaml modification.{name}"
        )
    return out


def option_values(modification: ModificationOptions) -> dict[str, Any]:
    """The protocol's values of :func:`modification_options` (an option not set on an arm is left out)."""
    return {
        name: getattr(modification, name) for name in modification_options() if getattr(modification, name) is not None
    }


@functools.cache
def catalogue() -> FactCatalogue:
    """The facts of a course event, declared in the model (options are given to the evaluator separately)."""
    return standard_catalogue("dose_event", categories=tuple(categories().categories))


@functools.cache
def _always_false() -> tuple[str, ...]:
    return tuple(f.path for f in catalogue() if f.always_known and f.kind == "boolean")


FACT_KEYS: frozenset[str] = frozenset(
    {f.path for f in standard_catalogue("dose_event") if not f.path.startswith("option.")} | {"policy"}
)
"""Keys the replay puts in a fact, besides ``in_<category>`` / ``first_<category>``: the course facts declared in
the model (``hccprotocol.model.facts.dose_event_facts``) and ``policy`` (matched against a transition's
``policies``). A ``when`` naming any other path is refused at load (a misspelling silently disables a stop rule)."""


# -- transitions and tables ---------------------------------------------------------------


class Transition(_Def):
    """One row of a table as the replay applies it (from the model's :class:`hccprotocol.model.Transition`).

    A frozen model (``model_dump(by_alias=True)`` gives the row as a reviewer reads it, ``from`` included).
    """

    id: str
    event: EventKind
    agents: tuple[str, ...]
    policies: tuple[str, ...]
    from_: tuple[str, ...] = Field(alias="from")
    when: Condition
    action: Action
    then: Literal["reduce", "same"] | None
    priority: int
    release: Literal["resolution", "clinician", "same_day"]
    warning: str | None
    reason: str
    source: str
    title: str
    line: int = Field(exclude=True)


@dataclass(frozen=True)
class Table:
    id: str
    version: str
    title: str
    policy_option: str
    agents: tuple[str, ...]
    transitions: tuple[Transition, ...]
    model: RuleFile

    def by_id(self, rule_id: str) -> Transition:
        return next(t for t in self.transitions if t.id == rule_id)


def _course_problems(model: RuleFile) -> list[tuple[int, str, str]]:
    """What the course needs beyond the model's checks, each with its line."""
    problems: list[tuple[int, str, str]] = []
    if model.kind != "dose_modification":
        problems.append((1, "kind", f"a dose-modification table is of kind dose_modification, not {model.kind}"))
    if model.policy_option not in POLICY_CHOICES:
        problems.append((1, "policy_option", f"one of {sorted(POLICY_CHOICES)}, not {model.policy_option!r}"))
    if not model.applies_to or set(model.applies_to) - _AGENTS:
        problems.append((1, "applies_to", f"protocol agents of {sorted(_AGENTS)}, got {list(model.applies_to)}"))
    choices = POLICY_CHOICES.get(model.policy_option or "", ())
    for t in model.transitions:
        stray = set(t.agents) - set(model.applies_to)
        if stray:
            problems.append((t.line, f"{t.id}.agents", f"{sorted(stray)} not in the table's applies_to"))
        bad = set(t.policies) - set(choices)
        if bad:
            problems.append((t.line, f"{t.id}.policies", f"unknown {sorted(bad)} (choose from {list(choices)})"))
        pausing = t.action in ("hold", "interrupt")
        if pausing != (t.then is not None):
            problems.append((t.line, f"{t.id}.then", "'then' is required for hold/interrupt and only for them"))
        elif t.then is not None and t.then.step is None:
            problems.append((t.line, f"{t.id}.then", "the course resumes at the same level or one lower (same|reduce)"))
        if t.release != "resolution" and not pausing:
            problems.append((t.line, f"{t.id}.release", "'release' applies to hold/interrupt only"))
        if t.warning is not None and not t.warning.strip():
            problems.append((t.line, f"{t.id}.warning", "an empty warning"))
        for node in iter_nodes(t.when):
            if isinstance(node, Compare | In) and node.path == "term":
                values = node.values if isinstance(node, In) else (node.value,)
                for value in values:
                    if ctcae.lookup(str(value)) is None:
                        problems.append(
                            (node.line or t.line, f"{t.id}.when", f"term {value!r} is not a CTCAE v5.0 term")
                        )
    return problems


def load_table_text(text: str, file: str) -> Table:
    """Load a dose-modification table's text through the model; every mistake is refused with ``file:line``."""
    model = load_rule_text(text, file, options=modification_options(), categories=tuple(categories().categories))
    problems = _course_problems(model)
    if problems:
        raise RuleFileError(file, problems)
    rows = tuple(
        Transition(
            id=t.id,
            event=t.event,
            agents=t.agents,
            policies=t.policies,
            from_=t.from_ or _LIVE,
            when=t.when,
            action=t.action,
            then=t.then.step if t.then is not None else None,
            priority=t.priority,
            release=t.release,
            warning=t.warning,
            reason=t.statement,
            source=t.source,
            title=t.title,
            line=t.line,
        )
        for t in model.transitions
    )
    assert model.policy_option is not None  # checked above
    return Table(model.id, model.version, model.title, model.policy_option, model.applies_to, rows, model)


class Category(_Def):
    why: str
    socs: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()
    classes: tuple[str, ...] = Field((), description="Term classes (rules/ctcae-term-classes.yaml), expanded at load")


class Categories(_Def):
    id: str
    version: str
    categories: dict[str, Category]

    @model_validator(mode="after")
    def _known_terms(self) -> Categories:
        known = ctcae.terms()
        socs = {t.soc for t in known.values()}
        classes = term_classes().classes
        for name, cat in self.categories.items():
            for i, term in enumerate(cat.terms):
                if term not in known:
                    raise Located(("categories", name, "terms", i), f"{term!r} is not a CTCAE v5.0 term")
            for i, soc in enumerate(cat.socs):
                if soc not in socs:
                    raise Located(("categories", name, "socs", i), f"{soc!r} is not a CTCAE v5.0 system organ class")
            for i, cls in enumerate(cat.classes):
                if cls not in classes:
                    raise Located(
                        ("categories", name, "classes", i),
                        f"{cls!r} is not a class of rules/ctcae-term-classes.yaml "
                        f"(known: {', '.join(sorted(classes))})",
                    )
        return self

    @functools.cached_property
    def _expanded(self) -> dict[str, frozenset[str]]:
        classes = term_classes()
        return {
            name: frozenset(cat.terms).union(*(classes.members(c) for c in cat.classes))
            for name, cat in self.categories.items()
        }

    def members(self, name: str) -> frozenset[str]:
        """Every CTCAE term of a category by term or class (SOC members are not listed: see ``of``)."""
        return self._expanded[name]

    def of(self, term: str) -> tuple[str, ...]:
        found = ctcae.lookup(term)
        soc = found.soc if found is not None else None
        return tuple(n for n, c in self.categories.items() if term in self._expanded[n] or soc in c.socs)


TABLE_FILES = ("dose-modification-lenvatinib.yaml", "dose-modification-folfox.yaml", "dose-modification-pd1.yaml")


@functools.cache
def tables() -> tuple[Table, ...]:
    """Every shipped table, loaded and validated through the model."""
    root = resources.files("hccprotocol.data.rules")
    return tuple(
        load_table_text(root.joinpath(name).read_text(encoding="utf-8"), f"rules/{name}") for name in TABLE_FILES
    )


CATEGORIES_FILE = "dose-modification-categories.yaml"


def load_categories_text(text: str, file: str = f"rules/{CATEGORIES_FILE}") -> Categories:
    """Load a categories file through the model's data loader (errors: RuleFileError naming ``file:line``)."""
    return load_data_text(text, file, Categories)[0]


@functools.cache
def categories() -> Categories:
    root = resources.files("hccprotocol.data.rules")
    return load_categories_text(root.joinpath(CATEGORIES_FILE).read_text(encoding="utf-8"))


COURSE_FILE = "dose-modification-course.yaml"


def day_options() -> tuple[str, ...]:
    """The modification options that are a number of days (what a persistence clock may name)."""
    return tuple(n for n, f in ModificationOptions.model_fields.items() if n.endswith("_days"))


def load_course_text(text: str, file: str = f"rules/{COURSE_FILE}") -> CourseRules:
    """Load the course rules (persistence clocks, laboratory events, pre-cycle limit rule) through the model."""
    return load_course_rules_text(
        text,
        file,
        agents=_AGENTS,
        day_options=day_options(),
        options=modification_options(),
        categories=tuple(categories().categories),
    )


@functools.cache
def course_rules() -> CourseRules:
    """The shipped course rules (``rules/dose-modification-course.yaml``), loaded once."""
    root = resources.files("hccprotocol.data.rules")
    return load_course_text(root.joinpath(COURSE_FILE).read_text(encoding="utf-8"))


def table_for(agent_id: str) -> Table:
    return next(t for t in tables() if agent_id in t.agents)


def model_facts(fact: Mapping[str, Any]) -> dict[str, Any]:
    """The replay's fact as the model's course facts: a flag the replay did not set is false (always known),
    a value it did not record is missing (unknown); checked against the declared kinds."""
    values = {k: v for k, v in fact.items() if k != "policy" and v is not None}
    for path in _always_false():
        values.setdefault(path, False)
    return check_fact_values(values, catalogue())


def select(table: Table, fact: dict[str, Any], options: Mapping[str, Any]) -> Transition | None:
    """The winning transition for ``fact`` (lowest priority, then first listed), or None when none matches.

    ``options``: the protocol's modification options (:func:`option_values`). A transition matches when the
    fact's kind, agent, policy and status are among its own (empty agents/policies: all) and its ``when`` is
    true; unknown (a value not recorded) never matches, as in durable_rules where a missing key never matches.
    """
    facts = model_facts(fact)
    kind, agent, policy, status = fact["kind"], fact["agent"], fact.get("policy"), fact["status"]
    best: Transition | None = None
    for t in table.transitions:
        if t.event != kind or (t.agents and agent not in t.agents) or status not in t.from_:
            continue
        if t.policies and policy not in t.policies:
            continue
        if evaluate(t.when, facts, options) is not True:
            continue
        if best is None or t.priority < best.priority:
            best = t
    return best
