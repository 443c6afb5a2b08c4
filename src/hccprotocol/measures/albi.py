"""ALBI score and grade (Johnson PJ et al., J Clin Oncol 2015;33:550-558).

Why grade on the unrounded score: a score of -2.6004 is grade 1 even though
it prints as -2.60; rounding first would move patients across the cut-off.
Each cut-off belongs to the lower-numbered grade (-2.60 is grade 1, -1.39 is 2).
"""

from __future__ import annotations

import math
from typing import Literal

AlbiGrade = Literal[1, 2, 3]
SOURCE = "Johnson PJ et al. J Clin Oncol 2015;33:550-558 (clinical-references §6.2)"
FORMULA = "0.66 * log10(total_bilirubin_umol_l) - 0.085 * albumin_g_l; grade 1 <= -2.60 < grade 2 <= -1.39 < grade 3"


def albi_score(total_bilirubin_umol_l: float, albumin_g_l: float) -> float:
    return 0.66 * math.log10(total_bilirubin_umol_l) - 0.085 * albumin_g_l


def albi_grade(score: float) -> AlbiGrade:
    if score <= -2.60:
        return 1
    return 2 if score <= -1.39 else 3
