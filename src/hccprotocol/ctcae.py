"""CTCAE v5.0 terms and grades: validation of adverse-event records, and a synonym table that only suggests.

Why strict: a dose decision reads the term and the grade, and grade scales
differ between terms (there is no grade 4 fatigue, no grade 1 hepatic
infection). A name that is not a CTCAE v5.0 term is an error; the reviewed
synonym table (``data/ctcae-synonyms.yaml``) puts the likely CTCAE term in the
message ("Liver abscess" -> "Hepatic infection") and never substitutes it, so
the record is corrected by a person who knows the event.

Data: ``data/ctcae-v5.json``, the NCI CTCAE v5.0 term list (837 terms, public
domain, parsed from oncohub/CTCAE5). A grade text of ``" -"`` means the term
does not have that grade.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from hccprotocol.errors import InputError

__all__ = [
    "CtcaeError",
    "CtcaeTerm",
    "check_event",
    "lookup",
    "suggestions",
    "terms",
]

NOT_DEFINED = " -"
VERSION = "CTCAE v5.0 (NCI, 27 Nov 2017)"


class CtcaeError(InputError):
    """An adverse event names an unknown CTCAE v5.0 term, or a grade the term does not have."""

    code = "ctcae.invalid"


@dataclass(frozen=True)
class CtcaeTerm:
    term: str
    soc: str
    meddra: str
    grades: dict[int, str]
    """Grade -> verbatim definition, only for the grades the term has."""


@functools.cache
def terms() -> dict[str, CtcaeTerm]:
    """Every CTCAE v5.0 term by its exact name."""
    raw: list[dict[str, str]] = json.loads(
        resources.files("hccprotocol.data").joinpath("ctcae-v5.json").read_text(encoding="utf-8")
    )
    out: dict[str, CtcaeTerm] = {}
    for item in raw:
        grades = {g: item[f"g{g}"] for g in range(1, 6) if item[f"g{g}"] != NOT_DEFINED}
        out[item["term"]] = CtcaeTerm(item["term"], item["soc"], item["meddra"], grades)
    return out


@functools.cache
def _synonyms() -> dict[str, tuple[tuple[str, ...], str]]:
    data: Any = yaml.safe_load(
        resources.files("hccprotocol.data").joinpath("ctcae-synonyms.yaml").read_text(encoding="utf-8")
    )
    known = terms()
    out: dict[str, tuple[tuple[str, ...], str]] = {}
    for name, entry in data["synonyms"].items():
        suggested = tuple(entry["suggest"])
        bad = [t for t in suggested if t not in known]
        if bad:  # the table is reviewed data: a typo in it is a defect, caught by tests
            raise ValueError(f"ctcae-synonyms.yaml: {name!r} suggests unknown CTCAE terms {bad}")
        out[str(name).casefold()] = (suggested, str(entry["why"]))
    return out


def lookup(term: str) -> CtcaeTerm | None:
    """The CTCAE term with exactly this name, or None."""
    return terms().get(term)


def suggestions(name: str) -> tuple[str, ...]:
    """CTCAE terms to suggest for a name that is not a term: the synonym table, then a case-only mismatch."""
    folded = name.strip().casefold()
    found = _synonyms().get(folded)
    if found is not None:
        return found[0]
    return tuple(t for t in terms() if t.casefold() == folded)


def check_event(term: str, grade: int, *, path: str) -> CtcaeTerm:
    """Validate one (term, grade) of the record at ``path``; raise :class:`CtcaeError` naming it."""
    found = lookup(term)
    if found is None:
        hint = suggestions(term)
        message = f"{path}.term: {term!r} is not a {VERSION} term"
        if hint:
            message += (
                "; did you mean " + " or ".join(repr(h) for h in hint) + "? (suggestion only: correct the record)"
            )
        raise CtcaeError(message)
    if grade not in found.grades:
        have = ", ".join(str(g) for g in sorted(found.grades))
        raise CtcaeError(f"{path}.grade: {term!r} has no grade {grade} in {VERSION} (grades defined: {have})")
    return found
