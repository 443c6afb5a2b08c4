"""Reading a patient record from a JSON or YAML file, and listing what it leaves unknown.

Why: both file formats must mean exactly the same thing, so YAML is turned
into JSON text and both go through pydantic's strict JSON validation (a date
is an ISO string, ``"70"`` is not a number, ``1`` is not ``true``). Duplicate
keys and NaN are rejected rather than silently resolved. Validation errors are
translated into :class:`FieldIssue` objects naming the field path, the value
received and the expected unit or range.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import sys
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from hccprotocol import limits
from hccprotocol.data_files import format_path, parse_text, read_data
from hccprotocol.errors import ABSENT, FieldIssue, PatientFileError, PatientValidationError
from hccprotocol.patient import UNKNOWN_IF_ABSENT, Patient

__all__ = ["STDIN", "load_patient", "missing_fields", "parse_patient", "patient_schema", "read_record"]


STDIN = "-"
"""The patient argument that means "read the record from standard input" (JSON or YAML)."""


def load_patient(path: Path) -> Patient:
    """Read and validate one patient file (``.json``, ``.yaml`` or ``.yml``), or standard input for ``-``."""
    source = "<stdin>" if str(path) == STDIN else str(path)
    return parse_patient(read_record(path), source=source)


def read_record(path: Path) -> Any:
    """Parse a file (or ``-``, standard input) into plain data, rejecting duplicate keys and non-finite numbers.

    Standard input has no file suffix: text whose first character is ``{`` is
    read as JSON (strictly), anything else as YAML, the same two readers a file uses.
    """
    if str(path) == STDIN:
        try:
            text = sys.stdin.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise PatientFileError(f"<stdin>: cannot be read ({exc})") from None
        if not text.strip():
            raise PatientFileError("<stdin>: no patient record was given on standard input")
        kind = "json" if text.lstrip().startswith("{") else "yaml"
        return parse_text(text, kind=kind, where="<stdin>", error=PatientFileError)
    return read_data(path, PatientFileError)


def parse_patient(data: Any, *, source: str = "patient") -> Patient:
    """Validate plain data (as read from JSON or YAML) into a :class:`Patient`."""
    if not isinstance(data, dict):
        raise PatientFileError(f"{source}: a patient record must be a mapping of fields, got {type(data).__name__}")
    try:
        text = json.dumps(data, default=_json_default, allow_nan=False)
    except ValueError:
        where = ", ".join(_non_finite_paths(data, ())) or "a value"
        raise PatientFileError(f"{source}: {where}: NaN or infinity is not a value") from None
    try:
        return Patient.model_validate_json(text)
    except ValidationError as exc:
        issues = tuple(_issue(err, data) for err in exc.errors(include_url=False))
        noun = "problem" if len(issues) == 1 else "problems"
        raise PatientValidationError(f"{source}: {len(issues)} {noun} in the patient record", issues=issues) from None


def patient_schema() -> dict[str, Any]:
    """The patient record's JSON Schema with every plausibility limit as ``minimum``/``maximum``.

    Why: a form or an integrator can then reject 700 kg before calling; the
    limits come from :data:`hccprotocol.limits.LIMITS`, the same table the
    validator uses, so the schema and the validation cannot disagree.
    """
    schema = Patient.model_json_schema()
    _add_limits(schema)
    return schema


def _add_limits(node: Any) -> None:
    if isinstance(node, dict):
        properties = node.get("properties")
        if isinstance(properties, dict):
            for name, prop in properties.items():
                limit = limits.LIMITS.get(name) or limits.LIMITS.get({"count": "tumour_count"}.get(name, ""))
                if limit is not None:
                    _bound(prop, limit)
        for value in node.values():
            _add_limits(value)
    elif isinstance(node, list):
        for value in node:
            _add_limits(value)


def _bound(prop: dict[str, Any], limit: limits.Limit) -> None:
    numeric = [b for b in prop.get("anyOf", [prop]) if b.get("type") in ("number", "integer")]
    for branch in numeric:
        branch["minimum"] = limit.low
        branch["maximum"] = limit.high


def missing_fields(patient: Patient) -> list[str]:
    """Field paths that are unknown (absent or null), e.g. ``liver.inr``, ``tace_history[1].imaging_date``."""
    return list(_missing(patient, type(patient), ""))


def _missing(value: BaseModel | None, model: type[BaseModel], prefix: str) -> Iterator[str]:
    for name, field in model.model_fields.items():
        extra = field.json_schema_extra
        if isinstance(extra, dict) and extra.get(UNKNOWN_IF_ABSENT) is False:
            continue
        path = f"{prefix}{name}"
        current = getattr(value, name) if value is not None else None
        nested = _nested_model(field.annotation)
        if nested is not None and not _is_sequence(field.annotation):
            yield from _missing(current, nested, f"{path}.")
        elif current is None:
            yield path
        elif nested is not None:
            for index, item in enumerate(current):
                yield from _missing(item, nested, f"{path}[{index}].")


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _nested_model(arg)
        if found is not None:
            return found
    return None


def _is_sequence(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin in (tuple, list):
        return True
    if origin in (typing.Union, types.UnionType):
        return any(_is_sequence(arg) for arg in typing.get_args(annotation))
    return False


def _issue(err: Any, data: Any) -> FieldIssue:
    loc = tuple(err["loc"])
    path = format_path(loc)
    kind = err["type"]
    received = _lookup(data, loc)
    if isinstance(received, dict):
        received = "(an object)"
    elif isinstance(received, list):
        received = f"(a list of {len(received)})"
    key = next((part for part in reversed(loc) if isinstance(part, str)), "")
    if kind == "missing":
        message = "required field is absent"
    elif kind == "extra_forbidden":
        message = "unknown field: not part of the patient record (see `hccprotocol schema patient`)"
    elif kind == "implausible_value":
        message = err["msg"]
    else:
        msg = err["msg"]
        message = msg[0].lower() + msg[1:] if msg[1:2].islower() else msg
        limit = limits.LIMITS.get(key) or limits.LIMITS.get({"count": "tumour_count"}.get(key, ""))
        if limit is not None:
            message += f"; expected {limit.describe()}"
        elif key in _EXPECTED:
            message += f"; expected {_EXPECTED[key]}"
    return FieldIssue(path=path, received=received, message=message, code=kind)


_EXPECTED = {
    "ecog": "ECOG performance status, a whole number 0-4",
    "grade": "CTCAE v5.0 grade, a whole number 1-5",
    "bclc_stage": "one of \"0\", \"A\", \"B\", \"C\", \"D\" (a string)",
}


def _non_finite_paths(data: Any, loc: tuple[Any, ...]) -> Iterator[str]:
    if isinstance(data, float) and not math.isfinite(data):
        yield format_path(loc)
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _non_finite_paths(value, (*loc, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _non_finite_paths(value, (*loc, index))


def _lookup(data: Any, loc: tuple[Any, ...]) -> Any:
    current = data
    for part in loc:
        try:
            current = current[part]
        except (KeyError, IndexError, TypeError):
            return ABSENT
    return current


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"unsupported value {value!r}")
