"""Classes of CTCAE v5.0 terms (``rules/ctcae-term-classes.yaml``): a membership rule, expanded at load.

Why a rule and not a list: a label's stop list ("arterial thromboembolic event", "fistula formation") is
complete only when every CTCAE v5.0 term of the class is in it. A hand-written list silently misses terms
(the first version missed 'Arterial thromboembolism' and eight fistulas); a pattern over the full term list,
with each exclusion written out with its reason, does not. The expanded members are pinned in a test so a
change of membership (a new pattern, a CTCAE update) is reviewed, never silent.
"""

from __future__ import annotations

import functools
import re
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hccprotocol import ctcae
from hccprotocol.model.datafile import Located, load_data_text

__all__ = ["TermClass", "TermClasses", "load_term_classes_text", "term_classes"]

FILE = "ctcae-term-classes.yaml"


class _Def(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TermClass(_Def):
    label: str = Field(min_length=1, description="The label / guideline wording that names the class")
    patterns: tuple[str, ...] = Field((), description="Case-insensitive regexes searched in the term")
    socs: tuple[str, ...] = Field((), description="Only terms of these MedDRA SOCs (empty: any SOC)")
    also: dict[str, str] = Field(default_factory=dict, description="Term -> why it belongs (patterns miss it)")
    exclude: dict[str, str] = Field(default_factory=dict, description="Term -> why it is not a member")

    def matched(self) -> tuple[str, ...]:
        """Terms the patterns (and SOC restriction) find, before exclusions, in CTCAE order."""
        rx = [re.compile(p, re.IGNORECASE) for p in self.patterns]
        if not rx:
            return ()
        return tuple(
            t.term
            for t in ctcae.terms().values()
            if any(r.search(t.term) for r in rx) and (not self.socs or t.soc in self.socs)
        )

    def members(self) -> tuple[str, ...]:
        found = [t for t in self.matched() if t not in self.exclude]
        return tuple(found + [t for t in self.also if t not in found])


class TermClasses(_Def):
    id: str
    version: str
    classes: dict[str, TermClass]

    @model_validator(mode="after")
    def _checked_against_ctcae(self) -> TermClasses:
        known = ctcae.terms()
        socs = {t.soc for t in known.values()}
        for name, cls in self.classes.items():
            for soc in cls.socs:
                if soc not in socs:
                    raise Located(("classes", name, "socs"), f"{soc!r} is not a CTCAE v5.0 system organ class")
            for pattern in cls.patterns:
                try:
                    rx = re.compile(pattern, re.IGNORECASE)
                except re.error as exc:
                    raise Located(
                        ("classes", name, "patterns"), f"{pattern!r} is not a regular expression ({exc})"
                    ) from None
                if not any(rx.search(t) for t in known):
                    raise Located(("classes", name, "patterns"), f"{pattern!r} matches no CTCAE v5.0 term")
            for key in ("also", "exclude"):
                for term in getattr(cls, key):
                    if term not in known:
                        raise Located(("classes", name, key, term), f"{term!r} is not a CTCAE v5.0 term")
            matched = set(cls.matched())
            stale = sorted(set(cls.exclude) - matched)
            if cls.patterns and stale:
                raise Located(("classes", name, "exclude"), f"{stale} are not found by the patterns (stale exclusion)")
            redundant = sorted(set(cls.also) & matched)
            if redundant:
                raise Located(("classes", name, "also"), f"{redundant} are already found by the patterns")
            if not cls.members():
                raise Located(("classes", name), "the class has no member (give patterns or also)")
            both = sorted(set(cls.also) & set(cls.exclude))
            if both:
                raise Located(("classes", name), f"{both} are both included (also) and excluded")
        return self

    def members(self, name: str) -> tuple[str, ...]:
        return self.classes[name].members()


def load_term_classes_text(text: str, file: str = f"rules/{FILE}") -> TermClasses:
    """Load a term-class file through the model's data loader (errors: RuleFileError naming ``file:line``)."""
    return load_data_text(text, file, TermClasses)[0]


@functools.cache
def term_classes() -> TermClasses:
    """The shipped classes, validated against CTCAE v5.0 (a bad file is a RuleFileError, a ProtocolDefinitionError)."""
    return load_term_classes_text(resources.files("hccprotocol.data.rules").joinpath(FILE).read_text(encoding="utf-8"))
