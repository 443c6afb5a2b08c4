"""Load a rule file into the model, refusing every mistake with its file and line.

Refused, each with ``file:line``: YAML errors and duplicate keys; misspelt keys
(every model forbids extra keys); a condition's unknown path, unknown operator or
value of the wrong kind; a ``known`` test on an always-known fact; a condition that
can never be true (or, for a criterion, never false); a criterion that could be met
and not met at once; duplicate rule ids; evidence naming no session finding;
dangling dose-level references (start level, reductions, ``then: {level: ...}``);
transitions naming an agent the file does not declare; calendar rules naming an
undeclared option.
"""

from __future__ import annotations

import hashlib
import string
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from hccprotocol.model.check import check_condition, reachable
from hccprotocol.model.conditions import All, Any_, Condition, Not
from hccprotocol.model.errors import RuleFileError
from hccprotocol.model.facts import FactCatalogue, Scope, option_facts, standard_catalogue
from hccprotocol.model.options import OptionSpec
from hccprotocol.model.rules import NotEvaluated, OptionText, Rule, RuleFile, Text
from hccprotocol.model.syntax import parse_condition
from hccprotocol.model.yamlsrc import Loc, Source, read_yaml, render_loc

__all__ = ["load_rule_file", "load_rule_text"]

_CONDITION_KEYS: dict[str, tuple[str, ...]] = {
    "criteria": ("when", "not_met_when"),
    "session_findings": ("counts_when", "present_when"),
    "transitions": ("when",),
    "calendar": ("when",),
}
_RULE_SECTIONS = ("criteria", "session_findings", "transitions", "calendar")
_SCOPES: dict[str, Scope] = {
    "criteria": "patient",
    "session_findings": "tace_session",
    "transitions": "dose_event",
    "calendar": "calendar",
}

Problems = list[tuple[int, str, str]]


