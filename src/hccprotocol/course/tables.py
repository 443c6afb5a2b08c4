"""Dose-modification transition tables (``rules/dose-modification-*.yaml``): load, validate, select.

Why durable_rules selects and Python applies: the clinical logic ("grade 3
TRAE under the label policy with a lower level left -> interrupt, then reduce")
lives in reviewed YAML; each condition is a durable_rules JSON condition
evaluated by :mod:`hccprotocol.rules_engine` over one fact per drug and record
entry. Every matching transition fires (facts); the lowest ``priority`` wins,
ties going to the one listed first. Python then applies the chosen action to
the drug's state using the protocol's dose levels, so the tables never hold a
dose number and a site's ladder change needs no rule change.
"""

from __future__ import annotations

import functools
import hashlib
import json
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hccprotocol import ctcae
from hccprotocol.course.term_classes import term_classes
from hccprotocol.data_files import parse_text, validate_definition
from hccprotocol.errors import ProtocolDefinitionError
from hccprotocol.regimen import POLICY_CHOICES, AgentId
from hccprotocol.rules_engine import get_engine

__all__ = ["Categories", "Table", "Transition", "categories", "select", "table_for", "tables"]

EventKind = Literal["ae_onset", "ae_persisting", "ae_resolved", "clinician", "lab_protein", "companion_discontinued"]
Status = Literal["active", "interrupted", "held", "delayed", "discontinued"]
Action = Literal["discontinue", "interrupt", "hold", "reduce", "resume", "restore"]
_LIVE: tuple[Status, ...] = ("active", "interrupted", "held", "delayed")


