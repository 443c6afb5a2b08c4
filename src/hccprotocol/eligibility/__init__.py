"""Eligibility for one protocol arm: TACE refractoriness and the paper's inclusion/exclusion criteria.

The criteria are data (``rules/*.yaml``) evaluated on durable_rules through
``hccprotocol.rules_engine``; this package builds the facts, computes the TACE
response series, and combines the statuses into a decision.
"""

from hccprotocol.eligibility.decision import CriterionResult, EligibilityResult, TaceRefractory, decide
from hccprotocol.eligibility.evaluate import evaluate_eligibility
from hccprotocol.eligibility.options import EligibilityOptions

__all__ = [
    "CriterionResult",
    "EligibilityOptions",
    "EligibilityResult",
    "TaceRefractory",
    "decide",
    "evaluate_eligibility",
]
