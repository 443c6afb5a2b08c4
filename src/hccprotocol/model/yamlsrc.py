"""YAML read with the line of every key and item, so a load error can name the line.

Why not ``yaml.safe_load``: it forgets positions and silently keeps the last of two
duplicate keys (a criterion written twice would lose its first version without a
word). This reader composes the node tree, refuses duplicate keys, and returns
plain values plus a table ``location -> line``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from hccprotocol.model.errors import RuleFileError

__all__ = ["Loc", "Source", "read_yaml"]

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Source:
    """A parsed YAML document: its name (shown in errors), its data and the line of each location."""

    file: str
    data: Any
    lines: Mapping[Loc, int] = field(default_factory=dict)

    def line(self, loc: Loc) -> int:
        """Line of ``loc``, or of its nearest enclosing entry."""
        for end in range(len(loc), -1, -1):
            line = self.lines.get(tuple(loc[:end]))
            if line is not None:
                return line
        return 1

    def error(self, loc: Loc, message: str) -> RuleFileError:
        return RuleFileError(self.file, [(self.line(loc), render_loc(loc), message)])


def render_loc(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def read_yaml(text: str, file: str) -> Source:
    """Parse ``text``; a syntax error or a duplicate key is a :class:`RuleFileError` with its line."""
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else 1
        raise RuleFileError(file, [(line, "", f"not valid YAML: {exc.problem}")]) from None
    lines: dict[Loc, int] = {}
    problems: list[tuple[int, str, str]] = []
    data = None if root is None else _convert(root, (), lines, problems)
    if problems:
        raise RuleFileError(file, problems)
    return Source(file=file, data=data, lines=lines)


# libyaml's composer when PyYAML has it (about 10x faster; the same nodes and marks)
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_CONSTRUCTOR = yaml.SafeLoader("")


def _convert(node: yaml.Node, loc: Loc, lines: dict[Loc, int], problems: list[tuple[int, str, str]]) -> Any:
    lines.setdefault(loc, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _CONSTRUCTOR.construct_object(key_node, deep=True)
            if isinstance(key, list | dict):
                problems.append((key_node.start_mark.line + 1, render_loc(loc), "a key must be a plain name"))
                continue
            if key in out:
                problems.append(
                    (
                        key_node.start_mark.line + 1,
                        render_loc((*loc, key)),
                        f"duplicate key {key!r} (first given on line {lines[(*loc, key)]})",
                    )
                )
                continue
            lines[(*loc, key)] = key_node.start_mark.line + 1
            out[key] = _convert(value_node, (*loc, key), lines, problems)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, (*loc, i), lines, problems) for i, item in enumerate(node.value)]
    return _CONSTRUCTOR.construct_object(node, deep=True)
