"""Load-time checks of a condition against the declared facts and options.

Each problem names the line of the node: an unknown path (with the nearest
declared paths), a value of the wrong kind (text compared with a number, an enum
value that does not exist, a boolean ordered with ``lt``), a ``known`` test on a
fact that is always known, and an unreachable condition (one that can never be
true, or never false: the rule would never fire or never be excluded).
"""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Iterator, Mapping
from typing import Any

from hccprotocol.model.conditions import All, Any_, Compare, Condition, Const, In, Known, Not, OptionRef, iter_nodes
from hccprotocol.model.facts import CountRange, Fact, FactCatalogue
from hccprotocol.model.options import OptionSpec
from hccprotocol.model.semantics import Truth, _compare, kleene_any, walk

__all__ = ["boundary_values", "check_condition", "reachable"]

_ORDERED = ("lt", "lte", "gt", "gte")


def check_condition(
    cond: Condition, catalogue: FactCatalogue, options: Mapping[str, OptionSpec], where: str
) -> list[tuple[int, str, str]]:
    """Problems ``(line, where, message)`` of ``cond``; empty when it is well typed."""
    problems: list[tuple[int, str, str]] = []
    for node in iter_nodes(cond):
        if not isinstance(node, Compare | In | Known):
            continue
        fact = _fact(node.path, catalogue, options)
        if fact is None:
            problems.append((node.line, where, _unknown_path(node.path, catalogue, options)))
            continue
        if isinstance(node, Known):
            if fact.always_known:
                problems.append((node.line, where, f"known: {node.path} is always known, so the test is always true"))
            continue
        values = (node.value,) if isinstance(node, Compare) else node.values
        op = node.op if isinstance(node, Compare) else "in"
        for value in values:
            message = _type_problem(fact, op, value, options)
            if message is not None:
                problems.append((getattr(value, "line", 0) or node.line, where, message))
    return problems


def _fact(path: str, catalogue: FactCatalogue, options: Mapping[str, OptionSpec]) -> Fact | None:
    if path.startswith("option."):
        spec = options.get(path.removeprefix("option."))
        if spec is None:
            return None
        return Fact(
            path=path,
            kind=spec.kind,
            values=spec.values,
            unit=spec.unit,
            always_known=True,
            origin=f"protocol option {spec.name}",
        )
    return catalogue.get(path)


def _unknown_path(path: str, catalogue: FactCatalogue, options: Mapping[str, OptionSpec]) -> str:
    known = [f.path for f in catalogue] + [f"option.{name}" for name in options]
    close = difflib.get_close_matches(path, known, n=3, cutoff=0.6)
    hint = f" (did you mean {' or '.join(close)}?)" if close else ""
    return f"unknown fact path {path!r} in the {catalogue.scope} facts{hint}"


def _type_problem(fact: Fact, op: str, value: Any, options: Mapping[str, OptionSpec]) -> str | None:
    shown = repr(value)
    if isinstance(value, OptionRef):
        spec = options.get(value.option)
        if spec is None:
            close = difflib.get_close_matches(value.option, list(options), n=3, cutoff=0.6)
            hint = f" (did you mean {' or '.join(close)}?)" if close else ""
            return f"{fact.path}: option {value.option!r} is not declared{hint}"
        vkind, vvalues, shown = spec.kind, spec.values, f"option {value.option} ({spec.kind})"
    elif isinstance(value, bool):
        vkind, vvalues = "boolean", ()
    elif isinstance(value, int):
        vkind, vvalues = "integer", ()
    elif isinstance(value, float):
        vkind, vvalues = "number", ()
    else:
        vkind, vvalues = "text", (value,)
    kind = fact.kind
    unit = f" [{fact.unit}]" if fact.unit else ""
    if kind == "date":
        return f"{fact.path} is a date; compare a derived day count instead (e.g. days_to_imaging)"
    if kind in ("integer", "number", "count_range"):
        if vkind not in ("integer", "number") or (kind == "count_range" and vkind != "integer"):
            wanted = "a whole number" if kind == "count_range" else "a number"
            return f"{fact.path} is {wanted}{unit}; it cannot be compared with {shown}"
        if op == "in":
            return f"{fact.path} is a number{unit}; write a range with gte/lte instead of in"
        return None
    if kind == "boolean":
        if vkind != "boolean":
            return f"{fact.path} is true/false; it cannot be compared with {shown}"
        if op not in ("eq", "ne"):
            return f"{fact.path} is true/false; {op} does not apply (use {fact.path}: true or false)"
        return None
    # enum / text
    if vkind not in ("text", "enum"):
        hint = f' (write "{value}" in quotes if a stage or grade is meant)' if vkind in ("integer", "number") else ""
        return f"{fact.path} is a text value; it cannot be compared with {shown}{hint}"
    if op in _ORDERED:
        return f"{fact.path} is a text value; {op} does not apply (use eq, ne or in)"
    if kind == "enum":
        stray = [v for v in vvalues if v not in fact.values]
        if stray:
            return f"{fact.path}: {', '.join(map(repr, stray))} is not one of {list(fact.values)}"
    return None


