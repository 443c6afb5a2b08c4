"""The vectorised cohort engine: the eligibility rule files evaluated over a DataFrame of patients.

One rule source, several engines: the cohort engine compiles the *same*
model conditions as the per-patient durable_rules engine
(``eligibility.compile``) into pandas nullable-boolean (Kleene) masks
(``engines.masks``), computes
the derived facts with the per-patient path's own functions, and combines
statuses with ``eligibility.decision``. ``tests/generative`` checks that both
engines agree patient by patient. ``flow`` summarises a cohort as the paper's
patient-selection flowchart (Figure 1).
"""

from hccprotocol.cohort.engine import TACE_REFRACTORY, CohortResult, PatientOutcome, evaluate_cohort

__all__ = [
    "TACE_REFRACTORY",
    "CohortResult",
    "PatientOutcome",
    "evaluate_cohort",
]
