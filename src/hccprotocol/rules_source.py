"""Rule files (``rules/*.yaml``): one validated, immutable model, loaded once per process.

Why a model of its own: the criteria are clinical content that hepatologists
review as data, and every engine (the durable_rules path per patient, a pandas
cohort path later) must read the *same* definition. A file that would make an
engine silently wrong is rejected at load time, naming the rule:

* conditions may use only the operator subset both engines implement:
  ``$and $or $lt $lte $gt $gte $neq $ex $nex``, equality ``{path: value}``, plus
  two load-time macros resolved against the protocol's options before any
  engine sees the condition: ``{"$option": name}`` (a value) and
  ``{"$case": {"option": name, "cases": {value: condition}}}`` (a branch);
* every alternative of a condition must contain a positive test: in
  durable_rules 2.0.28 a conjunction made only of ``$nex`` fires endlessly
  (verified: millions of firings, the call never returns);
* ids are unique, statements and sources are present.

Three-valued criteria: each criterion has ``met_when`` and ``not_met_when``.
If neither matches, the status is ``unknown``; because missing values are never
asserted, a criterion whose inputs are missing can only be ``unknown``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from hccprotocol.data_files import read_data, validate_definition
from hccprotocol.errors import ProtocolDefinitionError

__all__ = [
    "COMPARISONS",
    "Condition",
    "Contradiction",
    "Criterion",
    "Explain",
    "NotEvaluated",
    "RuleSource",
    "SessionFinding",
    "Text",
    "available_rule_sources",
    "check_text",
    "condition_options",
    "condition_paths",
    "load_rule_source",
    "options_read",
    "resolve_condition",
    "resolve_text",
    "text_options",
]

Condition = dict[str, Any]
COMPARISONS = ("$lt", "$lte", "$gt", "$gte", "$neq")
_ID = r"^[a-z0-9_]+(\.[a-z0-9_]+)*$"
_PATH_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_.")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Text = str | dict[str, Any]
"""A plain-language text, or ``{$case: {option: name, cases: {value: text}}}``: one text per option value,
so that what a criterion says matches the reading the protocol's options chose (resolved at compile)."""


def check_text(value: Any, where: str = "text") -> Text:
    """A non-empty string, or a ``$case`` over an option whose every case is a non-empty string."""
    if isinstance(value, str):
        if not value.strip():
            raise ValueError(f"{where}: the text is empty")
        return value
    if isinstance(value, dict) and set(value) == {"$case"}:
        arg = value["$case"]
        if (
            isinstance(arg, dict) and set(arg) == {"option", "cases"} and isinstance(arg["option"], str)
            and isinstance(arg["cases"], dict) and arg["cases"]
            and all(isinstance(t, str) and t.strip() for t in arg["cases"].values())
        ):
            return value
    raise ValueError(f"{where}: a text is a string or {{$case: {{option: name, cases: {{value: text}}}}}}")


def resolve_text(value: Text, options: Mapping[str, Any]) -> str:
    """The text for the protocol's option values."""
    if isinstance(value, str):
        return value
    arg = value["$case"]
    chosen = str(_option(options, arg["option"]))
    if chosen not in arg["cases"]:
        raise ProtocolDefinitionError(
            f"option {arg['option']}={chosen!r} has no case in a rule text (cases: {sorted(arg['cases'])})"
        )
    text: str = arg["cases"][chosen]
    return text


def text_options(value: Text) -> dict[str, set[str]]:
    """Options a text refers to: name -> case values."""
    if isinstance(value, str):
        return {}
    arg = value["$case"]
    return {arg["option"]: {str(v) for v in arg["cases"]}}


class Explain(_Model):
    """Plain-language reason shown for each status (unknown also lists the inputs that are missing)."""

    met: Text
    not_met: Text
    unknown: Text

    @field_validator("met", "not_met", "unknown")
    @classmethod
    def _valid(cls, value: Any) -> Text:
        return check_text(value)


class Contradiction(_Model):
    """A combination of inputs that cannot all be true: the record contradicts itself.

    Why it is declared beside the criterion: the criterion's own ``met_when`` /
    ``not_met_when`` must already exclude the combination (so it is ``unknown``,
    in every engine, since they all read the same conditions); this entry only
    *explains* it. When ``when`` matches, the criterion's why names the fields
    that disagree with their values, and the assessment carries a warning.
    """

    when: Condition
    why: str = Field(min_length=1, description="Plain-language statement of the contradiction")
    sessions: str | None = Field(
        None,
        description="Session finding whose sessions (finding present) are named as the other side, "
        "e.g. tace_history[0].new_vascular_invasion",
    )

    @field_validator("when")
    @classmethod
    def _valid(cls, value: Condition) -> Condition:
        return check_condition(value)


