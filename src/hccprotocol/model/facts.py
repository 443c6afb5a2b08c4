"""The declared facts: every path a rule may read, with its type and unit.

Why declared: a misspelt path (``grde``) or a text compared with a number would
otherwise load silently and leave a rule that never fires. Every condition is
checked against a :class:`FactCatalogue` at load. Patient fields are generated
from the pydantic ``Patient`` model (so a new record field is a new fact without
a second list to keep in step); derived measures, TACE session findings, adverse
event / course state and options are declared here with their sources.

Kinds:

* ``boolean``, ``integer``, ``number`` (units in ``unit``), ``enum`` (closed list of
  ``values``), ``text`` (open, e.g. a CTCAE term);
* ``date``: declared so a rule naming it gets a clear error (compare a derived day
  count instead: dates are not ordered the same way in every engine);
* ``count_range``: a count known only within bounds ``(lo, hi)``, e.g. the longest run
  of consecutive TACE sessions showing a finding when some sessions are unrecorded.
  A comparison is true when it holds for every count in the range, false when for
  none, else unknown (so ``run >= 2`` with a run of 1..3 is unknown).

``always_known`` facts are supplied by the engine for every fact of their scope
(e.g. an adverse event's category memberships, the protocol's options); the others
may be missing, and a comparison with a missing value is unknown.
"""

from __future__ import annotations

import datetime as dt
import re
import types
import typing
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hccprotocol.model.frozen import FrozenMap

__all__ = [
    "Fact",
    "FactCatalogue",
    "FactKind",
    "Scope",
    "patient_facts",
    "session_facts",
    "standard_catalogue",
]

FactKind = Literal["boolean", "integer", "number", "enum", "text", "date", "count_range"]
Scope = Literal["patient", "tace_session", "dose_event", "calendar", "lab_limit"]
_PATH = r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$"


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Fact(_Frozen):
    """One readable path: what it holds, in which unit, and where the value comes from."""

    path: str = Field(pattern=_PATH)
    kind: FactKind
    unit: str | None = Field(None, description="Unit of a number/integer, e.g. 'umol/L', 'days'")
    values: tuple[str, ...] = Field((), description="Allowed values of an enum")
    always_known: bool = Field(False, description="The engine always supplies it (never unknown)")
    description: str = ""
    origin: str = Field(description="Where the value comes from: record field, derived measure, engine state")

    @model_validator(mode="after")
    def _enum_has_values(self) -> Fact:
        if (self.kind == "enum") != bool(self.values):
            raise ValueError(f"fact {self.path}: an enum lists its values, and only an enum does")
        return self


class FactCatalogue(_Frozen):
    """The facts of one scope (what one asserted fact holds), keyed by path."""

    scope: Scope
    facts: FrozenMap[str, Fact]

    def get(self, path: str) -> Fact | None:
        return self.facts.get(path)

    def __iter__(self) -> Iterator[Fact]:  # type: ignore[override]
        return iter(self.facts.values())

    def extend(self, extra: Iterable[Fact]) -> FactCatalogue:
        merged = dict(self.facts.items())
        for fact in extra:
            if fact.path in merged:
                raise ValueError(f"fact {fact.path} is declared twice")
            merged[fact.path] = fact
        return FactCatalogue(scope=self.scope, facts=FrozenMap(merged))

    @classmethod
    def of(cls, scope: Scope, facts: Iterable[Fact]) -> FactCatalogue:
        return cls(scope=scope, facts=FrozenMap({})).extend(facts)


# -- facts generated from pydantic models --------------------------------------

_UNIT = re.compile(r"\[([^;\]]+);")
# sequences are read through derived facts (runs, course state); the pseudonymous id is never a rule input
_SEQUENCE_FIELDS = frozenset({"id", "tace_history", "adverse_events", "dose_changes", "labs"})


