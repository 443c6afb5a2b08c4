"""Dose arithmetic: BSA for dosing, the lenvatinib weight tier, mg per level, rounding, units, rates.

Why Decimal: the basis shown to the pharmacist ("85 mg/m2 x 1.8181 m2") must
reproduce the unrounded value exactly by hand, and half-up rounding must not
depend on binary floating point (154.5 mg rounds to 155, not 154).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from hccprotocol.dosing.model import DosingInputError
from hccprotocol.measures.creatinine_clearance import CreatinineClearance, creatinine_clearance
from hccprotocol.measures.derive import derive
from hccprotocol.patient import Patient
from hccprotocol.protocol import Agent, Protocol
from hccprotocol.regimen import DoseLevel

__all__ = [
    "Bsa",
    "LevelDose",
    "RenalDecision",
    "bsa_for_dosing",
    "infusion_days",
    "infusion_hours",
    "lenvatinib_start_level",
    "level_frequency",
    "level_mg",
    "renal_start",
    "round_to_step",
    "start_level",
    "tier_weight",
]


@dataclass(frozen=True)
class Bsa:
    """BSA used for dosing: ``value_m2`` is None when weight or height is unknown (``missing`` names them)."""

    value_m2: float | None
    formula: str
    uncapped_m2: float | None
    capped: bool
    missing: tuple[str, ...]


def bsa_for_dosing(patient: Patient, protocol: Protocol) -> Bsa:
    """BSA from ``measures.derive`` (4 decimals, the value shown), with the protocol's optional cap."""
    formula = protocol.dosing.bsa_formula
    missing = tuple(f for f in ("weight_kg", "height_cm") if getattr(patient, f) is None)
    raw = derive(patient, formula).derived.bsa_m2
    if raw is None:
        return Bsa(None, formula, None, False, missing)
    cap = protocol.dosing.bsa_cap_m2
    if cap is not None and raw > cap:
        return Bsa(cap, formula, raw, True, ())
    return Bsa(raw, formula, raw, False, ())


def tier_weight(patient: Patient, on: dt.date) -> tuple[float, str]:
    """The weight that fixes the lenvatinib tier, and the record field it came from.

    ``baseline_weight_kg`` when recorded; before treatment starts (no ``treatment_start`` or ``on`` before
    it) the current ``weight_kg``. After the start without a baseline weight the tier is unknown: the
    current weight must not be used (the tier is never re-tiered on weight change), so this is an error.
    """
    if patient.baseline_weight_kg is not None:
        return patient.baseline_weight_kg, "baseline_weight_kg"
    started = patient.treatment_start is not None and on >= patient.treatment_start
    if started:
        raise DosingInputError(
            f"baseline_weight_kg is missing: treatment started on {patient.treatment_start}, and the lenvatinib "
            "tier is fixed by the weight at treatment start (the current weight_kg must not re-tier it); "
            "record baseline_weight_kg"
        )
    if patient.weight_kg is None:
        raise DosingInputError(
            "weight_kg is missing: the lenvatinib starting dose depends on body weight (>= 60 kg: 12 mg; "
            "< 60 kg: 8 mg); no dose is given without it"
        )
    return patient.weight_kg, "weight_kg"


def lenvatinib_start_level(agent: Agent, weight_kg: float) -> str:
    """The tier containing ``weight_kg`` (tiers are validated to cover every weight exactly once)."""
    return next(t.level for t in agent.weight_tiers if t.contains(weight_kg))


def start_level(agent: Agent, patient: Patient, on: dt.date) -> tuple[str, str]:
    """(start level id, plain-language why) for any agent; ``on`` is the first HAIC (or the planned one).

    An agent with a renal adjustment of its starting dose (``renal_start``, oxaliplatin) starts at the
    reduced level when the clearance is known and below the cut-off. When the clearance is unknown the
    protocol start level is returned here (the course needs a level), and :func:`renal_start` tells
    ``dose`` to give no dose (``pending_input``): never a silent full dose.
    """
    if agent.basis == "weight_tier":
        weight, field = tier_weight(patient, on)
        level = lenvatinib_start_level(agent, weight)
        tier = next(t for t in agent.weight_tiers if t.level == level)
        bound = f">= {tier.min_weight_kg:g} kg" if tier.min_weight_kg is not None else f"< {tier.below_weight_kg:g} kg"
        return level, f"{field} {weight:g} kg ({bound})"
    assert agent.start_level is not None  # validated by the protocol model
    renal = renal_start(agent, patient, on)
    if renal is not None and renal.level is not None:
        return renal.level, renal.why
    return agent.start_level, "protocol start level"


@dataclass(frozen=True)
class RenalDecision:
    """The renal adjustment of a starting dose: ``level`` None when the clearance is unknown (``missing``)."""

    level: str | None
    why: str
    clearance: CreatinineClearance
    source: str

    @property
    def missing(self) -> tuple[str, ...]:
        return self.clearance.missing


