"""The ``dose`` output: one pydantic model per JSON object, keys exactly as the issue's contract."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from hccprotocol.course.model import DrugStatus
from hccprotocol.errors import InputError

__all__ = ["AgentDose", "DosePlan", "DoseStatus", "DosingInputError"]

DoseStatus = DrugStatus | Literal["pending_precycle_check", "pending_input", "contraindicated"]
"""Status of a drug in the ``dose`` output.

* ``active``: may be given at ``dose_mg``.
* ``pending_precycle_check`` (HAIC drugs): ``dose_mg`` is computed, but the pre-cycle laboratory check
  (``schedule.precycle_labs``) has no result within ``result_max_age_days`` for at least one limit:
  not to be given until it is done and passed.
* ``delayed`` (HAIC drugs): ``dose_mg`` is computed, but a known result fails a pre-cycle limit (or the
  course's last check failed and none has passed since): not to be given until a result passes.
* ``held`` / ``interrupted``: held for toxicity or by the clinician (``interrupted`` is the lenvatinib label's
  word); ``dose_mg`` is null and ``basis`` says at which level it resumes.
* ``discontinued``: permanent; ``dose_mg`` and ``dose_level`` are null.
* ``contraindicated``: the record states a contraindication (``contraindications.haic`` for the three HAIC
  drugs, ``.lenvatinib``, ``.pd1``); never dosed, whatever the course or ``--force``; ``dose_mg`` null.
* ``pending_input``: an input the dose needs is unknown (weight or height for the BSA of a per-m2 drug; the
  creatinine clearance inputs for the oxaliplatin renal start); ``dose_mg`` null, ``basis`` names the field.
"""


class DosingInputError(InputError):
    """The record cannot be dosed as it stands (e.g. the lenvatinib tier weight is unknown)."""

    code = "dosing.input"


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AgentDose(_Out):
    agent: str = Field(description="Protocol agent id; the PD-1 product name when pd1_agent is recorded, else 'pd1'")
    dose_mg: float | None = Field(
        description="Dose per administration; shown for active, pending_precycle_check and delayed (only active "
        "may be given now); null while held, interrupted or discontinued, or when unknown (e.g. BSA)"
    )
    unrounded_mg: float | None = Field(description="Exact product of the basis before rounding (per-m2 agents)")
    basis: str = Field(description="How the dose was obtained, e.g. '85 mg/m2 x 1.8181 m2'")
    route: str
    day: str = Field(description="Day(s) of the cycle relative to HAIC day 1")
    infusion_hours: float | None
    rate_mg_per_h: float | None = Field(description="dose_mg / infusion_hours, 2 decimals (infused agents)")
    frequency: str
    vials: int | None = Field(
        description="Vials (PD-1) or capsules (lenvatinib) per administration; null if not counted"
    )
    dose_level: str | None
    status: DoseStatus = Field(
        description="active | pending_precycle_check | pending_input | delayed | held | interrupted | "
        "discontinued | contraindicated (see DoseStatus)"
    )


class DosePlan(_Out):
    """The ``dose`` result: each agent's next-cycle dose with its basis, level and status."""

    protocol: str
    bsa_m2: float | None = Field(description="BSA used for per-m2 doses (after any cap); null when unknown")
    bsa_formula: str
    options: dict[str, Any] = Field(description="Every dosing and modification option in force")
    warnings: list[str]
    agents: list[AgentDose]
    eligibility: dict[str, Any] = Field(
        description="The gate shared with plan: eligible (true/false/null), summary, reasons, forced"
    )

    def to_json_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")
