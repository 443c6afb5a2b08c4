"""Protocol sections read by dosing and dose modification: agent definitions, dose levels, options.

Why a separate module: ``protocol.py`` assembles every feature's section, and
several features are edited at once; keeping the dosing models here keeps the
shared file small. The models reject a protocol that cannot be dosed safely at
load time (a reduction step that names no dose level, a "reduction" that raises
the dose, a PD-1 inhibitor with a reduction ladder), naming the offending key.

Vocabulary:

* **dose level**: one amount (mg/m² or mg) at one frequency, with an id such as
  ``12mg`` or ``85mg/m2``. The protocol maximum is the agent's highest-intensity level.
* **start level**: per m² / fixed agents have one; lenvatinib's comes from its
  weight tier (baseline weight, never re-tiered).
* **reduction ladder**: per policy and per start level, the levels taken at the
  1st, 2nd, ... reduction; a reduction beyond the last step is a discontinuation.
"""

from __future__ import annotations

import itertools
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hccprotocol.measures.bsa import BsaFormulaName

__all__ = [
    "AgentId",
    "DoseLevel",
    "DosingOptions",
    "Infusion",
    "ModificationOptions",
    "Pd1Product",
    "RenalStart",
    "WeightTier",
    "check_agent_dosing",
]

AgentId = Literal["oxaliplatin", "leucovorin", "fluorouracil", "lenvatinib", "pd1"]
LenvatinibPolicy = Literal["paper_made_safe", "label"]
Pd1Policy = Literal["irae_guideline", "paper_discontinue_if_continued"]
FolfoxPolicy = Literal["oxaliplatin_label"]
Pd1Schedule = Literal["q3w_with_haic", "q4w_paper"]