class Criterion(_Model):
    """One criterion, three-valued: ``met``, ``not_met`` or (neither condition matches) ``unknown``."""

    id: str = Field(pattern=_ID)
    kind: Literal["inclusion", "exclusion", "refractoriness"]
    title: str = Field(min_length=1)
    statement: str = Field(min_length=1, description="The criterion in plain language")
    source: str = Field(min_length=1)
    numbering: dict[str, str] = Field(default_factory=dict, description="How each source numbers this criterion")
    note: str | None = None
    met_when: Condition
    not_met_when: Condition
    reads: tuple[str, ...] = Field((), description="Context fields shown with the inputs, beyond those tested")
    evidence: tuple[str, ...] = Field((), description="Session findings whose per-session evidence is shown")
    contradiction: Contradiction | None = Field(
        None, description="Inputs that contradict each other; the conditions must leave the criterion unknown then"
    )
    explain: Explain

    @field_validator("met_when", "not_met_when")
    @classmethod
    def _valid(cls, value: Condition) -> Condition:
        return check_condition(value)


class SessionFinding(_Model):
    """A finding judged per TACE session (e.g. insufficient response), also three-valued.

    ``counts_when``/``not_counted_when`` say whether the session is eligible to
    count (adequate selective TACE, imaging in the window); absent means every
    session counts. The ``*_why`` texts may name session fields and options in
    braces, e.g. ``{viable_tumour_pct}``.
    """

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    title: str = Field(min_length=1)
    counts_when: Condition | None = None
    not_counted_when: Condition | None = None
    present_when: Condition
    absent_when: Condition
    counted_why: Text = ""
    not_counted_why: Text = ""
    present_why: Text
    absent_why: Text
    repeat_needs_change: bool = Field(
        False,
        description="A run finding 'even after changing the chemotherapeutic drugs and/or reanalysis of the feeding "
        "artery' (JSH 2014 1 (i)/(ii)): under option change_before_later_session a later session extends the run "
        "only if agents_changed or feeding_artery_reanalysed is true for it",
    )

    @field_validator("counts_when", "not_counted_when", "present_when", "absent_when")
    @classmethod
    def _valid(cls, value: Condition | None) -> Condition | None:
        return None if value is None else check_condition(value)

    @field_validator("counted_why", "not_counted_why")
    @classmethod
    def _optional_text(cls, value: Any) -> Text:
        return value if value == "" else check_text(value)

    @field_validator("present_why", "absent_why")
    @classmethod
    def _text(cls, value: Any) -> Text:
        return check_text(value)

    @model_validator(mode="after")
    def _both_or_neither(self) -> SessionFinding:
        if (self.counts_when is None) != (self.not_counted_when is None):
            raise ValueError("give both counts_when and not_counted_when, or neither (every session counts)")
        if self.counts_when is not None and not (self.counted_why and self.not_counted_why):
            raise ValueError("counted_why and not_counted_why are required with counts_when")
        return self


class NotEvaluated(_Model):
    """A criterion of the source that is not a patient input; documented, never evaluated."""

    id: str = Field(pattern=_ID)
    kind: Literal["inclusion", "exclusion"]
    title: str = Field(min_length=1)
    source: str = Field(min_length=1)
    numbering: dict[str, str] = Field(default_factory=dict)
    treatment: str = Field(min_length=1, description="How the engine treats it, and why")


class RuleSource(_Model):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str = Field(min_length=1, description="Name shown in the output, e.g. 'JSH-LCSGJ 2014'")
    version: str = Field(min_length=1)
    kind: Literal["tace_refractoriness", "eligibility"]
    title: str = Field(min_length=1)
    source: str = Field(min_length=1)
    note: str | None = None
    combine: Literal["any_met", "eligibility_decision"]
    session_findings: tuple[SessionFinding, ...] = ()
    criteria: tuple[Criterion, ...] = Field(min_length=1)
    not_evaluated: tuple[NotEvaluated, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> RuleSource:
        ids = [c.id for c in self.criteria] + [n.id for n in self.not_evaluated]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"duplicate criterion ids: {', '.join(dupes)}")
        finding_ids = [f.id for f in self.session_findings]
        if len(set(finding_ids)) != len(finding_ids):
            raise ValueError("duplicate session finding ids")
        wanted = {"tace_refractoriness": {"refractoriness"}, "eligibility": {"inclusion", "exclusion"}}[self.kind]
        expected_combine = {"tace_refractoriness": "any_met", "eligibility": "eligibility_decision"}[self.kind]
        if self.combine != expected_combine:
            raise ValueError(f"a {self.kind} rule file combines with {expected_combine!r}")
        for c in self.criteria:
            if c.kind not in wanted:
                raise ValueError(f"criterion {c.id}: kind {c.kind!r} does not belong in a {self.kind} rule file")
            unknown = set(c.evidence) - set(finding_ids)
            if c.contradiction is not None and c.contradiction.sessions is not None:
                unknown |= {c.contradiction.sessions} - set(finding_ids)
            if unknown:
                raise ValueError(
                    f"criterion {c.id}: evidence or contradiction names unknown session findings {sorted(unknown)}"
                )
        return self