def renal_start(agent: Agent, patient: Patient, on: dt.date) -> RenalDecision | None:
    """The label's renal start adjustment of ``agent`` for a course starting ``on`` (None: not applicable).

    Inputs (the trail names each): ``age_years``, ``sex``, the weight at the start (``baseline_weight_kg``,
    else ``weight_kg``) and the latest ``labs[i].creatinine_umol_l`` dated ``on - creatinine_max_age_days``
    .. ``on``. Cut-off strict: CrCl < ``crcl_below_ml_min`` takes the reduced level; exactly the cut-off
    does not.
    """
    rule = agent.renal_start
    if rule is None or rule.policy == "none":
        return None
    assert agent.start_level is not None
    earliest = on - dt.timedelta(days=rule.creatinine_max_age_days)
    creatinine: float | None = None
    creatinine_path = f"labs[].creatinine_umol_l (dated {earliest} to {on})"
    for i, lab in sorted(enumerate(patient.labs or ()), key=lambda item: (item[1].date, item[0])):
        if earliest <= lab.date <= on and lab.creatinine_umol_l is not None:
            creatinine, creatinine_path = lab.creatinine_umol_l, f"labs[{i}].creatinine_umol_l"
    weight_field = "baseline_weight_kg" if patient.baseline_weight_kg is not None else "weight_kg"
    clearance = creatinine_clearance(
        age_years=patient.age_years,
        weight_kg=getattr(patient, weight_field),
        sex=patient.sex,
        creatinine_umol_l=creatinine,
        paths={"weight_kg": weight_field, "creatinine_umol_l": creatinine_path},
    )
    value = clearance.value_ml_min
    cut = f"{rule.crcl_below_ml_min:g} mL/min"
    if value is None:
        return RenalDecision(
            None,
            f"{clearance.describe()}: the oxaliplatin label reduces the starting dose below {cut} "
            f"({agent.start_level} or {rule.start_level}); record it",
            clearance,
            rule.source,
        )
    if value < rule.crcl_below_ml_min:
        why = f"{clearance.describe()} < {cut}: label renal start {rule.start_level} (renal_start.policy label)"
        return RenalDecision(rule.start_level, why, clearance, rule.source)
    return RenalDecision(agent.start_level, f"{clearance.describe()} >= {cut}: no renal adjustment", clearance,
                         rule.source)  # fmt: skip


def round_to_step(value: Decimal, step: float) -> Decimal:
    """Half-up rounding to a multiple of ``step`` mg."""
    unit = Decimal(str(step))
    return (value / unit).quantize(Decimal(1), rounding=ROUND_HALF_UP) * unit


@dataclass(frozen=True)
class LevelDose:
    dose_mg: float | None
    unrounded_mg: float | None
    basis: str


def _num(value: Decimal | float) -> str:
    text = format(Decimal(str(value)).normalize(), "f")
    return text


def level_mg(level: DoseLevel, bsa: Bsa, rounding_mg: float) -> LevelDose:
    """mg for one administration at ``level``; per-m2 levels need the BSA (None -> no dose, with why)."""
    if level.unit == "mg":
        return LevelDose(level.amount, level.amount, f"{_num(level.amount)} mg")
    if bsa.value_m2 is None:
        return LevelDose(None, None, f"{_num(level.amount)} mg/m2 x BSA unknown ({', '.join(bsa.missing)} missing)")
    exact = Decimal(str(level.amount)) * Decimal(str(bsa.value_m2))
    rounded = round_to_step(exact, rounding_mg)
    basis = f"{_num(level.amount)} mg/m2 x {bsa.value_m2:.4f} m2"
    if bsa.capped:
        basis += f" (BSA capped from {bsa.uncapped_m2:.4f} m2 by dosing.bsa_cap_m2)"
    return LevelDose(float(rounded), float(exact), basis)


def infusion_hours(agent: Agent, protocol: Protocol) -> float | None:
    if agent.infusion is None:
        return None
    if agent.infusion.hours is not None:
        return agent.infusion.hours
    return float(protocol.dosing.fluorouracil_infusion_hours)


def infusion_days(agent: Agent, protocol: Protocol) -> str:
    """Cycle days an infusion spans, from its start hour and duration (hour 0 = HAIC day 1, 00:00 of the admission)."""
    hours = infusion_hours(agent, protocol)
    if agent.infusion is None or hours is None:
        return agent.day
    first = 1 + math.floor(agent.infusion.start_hour / 24)
    last = 1 + math.floor((agent.infusion.start_hour + hours) / 24 - 1e-9)
    return str(first) if first == last else f"{first}-{last}"


def level_frequency(agent: Agent, level: DoseLevel, protocol: Protocol) -> str:
    """Frequency text; the PD-1's follows dosing.pd1_schedule."""
    if agent.frequency_options and protocol.dosing.pd1_schedule is not None:
        return agent.frequency_options[protocol.dosing.pd1_schedule]
    return level.frequency


def units(agent: Agent, dose_mg: float | None, vial_mg: float | None) -> int | None:
    """Vials or capsules per administration (whole units; a partial unit counts as one)."""
    size = vial_mg if vial_mg is not None else agent.unit_mg
    if dose_mg is None or size is None:
        return None
    return math.ceil(Decimal(str(dose_mg)) / Decimal(str(size)))