# -- reachability ------------------------------------------------------------------

_BUDGET = 200_000


def reachable(cond: Condition, catalogue: FactCatalogue, options: Mapping[str, OptionSpec], goal: bool) -> bool | None:
    """Whether some fact values (and option values) make ``cond`` evaluate to ``goal``.

    Over the values that matter (each constant, its neighbours, missing): first by the condition's terms
    (:func:`_reachable_by_terms`, exact and fast: the overlap check of an asymmetric criterion took 110 ms
    by search, under 1 ms this way), then, when there are too many terms, by a search. ``None`` when the
    search budget ran out (the check is then skipped rather than guessed).
    """
    candidates = _candidates(cond, catalogue, options)
    quick = _reachable_by_terms(cond, candidates, options, goal)
    return quick if quick is not None else _search(cond, candidates, options, goal)


def _search(
    cond: Condition, candidates: Mapping[str, list[Any]], options: Mapping[str, OptionSpec], goal: bool
) -> bool | None:
    """A search over assignments, pruned with Kleene monotonicity: once a partial assignment decides the
    condition, filling in more values cannot change it."""
    paths = list(candidates)
    budget = [_BUDGET]

    def search(i: int, assigned: dict[str, Any]) -> bool | None:
        budget[0] -= 1
        if budget[0] < 0:
            return None
        value = _partial(cond, assigned, options)
        if value is not None:
            return value is goal
        if i == len(paths):
            return False
        undecided = False
        for candidate in candidates[paths[i]]:
            found = search(i + 1, {**assigned, paths[i]: candidate})
            if found:
                return True
            undecided = undecided or found is None
        return None if undecided else False

    return search(0, {})


_MISSING = object()
_TERM_LIMIT = 4_096

Leaf = Compare | In | Known
Term = tuple[tuple[Leaf, bool], ...]


def _terms(cond: Condition, goal: bool) -> list[Term] | None:
    """The ways ``cond`` can evaluate to ``goal``: each term a set of (test, truth value it must have).

    Exact for Kleene's strong logic: ``all`` is true when every part is true and false when one part is
    false, ``any`` the dual, ``not`` swaps true and false; a constant is its value. ``None`` when there
    would be more than ``_TERM_LIMIT`` terms (the caller then searches instead).
    """
    if isinstance(cond, Const):
        return [()] if cond.value is goal else []
    if isinstance(cond, Not):
        return _terms(cond.item, not goal)
    if isinstance(cond, All | Any_):
        parts = [_terms(item, goal) for item in cond.items]
        if any(p is None for p in parts):
            return None
        if isinstance(cond, All) is goal:  # every part must reach the goal: combine one term of each
            out: list[Term] = [()]
            for part in parts:
                assert part is not None
                out = [a + b for a in out for b in part]
                if len(out) > _TERM_LIMIT:
                    return None
            return out
        union = [t for part in parts if part is not None for t in part]
        return union if len(union) <= _TERM_LIMIT else None
    assert isinstance(cond, Compare | In | Known)
    return [((cond, goal),)]


