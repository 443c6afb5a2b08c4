"""The reference evaluator: the definition of the condition language's three-valued semantics.

Why pure Python: this is the semantics every other engine is tested against
(``tests/generative/test_model_engines_agree.py``); it must be short enough to
check by reading. ``True`` = met, ``False`` = not met, ``None`` = unknown.

* a comparison (``eq ne lt lte gt gte``) or ``in`` with a missing fact is unknown;
* a count range ``lo..hi`` satisfies a comparison when every count in it does, fails
  it when none does, and is unknown otherwise;
* ``all``/``any``/``not`` are Kleene's strong three-valued logic;
* ``known`` is true when the fact has a value, false when it is missing;
* ``{option: name}`` and ``option.<name>`` read the protocol's options, which must
  all be given (a missing option is a defect, raised).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from hccprotocol.model.conditions import All, Any_, Compare, Condition, Const, In, Known, Not, OptionRef
from hccprotocol.model.facts import CountRange
from hccprotocol.model.rules import Criterion

__all__ = [
    "Truth",
    "combine_parts",
    "criterion_parts",
    "criterion_truth",
    "evaluate",
    "kleene_all",
    "kleene_any",
    "kleene_not",
    "status",
    "walk",
]

Truth = bool | None

_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": operator.eq,
    "ne": operator.ne,
    "lt": operator.lt,
    "lte": operator.le,
    "gt": operator.gt,
    "gte": operator.ge,
}


def kleene_not(a: Truth) -> Truth:
    return None if a is None else not a


def kleene_all(values: Iterable[Truth]) -> Truth:
    seen = list(values)
    if False in seen:
        return False
    return None if None in seen else True


def kleene_any(values: Iterable[Truth]) -> Truth:
    seen = list(values)
    if True in seen:
        return True
    return None if None in seen else False


def status(value: Truth) -> str:
    """The criterion status of a truth value."""
    return {True: "met", False: "not_met", None: "unknown"}[value]


def evaluate(cond: Condition, facts: Mapping[str, Any], options: Mapping[str, Any] | None = None) -> Truth:
    """Evaluate ``cond`` on one flat fact (path -> value; absent or None = missing)."""
    opts = options or {}

    def read(path: str) -> Any:
        if path.startswith("option."):
            return _option(opts, path.removeprefix("option."))
        value = facts.get(path)
        return None if isinstance(value, float) and value != value else value

    def resolve(value: Any) -> Any:
        return _option(opts, value.option) if isinstance(value, OptionRef) else value

    def leaf(node: Compare | In | Known) -> Truth:
        if isinstance(node, Known):
            return read(node.path) is not None
        value = read(node.path)
        if value is None:
            return None
        if isinstance(node, In):
            return kleene_any(_compare(value, "eq", resolve(v)) for v in node.values)
        return _compare(value, node.op, resolve(node.value))

    return walk(cond, leaf)


def walk(cond: Condition, leaf: Callable[[Compare | In | Known], Truth]) -> Truth:
    """Kleene evaluation of ``cond``'s connectives; ``leaf`` gives each test's truth.

    Why one walk: the reference evaluator and the loader's reachability check (which evaluates
    with partly assigned facts) must combine tests with exactly the same three-valued logic.
    """
    if isinstance(cond, Const):
        return cond.value
    if isinstance(cond, All):
        return kleene_all(walk(i, leaf) for i in cond.items)
    if isinstance(cond, Any_):
        return kleene_any(walk(i, leaf) for i in cond.items)
    if isinstance(cond, Not):
        return kleene_not(walk(cond.item, leaf))
    assert isinstance(cond, Compare | In | Known)
    return leaf(cond)


def criterion_parts(criterion: Criterion) -> dict[str, Condition]:
    """The conditions a criterion's value is made of, by part name: ``when`` and, if declared,
    ``not_met_when``. An engine evaluates each and calls :func:`combine_parts`. (A declared
    contradiction only explains a status; it is evaluated on its own, for the warning.)"""
    parts: dict[str, Condition] = {"when": criterion.when}
    if criterion.not_met_when is not None:
        parts["not_met_when"] = criterion.not_met_when
    return parts


def combine_parts(values: Mapping[str, Truth]) -> Truth:
    """A criterion's value from its parts: with ``not_met_when``, met by ``when``, not met by
    ``not_met_when``, else unknown; otherwise ``when``'s value."""
    if "not_met_when" not in values:
        return values["when"]
    if values["when"] is True:
        return True
    return False if values["not_met_when"] is True else None


def criterion_truth(criterion: Criterion, facts: Mapping[str, Any], options: Mapping[str, Any] | None = None) -> Truth:
    """A criterion's value on one fact (see :func:`combine_parts`)."""
    return combine_parts({k: evaluate(c, facts, options) for k, c in criterion_parts(criterion).items()})


def _compare(value: Any, op: str, target: Any) -> Truth:
    if isinstance(value, tuple):
        lo, hi = CountRange(*value)
        if lo == hi:
            return _OPS[op](lo, target)
        # the count is one of lo..hi: true if the comparison holds for all, false if for none
        results = {_OPS[op](n, target) for n in _critical(lo, hi, target)}
        return results.pop() if len(results) == 1 else None
    return _OPS[op](value, target)


def _critical(lo: int, hi: int, target: Any) -> list[int]:
    """Counts of lo..hi that decide every comparison with ``target``: the ends and those next to it."""
    out = {lo, hi}
    for n in (int(target) - 1, int(target), int(target) + 1):
        if lo <= n <= hi:
            out.add(n)
    return sorted(out)


def _option(options: Mapping[str, Any], name: str) -> Any:
    if name not in options:
        raise KeyError(f"option {name!r} is read by a condition but has no value")
    return options[name]
