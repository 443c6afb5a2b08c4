"""The condition language's syntax tree: three-valued (Kleene) conditions over declared facts.

Why a tree and not engine syntax: a criterion states its condition once; every
engine (reference evaluator, durable_rules, pandas) compiles this tree, so none of
them can drift from the others. The surface form clinicians read and write is in
``rules/LANGUAGE.md``; :mod:`hccprotocol.model.syntax` parses it into these nodes.

Semantics (defined by :mod:`hccprotocol.model.semantics`): every node evaluates
to true, false or unknown. A comparison with a missing fact is unknown; ``all``
is false if any part is false, else unknown if any is unknown, else true; ``any``
is the dual; ``not`` swaps true and false and keeps unknown. ``known`` is the only
two-valued test: it says whether a value is recorded, and is meant for the few
criteria that genuinely treat "not recorded" as an answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr

__all__ = [
    "All",
    "Any_",
    "Compare",
    "Condition",
    "Const",
    "In",
    "Known",
    "Not",
    "OptionRef",
    "Scalar",
    "iter_nodes",
    "options_read",
    "paths_read",
]

Scalar = bool | int | float | str
Op = Literal["eq", "ne", "lt", "lte", "gt", "gte"]


class _Node(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    line: int = Field(0, description="Line of the node in its rule file (0 = not from a file)", exclude=True)


class OptionRef(_Node):
    """A value taken from the protocol's options, e.g. ``{option: response_window_min_days}``."""

    kind: Literal["option"] = "option"
    option: str


Value = OptionRef | StrictBool | StrictInt | StrictFloat | StrictStr


class Compare(_Node):
    """``path op value``: unknown when the fact is missing."""

    kind: Literal["compare"] = "compare"
    path: str
    op: Op
    value: Value


class In(_Node):
    """``path`` is one of ``values``: unknown when the fact is missing."""

    kind: Literal["in"] = "in"
    path: str
    values: tuple[Value, ...] = Field(min_length=1)


class Known(_Node):
    """Whether ``path`` has a value: true or false, never unknown."""

    kind: Literal["known"] = "known"
    path: str


class Const(_Node):
    """A fixed truth value (true, false or unknown); produced when options are folded in."""

    kind: Literal["const"] = "const"
    value: bool | None


class All(_Node):
    kind: Literal["all"] = "all"
    items: tuple[Condition, ...] = Field(min_length=1)


class Any_(_Node):
    kind: Literal["any"] = "any"
    items: tuple[Condition, ...] = Field(min_length=1)


class Not(_Node):
    kind: Literal["not"] = "not"
    item: Condition


Condition = Annotated[Compare | In | Known | Const | All | Any_ | Not, Field(discriminator="kind")]

for _model in (All, Any_, Not):
    _model.model_rebuild()


def iter_nodes(cond: Condition) -> Iterator[Condition]:
    """Every node of the tree, parents first."""
    yield cond
    if isinstance(cond, All | Any_):
        for item in cond.items:
            yield from iter_nodes(item)
    elif isinstance(cond, Not):
        yield from iter_nodes(cond.item)


def paths_read(cond: Condition) -> tuple[str, ...]:
    """The fact paths a condition reads, in first-use order (the inputs shown in a trail)."""
    out: dict[str, None] = {}
    for node in iter_nodes(cond):
        if isinstance(node, Compare | In | Known):
            out[node.path] = None
    return tuple(out)


def options_read(cond: Condition) -> tuple[str, ...]:
    """The option names a condition reads (value references and ``option.*`` paths)."""
    out: dict[str, None] = {}
    for node in iter_nodes(cond):
        if isinstance(node, Compare | In | Known) and node.path.startswith("option."):
            out[node.path.removeprefix("option.")] = None
        values = (node.value,) if isinstance(node, Compare) else node.values if isinstance(node, In) else ()
        for v in values:
            if isinstance(v, OptionRef):
                out[v.option] = None
    return tuple(out)