def model_facts(model: type[BaseModel], prefix: str, origin: str, skip: frozenset[str] = frozenset()) -> list[Fact]:
    """One fact per scalar field of ``model`` (nested models flattened to dotted paths)."""
    out: list[Fact] = []
    for name, field in model.model_fields.items():
        if name in skip:
            continue
        path = f"{prefix}{name}"
        annotation = _strip_optional(field.annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            out.extend(model_facts(annotation, f"{path}.", origin))
            continue
        description = field.description or _annotated_description(field.annotation) or ""
        unit_match = _UNIT.search(description)
        kind, values = _kind_of(annotation, path)
        out.append(
            Fact(
                path=path,
                kind=kind,
                values=values,
                unit=unit_match.group(1).strip() if unit_match and kind in ("integer", "number") else None,
                description=description,
                origin=f"{origin} field {path}",
            )
        )
    return out


def _annotated_description(annotation: Any) -> str | None:
    """The description of an ``Annotated[..., Field(description=...)]`` inside an optional annotation."""
    for arg in (annotation, *typing.get_args(annotation)):
        if typing.get_origin(arg) is typing.Annotated:
            for meta in typing.get_args(arg)[1:]:
                description = getattr(meta, "description", None)
                if isinstance(description, str):
                    return description
    return None


def _strip_optional(annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return _strip_optional(args[0])
    if origin is typing.Annotated:
        return _strip_optional(typing.get_args(annotation)[0])
    return annotation


def _kind_of(annotation: Any, path: str) -> tuple[FactKind, tuple[str, ...]]:
    if typing.get_origin(annotation) is Literal:
        values = typing.get_args(annotation)
        if all(isinstance(v, str) for v in values):
            return "enum", tuple(values)
    if annotation is bool:
        return "boolean", ()
    if annotation is int:
        return "integer", ()
    if annotation is float:
        return "number", ()
    if annotation is str:
        return "text", ()
    if annotation is dt.date:
        return "date", ()
    raise TypeError(f"field {path}: no fact kind for annotation {annotation!r}")


# -- the standard catalogues -----------------------------------------------------


def _fact(path: str, kind: FactKind, origin: str, **kw: Any) -> Fact:
    return Fact(path=path, kind=kind, origin=origin, **kw)


_DERIVED = (
    _fact("derived.bsa_m2", "number", "derived measure (BSA, protocol formula)", unit="m2"),
    _fact("derived.child_pugh.score", "integer", "derived measure (Child-Pugh, Pugh 1973)", unit="points"),
    _fact("derived.child_pugh.class", "enum", "derived measure (Child-Pugh, Pugh 1973)", values=("A", "B", "C")),
    # a missing component adds 1 to 3 points: the scores the record allows, as bounds and as one range
    _fact(
        "derived.child_pugh.score_min",
        "integer",
        "derived measure (Child-Pugh): lowest score the record allows (missing components at 1 point)",
        unit="points",
    ),
    _fact(
        "derived.child_pugh.score_max",
        "integer",
        "derived measure (Child-Pugh): highest score the record allows (missing components at 3 points)",
        unit="points",
    ),
    _fact(
        "derived.child_pugh.score_range",
        "count_range",
        "derived measure (Child-Pugh): the score known within bounds (score_min .. score_max)",
        unit="points",
    ),
    _fact("derived.albi.score", "number", "derived measure (ALBI, Johnson 2015)", unit="score"),
    _fact("derived.albi.grade", "integer", "derived measure (ALBI, Johnson 2015)", unit="grade 1-3"),
    _fact("derived.bclc_stage", "enum", "derived measure (BCLC 2022)", values=("0", "A", "B", "C", "D")),
    _fact(
        "derived.bclc_stage_conflict",
        "boolean",
        "derived measure: the recorded BCLC stage differs from the derived one",
    ),
    _fact(
        "derived.bclc_stage_contradicted",
        "boolean",
        "derived measure: the record contradicts itself, so the BCLC stage is not derived",
    ),
    _fact("arm.id", "text", "the protocol (arm) being assessed", always_known=True),
    _fact("arm.includes_pd1", "boolean", "the protocol (arm) being assessed", always_known=True),
    _fact(
        "tace_refractory.status",
        "enum",
        "result of the TACE refractoriness rule file (missing = unknown)",
        values=("met", "not_met"),
    ),
)


def patient_facts(finding_ids: Iterable[str] = ()) -> FactCatalogue:
    """Patient record fields, derived measures, arm, and one run fact per TACE session finding."""
    from hccprotocol.patient import Patient  # pydantic only; no engine import

    runs: list[Fact] = []
    for finding in finding_ids:
        what = f"longest run of consecutive counted TACE sessions showing {finding}"
        runs += [
            _fact(
                f"tace.{finding}.consecutive_sessions",
                "count_range",
                f"engine: {what}, known within bounds (certain_run .. possible_run)",
                unit="sessions",
            ),
            # the bounds on their own, for the rare asymmetric criterion that needs "not certain"
            _fact(
                f"tace.{finding}.certain_run",
                "integer",
                f"engine: {what}, unrecorded sessions counted against it",
                unit="sessions",
            ),
            _fact(
                f"tace.{finding}.possible_run",
                "integer",
                f"engine: {what}, unrecorded sessions counted for it",
                unit="sessions",
            ),
        ]
    return FactCatalogue.of(
        "patient", [*model_facts(Patient, "", "patient record", _SEQUENCE_FIELDS), *_DERIVED, *runs]
    )


def session_facts() -> FactCatalogue:
    """One TACE session of ``tace_history`` plus the values computed from it."""
    from hccprotocol.patient import TaceSession

    computed = (
        _fact("session", "integer", "engine: index of the session in tace_history", always_known=True),
        _fact("days_to_imaging", "integer", "computed: imaging_date - date", unit="days"),
        _fact(
            "months_to_imaging",
            "integer",
            "computed: whole calendar months from date to imaging_date (month ends clamp)",
            unit="months",
        ),
        _fact(
            "days_beyond_months",
            "integer",
            "computed: days from date + months_to_imaging calendar months to imaging_date",
            unit="days",
        ),
        _fact(
            "intrahepatic_tumour_count_increase",
            "integer",
            "computed: intrahepatic_tumour_count - intrahepatic_tumour_count_before",
            unit="tumours",
        ),
    )
    return FactCatalogue.of("tace_session", [*model_facts(TaceSession, "", "tace_history[]"), *computed])


_EVENT_KINDS = ("ae_onset", "ae_persisting", "ae_resolved", "lab_protein", "clinician", "companion_discontinued")
_TRACK_STATUS = ("active", "delayed", "interrupted", "held", "discontinued")


def dose_event_facts(categories: Iterable[str] = ()) -> FactCatalogue:
    """One course event judged for one agent: the event, the adverse event it concerns, the agent's state."""
    course = "course state"
    ae = "adverse event (CTCAE v5.0)"
    facts = [
        _fact("kind", "enum", "course event", values=_EVENT_KINDS, always_known=True),
        _fact("agent", "text", course, always_known=True),
        _fact("status", "enum", course, values=_TRACK_STATUS, always_known=True),
        _fact("can_reduce", "boolean", course + ": a lower dose level exists", always_known=True),
        _fact("below_start", "boolean", course + ": the level in force is below the start level", always_known=True),
        _fact(
            "blockers_remaining",
            "integer",
            course + ": events still holding the agent",
            always_known=True,
            unit="events",
        ),
        _fact("clinician_hold", "boolean", course + ": held by the clinician", always_known=True),
        _fact("previous_holds", "integer", course, always_known=True, unit="holds"),
        _fact(
            "ongoing_max_grade",
            "integer",
            course + ": highest grade of ongoing events",
            always_known=True,
            unit="CTCAE grade",
        ),
        _fact("grade", "integer", ae, unit="CTCAE grade"),
        _fact("term", "text", ae),
        _fact("immune_related", "boolean", ae),
        # attribution and holds are the course engine's own state: always known (false, not absent)
        _fact("attributed", "boolean", ae + ": attributed to this agent", always_known=True),
        _fact(
            "regimen_attributed", "boolean", ae + ": attributed to a drug of this agent's regimen", always_known=True
        ),
        _fact("procedure_attributed", "boolean", ae + ": attributed to the HAIC procedure", always_known=True),
        _fact("blocking", "boolean", course + ": this event holds the agent", always_known=True),
        _fact("persist", "enum", "course event: which persistence clock ran out", values=("neuropathy", "toxicity")),
        _fact("companion", "text", "course event: the agent just discontinued"),
        _fact("action", "enum", "clinician decision", values=("restore", "hold", "resume", "discontinue")),
        _fact("urine_protein_g_24h", "number", "laboratory result", unit="g/24 h"),
        _fact("proteinuria_blocking", "boolean", course + ": proteinuria holds the agent", always_known=True),
        _fact(
            "before_first_dose",
            "boolean",
            "laboratory result: dated up to the agent's first dosing day (taken before its first dose)",
            always_known=True,
        ),
        _fact(
            "reduced_today",
            "boolean",
            course + ": the agent's last reduction took effect on this event's date",
            always_known=True,
        ),
        _fact(
            "stated_not_life_threatening",
            "boolean",
            ae + ": the record states life_threatening: false (never assumed)",
            always_known=True,
        ),
        _fact(
            "lab_derived",
            "boolean",
            ae + ": derived from dated laboratory values (rules/ctcae-lab-grading.yaml), not recorded",
            always_known=True,
        ),
    ]
    for cat in categories:
        facts.append(_fact(f"in_{cat}", "boolean", f"{ae}: in category {cat}", always_known=True))
        facts.append(
            _fact(f"first_{cat}", "boolean", f"{ae}: first event of category {cat} for this agent", always_known=True)
        )
    return FactCatalogue.of("dose_event", facts)


def standard_catalogue(
    scope: Scope, *, finding_ids: Iterable[str] = (), categories: Iterable[str] = ()
) -> FactCatalogue:
    """The catalogue of ``scope``."""
    if scope == "patient":
        return patient_facts(finding_ids)
    if scope == "tace_session":
        return session_facts()
    if scope == "dose_event":
        return dose_event_facts(categories)
    if scope == "lab_limit":
        from hccprotocol.model.course_facts import lab_limit_facts  # the course's own facts (own module)

        return lab_limit_facts()
    return FactCatalogue.of("calendar", ())


def option_facts(options: Mapping[str, OptionLike]) -> list[Fact]:
    """Options readable as facts ``option.<name>`` (always known)."""
    return [
        _fact(
            f"option.{name}", opt.kind, f"protocol option {name}", values=opt.values, unit=opt.unit, always_known=True
        )
        for name, opt in options.items()
    ]


class OptionLike(typing.Protocol):
    """What :func:`option_facts` reads of an option (``OptionSpec`` has it)."""

    @property
    def kind(self) -> FactKind: ...

    @property
    def values(self) -> tuple[str, ...]: ...

    @property
    def unit(self) -> str | None: ...


class CountRange(typing.NamedTuple):
    """A count known only within bounds: the true count is one of ``lo..hi``."""

    lo: int
    hi: int


def check_fact_values(values: Mapping[str, Any], catalogue: FactCatalogue) -> dict[str, Any]:
    """A flat copy of ``values`` (path -> value) checked against the catalogue; NaN and None become missing.

    Why: the engines compare values of the declared kind only (durable_rules would
    silently coerce ``'150'`` to a number); a wrong kind is a defect of the code that
    builds the facts, raised here with the path, never compared.
    """
    out: dict[str, Any] = {}
    for path, value in values.items():
        fact = catalogue.get(path)
        if fact is None:
            raise FactValueError(f"fact {path!r} is not declared in the {catalogue.scope} catalogue")
        if value is None or (isinstance(value, float) and value != value):
            continue
        if not _fits(fact, value):
            raise FactValueError(f"fact {path!r} ({fact.kind}) cannot hold {value!r}")
        out[path] = CountRange(*value) if fact.kind == "count_range" else value
    lacking = [f.path for f in catalogue if f.always_known and f.path not in out]
    if lacking:
        # the rules were checked on the promise that these are supplied (e.g. `known` is refused on them)
        raise FactValueError(f"facts {lacking} are always known but have no value")
    return out


def _fits(fact: Fact, value: Any) -> bool:
    kind = fact.kind
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool) and abs(value) != float("inf")
    if kind == "enum":
        return isinstance(value, str) and value in fact.values
    if kind == "text":
        return isinstance(value, str)
    if kind == "date":
        return isinstance(value, dt.date)
    return (
        isinstance(value, tuple)
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        and value[0] <= value[1]
    )


class FactValueError(ValueError):
    """A fact value of the wrong kind (a defect in the code that built the fact)."""
