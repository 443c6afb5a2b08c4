"""The ``assess`` result for one patient: derived measures, their trail, and what is unknown.

Why a model: the JSON keys are a contract with EHR integrators; building the
output through one pydantic model keeps them stable and documented.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from hccprotocol import __version__
from hccprotocol.measures.bsa import DEFAULT_FORMULA, BsaFormulaName
from hccprotocol.measures.derive import Derived, MeasureTrail, derive
from hccprotocol.patient import Patient
from hccprotocol.patient_file import missing_fields


class Assessment(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    patient_id: str
    hccprotocol_version: str
    derived: Derived
    measures: list[MeasureTrail]
    warnings: list[str]
    missing: list[str]

    def to_json_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)


def assess(patient: Patient, *, bsa_formula: BsaFormulaName = DEFAULT_FORMULA) -> Assessment:
    result = derive(patient, bsa_formula)
    return Assessment(
        patient_id=patient.id,
        hccprotocol_version=__version__,
        derived=result.derived,
        measures=result.measures,
        warnings=result.warnings,
        missing=missing_fields(patient),
    )
