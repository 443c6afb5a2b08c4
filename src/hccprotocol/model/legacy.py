"""Translate a condition of the old rule syntax (``$and``/``$lte``/``$nex``...) into the model's language.

Why in the package: the migration of ``rules/*.yaml`` onto the model rewrites every
condition; doing it by a tested function (and checking the result's behaviour against
the old engine, ``tests/generative/test_model_dose_translation.py``) is safer than by
hand. Old two-valued idioms become explicit:

* ``{$nex: {path: 1}}`` on a flag the old engine asserted only when true (``attributed``,
  ``in_<category>``, ``first_<category>``, ...) becomes ``{path: false}``: in the model
  those flags are always known (false, not absent);
* on any other path it becomes ``{not: {known: path}}``, and ``$ex`` becomes ``{known: path}``;
* ``{$option: name}`` becomes ``{option: name}``; ``{$case: {option, cases}}`` becomes an ``any``
  of ``all: [{option.<name>: <case>}, <condition>]``;
* ``renames`` maps old fact paths to new ones (e.g. ``hypersensitivity`` ->
  ``option.folfox_hypersensitivity``: the old engine copied options into the facts).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["translate_condition"]

_ORDERED = {"$lt": "lt", "$lte": "lte", "$gt": "gt", "$gte": "gte", "$neq": "ne"}


def translate_condition(
    old: Any,
    *,
    renames: Mapping[str, str] | None = None,
    flag: Callable[[str], bool] = lambda path: False,
) -> Any:
    """The surface form (plain YAML data) of ``old``; ``flag(path)``: asserted only when true in the old engine."""
    names = dict(renames or {})

    def path(p: str) -> str:
        return names.get(p, p)

    def value(v: Any) -> Any:
        if isinstance(v, dict) and set(v) == {"$option"}:
            return {"option": v["$option"]}
        return v

    def tr(cond: Any) -> Any:
        if not isinstance(cond, dict) or len(cond) != 1:
            raise ValueError(f"not an old-syntax condition: {cond!r}")
        ((key, arg),) = cond.items()
        if key in ("$and", "$or"):
            items = [tr(c) for c in arg]
            return items[0] if len(items) == 1 else {"all" if key == "$and" else "any": items}
        if key in _ORDERED:
            ((p, v),) = arg.items()
            return {path(p): {_ORDERED[key]: value(v)}}
        if key == "$ex":
            ((p, _),) = arg.items()
            return {path(p): True} if flag(p) else {"known": path(p)}
        if key == "$nex":
            ((p, _),) = arg.items()
            return {path(p): False} if flag(p) else {"not": {"known": path(p)}}
        if key == "$case":
            option, cases = arg["option"], arg["cases"]
            branches = [{"all": [{f"option.{option}": case}, tr(sub)]} for case, sub in cases.items()]
            return branches[0] if len(branches) == 1 else {"any": branches}
        if key.startswith("$"):
            raise ValueError(f"old operator {key} has no translation")
        return {path(key): value(arg)}

    return tr(old)