class _Def(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DoseLevel(_Def):
    """One dose level; ``interval_days`` turns it into an intensity so ladders can be checked."""

    id: str = Field(min_length=1, description="Level id shown in outputs, e.g. '12mg', '4mg-qod', '85mg/m2'")
    amount: float = Field(gt=0, description="Amount per administration, in ``unit``")
    unit: Literal["mg/m2", "mg"]
    frequency: str = Field(min_length=1, description="Plain-language frequency, e.g. 'once daily'")
    interval_days: float = Field(
        gt=0, description="Days between administrations (1 daily, 2 every other day, 21 per cycle)"
    )
    source: str = Field(min_length=1)

    def intensity(self) -> float:
        """Amount per day: the quantity a reduction must lower."""
        return self.amount / self.interval_days


class WeightTier(_Def):
    """A start level chosen by weight at treatment start; ``min`` inclusive, ``below`` exclusive."""

    min_weight_kg: float | None = Field(None, description="Inclusive lower bound (>=)")
    below_weight_kg: float | None = Field(None, description="Exclusive upper bound (<)")
    level: str
    source: str = Field(min_length=1)

    def contains(self, weight_kg: float) -> bool:
        above = self.min_weight_kg is None or weight_kg >= self.min_weight_kg
        below = self.below_weight_kg is None or weight_kg < self.below_weight_kg
        return above and below


class Infusion(_Def):
    """Infusion timing relative to hour 0 of the HAIC (admission)."""

    start_hour: float = Field(ge=0)
    hours: float | None = Field(None, gt=0, description="Duration; null when an option sets it (hours_option)")
    hours_option: Literal["fluorouracil_infusion_hours"] | None = None
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _one_duration(self) -> Infusion:
        if (self.hours is None) == (self.hours_option is None):
            raise ValueError("give exactly one of 'hours' or 'hours_option'")
        return self


class Pd1Product(_Def):
    """A PD-1 inhibitor the arm may use: vial size for the vial count."""

    name: Literal["camrelizumab", "sintilimab"]
    vial_mg: float = Field(gt=0)
    source: str = Field(min_length=1)


class RenalStart(_Def):
    """A label's renal adjustment of an agent's starting dose (oxaliplatin: CrCl < 30 mL/min -> 65 mg/m2).

    ``policy: label`` applies it (creatinine clearance by Cockcroft-Gault, ``measures.creatinine_clearance``,
    from the latest serum creatinine dated up to ``creatinine_max_age_days`` before the first HAIC);
    ``none`` is the paper's reading (it gives no renal adjustment). Under ``label`` an unknown clearance at
    the course start gives no dose of the agent in any cycle (status ``pending_input`` naming the field),
    never a silent full dose.
    """

    policy: Literal["label", "none"]
    crcl_below_ml_min: float = Field(gt=0, description="Clearance strictly below this (mL/min) takes start_level")
    start_level: str = Field(min_length=1, description="Level id of the reduced starting dose")
    creatinine_max_age_days: int = Field(
        ge=0, le=30, description="A creatinine dated up to this many days before the first HAIC (or on it) counts"
    )
    source: str = Field(min_length=1)


class DosingOptions(_Def):
    """``dosing.options``: how doses are calculated. Each default and its reason is in the protocol YAML."""

    bsa_formula: BsaFormulaName = Field(
        description="BSA formula (default mosteller; ASCO accepts any standard formula)"
    )
    bsa_cap_m2: float | None = Field(
        description="Cap on BSA for per-m2 doses; null = no cap (default, ASCO 2012/2021: full actual-weight dosing)",
        gt=0,
    )
    per_m2_rounding_mg: float = Field(gt=0, description="Per-m2 doses are rounded half-up to a multiple of this (mg)")
    allowed_deviation_pct: float = Field(
        ge=0, le=10, description="Largest deviation of a prepared dose from the calculated one a site may accept (%)"
    )
    fluorouracil_infusion_hours: Literal[23, 46] = Field(
        description="5-FU continuous infusion duration (paper: 23 or 46 h)"
    )
    pd1_schedule: Pd1Schedule | None = Field(
        None, description="PD-1 every 3 weeks with each HAIC cycle, or the paper's every 4 weeks (PD-1 arm only)"
    )


class ModificationOptions(_Def):
    """``modification``: which dose-modification policy each drug follows, and their thresholds."""

    lenvatinib_policy: LenvatinibPolicy
    lenvatinib_persistence_days: int = Field(
        ge=1, le=180, description="Grade >= 3 lenvatinib TRAE still ongoing this many days after onset -> discontinue"
    )
    lenvatinib_lab_grade4: Literal["manage_as_grade3", "discontinue"] = Field(
        description="Grade 4 laboratory abnormality (CTCAE Investigations) under the lenvatinib tables"
    )
    folfox_policy: FolfoxPolicy
    folfox_persistence_days: int = Field(
        ge=1, le=180, description="A FOLFOX hold still unresolved this many days after onset -> discontinue HAIC"
    )
    neuropathy_persistent_days: int = Field(
        ge=1, le=90, description="Grade 2 peripheral sensory neuropathy ongoing this long is 'persistent'"
    )
    folfox_hypersensitivity: Literal["any_grade", "grade3_or_anaphylaxis"] = Field(
        description="Hypersensitivity (Allergic reaction, Anaphylaxis, Infusion related reaction) attributed to a "
        "FOLFOX drug: any_grade (default, boxed warning) permanently stops it; grade3_or_anaphylaxis holds it "
        "for grade 1-2 (a site's re-challenge practice) and stops it at grade >= 3 or anaphylaxis"
    )
    lenvatinib_proteinuria_resume: Literal["below_2_g", "at_or_below_2_g"] = Field(
        description="Lenvatinib withheld for urine protein >= 2 g/24 h resumes when a later result is < 2 g/24 h "
        "(below_2_g, default, EU SmPC) or <= 2 g/24 h (at_or_below_2_g, US PI)"
    )
    pd1_policy: Pd1Policy | None = Field(None, description="PD-1 policy (PD-1 arm only)")
    pd1_persistence_days: int | None = Field(
        None, ge=1, le=180, description="A PD-1 hold still unresolved this many days after onset -> discontinue"
    )
    # Options added for issue 9 (dose-modification safety); each default and why is in the protocol YAML.
    lenvatinib_rpls: Literal["discontinue", "withhold_then_reduce"] = Field(
        description="RPLS/PRES attributed to lenvatinib (any grade): discontinue (default) or the label's withhold "
        "until resolved, then one level lower"
    )
    lenvatinib_proteinuria_event: Literal["grade2_withholds", "labs_decide"] = Field(
        description="A recorded grade 2 Proteinuria event (1.0-<3.5 g/24 h) attributed to lenvatinib: withhold as "
        "for >= 2 g/24 h (default) or act only on urine protein results"
    )
    pd1_infusion_reaction: Literal["interrupt_and_premedicate", "hold_until_resolved"] | None = Field(
        None,
        description="Grade 2 infusion-related reaction to the PD-1 inhibitor (PD-1 arm only): interrupt that "
        "infusion, premedicate the next ones (default) or hold until resolved",
    )
    pd1_hepatitis_transaminases: Literal["discontinue", "hold"] | None = Field(
        None,
        description="Immune-related grade 3 ALT/AST increase (5-20 x ULN) under the PD-1 (PD-1 arm only): "
        "discontinue (default) or hold until grade <= 1",
    )


_LADDER_POLICY: dict[str, str] = {
    "lenvatinib": "lenvatinib_policy",
    "oxaliplatin": "folfox_policy",
    "leucovorin": "folfox_policy",
    "fluorouracil": "folfox_policy",
    "pd1": "pd1_policy",
}
POLICY_CHOICES: dict[str, tuple[str, ...]] = {
    "lenvatinib_policy": ("paper_made_safe", "label"),
    "folfox_policy": ("oxaliplatin_label",),
    "pd1_policy": ("irae_guideline", "paper_discontinue_if_continued"),
}


def policy_option(agent_id: str) -> str:
    """The modification option that names this agent's policy."""
    return _LADDER_POLICY[agent_id]


def check_agent_dosing(
    agent_id: str,
    basis: str,
    levels: tuple[DoseLevel, ...],
    start_level: str | None,
    weight_tiers: tuple[WeightTier, ...],
    reductions: dict[str, dict[str, tuple[str, ...]]],
    products: tuple[Pd1Product, ...],
) -> None:
    """Cross-field checks of one agent's dosing definition; raises ValueError naming the key."""
    ids = [lv.id for lv in levels]
    if len(set(ids)) != len(ids):
        raise ValueError(f"agents[{agent_id}].levels: level ids must be unique, got {ids}")
    by_id = {lv.id: lv for lv in levels}
    units = {"per_m2": "mg/m2", "weight_tier": "mg", "fixed": "mg"}
    for lv in levels:
        if lv.unit != units[basis]:
            raise ValueError(f"agents[{agent_id}].levels[{lv.id}].unit: {lv.unit!r} does not fit basis {basis!r}")
    if basis == "weight_tier":
        if start_level is not None or not weight_tiers:
            raise ValueError(f"agents[{agent_id}]: a weight_tier agent has weight_tiers and no start_level")
        starts = [t.level for t in weight_tiers]
    else:
        if start_level is None or weight_tiers:
            raise ValueError(f"agents[{agent_id}]: a {basis} agent has a start_level and no weight_tiers")
        starts = [start_level]
    for name in starts:
        if name not in by_id:
            raise ValueError(f"agents[{agent_id}]: start level {name!r} is not one of the levels {ids}")
    top = max(lv.intensity() for lv in levels)
    if max(by_id[name].intensity() for name in starts) < top:
        raise ValueError(
            f"agents[{agent_id}]: no start level is the protocol maximum; a level above every start "
            "level could never be given"
        )
    option = policy_option(agent_id)
    for policy, ladders in reductions.items():
        if policy not in POLICY_CHOICES[option]:
            raise ValueError(
                f"agents[{agent_id}].reductions.{policy}: unknown policy; choose from {POLICY_CHOICES[option]}"
            )
        for start, steps in ladders.items():
            if start not in starts:
                raise ValueError(f"agents[{agent_id}].reductions.{policy}.{start}: not a start level ({starts})")
            previous = by_id[start]
            for step in steps:
                if step not in by_id:
                    raise ValueError(
                        f"agents[{agent_id}].reductions.{policy}.{start}: step {step!r} is not one of the levels {ids}"
                    )
                if by_id[step].intensity() >= previous.intensity():
                    raise ValueError(
                        f"agents[{agent_id}].reductions.{policy}.{start}: step {step!r} does not lower the dose "
                        f"below {previous.id!r}"
                    )
                previous = by_id[step]
    if agent_id == "pd1":
        if any(steps for ladders in reductions.values() for steps in ladders.values()) or len(levels) != 1:
            raise ValueError("agents[pd1]: PD-1 inhibitors are never dose-reduced: one level and no reduction steps")
        if not products:
            raise ValueError("agents[pd1].products: list the PD-1 inhibitors the arm may use")
    elif products:
        raise ValueError(f"agents[{agent_id}].products: only the pd1 agent lists products")
    if basis == "weight_tier":
        _check_tiers(agent_id, weight_tiers)


def _check_tiers(agent_id: str, tiers: tuple[WeightTier, ...]) -> None:
    """Tiers must cover every weight exactly once: sorted, contiguous, open at both ends."""
    ordered = sorted(tiers, key=lambda t: -1.0 if t.min_weight_kg is None else t.min_weight_kg)
    if ordered[0].min_weight_kg is not None or ordered[-1].below_weight_kg is not None:
        raise ValueError(f"agents[{agent_id}].weight_tiers: the lowest tier must have no min, the highest no below")
    for low, high in itertools.pairwise(ordered):
        if low.below_weight_kg is None or low.below_weight_kg != high.min_weight_kg:
            raise ValueError(
                f"agents[{agent_id}].weight_tiers: tiers must meet exactly (below_weight_kg of one == "
                "min_weight_kg of the next) so every weight has one tier"
            )
