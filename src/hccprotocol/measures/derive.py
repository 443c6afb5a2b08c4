"""All derived measures for one patient, with the trail a clinician checks by hand.

Why one function: ``assess``, eligibility and dosing must read the same numbers;
they all call :func:`derive`. Each measure is ``None`` when an input it needs is
unknown, and its trail entry names the inputs it read (``None`` = unknown).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from hccprotocol.measures import albi as albi_mod
from hccprotocol.measures import bclc as bclc_mod
from hccprotocol.measures import child_pugh as cp_mod
from hccprotocol.measures.bsa import DEFAULT_FORMULA, FORMULAS, BsaFormulaName, body_surface_area
from hccprotocol.patient import Patient


class Output(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ChildPughOut(Output):
    score: int
    cls: Literal["A", "B", "C"] = Field(alias="class")
    points: dict[str, int | None]


class AlbiOut(Output):
    score: float = Field(description="Rounded to 4 decimals for display; the grade uses the unrounded score")
    grade: Literal[1, 2, 3]


class Derived(Output):
    bsa_m2: float | None
    bsa_formula: str
    child_pugh: ChildPughOut | None
    albi: AlbiOut | None
    bclc_stage: str | None = Field(description="Derived BCLC stage")
    bclc_stage_recorded: str | None = Field(description="Stage recorded by the team, if any")
    bclc_stage_conflict: bool | None = Field(
        description="True when the recorded stage differs from the derived one; null when either is unknown"
    )


class MeasureTrail(Output):
    id: str
    value: object
    formula: str
    source: str
    inputs: dict[str, object]


class DerivedResult(Output):
    derived: Derived
    measures: list[MeasureTrail]
    warnings: list[str]


def derive(patient: Patient, bsa_formula: BsaFormulaName = DEFAULT_FORMULA) -> DerivedResult:
    liver = patient.liver
    tumour = patient.tumour
    bili = liver.total_bilirubin_umol_l if liver else None
    alb = liver.albumin_g_l if liver else None
    warnings: list[str] = []

    formula = FORMULAS[bsa_formula]
    bsa: float | None = None
    if patient.weight_kg is not None and patient.height_cm is not None:
        bsa = round(body_surface_area(patient.weight_kg, patient.height_cm, bsa_formula), 4)

    cp = cp_mod.child_pugh(
        total_bilirubin_umol_l=bili,
        albumin_g_l=alb,
        inr=liver.inr if liver else None,
        ascites=liver.ascites if liver else None,
        encephalopathy=liver.encephalopathy if liver else None,
    )
    cp_out = None
    if cp.score is not None and cp.cls is not None:
        cp_out = ChildPughOut(score=cp.score, cls=cp.cls, points=cp.points)

    albi_out = None
    if bili is not None and alb is not None:
        raw = albi_mod.albi_score(bili, alb)
        albi_out = AlbiOut(score=round(raw, 4), grade=albi_mod.albi_grade(raw))

    bclc_inputs = bclc_mod.BclcInputs(
        tumour_count=tumour.count if tumour else None,
        largest_diameter_cm=tumour.largest_diameter_cm if tumour else None,
        vascular_invasion=tumour.vascular_invasion if tumour else None,
        extrahepatic_spread=tumour.extrahepatic_spread if tumour else None,
        ecog=patient.ecog,
        child_pugh_class=cp.cls,
    )
    stage = bclc_mod.derive_bclc(bclc_inputs)
    recorded = patient.bclc_stage
    conflict = None if stage is None or recorded is None else stage != recorded
    if conflict:
        warnings.append(
            f"BCLC stage recorded by the team ({recorded}) differs from the derived stage ({stage}); "
            "the stage is treated as unknown until the team resolves it"
        )

    measures = [
        MeasureTrail(
            id="measure.bsa",
            value=bsa,
            formula=formula.formula,
            source=formula.source,
            inputs={"weight_kg": patient.weight_kg, "height_cm": patient.height_cm},
        ),
        MeasureTrail(
            id="measure.child_pugh",
            value={"class": cp.cls, "score": cp.score, "points": cp.points},
            formula=cp_mod.FORMULA,
            source=cp_mod.SOURCE,
            inputs={
                "liver.total_bilirubin_umol_l": bili,
                "liver.albumin_g_l": alb,
                "liver.inr": liver.inr if liver else None,
                "liver.ascites": liver.ascites if liver else None,
                "liver.encephalopathy": liver.encephalopathy if liver else None,
            },
        ),
        MeasureTrail(
            id="measure.albi",
            value=None if albi_out is None else albi_out.score,
            formula=albi_mod.FORMULA,
            source=albi_mod.SOURCE,
            inputs={"liver.total_bilirubin_umol_l": bili, "liver.albumin_g_l": alb},
        ),
        MeasureTrail(
            id="measure.bclc_stage",
            value=stage,
            formula="first of D, C, 0, A, B whose rule holds (see hccprotocol.measures.bclc)",
            source=bclc_mod.SOURCE,
            inputs={
                "tumour.count": bclc_inputs.tumour_count,
                "tumour.largest_diameter_cm": bclc_inputs.largest_diameter_cm,
                "tumour.vascular_invasion": bclc_inputs.vascular_invasion,
                "tumour.extrahepatic_spread": bclc_inputs.extrahepatic_spread,
                "ecog": bclc_inputs.ecog,
                "derived.child_pugh.class": bclc_inputs.child_pugh_class,
                "bclc_stage": recorded,
            },
        ),
    ]
    derived = Derived(
        bsa_m2=bsa,
        bsa_formula=bsa_formula,
        child_pugh=cp_out,
        albi=albi_out,
        bclc_stage=stage,
        bclc_stage_recorded=recorded,
        bclc_stage_conflict=conflict,
    )
    return DerivedResult(derived=derived, measures=measures, warnings=warnings)
