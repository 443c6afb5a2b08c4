"""Named protocol options: where the paper is ambiguous or silent, the choice is an option with a why.

Why declared with a kind: a condition may compare a fact with an option
(``{days_to_imaging: {gte: {option: response_window_min_days}}}``) or read one
(``{option.invasion_spread_reading: presence}``); the checker needs the option's
kind and allowed values to refuse a comparison of a number with a text.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr, model_validator

from hccprotocol.model.facts import FactKind

__all__ = ["OptionSpec", "fits", "options_from_model"]


class OptionSpec(BaseModel):
    """One option: kind, allowed values (enum), default, unit, and why that default."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kind: FactKind
    values: tuple[str, ...] = ()
    unit: str | None = None
    default: StrictBool | StrictInt | StrictFloat | StrictStr
    why: str = Field(min_length=1, description="Why this default (the safest reading, or the label over the paper)")
    source: str = Field(min_length=1)
    line: int = Field(0, exclude=True)

    @model_validator(mode="after")
    def _default_fits(self) -> OptionSpec:
        if self.kind in ("date", "count_range", "text"):
            raise ValueError(
                f"option {self.name}: kind {self.kind} is not an option kind (boolean, integer, number, enum)"
            )
        if (self.kind == "enum") != bool(self.values):
            raise ValueError(f"option {self.name}: an enum option lists its values, and only an enum does")
        if not fits(self, self.default):
            raise ValueError(
                f"option {self.name}: default {self.default!r} is not a {self.kind}"
                + (f" of {list(self.values)}" if self.values else "")
            )
        return self


def fits(spec: OptionSpec, value: Any) -> bool:
    """Whether ``value`` is a valid value of the option."""
    if spec.kind == "boolean":
        return isinstance(value, bool)
    if spec.kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if spec.kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, str) and value in spec.values


def options_from_model(model: type[BaseModel], source: str) -> dict[str, OptionSpec]:
    """Option specs from a pydantic options section (e.g. the protocol's ``eligibility`` options).

    Why: the protocol's option sections already say each option's type, default and why
    (in its description); the model reads them from there instead of a second list. Fields
    of no option kind (e.g. a rule-file name) are left out.
    """
    import typing

    out: dict[str, OptionSpec] = {}
    for name, field in model.model_fields.items():
        annotation = field.annotation
        values: tuple[str, ...] = ()
        kind: FactKind
        if typing.get_origin(annotation) is typing.Literal and all(
            isinstance(v, str) for v in typing.get_args(annotation)
        ):
            kind, values = "enum", typing.get_args(annotation)
        elif annotation is bool:
            kind = "boolean"
        elif annotation is int:
            kind = "integer"
        elif annotation is float:
            kind = "number"
        else:
            continue
        out[name] = OptionSpec(
            name=name, kind=kind, values=values, default=field.default, why=field.description or name, source=source
        )
    return out