def _reachable_by_terms(
    cond: Condition, candidates: Mapping[str, list[Any]], options: Mapping[str, OptionSpec], goal: bool
) -> bool | None:
    """Reachability through :func:`_terms`: a term is reachable when, path by path, one value of that path
    gives each of its tests the required truth value (tests of different paths are independent)."""
    terms = _terms(cond, goal)
    if terms is None:
        return None
    for term in terms:
        by_path: dict[str, list[tuple[Leaf, bool]]] = {}
        for leaf, want in term:
            by_path.setdefault(leaf.path, []).append((leaf, want))
        if all(
            any(all(_partial(leaf, {path: v}, options) is want for leaf, want in tests) for v in candidates[path])
            for path, tests in by_path.items()
        ):
            return True
    return False


def boundary_values(
    cond: Condition, catalogue: FactCatalogue, options: Mapping[str, OptionSpec] | None = None
) -> dict[str, list[Any]]:
    """For each path ``cond`` reads: the values that decide it (each constant and its neighbours, every enum
    value, both truth values, count ranges around the constants) and ``None`` (missing) unless always known.

    Why public: the engines' agreement tests draw facts from exactly the values at which a condition can change
    its answer, which is what this search already enumerates.
    """
    found = _candidates(cond, catalogue, options or {})
    return {path: [None if v is _MISSING else v for v in values] for path, values in found.items()}


def _partial(cond: Condition, assigned: Mapping[str, Any], options: Mapping[str, OptionSpec]) -> Truth:
    """Evaluate with unassigned paths unknown (even for ``known``), ``_MISSING`` = recorded as missing."""

    def resolve(value: Any) -> Any:
        if isinstance(value, OptionRef):
            return assigned.get(f"option.{value.option}", options[value.option].default)
        return value

    def leaf(node: Compare | In | Known) -> Truth:
        if node.path not in assigned:
            return None
        value = assigned[node.path]
        if isinstance(node, Known):
            return value is not _MISSING
        if value is _MISSING:
            return None
        if isinstance(node, In):
            return kleene_any(_compare(value, "eq", resolve(v)) for v in node.values)
        return _compare(value, node.op, resolve(node.value))

    return walk(cond, leaf)


def _candidates(cond: Condition, catalogue: FactCatalogue, options: Mapping[str, OptionSpec]) -> dict[str, list[Any]]:
    constants: dict[str, list[Any]] = {}
    for node in iter_nodes(cond):
        if isinstance(node, Compare | In | Known):
            bucket = constants.setdefault(node.path, [])
            values = (node.value,) if isinstance(node, Compare) else node.values if isinstance(node, In) else ()
            for v in values:
                if isinstance(v, OptionRef):
                    spec = options[v.option]
                    bucket.extend(spec.values or (spec.default,))
                else:
                    bucket.append(v)
    out: dict[str, list[Any]] = {}
    for path, consts in constants.items():
        fact = _fact(path, catalogue, options)
        assert fact is not None  # checked before
        out[path] = list(_values_for(fact, consts))
        if not fact.always_known:
            out[path].append(_MISSING)
    return out


def _values_for(fact: Fact, consts: list[Any]) -> Iterator[Any]:
    if fact.kind == "boolean":
        yield from (True, False)
    elif fact.kind == "enum":
        yield from fact.values
    elif fact.kind == "text":
        yield from dict.fromkeys([*consts, "\x00other"])
    elif fact.kind == "integer":
        yield from sorted({n for c in consts for n in (int(c) - 1, int(c), int(c) + 1)} or {0})
    elif fact.kind == "number":
        points = sorted(set(consts)) or [0.0]
        mids = [(a + b) / 2 for a, b in itertools.pairwise(points)]
        yield from sorted({points[0] - 1, points[-1] + 1, *points, *mids})
    elif fact.kind == "count_range":
        ints = sorted({max(0, n) for c in consts for n in (int(c) - 1, int(c), int(c) + 1)} or {0})
        yield from (CountRange(lo, hi) for lo in ints for hi in ints if lo <= hi)