def load_rule_file(
    path: Path | str,
    *,
    options: Mapping[str, OptionSpec] | None = None,
    categories: Iterable[str] = (),
    name: str | None = None,
) -> RuleFile:
    """Load ``path``; errors name the file as ``name`` (default: the path as given)."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise RuleFileError(name or str(path), [(1, "", f"cannot read the file: {exc.strerror}")]) from None
    return load_rule_text(
        raw.decode("utf-8"),
        name or str(path),
        options=options,
        categories=categories,
        sha256=hashlib.sha256(raw).hexdigest(),
    )


def load_rule_text(
    text: str,
    file: str,
    *,
    options: Mapping[str, OptionSpec] | None = None,
    categories: Iterable[str] = (),
    sha256: str | None = None,
) -> RuleFile:
    """Load a rule file from its text."""
    src = read_yaml(text, file)
    data = src.data
    if not isinstance(data, dict):
        raise src.error((), "a rule file is a mapping (id, version, kind, title, source, ...)")
    problems: Problems = []
    prepared, index_loc = _prepare(data, src, problems)
    if problems:
        raise RuleFileError(file, problems)
    prepared["sha256"] = sha256 or hashlib.sha256(text.encode("utf-8")).hexdigest()
    prepared["file"] = file
    try:
        model = RuleFile.model_validate(prepared)
    except ValidationError as exc:
        raise RuleFileError(file, _pydantic_problems(exc, src, index_loc)) from None
    _check(model, src, dict(options or {}), tuple(categories), problems)
    if problems:
        raise RuleFileError(file, problems)
    return model


# -- preparation: parse conditions, default versions, record lines ----------------------


def _prepare(data: dict[str, Any], src: Source, problems: Problems) -> tuple[dict[str, Any], dict[Loc, Loc]]:
    out = dict(data)
    index_loc: dict[Loc, Loc] = {}
    version = data.get("version")
    for section in (*_RULE_SECTIONS, "not_evaluated", "agents"):
        items = data.get(section)
        if not isinstance(items, list):
            continue
        prepared = []
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                prepared.append(item)
                continue
            entry = dict(item)
            entry["line"] = src.line((section, i))
            if section in _RULE_SECTIONS and "version" not in entry and isinstance(version, str):
                entry["version"] = version
            for key in _CONDITION_KEYS.get(section, ()):
                if entry.get(key) is not None:
                    try:
                        entry[key] = parse_condition(entry[key], (section, i, key), src)
                    except RuleFileError as exc:
                        problems.extend(exc.problems)
            contradiction = entry.get("contradiction")
            if section == "criteria" and isinstance(contradiction, dict) and contradiction.get("when") is not None:
                try:
                    entry["contradiction"] = {
                        **contradiction,
                        "when": parse_condition(contradiction["when"], (section, i, "contradiction", "when"), src),
                    }
                except RuleFileError as exc:
                    problems.extend(exc.problems)
            if section == "agents" and isinstance(entry.get("levels"), list):
                entry["levels"] = [
                    {**lv, "line": src.line(("agents", i, "levels", j))} if isinstance(lv, dict) else lv
                    for j, lv in enumerate(entry["levels"])
                ]
            if section == "transitions" and isinstance(entry.get("then"), str):
                entry["then"] = {"step": entry["then"]}
            prepared.append(entry)
        out[section] = prepared
    opts = data.get("options")
    if isinstance(opts, dict):
        listed = []
        for j, (name, spec) in enumerate(opts.items()):
            index_loc[("options", j)] = ("options", name)
            listed.append(
                {**spec, "name": name, "line": src.line(("options", name))} if isinstance(spec, dict) else spec
            )
        out["options"] = listed
    return out, index_loc


def _pydantic_problems(exc: ValidationError, src: Source, index_loc: Mapping[Loc, Loc]) -> Problems:
    problems: Problems = []
    for err in exc.errors():
        loc: Loc = tuple(err["loc"])
        for prefix, real in index_loc.items():
            if loc[: len(prefix)] == prefix:
                loc = (*real, *loc[len(prefix) :])
        if err["type"] == "extra_forbidden":
            message = f"unknown key {loc[-1]!r} (misspelt?)"
        else:
            message = err["msg"]
        problems.append((src.line(loc), render_loc(loc), message))
    return problems


# -- semantic checks -----------------------------------------------------------------


def _check(
    model: RuleFile, src: Source, options: dict[str, OptionSpec], categories: tuple[str, ...], problems: Problems
) -> None:
    for spec in model.options:
        options.setdefault(spec.name, spec)
    finding_ids = [f.id for f in model.session_findings]
    catalogues: dict[Scope, FactCatalogue] = {}
    for scope in ("patient", "tace_session", "dose_event", "calendar"):
        base = standard_catalogue(scope, finding_ids=finding_ids, categories=categories)
        catalogues[scope] = base.extend(option_facts(options))

    def cond_problems(cond: Condition | None, section: str, rule_id: str, key: str, goals: tuple[bool, ...]) -> bool:
        if cond is None:
            return True
        catalogue = catalogues[_SCOPES[section]]
        found = check_condition(cond, catalogue, options, f"{rule_id}.{key}")
        problems.extend(found)
        if found:
            return False
        for goal in goals:
            if reachable(cond, catalogue, options, goal) is False:
                what = "true (the rule can never apply)" if goal else "false (the rule can never be excluded)"
                culprit = _culprit(cond, catalogue, options, goal)
                problems.append((culprit.line, f"{rule_id}.{key}", f"unreachable: this condition can never be {what}"))
        return True

    _unique_ids(model, problems)
    for i, c in enumerate(model.criteria):
        ok = cond_problems(c.when, "criteria", c.id, "when", (True,) if c.not_met_when else (True, False))
        ok = cond_problems(c.not_met_when, "criteria", c.id, "not_met_when", (True,)) and ok
        if ok and c.not_met_when is not None:
            both = All(items=(c.when, c.not_met_when))
            if reachable(both, catalogues["patient"], options, True):
                problems.append(
                    (
                        c.not_met_when.line,
                        f"{c.id}.not_met_when",
                        "the criterion could be met and not met at once (when and not_met_when overlap)",
                    )
                )
        if c.contradiction is not None:
            if cond_problems(c.contradiction.when, "criteria", c.id, "contradiction.when", (True,)) and ok:
                both = All(items=(c.contradiction.when, c.when))
                if reachable(both, catalogues["patient"], options, True):
                    problems.append(
                        (
                            c.contradiction.when.line,
                            f"{c.id}.contradiction",
                            "a record with this contradiction could make the criterion met; exclude it in when",
                        )
                    )
            if c.contradiction.sessions is not None and c.contradiction.sessions not in finding_ids:
                problems.append(
                    (
                        src.line(("criteria", i, "contradiction", "sessions")),
                        f"{c.id}.contradiction.sessions",
                        f"no session finding {c.contradiction.sessions!r} in this file",
                    )
                )
        for j, name in enumerate(c.evidence):
            if name not in finding_ids:
                problems.append(
                    (
                        src.line(("criteria", i, "evidence", j)),
                        f"{c.id}.evidence",
                        f"no session finding {name!r} in this file",
                    )
                )
        for j, path in enumerate(c.reads):
            if catalogues["patient"].get(path) is None:
                problems.append((src.line(("criteria", i, "reads", j)), f"{c.id}.reads", f"unknown fact path {path!r}"))
    for i, c in enumerate(model.criteria):
        for name, text in c.explain.texts():
            _check_text(text, src.line(("criteria", i, "explain", name)), f"{c.id}.explain.{name}", options, problems)
    for i, f in enumerate(model.session_findings):
        cond_problems(f.counts_when, "session_findings", f.id, "counts_when", (True,))
        cond_problems(f.present_when, "session_findings", f.id, "present_when", (True, False))
        for name, text in f.texts():
            line = src.line(("session_findings", i, name))
            _check_text(text, line, f"{f.id}.{name}", options, problems)
            for field in _text_fields(text):
                if catalogues["tace_session"].get(field) is None and field not in options:
                    problems.append(
                        (line, f"{f.id}.{name}", f"{{{field}}} is neither a TACE session fact nor a declared option")
                    )
    _check_levels(model, src, problems)
    for t in model.transitions:
        cond_problems(t.when, "transitions", t.id, "when", (True,))
    for i, r in enumerate(model.calendar):
        cond_problems(r.when, "calendar", r.id, "when", (True,))
        for j, name in enumerate(r.options):
            if name not in options:
                problems.append(
                    (src.line(("calendar", i, "options", j)), f"{r.id}.options", f"option {name!r} is not declared")
                )


def _check_text(text: Text, line: int, where: str, options: Mapping[str, OptionSpec], problems: Problems) -> None:
    """An option text names a declared enum (or boolean) option and gives exactly one text per value."""
    if not isinstance(text, OptionText):
        return
    spec = options.get(text.option)
    if spec is None:
        problems.append((line, where, f"option {text.option!r} is not declared"))
        return
    values = set(spec.values) if spec.kind == "enum" else {"true", "false"} if spec.kind == "boolean" else None
    if values is None:
        problems.append((line, where, f"a text can follow an enum or true/false option; {text.option} is {spec.kind}"))
    elif set(text.cases) != values:
        problems.append(
            (line, where, f"a text following {text.option} gives exactly the cases {sorted(values)}, "
             f"got {sorted(text.cases)}")
        )


def _text_fields(text: Text) -> list[str]:
    """The ``{name}`` fields of a text (every case of an option text)."""
    texts = [text] if isinstance(text, str) else list(text.cases.values())
    return [name for t in texts for _, name, _, _ in string.Formatter().parse(t) if name is not None]


def _culprit(cond: Condition, catalogue: FactCatalogue, options: Mapping[str, OptionSpec], goal: bool) -> Condition:
    """The innermost part that makes ``cond`` unable to reach ``goal`` (its line is the one to fix)."""
    if isinstance(cond, All if goal else Any_):
        for item in cond.items:
            if reachable(item, catalogue, options, goal) is False:
                return _culprit(item, catalogue, options, goal)
    if isinstance(cond, Not) and reachable(cond.item, catalogue, options, not goal) is False:
        return _culprit(cond.item, catalogue, options, not goal)
    return cond


def _unique_ids(model: RuleFile, problems: Problems) -> None:
    seen: dict[str, int] = {}
    entries: list[Rule | NotEvaluated] = [*model.rules(), *model.not_evaluated]
    for rule in entries:
        if rule.id in seen:
            problems.append((rule.line, rule.id, f"duplicate rule id (first on line {seen[rule.id]})"))
        else:
            seen[rule.id] = rule.line


def _check_levels(model: RuleFile, src: Source, problems: Problems) -> None:
    levels: dict[str, set[str]] = {a.id: {lv.id for lv in a.levels} for a in model.agents}
    for i, agent in enumerate(model.agents):
        ids = levels[agent.id]
        if agent.start_level not in ids:
            problems.append(
                (
                    src.line(("agents", i, "start_level")),
                    f"{agent.id}.start_level",
                    f"no dose level {agent.start_level!r} (levels: {sorted(ids)})",
                )
            )
        for policy, table in agent.reductions.items():
            for level, lower in table.items():
                for ref in (level, *lower):
                    if ref not in ids:
                        problems.append(
                            (
                                src.line(("agents", i, "reductions", policy, level)),
                                f"{agent.id}.reductions.{policy}",
                                f"no dose level {ref!r} (levels: {sorted(ids)})",
                            )
                        )
    for t in model.transitions:
        unknown = [a for a in t.agents if levels and a not in levels]
        if unknown:
            problems.append((t.line, f"{t.id}.agents", f"no agent {unknown} in this file"))
        if t.then is not None and t.then.level is not None:
            targets = t.agents or tuple(levels)
            if not any(t.then.level in levels.get(a, set()) for a in targets):
                problems.append((t.line, f"{t.id}.then", f"no dose level {t.then.level!r} for agents {list(targets)}"))
