"""Catalogue of the calendar's rule ids, read from ``rules/calendar-lin-2023.yaml`` through the model.

Why data: every row of a calendar and every entry of its decision trail names the
rule that placed it; the rule file is where a reviewer reads the statement and the
source of that rule, and the rule registry lists it with the other rule files. The
numbers live in the protocol's ``schedule:`` section (see ``options.py``), never in
the rule file: each rule names the options it applies, and the loader refuses an
option the protocol does not declare (:func:`calendar_options`). The day arithmetic
that applies the rules stays in :mod:`hccprotocol.schedule.engine` (rules/README.md).

``RULES`` / ``ScheduleRule`` / ``source_of`` keep the API the engine and its callers use.
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources

from pydantic import BaseModel

from hccprotocol.model.facts import FactKind
from hccprotocol.model.loader import load_rule_text
from hccprotocol.model.options import OptionSpec
from hccprotocol.model.rules import RuleFile

__all__ = ["FILE", "RULES", "SHIPPED_VALUES", "ScheduleRule", "calendar_file", "calendar_options", "source_of"]

FILE = "calendar-lin-2023.yaml"
# Options the protocol model requires without a default: the shipped protocol files' values (a test checks them)
SHIPPED_VALUES: dict[str, int | str] = {"pd1_schedule": "q3w_with_haic", "fluorouracil_infusion_hours": 46}


@dataclass(frozen=True)
class ScheduleRule:
    id: str
    statement: str
    source: str
    title: str = ""
    options: tuple[str, ...] = ()


def _kind(annotation: object) -> tuple[FactKind, tuple[str, ...]] | None:
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        return _kind(inner[0]) if len(inner) == 1 else None
    if typing.get_origin(annotation) is typing.Literal:
        if all(isinstance(v, str) for v in args):
            return "enum", tuple(str(v) for v in args)
        if all(isinstance(v, int) and not isinstance(v, bool) for v in args):
            return "integer", ()
        return None
    kinds: dict[object, FactKind] = {bool: "boolean", int: "integer", float: "number"}
    kind = kinds.get(annotation)
    return (kind, ()) if kind is not None else None


def _walk(model: type[BaseModel], prefix: str, path: str) -> Iterator[OptionSpec]:
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            yield from _walk(annotation, f"{prefix}{name}_", f"{path}.{name}")
            continue
        found = _kind(annotation)
        if found is None:
            continue  # times, zones, limit lists: not compared by a rule
        kind, values = found
        default = SHIPPED_VALUES.get(name, field.default)
        if not isinstance(default, bool | int | float | str):
            continue
        yield OptionSpec(
            name=f"{prefix}{name}",
            kind=kind,
            values=values,
            default=default,
            why=field.description or name,
            source=f"protocol/*.yaml {path}.{name}",
        )


@functools.cache
def calendar_options() -> Mapping[str, OptionSpec]:
    """The options a calendar rule may name: the protocol's ``schedule:`` section (nested sections joined by
    ``_``) and ``dosing.pd1_schedule`` / ``dosing.fluorouracil_infusion_hours``."""
    from hccprotocol.regimen import DosingOptions
    from hccprotocol.schedule.options import ScheduleOptions

    specs = list(_walk(ScheduleOptions, "", "schedule"))
    specs += [
        s for s in _walk(DosingOptions, "", "dosing") if s.name in ("pd1_schedule", "fluorouracil_infusion_hours")
    ]
    return {s.name: s for s in specs}


def load_calendar_text(text: str, file: str = f"rules/{FILE}") -> RuleFile:
    """Load a calendar rule file's text (errors name ``file`` and the line)."""
    return load_rule_text(text, file, options=calendar_options())


@functools.cache
def calendar_file() -> RuleFile:
    """The shipped calendar rule file, loaded and validated through the model."""
    text = resources.files("hccprotocol.data.rules").joinpath(FILE).read_text(encoding="utf-8")
    model = load_calendar_text(text)
    if model.kind != "calendar":
        raise ValueError(f"rules/{FILE} is of kind {model.kind}, not calendar")
    return model


def _rules() -> dict[str, ScheduleRule]:
    return {r.id: ScheduleRule(r.id, r.statement, r.source, r.title, r.options) for r in calendar_file().calendar}


RULES: dict[str, ScheduleRule] = _rules()


def source_of(rule_id: str) -> str:
    rule = RULES.get(rule_id)
    return rule.source if rule else ""
