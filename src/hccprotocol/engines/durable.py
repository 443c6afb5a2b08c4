"""Compile model conditions to durable_rules: each condition becomes a *met* and a *not-met* rule.

Why two rules: durable_rules matches or does not; three values need two
conditions. They are derived from the one condition mechanically (De Morgan with
Kleene's rules), so a criterion is never written twice::

    met(all(a, b))  = met(a) and met(b)       not_met(all(a, b)) = not_met(a) or not_met(b)
    met(not a)      = not_met(a)              not_met(x <= 1)    = x > 1
    met(x in [B,C]) = x == B or x == C        not_met(...)       = x != B and x != C
    met(known x)    = $ex x                   not_met(known x)   = $nex x
    count range r >= 2: met = r.lo >= 2, not_met = r.hi < 2

Neither matches when a value is missing, which is unknown. Durable's traps are
closed here or in :mod:`hccprotocol.rules_engine` (the only durable user, reused):

* missing values, ``None`` and NaN are never asserted (a missing attribute matches
  no test, not even ``$neq``);
* text is never compared with numbers (the loader's type check), so durable's
  string/number coercion cannot be reached; facts are checked against the
  catalogue before they are asserted;
* every rule is ``$and``-ed with a positive scope test, so no alternative is made
  of ``$nex`` tests only (durable fires those without end);
* numbers durable cannot read (JSON exponent notation such as ``1e-05`` or
  ``1e+16``: the C parser fails and the session is lost) are refused as rule
  constants, and replaced in facts by a plain decimal that compares the same way
  with every constant of that path (exact, since only those comparisons are made).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hccprotocol.engines.fold import fold_options
from hccprotocol.errors import ProtocolDefinitionError, RuleEngineError
from hccprotocol.model.conditions import All, Any_, Compare, Condition, Const, In, Known, Not
from hccprotocol.model.facts import CountRange, FactCatalogue, check_fact_values
from hccprotocol.model.rules import Criterion
from hccprotocol.model.semantics import Truth, combine_parts, criterion_parts
from hccprotocol.rules_engine import RuleEngine, get_engine

__all__ = ["CompiledRule", "DurableEvaluator", "compile_condition", "criteria_evaluator", "encode_fact"]

SCOPE_KEY = "hccprotocol_scope"
ROW_KEY = "hccprotocol_row"
_NEGATE = {"lt": "$gte", "lte": "$gt", "gt": "$lte", "gte": "$lt"}
_DURABLE = {"lt": "$lt", "lte": "$lte", "gt": "$gt", "gte": "$gte"}

Json = Any
_TRUE: Json = True
_FALSE: Json = False


@dataclass(frozen=True)
class CompiledRule:
    """The met / not-met durable conditions of one condition (``None``: that side can never match)."""

    met: Json | None
    not_met: Json | None
    constants: Mapping[str, tuple[float, ...]]


def compile_condition(cond: Condition, options: Mapping[str, Any], scope: str) -> CompiledRule:
    """Fold options, then derive both sides; ``scope`` is the positive test every rule carries."""
    folded = fold_options(cond, options)
    constants: dict[str, set[float]] = {}
    met, not_met = _sides(folded, constants)
    marker = {SCOPE_KEY: scope}

    def wrap(side: Json) -> Json | None:
        if side is _FALSE:
            return None
        if side is _TRUE:
            return marker
        return {"$and": [marker, side]}

    return CompiledRule(
        met=wrap(met), not_met=wrap(not_met), constants={k: tuple(sorted(v)) for k, v in constants.items()}
    )


def _sides(node: Condition, constants: dict[str, set[float]]) -> tuple[Json, Json]:
    if isinstance(node, Const):
        return (node.value is True, node.value is False)
    if isinstance(node, Not):
        met, not_met = _sides(node.item, constants)
        return not_met, met
    if isinstance(node, All | Any_):
        parts = [_sides(i, constants) for i in node.items]
        mets, not_mets = [p[0] for p in parts], [p[1] for p in parts]
        if isinstance(node, All):
            return _and(mets), _or(not_mets)
        return _or(mets), _and(not_mets)
    if isinstance(node, Known):
        return {"$ex": {node.path: 1}}, {"$nex": {node.path: 1}}
    if isinstance(node, In):
        sides = [_compare(node.path, "eq", v, constants) for v in node.values]
        return _or([s[0] for s in sides]), _and([s[1] for s in sides])
    assert isinstance(node, Compare)
    return _compare(node.path, node.op, node.value, constants)


def _compare(path: str, op: str, value: Any, constants: dict[str, set[float]]) -> tuple[Json, Json]:
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not _plain(value):
            raise ProtocolDefinitionError(
                f"{path}: durable_rules cannot read the number {value!r} (exponent notation); use a value of 0.001 "
                "or more in magnitude, below 1e15"
            )
        constants.setdefault(path, set()).add(value)
    if op in ("eq", "ne"):
        eq: Json = {path: value}
        ne: Json = {path: not value} if isinstance(value, bool) else {"$neq": {path: value}}
        return (eq, ne) if op == "eq" else (ne, eq)
    return {_DURABLE[op]: {path: value}}, {_NEGATE[op]: {path: value}}


def _and(parts: list[Json]) -> Json:
    if any(p is _FALSE for p in parts):
        return _FALSE
    rest = [p for p in parts if p is not _TRUE]
    if not rest:
        return _TRUE
    return rest[0] if len(rest) == 1 else {"$and": rest}


def _or(parts: list[Json]) -> Json:
    if any(p is _TRUE for p in parts):
        return _TRUE
    rest = [p for p in parts if p is not _FALSE]
    if not rest:
        return _FALSE
    return rest[0] if len(rest) == 1 else {"$or": rest}


# -- facts -------------------------------------------------------------------------


def _plain(value: float) -> bool:
    """Whether JSON writes ``value`` without exponent notation (what durable's C parser reads)."""
    return math.isfinite(value) and "e" not in json.dumps(value).lower()


def _safe_number(value: float, constants: Sequence[float]) -> float:
    """``value``, or a plain decimal in the same interval between the constants (same comparisons)."""
    if _plain(value) and abs(value) < 1e15:
        return value
    lower = [c for c in constants if c < value]
    upper = [c for c in constants if c > value]
    if value in constants:
        return value
    lo, hi = (max(lower) if lower else None), (min(upper) if upper else None)
    if lo is None and hi is None:
        return 0
    if lo is None:
        assert hi is not None
        return math.floor(hi) - 1
    if hi is None:
        return math.floor(lo) + 1
    for digits in range(0, 17):
        candidate = round((lo + hi) / 2, digits)
        if lo < candidate < hi and _plain(candidate):
            return candidate
    raise RuleEngineError(f"no plain number between {lo} and {hi}")  # pragma: no cover - constants are plain


def encode_fact(
    values: Mapping[str, Any], catalogue: FactCatalogue, constants: Mapping[str, Sequence[float]]
) -> dict[str, Any]:
    """The nested fact durable sees: checked values, count ranges as ``path.lo``/``path.hi``, safe numbers."""
    checked = check_fact_values(values, catalogue)
    out: dict[str, Any] = {SCOPE_KEY: catalogue.scope}
    for path, value in checked.items():
        if isinstance(value, CountRange):
            _put(out, f"{path}.lo", _safe_number(value.lo, constants.get(path, ())))
            _put(out, f"{path}.hi", _safe_number(value.hi, constants.get(path, ())))
        elif isinstance(value, int | float) and not isinstance(value, bool):
            _put(out, path, _safe_number(value, constants.get(path, ())))
        else:
            _put(out, path, value)
    return out


def _put(out: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node = out
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value


# -- evaluation ---------------------------------------------------------------------


class DurableEvaluator:
    """Conditions registered as one durable ruleset; ``evaluate`` gives each condition's truth value.

    Count-range paths are compiled as ``path.lo`` / ``path.hi``: see :func:`_range_paths`.
    """

    def __init__(
        self,
        conditions: Mapping[str, Condition],
        catalogue: FactCatalogue,
        options: Mapping[str, Any],
        engine: RuleEngine | None = None,
        met_only: Iterable[str] = (),
    ) -> None:
        """``met_only``: conditions whose caller reads only whether they are true (an asymmetric criterion's
        parts, a contradiction): their not-met rule is not registered, so they are never false, only true or
        not known to be true (one firing less per fact each)."""
        self._engine = engine or get_engine()
        only = set(met_only)
        self._catalogue = catalogue
        ranges = {f.path for f in catalogue if f.kind == "count_range"}
        rules: dict[str, dict[str, Any]] = {}
        constants: dict[str, set[float]] = {}
        self._ids = tuple(conditions)
        for rule_id, cond in conditions.items():
            compiled = compile_condition(cond, options, catalogue.scope)
            for path, consts in compiled.constants.items():
                constants.setdefault(path, set()).update(consts)
            for side, json_cond in (("met", compiled.met), ("not_met", compiled.not_met)):
                if json_cond is not None and not (side == "not_met" and rule_id in only):
                    rules[f"{rule_id}\x1e{side}"] = {"all": [{"m": _range_paths(json_cond, ranges)}]}
        self._constants = {k: tuple(sorted(v)) for k, v in constants.items()}
        digest = hashlib.sha256(json.dumps(rules, sort_keys=True).encode()).hexdigest()[:16]
        self.name = f"model-{catalogue.scope}-{digest}"
        if not rules:
            rules["\x1enever"] = {"all": [{"m": {SCOPE_KEY: "\x1enever"}}]}
        self._engine.register(self.name, rules)

    def evaluate(self, facts: Mapping[str, Any]) -> dict[str, Truth]:
        """Truth value of every condition on one flat fact (path -> value)."""
        return self.evaluate_many([facts])[0]

    def evaluate_many(self, rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Truth]]:
        """Truth value of every condition on each flat fact, all asserted in ONE durable session.

        Why: a session per fact costs a session's creation and deletion each (a patient's TACE sessions
        are judged together); each fact carries its row number, which no rule reads, to tell firings apart.
        """
        if not rows:
            return []
        encoded = []
        for i, values in enumerate(rows):
            fact = encode_fact(values, self._catalogue, self._constants)
            fact[ROW_KEY] = i
            encoded.append(fact)
        fired: list[set[str]] = [set() for _ in rows]
        for firing in self._engine.evaluate(self.name, encoded):
            fired[int(firing.fact[ROW_KEY])].add(firing.rule_id)
        out: list[dict[str, Truth]] = []
        for row in fired:
            truths: dict[str, Truth] = {}
            for rule_id in self._ids:
                met, not_met = f"{rule_id}\x1emet" in row, f"{rule_id}\x1enot_met" in row
                if met and not_met:
                    raise RuleEngineError(f"{rule_id}: both the met and the not-met rule fired on one fact")
                truths[rule_id] = True if met else False if not_met else None
            out.append(truths)
        return out


def criteria_evaluator(
    criteria: Iterable[Criterion],
    catalogue: FactCatalogue,
    options: Mapping[str, Any],
    engine: RuleEngine | None = None,
) -> Callable[[Mapping[str, Any]], dict[str, Truth]]:
    """Every criterion (its parts compiled into one ruleset); the function gives each criterion's value."""
    listed = list(criteria)
    parts = {f"{c.id}\x1d{name}": cond for c in listed for name, cond in criterion_parts(c).items()}
    evaluator = DurableEvaluator(parts, catalogue, options, engine)

    def judge(facts: Mapping[str, Any]) -> dict[str, Truth]:
        values = evaluator.evaluate(facts)
        return {c.id: combine_parts({name: values[f"{c.id}\x1d{name}"] for name in criterion_parts(c)}) for c in listed}

    return judge


def _range_paths(cond: Json, ranges: Iterable[str]) -> Json:
    """Rewrite tests on count-range paths to their bounds (the table in the module docstring)."""
    ranges = set(ranges)
    if not ranges:
        return cond
    if isinstance(cond, list):
        return [_range_paths(c, ranges) for c in cond]
    if not isinstance(cond, dict) or len(cond) != 1:
        return cond
    ((key, arg),) = cond.items()
    if key in ("$and", "$or"):
        return {key: _range_paths(arg, ranges)}
    if key.startswith("$"):
        ((path, value),) = arg.items()
        if path not in ranges:
            return cond
        if key in ("$ex", "$nex"):
            return {key: {f"{path}.lo": 1}}
        return _range_test(key, path, value)
    if key in ranges:
        return _range_test("$eq", key, arg)
    return cond


def _range_test(op: str, path: str, n: Any) -> Json:
    lo, hi = f"{path}.lo", f"{path}.hi"
    table: dict[str, Json] = {
        # holds for every count in lo..hi
        "$gte": {"$gte": {lo: n}},
        "$gt": {"$gt": {lo: n}},
        "$lte": {"$lte": {hi: n}},
        "$lt": {"$lt": {hi: n}},
        "$eq": {"$and": [{lo: n}, {hi: n}]},
        # holds for no count in lo..hi ($neq n is the not-met side of == n, and vice versa)
        "$neq": {"$or": [{"$lt": {hi: n}}, {"$gt": {lo: n}}]},
    }
    return table[op]
