"""All derived measures for one patient, with the trail a clinician checks by hand.

Why one function: ``assess``, eligibility and dosing must read the same numbers;
they all call :func:`derive`. Each measure is ``None`` when an input it needs is
unknown, and its trail entry names the inputs it read (``None`` = unknown).
"""

from __future__ import annotations

import json
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
    child_pugh_score_range: tuple[int, int] = Field(
        (5, 15),
        description="Lowest and highest Child-Pugh score the record allows (each missing component 1-3 points); "
        "both equal the score when all five components are known",
    )
    child_pugh_classes: list[Literal["A", "B", "C"]] = Field(
        default_factory=lambda: list(cp_mod.CLASS_SCORES),
        description="Child-Pugh classes the score range allows (one class: certain even with a missing component)",
    )
    bclc_stage_contradictions: list[str] = Field(
        default_factory=list,
        description="Why the record cannot be staged: fields that contradict each other, each with its value "
        "(the stage is then null, never a guess)",
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
    if cp.cls is None and len(cp.classes) == 1:
        warnings.append(
            f"Child-Pugh score unknown ({cp.score_min}-{cp.score_max}: a component is missing) but class "
            f"{cp.classes[0]} whatever the missing points"
        )

    albi_out = None
    if bili is not None and alb is not None:
        raw = albi_mod.albi_score(bili, alb)
        albi_out = AlbiOut(score=round(raw, 4), grade=albi_mod.albi_grade(raw))

    count, count_path = _staging_count(patient)
    bclc_inputs = bclc_mod.BclcInputs(
        tumour_count=count,
        largest_diameter_cm=tumour.largest_diameter_cm if tumour else None,
        vascular_invasion=tumour.vascular_invasion if tumour else None,
        extrahepatic_spread=tumour.extrahepatic_spread if tumour else None,
        ecog=patient.ecog,
        child_pugh_class=cp.cls,
        child_pugh_classes=cp.classes,
    )
    contradictions = staging_contradictions(patient)
    stage = None if contradictions else bclc_mod.derive_bclc(bclc_inputs)
    if contradictions:
        warnings.append(
            "BCLC stage not derived: the record contradicts itself (" + "; ".join(contradictions)
            + "); correct the record"
        )
    if count_path != "tumour.count":
        imaged = _lookup_count(patient, count_path)
        if imaged is None:
            warnings.append(
                f"BCLC tumour burden unknown: the latest response imaging ({count_path.rsplit('.', 1)[0]}) is newer "
                f"than tumour.count but its intrahepatic_tumour_count is not recorded"
            )
        elif imaged == 0:
            warnings.append(
                f"BCLC tumour burden not staged: the latest response imaging shows 0 intrahepatic tumours "
                f"({count_path} = 0); only the C and D rules can decide the stage"
            )
        elif tumour is not None and tumour.count is not None and imaged != tumour.count:
            warnings.append(
                f"BCLC staged with the latest response imaging's intrahepatic tumour count ({count_path} = "
                f"{imaged}), which is newer than tumour.count = {tumour.count}"
            )
    recorded = patient.bclc_stage
    conflict = None if stage is None or recorded is None else stage != recorded
    if conflict:
        warnings.append(
            f"BCLC stage recorded by the team ({recorded}) differs from the derived stage ({stage}); a criterion "
            "that depends on which of the two it is stays unknown until the team resolves it"
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
                "tumour.count": tumour.count if tumour else None,
                **({count_path: _lookup_count(patient, count_path)} if count_path != "tumour.count" else {}),
                "tumour.largest_diameter_cm": bclc_inputs.largest_diameter_cm,
                "tumour.vascular_invasion": bclc_inputs.vascular_invasion,
                "tumour.extrahepatic_spread": bclc_inputs.extrahepatic_spread,
                "ecog": bclc_inputs.ecog,
                "derived.child_pugh.class": bclc_inputs.child_pugh_class,
                "derived.child_pugh_classes": list(cp.classes),
                **_contradiction_inputs(patient),
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
        child_pugh_score_range=(cp.score_min, cp.score_max),
        child_pugh_classes=list(cp.classes),
        bclc_stage_contradictions=contradictions,
    )
    return DerivedResult(derived=derived, measures=measures, warnings=warnings)


def _lookup_count(patient: Patient, path: str) -> int | None:
    index = int(path.split("[", 1)[1].split("]", 1)[0])
    return (patient.tace_history or ())[index].intrahepatic_tumour_count


def _shown(value: object) -> str:
    return json.dumps(value)


def _staging_count(patient: Patient) -> tuple[int | None, str]:
    """The intrahepatic tumour count BCLC staging reads, and its field path.

    How "newer" is decided: ``tumour`` carries no date, while each response imaging in ``tace_history``
    is dated and follows a TACE the record lists. The record cannot show the undated count to be later
    than a dated imaging, so the latest response imaging (the last session, in date order, with an
    ``imaging_date``) is taken as newer than ``tumour.count``, and its ``intrahepatic_tumour_count`` is
    staged (a warning names both when they differ). If that imaging's count is not recorded, the count is
    unknown (an older count is never used in its place); 0 tumours at imaging leaves the tumour burden
    unstaged (BCLC 0-B describe tumours), so only the C and D rules can decide. Without any response
    imaging, ``tumour.count`` is staged.
    """
    latest = next(
        ((i, s) for i, s in reversed(list(enumerate(patient.tace_history or ()))) if s.imaging_date is not None),
        None,
    )
    if latest is None:
        return (patient.tumour.count if patient.tumour else None), "tumour.count"
    index, session = latest
    count = session.intrahepatic_tumour_count
    return (count if count else None), f"tace_history[{index}].intrahepatic_tumour_count"


def staging_contradictions(patient: Patient) -> list[str]:
    """Fields of the record that contradict each other for staging, each side with its value.

    A TACE session recording new vascular invasion (extrahepatic spread) while ``tumour`` says there is none,
    or a Cheng PVTT type recorded while ``tumour.vascular_invasion`` is false: either side may be the error,
    so the record is not staged (staging it A or B would exclude on a guess).
    """
    tumour = patient.tumour
    out: list[str] = []
    for field in ("vascular_invasion", "extrahepatic_spread"):
        if tumour is None or getattr(tumour, field) is not False:
            continue
        for i, s in enumerate(patient.tace_history or ()):
            if getattr(s, f"new_{field}") is True:
                out.append(f"tace_history[{i}].new_{field} = true while tumour.{field} = false")
    if tumour is not None and tumour.vascular_invasion is False and tumour.pvtt_cheng_type is not None:
        out.append(
            f"tumour.pvtt_cheng_type = {_shown(tumour.pvtt_cheng_type)} (a portal vein tumour thrombus) while "
            "tumour.vascular_invasion = false"
        )
    return out


def _contradiction_inputs(patient: Patient) -> dict[str, object]:
    """The fields ``staging_contradictions`` read, for the trail (recorded values only, so the trail stays short)."""
    out: dict[str, object] = {}
    for i, s in enumerate(patient.tace_history or ()):
        for field in ("new_vascular_invasion", "new_extrahepatic_spread"):
            if getattr(s, field) is not None:
                out[f"tace_history[{i}].{field}"] = getattr(s, field)
    if patient.tumour is not None and patient.tumour.pvtt_cheng_type is not None:
        out["tumour.pvtt_cheng_type"] = patient.tumour.pvtt_cheng_type
    return out
