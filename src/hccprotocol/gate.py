"""The clinical gate shared by ``dose`` and ``plan``: eligibility for the arm, and recorded contraindications.

Why one module: a patient who must not be treated must be refused in the same
words, with the same ``--force`` escape and the same marking, whether the team
asks for the doses or for the calendar. Two copies would drift. ``plan`` calls
:func:`enforce` from :func:`hccprotocol.schedule.plan.make_plan`, ``dose`` from
:func:`hccprotocol.dosing.next_cycle_doses`; both raise the one refusal error
(:class:`hccprotocol.errors.ClinicalGateError`, exit code 3, for both).

Contraindications (``contraindications.haic`` / ``.lenvatinib`` / ``.pd1``) are per
drug, independent of ``--force``: a drug with a recorded contraindication is
never dosed (status ``contraindicated``), never scheduled, and the course never
shows it active. ``haic`` covers the three HAIC drugs (oxaliplatin, leucovorin,
fluorouracil). Source: Lin 2023, Patients, exclusion (8) "contraindications for
HAIC, lenvatinib, PD-1 inhibitors".
"""

from __future__ import annotations

from dataclasses import dataclass

from hccprotocol.errors import ClinicalGateError
from hccprotocol.patient import Patient
from hccprotocol.protocol import Protocol

__all__ = [
    "CONTRAINDICATION_FIELDS",
    "EligibilityGate",
    "contraindicated_agents",
    "eligibility_gate",
    "enforce",
    "forced_note",
]

CONTRAINDICATION_FIELDS: dict[str, tuple[str, ...]] = {
    "haic": ("oxaliplatin", "leucovorin", "fluorouracil"),
    "lenvatinib": ("lenvatinib",),
    "pd1": ("pd1",),
}
"""Record field ``contraindications.<key>`` -> the protocol agent ids it forbids."""

CONTRAINDICATION_SOURCE = 'Lin 2023, Patients, exclusion (8): "contraindications for HAIC, lenvatinib, PD-1 inhibitors"'


@dataclass(frozen=True)
class EligibilityGate:
    """The eligibility decision for this arm: True, False, or None (undetermined), with the reasons by rule id."""

    eligible: bool | None
    summary: str
    reasons: tuple[str, ...] = ()


def eligibility_gate(patient: Patient, protocol: Protocol) -> EligibilityGate:
    """The eligibility decision of ``hccprotocol.eligibility.evaluate_eligibility`` for this arm.

    ``reasons`` lists, by rule id, what excludes the patient or is unknown: inclusion
    criteria not met, exclusion criteria met, criteria whose status is unknown, and TACE
    refractoriness when it is not met or unknown.
    """
    from hccprotocol.eligibility import evaluate_eligibility

    result = evaluate_eligibility(patient, protocol)
    reasons: list[str] = []
    if result.tace_refractory.status != "met":
        reasons.append(f"tace_refractory: {result.tace_refractory.status}")
    for criterion in result.criteria:
        status, kind = criterion.status, criterion.kind
        if status == "unknown" or (kind == "inclusion" and status == "not_met") or (
            kind == "exclusion" and status == "met"
        ):
            reasons.append(f"{criterion.id}: {status}")
    return EligibilityGate(result.eligible, _summary(result.eligible), tuple(reasons))


def _summary(eligible: bool | None) -> str:
    return {True: "eligible", False: "not eligible", None: "eligibility undetermined"}[eligible]


def enforce(gate: EligibilityGate, patient: Patient, protocol: Protocol, *, force: bool, what: str) -> str | None:
    """Refuse (raise) a patient who is not eligible or undetermined, unless ``force``; then return the mark.

    ``what`` names the refused output ("calendar", "doses"). Returns None for an eligible
    patient, else the line every output repeats ("FORCED: ..."). Raises
    :class:`~hccprotocol.errors.ClinicalGateError` (exit 3) without ``force``.
    """
    if gate.eligible is True:
        return None
    if not force:
        why = "; ".join(gate.reasons)
        raise ClinicalGateError(
            f"no {what}: patient {patient.id} is {gate.summary} for {protocol.id}"
            + (f" ({why})" if why else "")
            + f"; run `hccprotocol assess` for the reasons, or use --force to produce the {what} marked as such"
        )
    return forced_note(gate, protocol, what)


def forced_note(gate: EligibilityGate, protocol: Protocol, what: str) -> str:
    """The mark of an output produced past the gate with ``--force``."""
    verb = "were" if what.endswith("s") else "was"
    return (
        f"FORCED: patient {gate.summary} for {protocol.id}; the {what} {verb} produced with --force, "
        "not a treatment decision"
    )


def contraindicated_agents(patient: Patient, protocol: Protocol) -> dict[str, str]:
    """Protocol agent id -> the record path of its recorded contraindication (only ``true`` counts).

    An absent or null contraindication is unknown: it leaves the drug to the eligibility gate
    (exclusion (8) is then unknown, so the patient is undetermined and refused without --force).
    """
    out: dict[str, str] = {}
    record = patient.contraindications
    if record is None:
        return out
    ids = set(protocol.agent_ids())
    for key, agents in CONTRAINDICATION_FIELDS.items():
        if getattr(record, key) is True:
            for agent in agents:
                if agent in ids:
                    out[agent] = f"contraindications.{key}"
    return out
