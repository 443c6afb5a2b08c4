"""The reference evaluator (defined in :mod:`hccprotocol.model.semantics`, re-exported beside the other engines).

Why it lives in the model: the loader's reachability check evaluates conditions
with the same semantics, and the model must not import an engine package.
"""

from hccprotocol.model.semantics import (
    Truth,
    combine_parts,
    criterion_parts,
    criterion_truth,
    evaluate,
    kleene_all,
    kleene_any,
    kleene_not,
    status,
)

__all__ = [
    "Truth",
    "combine_parts",
    "criterion_parts",
    "criterion_truth",
    "evaluate",
    "kleene_all",
    "kleene_any",
    "kleene_not",
    "status",
]