# -- conditions ---------------------------------------------------------------


def check_condition(cond: Any, where: str = "condition") -> Condition:
    """Validate grammar and the positive-test rule; return the condition unchanged."""
    _check(cond, where)
    for alternative in _alternatives(cond):
        if not alternative:
            raise ValueError(
                f"{where}: an alternative contains only $nex tests; durable_rules never stops firing such a rule. "
                "Combine $nex with a positive test, e.g. {$and: [{$nex: {a: 1}}, {$ex: {b: 1}}]}"
            )
    checked: Condition = cond
    return checked


def _check(cond: Any, where: str) -> None:
    if not isinstance(cond, dict) or len(cond) != 1:
        raise ValueError(f"{where}: a condition is a mapping with exactly one key, got {cond!r}")
    ((key, arg),) = cond.items()
    if key in ("$and", "$or"):
        if not isinstance(arg, list) or not arg:
            raise ValueError(f"{where}: {key} takes a non-empty list of conditions")
        for i, sub in enumerate(arg):
            _check(sub, f"{where}.{key}[{i}]")
    elif key in (*COMPARISONS, "$ex", "$nex"):
        if not isinstance(arg, dict) or len(arg) != 1:
            raise ValueError(f"{where}: {key} takes one {{path: value}}")
        ((path, value),) = arg.items()
        _check_path(path, where)
        if key in ("$ex", "$nex"):
            if value != 1 or isinstance(value, bool):
                raise ValueError(f"{where}: {key} is written {{{key}: {{{path}: 1}}}}")
        elif key == "$neq":
            _check_value(value, where, allow_str=True)
        else:
            _check_value(value, where, allow_str=False)
    elif key == "$case":
        if not isinstance(arg, dict) or set(arg) != {"option", "cases"} or not isinstance(arg["cases"], dict):
            raise ValueError(f"{where}: $case is written {{$case: {{option: name, cases: {{value: condition}}}}}}")
        if not isinstance(arg["option"], str) or not arg["cases"]:
            raise ValueError(f"{where}: $case needs an option name and at least one case")
        for value, sub in arg["cases"].items():
            _check(sub, f"{where}.$case[{value}]")
    elif key.startswith("$"):
        raise ValueError(
            f"{where}: operator {key} is not supported (allowed: $and $or $lt $lte $gt $gte $neq $ex $nex $case)"
        )
    else:
        _check_path(key, where)
        _check_value(arg, where, allow_str=True)


def _check_path(path: Any, where: str) -> None:
    if not isinstance(path, str) or not path or not set(path) <= _PATH_CHARS or ".." in path:
        raise ValueError(f"{where}: {path!r} is not a field path (lower-case dotted names)")


def _check_value(value: Any, where: str, *, allow_str: bool) -> None:
    if isinstance(value, dict):
        if set(value) != {"$option"} or not isinstance(value["$option"], str):
            raise ValueError(f"{where}: a value is a number, text, true/false or {{$option: name}}, got {value!r}")
        return
    if isinstance(value, bool) or (allow_str and isinstance(value, str)):
        if isinstance(value, bool) and not allow_str:
            raise ValueError(f"{where}: comparisons take numbers, got {value!r}")
        return
    if isinstance(value, int | float):
        return
    raise ValueError(f"{where}: unsupported value {value!r}")


def _alternatives(cond: Condition) -> Iterator[bool]:
    """For each alternative of the condition's disjunctive form: does it hold a positive test?"""
    ((key, arg),) = cond.items()
    if key == "$or":
        for sub in arg:
            yield from _alternatives(sub)
    elif key == "$case":
        for sub in arg["cases"].values():
            yield from _alternatives(sub)
    elif key == "$and":
        parts = [list(_alternatives(sub)) for sub in arg]
        # An alternative of the conjunction picks one alternative of each part; some pick has no
        # positive test exactly when every part has an alternative without one.
        yield not all(False in part for part in parts)
    else:
        yield key != "$nex"


