"""The rules of the protocol model: criteria, session findings, dose levels, dose-modification
transitions and calendar rules, each with a stable id, title, statement, source and version.

Why one set of models: the eligibility engine, the course engine, the calendar, the
clinician review report and the rule registry must read the same definition. Every
model is frozen with ``extra="forbid"`` (a misspelt key is refused at load) and holds
only tuples and :class:`~hccprotocol.model.frozen.FrozenMap` (nothing reachable can
be changed in place).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from hccprotocol.model.conditions import Condition
from hccprotocol.model.frozen import FrozenMap
from hccprotocol.model.options import OptionSpec

__all__ = [
    "Agent",
    "CalendarRule",
    "Contradiction",
    "Criterion",
    "DoseLevel",
    "Explain",
    "NotEvaluated",
    "OptionText",
    "Rule",
    "RuleFile",
    "SessionFinding",
    "Text",
    "Transition",
    "resolve_text",
    "text_options",
]

_ID = r"^[a-z0-9_]+([.-][a-z0-9_]+)*$"
_VERSION = r"^\d+\.\d+\.\d+$"


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Rule(_Frozen):
    """What every rule carries: the registry lists these fields, every trail names the id."""

    id: str = Field(pattern=_ID)
    title: str = Field(min_length=1)
    statement: str = Field(min_length=1, description="The rule in plain clinical language")
    source: str = Field(min_length=1, description="Paper section, label, guideline or site decision")
    version: str = Field(pattern=_VERSION, description="Version of the rule (defaults to its file's version)")
    line: int = Field(0, exclude=True, description="Line of the rule in its file")


class OptionText(_Frozen):
    """A text that follows an option: one text per value of ``option`` (an enum option).

    Why: a why must say what the reading the protocol chose actually tested (issue 8:
    "appearance" vs "presence"); the loader checks that ``cases`` are exactly the option's
    values, so no reading is left without its text. Written ``{option: name, cases: {value: text}}``.
    """

    option: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    cases: FrozenMap[str, str]

    @model_validator(mode="after")
    def _texts(self) -> OptionText:
        if not self.cases or any(not t.strip() for t in self.cases.values()):
            raise ValueError("an option text gives a non-empty text for every value of its option")
        return self


Text = str | OptionText
"""A plain-language text, or one text per value of an option (:class:`OptionText`)."""


def resolve_text(text: Text, options: Mapping[str, Any]) -> str:
    """The text for the protocol's option values (a value without a case is a defect the loader refuses)."""
    if isinstance(text, str):
        return text
    value = options[text.option]
    chosen = value if isinstance(value, str) else str(value).lower()
    return text.cases[chosen]


def text_options(text: Text) -> tuple[str, ...]:
    """The options a text reads (empty for a plain text)."""
    return () if isinstance(text, str) else (text.option,)


def _nonempty(value: Text) -> Text:
    if isinstance(value, str) and not value.strip():
        raise ValueError("the text is empty")
    return value


class Explain(_Frozen):
    met: Text
    not_met: Text
    unknown: Text

    @field_validator("met", "not_met", "unknown")
    @classmethod
    def _valid(cls, value: Text) -> Text:
        return _nonempty(value)

    def texts(self) -> tuple[tuple[str, Text], ...]:
        return (("met", self.met), ("not_met", self.not_met), ("unknown", self.unknown))


class Contradiction(_Frozen):
    """Inputs that cannot all be true; it explains a status and never changes one.

    Why declared: a record that contradicts itself (a session records new vascular
    invasion while the tumour record says there is none) must never make a criterion
    met; the criterion's own conditions must exclude it (the loader checks that
    ``when`` cannot hold together with the contradiction), and the why and a warning
    tell the team to correct the record. ``sessions`` names the session finding whose
    sessions are the other side, for the why.
    """

    when: Condition
    why: str = Field(min_length=1)
    sessions: str | None = None


class Criterion(Rule):
    """A criterion stated once: met when ``when`` is true, not met when false, unknown otherwise.

    ``not_met_when`` is only for a criterion whose not-met definition is genuinely not
    the negation of ``when``; it must then say why (``asymmetric_why``).
    """

    kind: Literal["inclusion", "exclusion", "refractoriness"]
    numbering: FrozenMap[str, str] = Field(default_factory=lambda: FrozenMap({}))
    note: str | None = None
    when: Condition
    not_met_when: Condition | None = None
    asymmetric_why: str | None = None
    reads: tuple[str, ...] = Field((), description="Context fields shown with the inputs, beyond those tested")
    evidence: tuple[str, ...] = Field((), description="Session findings whose per-session evidence is shown")
    contradiction: Contradiction | None = None
    explain: Explain

    @model_validator(mode="after")
    def _asymmetry_explained(self) -> Criterion:
        if (self.not_met_when is None) != (self.asymmetric_why is None):
            raise ValueError("not_met_when and asymmetric_why go together: say why not-met is not the negation")
        return self


class NotEvaluated(_Frozen):
    id: str = Field(pattern=_ID)
    kind: Literal["inclusion", "exclusion"]
    title: str = Field(min_length=1)
    source: str = Field(min_length=1)
    numbering: FrozenMap[str, str] = Field(default_factory=lambda: FrozenMap({}))
    treatment: str = Field(min_length=1)
    line: int = Field(0, exclude=True)


