"""The surface form of conditions (what clinicians read in ``rules/*.yaml``) parsed into the tree.

Grammar (full description with examples: ``rules/LANGUAGE.md``)::

    condition := {all: [condition, ...]}           every part holds
               | {any: [condition, ...]}           at least one part holds
               | {not: condition}
               | {known: path}                     the value is recorded (two-valued)
               | {path: value}                     equality
               | {path: {op: value, ...}}          op in eq ne lt lte gt gte in; several = all of them
    value     := true | false | number | text | {option: name}
    in        := {in: [value, ...]}

Every node keeps its line, so the checker (:mod:`hccprotocol.model.check`) can
name the line of an unknown path or a type mismatch.
"""

from __future__ import annotations

import re
from typing import Any

from hccprotocol.model.conditions import All, Any_, Compare, Condition, In, Known, Not, OptionRef
from hccprotocol.model.yamlsrc import Loc, Source

__all__ = ["COMBINATORS", "OPERATORS", "parse_condition"]

COMBINATORS = ("all", "any", "not", "known")
OPERATORS = ("eq", "ne", "lt", "lte", "gt", "gte", "in")
_PATH = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")


def parse_condition(raw: Any, loc: Loc, src: Source) -> Condition:
    """Parse the condition at ``loc`` of ``src`` (``raw`` is its plain value)."""
    line = src.line(loc)
    if not isinstance(raw, dict) or len(raw) != 1:
        if isinstance(raw, dict) and len(raw) > 1:
            raise src.error(
                loc,
                f"a condition has exactly one test, got {len(raw)} keys {sorted(map(str, raw))}; "
                "combine tests with all: [...] or any: [...]",
            )
        raise src.error(loc, f"a condition is a mapping with one key (e.g. {{ecog: {{lte: 1}}}}), got {raw!r}")
    ((key, arg),) = raw.items()
    here: Loc = (*loc, key)
    if not isinstance(key, str):
        raise src.error(here, f"a condition key is a fact path or one of {', '.join(COMBINATORS)}, got {key!r}")
    if key in ("all", "any"):
        if not isinstance(arg, list) or not arg:
            raise src.error(here, f"{key} takes a non-empty list of conditions")
        items = tuple(parse_condition(sub, (*here, i), src) for i, sub in enumerate(arg))
        return All(items=items, line=line) if key == "all" else Any_(items=items, line=line)
    if key == "not":
        return Not(item=parse_condition(arg, here, src), line=line)
    if key == "known":
        return Known(path=_path(arg, here, src), line=line)
    if key.startswith("$"):
        raise src.error(
            here, f"{key!r} is the old rule syntax; write all/any/not or {{path: {{op: value}}}} (rules/LANGUAGE.md)"
        )
    path = _path(key, here, src)
    if isinstance(arg, dict) and set(arg) != {"option"}:
        if not arg:
            raise src.error(here, "an empty test: write {op: value}, e.g. {lte: 1}")
        tests = [_test(path, op, value, (*here, op), src) for op, value in arg.items()]
        return tests[0] if len(tests) == 1 else All(items=tuple(tests), line=line)
    return Compare(path=path, op="eq", value=_value(arg, here, src), line=line)


def _test(path: str, op: Any, value: Any, loc: Loc, src: Source) -> Condition:
    line = src.line(loc)
    if op not in OPERATORS:
        raise src.error(loc, f"unknown operator {op!r} (allowed: {', '.join(OPERATORS)})")
    if op == "in":
        if not isinstance(value, list) or not value:
            raise src.error(loc, "in takes a non-empty list of values, e.g. {in: [B, C]}")
        return In(path=path, values=tuple(_value(v, (*loc, i), src) for i, v in enumerate(value)), line=line)
    return Compare(path=path, op=op, value=_value(value, loc, src), line=line)


def _value(raw: Any, loc: Loc, src: Source) -> Any:
    if isinstance(raw, dict):
        if set(raw) == {"option"} and isinstance(raw["option"], str):
            return OptionRef(option=raw["option"], line=src.line(loc))
        raise src.error(loc, f"a value is true, false, a number, a text or {{option: name}}, got {raw!r}")
    if isinstance(raw, bool | int | float | str):
        if isinstance(raw, float) and (raw != raw or raw in (float("inf"), float("-inf"))):
            raise src.error(loc, f"{raw!r} is not a usable number")
        return raw
    if isinstance(raw, list):
        raise src.error(loc, f"a list of values needs in: write {{in: {raw!r}}}")
    raise src.error(loc, f"a value is true, false, a number, a text or {{option: name}}, got {raw!r}")


def _path(raw: Any, loc: Loc, src: Source) -> str:
    if not isinstance(raw, str) or not _PATH.match(raw):
        raise src.error(loc, f"{raw!r} is not a fact path (lower-case names joined by dots, e.g. liver.inr)")
    return raw
