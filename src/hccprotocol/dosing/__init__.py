"""Doses for the next cycle: FOLFOX-HAIC by BSA, lenvatinib by baseline weight tier, PD-1 fixed.

Why one entry point: a pharmacist verifies the doses of the cycle about to be
given; those are the protocol's start levels after every modification the
recorded course calls for. :func:`next_cycle_doses` replays the course up to
``as_of`` (``hccprotocol.course``) and turns each drug's level into mg, with the
arithmetic shown (``basis``), the unrounded value, the infusion rate and the
vial or capsule count. A drug that is held, interrupted, delayed or
discontinued gets no dose (``dose_mg`` null); a missing BSA gives null per-m²
doses (status ``pending_input``) with the reason in ``warnings``; a missing baseline weight for the
lenvatinib tier is an error. Nothing is guessed.

Public API (stable)::

    from hccprotocol.dosing import next_cycle_doses, DosePlan, AgentDose
    plan = next_cycle_doses(patient, protocol, as_of=date)   # -> DosePlan
    plan.agents            # tuple[AgentDose]
    plan.to_json_dict()    # the `dose --format json` contract

Lower-level helpers (also stable): :func:`hccprotocol.dosing.calc.lenvatinib_start_level`,
:func:`hccprotocol.dosing.calc.bsa_for_dosing`, :func:`hccprotocol.dosing.calc.level_mg`.
"""

from __future__ import annotations

import datetime as dt

from hccprotocol.dosing.model import AgentDose, DosePlan, DosingInputError
from hccprotocol.patient import Patient
from hccprotocol.protocol import Protocol

__all__ = ["AgentDose", "DosePlan", "DosingInputError", "next_cycle_doses"]


def next_cycle_doses(patient: Patient, protocol: Protocol, as_of: dt.date, *, force: bool = False) -> DosePlan:
    """The doses of the next cycle on ``as_of``, after every recorded modification up to that date.

    Before treatment starts (no ``treatment_start``, or ``as_of`` before it) these are the start doses;
    lenvatinib's tier then comes from ``weight_kg``. A patient who is not eligible or undetermined for the
    arm is refused exactly as ``plan`` refuses (``hccprotocol.gate``), unless ``force``: then every line is
    marked. A drug with a recorded contraindication is ``contraindicated`` (no dose) even with ``force``.
    Raises ``DosingInputError`` (exit 2) when the lenvatinib tier weight is unknown, or a PD-1 agent is
    recorded on an arm without PD-1, and the gate's refusal error without ``force``.
    """
    from hccprotocol.dosing.plan import plan_doses

    return plan_doses(patient, protocol, as_of, force=force)