class SessionFinding(Rule):
    """A finding judged per TACE session; ``counts_when`` says whether the session counts at all."""

    counts_when: Condition | None = None
    present_when: Condition
    repeat_needs_change: bool = Field(
        False,
        description="A later session extends a run only after a change of agents or a feeding-artery reanalysis "
        "(option change_before_later_session; the run engine applies it)",
    )
    counted_why: Text = ""
    not_counted_why: Text = ""
    present_why: Text
    absent_why: Text

    @field_validator("present_why", "absent_why")
    @classmethod
    def _valid(cls, value: Text) -> Text:
        return _nonempty(value)

    @model_validator(mode="after")
    def _counting_texts(self) -> SessionFinding:
        if self.counts_when is not None and not (self.counted_why and self.not_counted_why):
            raise ValueError("counted_why and not_counted_why are required with counts_when")
        return self

    def texts(self) -> tuple[tuple[str, Text], ...]:
        return (
            ("counted_why", self.counted_why),
            ("not_counted_why", self.not_counted_why),
            ("present_why", self.present_why),
            ("absent_why", self.absent_why),
        )


class DoseLevel(_Frozen):
    id: str = Field(min_length=1)
    amount: float = Field(gt=0)
    unit: str = Field(min_length=1)
    frequency: str = Field(min_length=1)
    interval_days: int | None = Field(None, ge=1)
    source: str = Field(min_length=1)
    line: int = Field(0, exclude=True)


class Agent(_Frozen):
    """A drug's dose ladder: its levels, the start level and, per policy, where each level reduces to."""

    id: str = Field(pattern=_ID)
    name: str = Field(min_length=1)
    levels: tuple[DoseLevel, ...] = Field(min_length=1)
    start_level: str
    reductions: FrozenMap[str, FrozenMap[str, tuple[str, ...]]] = Field(default_factory=lambda: FrozenMap({}))
    source: str = Field(min_length=1)
    line: int = Field(0, exclude=True)


class Then(_Frozen):
    """After a hold: resume at the same level, one level lower, or at a named level."""

    level: str | None = None
    step: Literal["same", "reduce"] | None = None

    @model_validator(mode="after")
    def _one(self) -> Then:
        if (self.level is None) == (self.step is None):
            raise ValueError("then is same, reduce, or {level: <level id>}")
        return self


class Transition(Rule):
    """A dose-modification transition: on ``event`` in a ``from_`` state, when ``when``, take ``action``."""

    event: Literal["ae_onset", "ae_persisting", "ae_resolved", "lab_protein", "clinician", "companion_discontinued"]
    agents: tuple[str, ...] = Field((), description="Agents it applies to (empty = every agent of the file)")
    policies: tuple[str, ...] = Field((), description="Policies it applies to (empty = every policy)")
    from_: tuple[Literal["active", "delayed", "interrupted", "held"], ...] = Field((), alias="from")
    when: Condition
    action: Literal["discontinue", "hold", "interrupt", "reduce", "resume", "restore"]
    then: Then | None = None
    priority: int = Field(ge=0)
    release: Literal["resolution", "clinician", "same_day"] = Field(
        "resolution",
        description="For hold/interrupt: what ends it (the resolution; also a recorded clinician resume; that "
        "administration only)",
    )
    warning: str | None = Field(None, description="A note shown with every later dose once this transition fired")


class CalendarRule(Rule):
    """A calendar rule: what places a row of the plan; its numbers are options, named in ``options``."""

    options: tuple[str, ...] = Field((), description="Protocol options whose values this rule applies")
    when: Condition | None = None


_SECTIONS: dict[str, frozenset[str]] = {
    "eligibility": frozenset({"criteria", "not_evaluated"}),
    "tace_refractoriness": frozenset({"session_findings", "criteria"}),
    "dose_modification": frozenset({"agents", "transitions"}),
    "calendar": frozenset({"calendar"}),
}


class RuleFile(_Frozen):
    """One file of ``rules/`` (or a site's copy): what the registry reports as ``{id, version}``."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str | None = Field(None, description="Name shown in outputs, e.g. 'JSH-LCSGJ 2014' (default: the id)")
    version: str = Field(pattern=_VERSION)
    kind: Literal["eligibility", "tace_refractoriness", "dose_modification", "calendar"]
    title: str = Field(min_length=1)
    source: str = Field(min_length=1)
    note: str | None = None
    policy_option: str | None = Field(None, description="dose_modification: the protocol option naming the policy")
    applies_to: tuple[str, ...] = Field((), description="dose_modification: the protocol agents the table governs")
    file: str = Field("", exclude=True)
    sha256: str = Field("", description="SHA-256 of the file's bytes (a site copy is reported by its own hash)")
    options: tuple[OptionSpec, ...] = ()
    session_findings: tuple[SessionFinding, ...] = ()
    criteria: tuple[Criterion, ...] = ()
    not_evaluated: tuple[NotEvaluated, ...] = ()
    agents: tuple[Agent, ...] = ()
    transitions: tuple[Transition, ...] = ()
    calendar: tuple[CalendarRule, ...] = ()

    @model_validator(mode="after")
    def _sections_fit_the_kind(self) -> RuleFile:
        allowed = _SECTIONS[self.kind]
        for section in ("session_findings", "criteria", "not_evaluated", "agents", "transitions", "calendar"):
            if getattr(self, section) and section not in allowed:
                raise ValueError(f"a file of kind {self.kind} has no {section} (it has {', '.join(sorted(allowed))})")
        kinds = {"eligibility": {"inclusion", "exclusion"}, "tace_refractoriness": {"refractoriness"}}.get(self.kind)
        for c in self.criteria:
            if kinds is not None and c.kind not in kinds:
                raise ValueError(f"criterion {c.id}: kind {c.kind} does not belong in a file of kind {self.kind}")
        if not self.rules():
            raise ValueError("a rule file holds at least one rule")
        return self

    @property
    def display_name(self) -> str:
        """The name shown in outputs (``name``, else the id)."""
        return self.name or self.id

    def rules(self) -> tuple[Rule, ...]:
        """Every rule of the file, in file order per section."""
        return (*self.session_findings, *self.criteria, *self.transitions, *self.calendar)
