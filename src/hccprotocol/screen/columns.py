"""The flat column layout of a cohort registry, read off the patient model (never written by hand).

Why from the model: a registry export is the patient record laid flat. Each
scalar field path of ``Patient`` becomes one column, its dots joined with ``_``
(``liver.inr`` -> ``liver_inr``), with the model's type, unit, plausible range
and allowed values; TACE sessions are a second table (one row per session,
``patient_id`` first, then ``TaceSession``'s fields). A field added to the model
appears here, in ``schema cohort`` and in validation at once.

``tace_sessions`` (patients table) is the one column with no field of its own:
how many TACE sessions the sessions table lists for the patient, so that ``0``
(no TACE, the record's ``[]``) is told apart from an empty cell (history
unknown, the record's absent ``tace_history``). A patient with no such column
and no session rows has an unknown history, never "no TACE".
"""

from __future__ import annotations

import datetime as dt
import inspect
import types
import typing
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

import annotated_types
from pydantic import AfterValidator, BaseModel
from pydantic.fields import FieldInfo

from hccprotocol import limits
from hccprotocol.patient import UNKNOWN_IF_ABSENT, Patient, TaceSession

__all__ = ["SESSIONS_COUNT", "Column", "patient_columns", "session_columns"]

Kind = Literal["id", "bool", "int", "float", "text", "date"]

SESSIONS_COUNT = "tace_sessions"
"""Patients-table column: number of TACE sessions listed (0 = no TACE; empty = history unknown)."""

_SEQUENCES = {"tace_history", "adverse_events", "dose_changes", "labs"}


@dataclass(frozen=True)
class Column:
    """One flat column: its name, the record path it stands for, and how a cell is checked."""

    name: str
    path: str
    kind: Kind
    unit: str = ""
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    limit: str | None = None
    """Key in ``limits.LIMITS`` whose plausibility check applies (its message is the reason reported)."""
    description: str = ""
    annotation: bool = False
    """An annotation field (``x-unknown-if-absent: false``): its absence is not a gap, never listed as missing."""

    @property
    def type_name(self) -> str:
        if self.choices:
            return "one of " + "|".join(self.choices)
        return {"id": "text (required)", "bool": "true|false", "int": "integer", "float": "number",
                "text": "text", "date": "date YYYY-MM-DD"}[self.kind]


def _unwrap(annotation: Any) -> Any:
    """The annotation without ``| None``."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _limit_key(metadata: list[Any]) -> str | None:
    """The limits key bound in the field's plausibility validator (``patient._plausible``)."""
    for meta in metadata:
        if isinstance(meta, AfterValidator):
            key = inspect.getclosurevars(meta.func).nonlocals.get("key")
            if isinstance(key, str) and key in limits.LIMITS:
                return key
    return None


def _column(name: str, path: str, field: FieldInfo) -> Column:
    annotation = _unwrap(field.annotation)
    metadata = list(field.metadata)
    description = field.description or ""
    if typing.get_origin(annotation) is typing.Annotated:
        annotation, *extra = typing.get_args(annotation)
        for meta in extra:
            metadata.extend(meta.metadata if isinstance(meta, FieldInfo) else [meta])
            if isinstance(meta, FieldInfo) and meta.description and not description:
                description = meta.description
    low = high = None
    for meta in metadata:
        if isinstance(meta, annotated_types.Ge):
            low = float(meta.ge)  # type: ignore[arg-type]
        if isinstance(meta, annotated_types.Le):
            high = float(meta.le)  # type: ignore[arg-type]
    key = _limit_key(metadata)
    unit = ""
    if key is not None:
        lim = limits.LIMITS[key]
        low, high, unit = lim.low, lim.high, lim.unit
    kind: Kind
    choices: tuple[str, ...] = ()
    if typing.get_origin(annotation) is Literal:
        kind, choices = "text", tuple(str(a) for a in typing.get_args(annotation))
    elif annotation is bool:
        kind = "bool"
    elif annotation is int:
        kind = "int"
    elif annotation is float:
        kind = "float"
    elif annotation is dt.date:
        kind = "date"
    elif annotation is str:
        kind = "text"
    else:  # pragma: no cover - a new field type must be given a column kind here
        raise TypeError(f"field {path}: no column kind for {annotation!r}")
    schema_extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    return Column(name=name, path=path, kind=kind, unit=unit, low=low, high=high, choices=choices, limit=key,
                  description=description, annotation=schema_extra.get(UNKNOWN_IF_ABSENT) is False)


def _walk(model: type[BaseModel], prefix: str = "") -> list[Column]:
    out: list[Column] = []
    for name, field in model.model_fields.items():
        if name in _SEQUENCES:
            continue
        inner = _unwrap(field.annotation)
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            out.extend(_walk(inner, f"{prefix}{name}."))
            continue
        path = f"{prefix}{name}"
        out.append(_column(path.replace(".", "_"), path, field))
    return out


@cache
def patient_columns() -> tuple[Column, ...]:
    """Patients table: ``patient_id`` (the record's ``id``), every scalar field path, then ``tace_sessions``."""
    cols = _walk(Patient)
    out = [Column(name="patient_id", path="id", kind="id", description="Pseudonymous patient identifier")]
    out.extend(c for c in cols if c.path != "id")
    out.append(Column(name=SESSIONS_COUNT, path=SESSIONS_COUNT, kind="int", low=0, high=None, unit="sessions",
                      description="TACE sessions listed in the sessions table (0 = no TACE; empty = unknown)"))
    return tuple(out)


@cache
def session_columns() -> tuple[Column, ...]:
    """Sessions table: ``patient_id`` then ``TaceSession``'s fields, rows in date order within a patient."""
    return (Column(name="patient_id", path="patient_id", kind="id", description="Patient the session belongs to"),
            *_walk(TaceSession))