class _Def(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


FACT_KEYS: frozenset[str] = frozenset(
    {
        # every fact (hccprotocol.course.replay._base)
        "kind", "agent", "policy", "status", "can_reduce", "below_start", "blockers_remaining", "clinician_hold",
        "previous_holds", "ongoing_max_grade", "reduced_today", "lab_grade4", "hypersensitivity",
        "proteinuria_resume", "rpls", "infusion_reaction", "hepatitis_transaminases", "proteinuria_event",
        # adverse-event facts (recorded, or derived from labs: lab_derived)
        "grade", "term", "immune_related", "attributed", "regimen_attributed", "procedure_attributed", "blocking",
        "stated_not_life_threatening", "lab_derived", "persist",
        # urine protein facts
        "urine_protein_g_24h", "proteinuria_blocking", "before_first_dose",
        # clinician decisions / companion discontinuation
        "action", "companion",
    }
)  # fmt: skip
"""Keys the replay puts in a fact, besides ``in_<category>`` / ``first_<category>``. A ``when`` naming any other key
would never match (a misspelling silently disables a stop rule), so the table is refused at load."""
_OPERATORS = frozenset({"$gte", "$gt", "$lte", "$lt", "$neq", "$nex", "$ex"})


def _condition_keys(cond: Any, where: str) -> list[tuple[str, Any]]:
    """(key, value) pairs a durable_rules condition compares, walking $and / $or and the comparison operators."""
    if not isinstance(cond, dict) or len(cond) != 1:
        raise ValueError(f"{where}: each condition is a mapping with exactly one key, got {cond!r}")
    ((key, arg),) = cond.items()
    if key in ("$and", "$or"):
        if not isinstance(arg, list) or not arg:
            raise ValueError(f"{where}: {key} takes a non-empty list")
        return [pair for part in arg for pair in _condition_keys(part, where)]
    if key.startswith("$"):
        if key not in _OPERATORS:
            raise ValueError(f"{where}: unknown operator {key!r}")
        return _condition_keys(arg, where)
    return [(key, arg)]


def check_when(when: dict[str, Any] | None, where: str, category_names: set[str]) -> None:
    """Refuse a ``when`` naming a fact key the replay never sets, an unknown category or an unknown CTCAE term."""
    if when is None:
        return
    for key, value in _condition_keys(when, where):
        if key.startswith(("in_", "first_")):
            name = key.split("_", 1)[1]
            if name not in category_names:
                raise ValueError(f"{where}: {key!r} names no category of dose-modification-categories.yaml")
        elif key not in FACT_KEYS:
            raise ValueError(f"{where}: {key!r} is not a fact key the course sets (misspelt?)")
        if key == "term" and ctcae.lookup(str(value)) is None:
            raise ValueError(f"{where}: term {value!r} is not a CTCAE v5.0 term")


class Transition(_Def):
    """One row of a table: in state ``from``, on ``event`` matching ``when`` -> ``action`` (then ...)."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.\-]*$")
    event: EventKind
    agents: tuple[AgentId, ...] = Field((), description="Restrict to these drugs of the table (default: all)")
    policies: tuple[str, ...] = Field((), description="Restrict to these policies (default: every policy)")
    from_: tuple[Status, ...] = Field(_LIVE, alias="from", description="States the transition leaves")
    when: dict[str, Any] | None = Field(None, description="durable_rules JSON condition over the fact")
    action: Action
    then: Literal["reduce", "same"] | None = Field(None, description="For hold/interrupt: the level on resume")
    priority: int = Field(ge=0, description="Lower wins when several transitions match")
    release: Literal["resolution", "clinician", "same_day"] = Field(
        "resolution",
        description="For hold/interrupt: what ends it. resolution: the entry's resolution (default); clinician: "
        "the resolution AND a recorded dose_changes resume (guideline: resume only after a clinician's decision); "
        "same_day: only that day's administration is interrupted (e.g. an infusion)",
    )
    warning: str | None = Field(None, description="A note shown with every later dose once this row has fired")
    reason: str = Field(min_length=1)
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _then_only_for_pauses(self) -> Transition:
        pausing = self.action in ("hold", "interrupt")
        if pausing != (self.then is not None):
            raise ValueError(f"{self.id}: 'then' is required for hold/interrupt and only for them")
        if self.release != "resolution" and not pausing:
            raise ValueError(f"{self.id}: 'release' applies to hold/interrupt only")
        if "discontinued" in self.from_:
            raise ValueError(f"{self.id}: a discontinued drug never restarts; 'from' must not list it")
        return self

    def condition(self) -> dict[str, Any]:
        """The durable_rules condition: kind, drug, policy and state constraints, then ``when``."""
        parts: list[dict[str, Any]] = [{"kind": self.event}]
        for key, values in (("agent", self.agents), ("policy", self.policies), ("status", self.from_)):
            if values:
                parts.append({"$or": [{key: v} for v in values]})
        if self.when is not None:
            parts.append(self.when)
        return {"$and": parts}


class Table(_Def):
    id: str
    version: str
    title: str
    policy_option: Literal["lenvatinib_policy", "folfox_policy", "pd1_policy"]
    agents: tuple[AgentId, ...] = Field(min_length=1)
    transitions: tuple[Transition, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Table:
        ids = [t.id for t in self.transitions]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"transition ids must be unique: {dupes}")
        for t in self.transitions:
            stray = set(t.agents) - set(self.agents)
            if stray:
                raise ValueError(f"transitions[{t.id}].agents: {sorted(stray)} not in the table's agents")
            bad = set(t.policies) - set(POLICY_CHOICES[self.policy_option])
            if bad:
                raise ValueError(f"transitions[{t.id}].policies: unknown {sorted(bad)}")
            check_when(t.when, f"transitions[{t.id}].when", set(categories().categories))
        return self

    @functools.cached_property
    def ruleset(self) -> str:
        """Registered ruleset name: table id + content hash (a changed table is a new ruleset)."""
        body = json.dumps(self.durable_rules(), sort_keys=True)
        return f"{self.id}-{hashlib.sha256(body.encode()).hexdigest()[:12]}"

    def durable_rules(self) -> dict[str, dict[str, Any]]:
        return {t.id: {"all": [{"m": t.condition()}], "pri": t.priority} for t in self.transitions}

    def by_id(self, rule_id: str) -> Transition:
        return next(t for t in self.transitions if t.id == rule_id)


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
        for name, cat in self.categories.items():
            for term in cat.terms:
                if term not in known:
                    raise ValueError(f"categories.{name}.terms: {term!r} is not a CTCAE v5.0 term")
            for soc in cat.socs:
                if soc not in socs:
                    raise ValueError(f"categories.{name}.socs: {soc!r} is not a CTCAE v5.0 system organ class")
            classes = term_classes().classes
            for cls in cat.classes:
                if cls not in classes:
                    raise ValueError(
                        f"categories.{name}.classes: {cls!r} is not a class of rules/ctcae-term-classes.yaml "
                        f"(known: {', '.join(sorted(classes))})"
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


def _validate(model: type[_Def], name: str) -> Any:
    text = resources.files("hccprotocol.data.rules").joinpath(name).read_text(encoding="utf-8")
    data = parse_text(text, kind="yaml", where=f"rules/{name}", error=ProtocolDefinitionError)
    return validate_definition(
        model, data, where=f"rules/{name}", what="dose-modification table", error=ProtocolDefinitionError
    )


TABLE_FILES = ("dose-modification-lenvatinib.yaml", "dose-modification-folfox.yaml", "dose-modification-pd1.yaml")


@functools.cache
def tables() -> tuple[Table, ...]:
    """Every shipped table, validated and registered with the rule engine."""
    loaded = tuple(_validate(Table, name) for name in TABLE_FILES)
    engine = get_engine()
    for table in loaded:
        engine.register(table.ruleset, table.durable_rules())
    return loaded


@functools.cache
def categories() -> Categories:
    result: Categories = _validate(Categories, "dose-modification-categories.yaml")
    return result


def table_for(agent_id: str) -> Table:
    return next(t for t in tables() if agent_id in t.agents)


def select(table: Table, fact: dict[str, Any]) -> Transition | None:
    """The winning transition for ``fact`` (lowest priority, then first listed), or None when none matches."""
    firings = get_engine().evaluate(table.ruleset, [fact])
    if not firings:
        return None
    order = {t.id: i for i, t in enumerate(table.transitions)}
    fired = [table.by_id(f.rule_id) for f in firings]
    return min(fired, key=lambda t: (t.priority, order[t.id]))