def condition_paths(cond: Condition) -> list[str]:
    """Field paths a (resolved or unresolved) condition reads, in order of appearance, without repeats."""
    out: list[str] = []

    def walk(c: Condition) -> None:
        ((key, arg),) = c.items()
        if key in ("$and", "$or"):
            for sub in arg:
                walk(sub)
        elif key == "$case":
            for sub in arg["cases"].values():
                walk(sub)
        elif key.startswith("$"):
            ((path, _),) = arg.items()
            if path not in out:
                out.append(path)
        elif key not in out:
            out.append(key)

    walk(cond)
    return out


def condition_options(cond: Condition) -> dict[str, set[str]]:
    """Options a condition refers to: name -> case values used ($case), empty for $option values."""
    out: dict[str, set[str]] = {}

    def walk(c: Condition) -> None:
        ((key, arg),) = c.items()
        if key in ("$and", "$or"):
            for sub in arg:
                walk(sub)
        elif key == "$case":
            out.setdefault(arg["option"], set()).update(str(v) for v in arg["cases"])
            for sub in arg["cases"].values():
                walk(sub)
        else:
            value = next(iter(arg.values())) if key.startswith("$") else arg
            if isinstance(value, dict):
                out.setdefault(value["$option"], set())

    walk(cond)
    return out


def options_read(cond: Condition, options: Mapping[str, Any]) -> list[str]:
    """Options the condition reads under ``options``: every ``$option`` and ``$case`` on the chosen branches."""
    out: list[str] = []

    def walk(c: Condition) -> None:
        ((key, arg),) = c.items()
        if key in ("$and", "$or"):
            for sub in arg:
                walk(sub)
        elif key == "$case":
            out.append(arg["option"])
            branch = arg["cases"].get(str(_option(options, arg["option"])))
            if branch is not None:
                walk(branch)
        else:
            value = next(iter(arg.values())) if key.startswith("$") else arg
            if isinstance(value, dict):
                out.append(value["$option"])

    walk(cond)
    return list(dict.fromkeys(out))


def resolve_condition(cond: Condition, options: Mapping[str, Any]) -> Condition:
    """Replace ``$option`` values and ``$case`` branches with the protocol's option values.

    The result uses only the engine operator subset and is a fresh object (safe to hand to durable).
    """
    ((key, arg),) = cond.items()
    if key in ("$and", "$or"):
        return {key: [resolve_condition(sub, options) for sub in arg]}
    if key == "$case":
        value = str(_option(options, arg["option"]))
        if value not in arg["cases"]:
            raise ProtocolDefinitionError(
                f"option {arg['option']}={value!r} has no case in a rule condition (cases: {sorted(arg['cases'])})"
            )
        branch: Condition = arg["cases"][value]
        return resolve_condition(branch, options)
    if key.startswith("$"):
        ((path, value),) = arg.items()
        return {key: {path: _resolve_value(value, options)}}
    return {key: _resolve_value(arg, options)}


def _resolve_value(value: Any, options: Mapping[str, Any]) -> Any:
    if isinstance(value, dict):
        return _option(options, value["$option"])
    return value


def _option(options: Mapping[str, Any], name: str) -> Any:
    if name not in options:
        raise ProtocolDefinitionError(f"a rule condition refers to unknown option {name!r}")
    return options[name]


# -- loading ------------------------------------------------------------------


def _rules_dir() -> Path:
    """Shipped rule files: the top-level ``rules/`` folder, installed as package data (setup.py)."""
    return Path(str(resources.files("hccprotocol.data.rules")))


def available_rule_sources() -> list[str]:
    return sorted(p.stem for p in _rules_dir().glob("*.yaml"))


_CACHE: dict[str, RuleSource] = {}
_CACHE_LOCK = threading.Lock()


def load_rule_source(id_or_path: str) -> RuleSource:
    """A shipped rule file by id (``jsh-lcsgj-2014``) or a site's file by path; parsed and validated once."""
    with _CACHE_LOCK:
        cached = _CACHE.get(id_or_path)
        if cached is not None:
            return cached
        path = Path(id_or_path)
        if path.suffix.lower() not in {".yaml", ".yml", ".json"}:
            path = _rules_dir() / f"{id_or_path}.yaml"
            if not path.is_file():
                raise ProtocolDefinitionError(
                    f"unknown rule file {id_or_path!r}; available: {', '.join(available_rule_sources())}, or a path"
                )
        elif not path.is_file():
            raise ProtocolDefinitionError(f"{path}: no such rule file")
        source = _parse(path)
        _CACHE[id_or_path] = source
        return source


def _parse(path: Path) -> RuleSource:
    data = read_data(path, ProtocolDefinitionError)
    return validate_definition(RuleSource, data, where=str(path), what="rule file", error=ProtocolDefinitionError)
