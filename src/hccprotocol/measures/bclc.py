"""BCLC stage derived from tumour burden, ECOG, Child-Pugh class, vascular invasion and spread.

Why ordered rules with three-valued logic: the stage is the first rule that
holds, from the most to the least advanced. If an earlier rule cannot be
decided because an input is unknown, the stage is unknown (``None``): a
missing ECOG can never be read as ECOG 0. A known ECOG 3 already gives D,
whatever else is missing, and so do Child-Pugh points already summing to 10
(class C whatever the missing component).

Mapping (Reig M et al., J Hepatol 2022;76:681, clinical-references §6.3;
"preserved liver function" is read as Child-Pugh A or B, end-stage as C,
following BCLC 2018 where stage A admits Child-Pugh A-B):

=====  ==============================================================
D      ECOG 3-4, or Child-Pugh C
C      vascular invasion, or extrahepatic spread, or ECOG 1-2
0      single tumour <= 2 cm, ECOG 0, Child-Pugh A
A      single tumour (any size), or 2-3 tumours each <= 3 cm; ECOG 0
B      otherwise (multinodular beyond A), ECOG 0
=====  ==============================================================
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, TypeVar

BclcStage = Literal["0", "A", "B", "C", "D"]
Tri = bool | None
SOURCE = "Reig M et al. J Hepatol 2022;76:681-693 (BCLC 2022; clinical-references §6.3)"


@dataclass(frozen=True)
class BclcInputs:
    tumour_count: int | None
    largest_diameter_cm: float | None
    vascular_invasion: bool | None
    extrahepatic_spread: bool | None
    ecog: int | None
    child_pugh_class: str | None
    child_pugh_classes: tuple[str, ...] | None = None
    """Classes a partial Child-Pugh allows (``ChildPugh.classes``) when ``child_pugh_class`` is unknown."""


def _class_is(x: BclcInputs, cls: str) -> Tri:
    """Whether Child-Pugh class is ``cls``: certain from the class, or from a range that allows only it or not it."""
    if x.child_pugh_class is not None:
        return x.child_pugh_class == cls
    if x.child_pugh_classes:
        if set(x.child_pugh_classes) == {cls}:
            return True
        if cls not in x.child_pugh_classes:
            return False
    return None


def _or(*values: Tri) -> Tri:
    if any(v is True for v in values):
        return True
    return None if any(v is None for v in values) else False


def _and(*values: Tri) -> Tri:
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


T = TypeVar("T")


def _test(value: T | None, predicate: Callable[[T], bool]) -> Tri:
    return None if value is None else predicate(value)


def _rules(x: BclcInputs) -> list[tuple[BclcStage, Tri]]:
    ecog = x.ecog
    count = x.tumour_count
    size = x.largest_diameter_cm
    return [
        ("D", _or(_test(ecog, lambda e: e >= 3), _class_is(x, "C"))),
        ("C", _or(x.vascular_invasion, x.extrahepatic_spread, _test(ecog, lambda e: 1 <= e <= 2))),
        (
            "0",
            _and(
                _test(count, lambda n: n == 1),
                _test(size, lambda d: d <= 2),
                _class_is(x, "A"),
            ),
        ),
        (
            "A",
            _or(
                _test(count, lambda n: n == 1),
                _and(_test(count, lambda n: n <= 3), _test(size, lambda d: d <= 3)),
            ),
        ),
        ("B", True),
    ]


def derive_bclc(inputs: BclcInputs) -> BclcStage | None:
    """The first stage whose rule holds; ``None`` as soon as an earlier rule is undecidable."""
    for stage, holds in _rules(inputs):
        if holds is None:
            return None
        if holds:
            return stage
    raise AssertionError("the B rule always holds")  # pragma: no cover

