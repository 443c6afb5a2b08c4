"""Fold the protocol's options into a condition: what the compiled engines evaluate.

Why: options are fixed for one protocol, so ``{option.invasion_spread_reading: presence}``
becomes a constant and ``{gte: {option: response_window_min_days}}`` a number before
durable_rules or pandas see the condition; both then evaluate facts only. Folding
follows the reference semantics (a constant node is evaluated by it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hccprotocol.model.conditions import All, Any_, Compare, Condition, Const, In, Known, Not, OptionRef
from hccprotocol.model.semantics import evaluate, kleene_all, kleene_any, kleene_not

__all__ = ["fold_options"]


def fold_options(cond: Condition, options: Mapping[str, Any]) -> Condition:
    """``cond`` with option values substituted and constant parts simplified (``Const`` at the root at most)."""

    def value(v: Any) -> Any:
        if isinstance(v, OptionRef):
            if v.option not in options:
                raise KeyError(f"option {v.option!r} is read by a condition but has no value")
            return options[v.option]
        return v

    def fold(node: Condition) -> Condition:
        if isinstance(node, Compare | In | Known) and node.path.startswith("option."):
            return Const(value=evaluate(node, {}, options), line=node.line)
        if isinstance(node, Compare):
            return node.model_copy(update={"value": value(node.value)})
        if isinstance(node, In):
            return node.model_copy(update={"values": tuple(value(v) for v in node.values)})
        if isinstance(node, Not):
            inner = fold(node.item)
            return (
                Const(value=kleene_not(inner.value), line=node.line)
                if isinstance(inner, Const)
                else Not(item=inner, line=node.line)
            )
        if isinstance(node, All | Any_):
            items = [fold(i) for i in node.items]
            consts = [i.value for i in items if isinstance(i, Const)]
            rest: tuple[Condition, ...] = tuple(i for i in items if not isinstance(i, Const))
            decided = kleene_all(consts) if isinstance(node, All) else kleene_any(consts)
            absorbing = not isinstance(node, All)
            if consts and decided is absorbing:
                return Const(value=absorbing, line=node.line)
            if consts and decided is None:
                rest = (*rest, Const(value=None, line=node.line))
            if not rest:
                return Const(value=not absorbing, line=node.line)
            if len(rest) == 1:
                return rest[0]
            return type(node)(items=rest, line=node.line)
        return node

    return fold(cond)
