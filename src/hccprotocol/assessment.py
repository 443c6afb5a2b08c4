"""The ``assess`` result for one patient: derived measures, their trail, and what is unknown.

Why a model: the JSON keys are a contract with EHR integrators; building the
output through one pydantic model keeps them stable and documented.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from hccprotocol import __version__
from hccprotocol.eligibility.decision import Basis, CriterionResult, ProtocolRef, TaceRefractory
from hccprotocol.eligibility.evaluate import evaluate_eligibility
from hccprotocol.measures.bsa import DEFAULT_FORMULA, BsaFormulaName
from hccprotocol.measures.derive import Derived, MeasureTrail, derive
from hccprotocol.patient import Patient
from hccprotocol.patient_file import missing_fields
from hccprotocol.protocol import DEFAULT_PROTOCOL, Protocol, load_protocol


class Assessment(BaseModel):
    """The ``assess`` result: derived measures with their trail, missing fields, warnings and eligibility."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    patient_id: str
    hccprotocol_version: str
    derived: Derived
    measures: list[MeasureTrail]
    warnings: list[str]
    missing: list[str]
    # Eligibility for one arm (issue 3): keys are a contract (see hccprotocol.eligibility.decision).
    protocol: ProtocolRef
    eligible: bool | None
    tace_refractory: TaceRefractory
    criteria: list[CriterionResult]
    eligibility_basis: Basis

    def to_json_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)


def assess(
    patient: Patient, *, bsa_formula: BsaFormulaName = DEFAULT_FORMULA, protocol: Protocol | None = None
) -> Assessment:
    """Derived measures, missing fields and eligibility for ``protocol`` (default haic-lenvatinib-pd1)."""
    result = derive(patient, bsa_formula)
    arm = protocol if protocol is not None else load_protocol(DEFAULT_PROTOCOL)
    eligibility = evaluate_eligibility(patient, arm, result.derived)
    return Assessment(
        patient_id=patient.id,
        hccprotocol_version=__version__,
        derived=result.derived,
        measures=result.measures,
        # Eligibility warnings (contradictory record, eligible with unread missing fields) join the measures'.
        warnings=[*result.warnings, *eligibility.basis.warnings],
        missing=missing_fields(patient),
        protocol=eligibility.protocol,
        eligible=eligibility.eligible,
        tace_refractory=eligibility.tace_refractory,
        criteria=eligibility.criteria,
        eligibility_basis=eligibility.basis,
    )
