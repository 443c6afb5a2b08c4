"""Load a rule-data file (CTCAE classes, categories, lab grading) into its pydantic model, naming file and line.

Why beside the rule loader: ``rules/ctcae-term-classes.yaml``, ``dose-modification-categories.yaml``
and ``ctcae-lab-grading.yaml`` hold no conditions (membership rules, category lists, CTCAE
thresholds), so they are not :class:`~hccprotocol.model.rules.RuleFile` kinds; but a reviewer editing
them needs the same guarantees: a duplicate or misspelt key, a value of the wrong type or an unknown
CTCAE term is refused with the file and the line to fix. The same YAML reader as the rule loader
(:mod:`hccprotocol.model.yamlsrc`) gives the lines; a model validator that finds a problem at a known
place raises :class:`Located` so the error points there rather than at the top of the file.
"""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ValidationError

from hccprotocol.model.errors import RuleFileError
from hccprotocol.model.yamlsrc import Loc, Source, read_yaml, render_loc

__all__ = ["Located", "load_data_text", "pydantic_problems", "validate_located"]

M = TypeVar("M", bound=BaseModel)


class Located(ValueError):
    """A validation problem at ``loc`` (a path in the file: ``("classes", "fistula", "patterns")``)."""

    def __init__(self, loc: Loc, message: str) -> None:
        super().__init__(f"{render_loc(loc)}: {message}" if loc else message)
        self.loc = loc


def load_data_text(text: str, file: str, model: type[M]) -> tuple[M, Source]:
    """Validate the YAML ``text`` as ``model``; every problem is a :class:`RuleFileError` with ``file:line``."""
    src = read_yaml(text, file)
    return validate_located(src.data, src, model), src


def validate_located(data: object, src: Source, model: type[M]) -> M:
    """``model.model_validate(data)``, its errors located in ``src`` (a :class:`RuleFileError`)."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise RuleFileError(src.file, pydantic_problems(exc, src)) from None


def pydantic_problems(exc: ValidationError, src: Source) -> list[tuple[int, str, str]]:
    """``(line, where, message)`` of each pydantic error (a :class:`Located` cause gives the exact place)."""
    problems: list[tuple[int, str, str]] = []
    for err in exc.errors(include_url=False):
        loc: Loc = tuple(err["loc"])
        cause = (err.get("ctx") or {}).get("error")
        message = err["msg"]
        if isinstance(cause, Located):
            loc = (*loc, *cause.loc)
            message = str(cause).removeprefix(f"{render_loc(cause.loc)}: ") if cause.loc else str(cause)
        elif err["type"] == "extra_forbidden":
            message = f"unknown key {loc[-1]!r} (misspelt?)"
        problems.append((_line(src, loc), render_loc(loc), message))
    return problems


def _line(src: Source, loc: Loc) -> int:
    # YAML keeps integer keys (``below: {2: 1.5}``) as ints; pydantic reports them as text
    fixed = tuple(int(p) if isinstance(p, str) and p.isdigit() else p for p in loc)
    return max(src.line(loc), src.line(fixed))
