"""Child-Pugh points, score and class from raw values (Pugh RN et al., Br J Surg 1973;60:646).

Why these exact cut-offs: the MDCalc/Pugh convention in µmol/L (×17.1):
bilirubin <34.2 / 34.2-51.3 / >51.3, albumin >35 / 28-35 / <28 g/L, INR
<1.7 / 1.7-2.3 / >2.3; a value exactly on a cut-off scores 2 points. The
Harrison variant (albumin 30 g/L) is not used. INR stands in for prothrombin
time (they are alternatives; the record carries INR).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ChildPughClass = Literal["A", "B", "C"]
SOURCE = "Pugh RN et al. Br J Surg 1973;60:646-649 (MDCalc cut-offs; clinical-references §6.1)"
FORMULA = "sum of 1-3 points for bilirubin, albumin, INR, ascites, encephalopathy; A 5-6, B 7-9, C 10-15"

ASCITES_POINTS = {"none": 1, "mild": 2, "moderate_severe": 3}
ENCEPHALOPATHY_POINTS = {"none": 1, "grade_1_2": 2, "grade_3_4": 3}

# The cut-offs, named once (the point functions below and the cohort screen's vectorised points read them).
BILIRUBIN_1_POINT_BELOW_UMOL_L = 34.2
"""Bilirubin < 34.2 µmol/L: 1 point; above ``BILIRUBIN_3_POINTS_ABOVE_UMOL_L``: 3; else 2."""
BILIRUBIN_3_POINTS_ABOVE_UMOL_L = 51.3
ALBUMIN_1_POINT_ABOVE_G_L = 35.0
"""Albumin > 35 g/L: 1 point; below ``ALBUMIN_3_POINTS_BELOW_G_L``: 3; else 2."""
ALBUMIN_3_POINTS_BELOW_G_L = 28.0
INR_1_POINT_BELOW = 1.7
"""INR < 1.7: 1 point; above ``INR_3_POINTS_ABOVE``: 3; else 2."""
INR_3_POINTS_ABOVE = 2.3


def bilirubin_points(total_bilirubin_umol_l: float) -> int:
    if total_bilirubin_umol_l < BILIRUBIN_1_POINT_BELOW_UMOL_L:
        return 1
    return 2 if total_bilirubin_umol_l <= BILIRUBIN_3_POINTS_ABOVE_UMOL_L else 3


def albumin_points(albumin_g_l: float) -> int:
    if albumin_g_l > ALBUMIN_1_POINT_ABOVE_G_L:
        return 1
    return 2 if albumin_g_l >= ALBUMIN_3_POINTS_BELOW_G_L else 3


def inr_points(inr: float) -> int:
    if inr < INR_1_POINT_BELOW:
        return 1
    return 2 if inr <= INR_3_POINTS_ABOVE else 3


def child_pugh_class(score: int) -> ChildPughClass:
    if not 5 <= score <= 15:
        raise ValueError(f"Child-Pugh score {score} outside 5-15")
    if score <= 6:
        return "A"
    return "B" if score <= 9 else "C"


@dataclass(frozen=True)
class ChildPugh:
    points: dict[str, int | None]
    score: int | None
    cls: ChildPughClass | None
    score_min: int = 5
    """Lowest score the unknown components allow (each unknown at 1 point); equals ``score`` when complete."""
    score_max: int = 15
    """Highest score the unknown components allow (each unknown at 3 points)."""

    @property
    def classes(self) -> tuple[ChildPughClass, ...]:
        """Every class the score range allows: ('C',) when the known points already reach 10, whatever is missing."""
        return tuple(c for c, (lo, hi) in CLASS_SCORES.items() if self.score_min <= hi and self.score_max >= lo)


CLASS_SCORES: dict[ChildPughClass, tuple[int, int]] = {"A": (5, 6), "B": (7, 9), "C": (10, 15)}


def child_pugh(
    *,
    total_bilirubin_umol_l: float | None,
    albumin_g_l: float | None,
    inr: float | None,
    ascites: str | None,
    encephalopathy: str | None,
) -> ChildPugh:
    """Points for every known component; score and class only when all five are known.

    The score range (``score_min``..``score_max``) is always given: a missing component can add 1-3 points,
    so a class the range allows alone is certain without it (known points summing to 10 are class C
    whatever the INR), and a criterion that the whole range satisfies is decided (see the rule files).
    """
    points: dict[str, int | None] = {
        "bilirubin": None if total_bilirubin_umol_l is None else bilirubin_points(total_bilirubin_umol_l),
        "albumin": None if albumin_g_l is None else albumin_points(albumin_g_l),
        "inr": None if inr is None else inr_points(inr),
        "ascites": None if ascites is None else ASCITES_POINTS[ascites],
        "encephalopathy": None if encephalopathy is None else ENCEPHALOPATHY_POINTS[encephalopathy],
    }
    known = [p for p in points.values() if p is not None]
    unknown = len(points) - len(known)
    low, high = sum(known) + unknown, sum(known) + 3 * unknown
    if unknown:
        return ChildPugh(points, None, None, low, high)
    score = sum(known)
    return ChildPugh(points, score, child_pugh_class(score), score, score)
