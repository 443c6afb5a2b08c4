"""The one place where screening meets the rule files: criteria and session findings as Kleene masks.

Why one narrow module: the rules come from ``rules/`` and ``protocol/`` only
(ids, kinds, titles, conditions); nothing here or elsewhere in ``screen``
states a clinical threshold. Today they are compiled by ``eligibility.compile``
(the per-patient durable path's own compilation, options resolved) and turned
into pandas masks by ``cohort.masks`` with durable's semantics: a criterion is
``met`` where its met condition matches, ``not_met`` where its not-met
condition matches, ``unknown`` elsewhere (three-valued / Kleene: a missing
value matches neither). When the protocol model's vectorised engine lands,
only this module changes: the rest of ``screen`` sees ``Criteria`` and status
codes (0 met, 1 not met, 2 unknown).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from hccprotocol.cohort.masks import compile_condition
from hccprotocol.cohort.statuses import STATUSES, tri_codes
from hccprotocol.eligibility.compile import CompiledRules
from hccprotocol.eligibility.decision import any_met, excludes
from hccprotocol.eligibility.evaluate import rules_for
from hccprotocol.eligibility.facts import session_record_fields
from hccprotocol.eligibility.tace_series import needs_change
from hccprotocol.errors import ProtocolDefinitionError
from hccprotocol.rules_source import condition_paths

if TYPE_CHECKING:
    from hccprotocol.protocol import Protocol

__all__ = ["TACE_REFRACTORY", "Criteria", "load_criteria"]

TACE_REFRACTORY = "tace_refractory.status"

Codes = np.ndarray[Any, Any]


@dataclass(frozen=True)
class Criteria:
    """Everything screening needs from the rule files for one protocol arm (options resolved)."""

    refractory: CompiledRules
    criteria: CompiledRules
    refractory_ids: tuple[str, ...]
    criteria_ids: tuple[str, ...]
    kinds: dict[str, str]
    titles: dict[str, str]
    reads: dict[str, tuple[str, ...]]
    """Criterion id -> patient-fact paths its conditions read."""
    finding_fields: dict[str, tuple[str, ...]]
    """Session finding id -> session record fields its conditions read."""
    needs_change: dict[str, bool]
    session_paths: tuple[str, ...]

    @property
    def ids(self) -> tuple[str, ...]:
        return (*self.refractory_ids, *self.criteria_ids)

    def judge_findings(self, sessions: pd.DataFrame, labels: Sequence[str]) -> dict[str, tuple[Codes, Codes]]:
        """Finding id -> (counted codes, present codes) per session row (0 yes, 1 no, 2 unknown)."""
        out: dict[str, tuple[Codes, Codes]] = {}
        for compiled in self.refractory.findings:
            fid, cond = compiled.finding.id, compiled.conditions
            if cond["counts"] is None or cond["not_counted"] is None:
                counted = np.zeros(len(sessions), dtype=np.int8)  # no counting condition: every session counts
            else:
                counted = tri_codes(compile_condition(cond["counts"])(sessions),
                                    compile_condition(cond["not_counted"])(sessions), f"{fid}#counts", labels)
            if cond["present"] is None or cond["absent"] is None:
                raise ProtocolDefinitionError(f"finding {fid}: present_when and absent_when are required")
            present = tri_codes(compile_condition(cond["present"])(sessions),
                                compile_condition(cond["absent"])(sessions), f"{fid}#present", labels)
            out[fid] = (counted, present)
        return out

    def judge(self, rules: CompiledRules, frame: pd.DataFrame, labels: Sequence[str]) -> dict[str, Codes]:
        """Criterion id -> status codes per patient row."""
        return {
            c.rule.id: tri_codes(compile_condition(c.met_when)(frame), compile_condition(c.not_met_when)(frame),
                                 f"criterion {c.rule.id}", labels)
            for c in rules.criteria
        }


def any_met_codes(codes: Sequence[Codes], n: int) -> Codes:
    """``decision.any_met`` over status codes, column-wise (the function itself, on the 3^k possible rows)."""
    if not codes:
        return np.full(n, STATUSES.index(any_met([])), dtype=np.int8)
    stacked = np.stack(codes, axis=1).astype(np.int64)
    key = (stacked * (3 ** np.arange(len(codes)))).sum(axis=1)
    distinct, inverse = np.unique(key, return_inverse=True)
    table = np.asarray(
        [STATUSES.index(any_met(STATUSES[(k // 3**j) % 3] for j in range(len(codes)))) for k in distinct],
        dtype=np.int8,
    )
    return table[inverse.reshape(-1)]


def excluding(kind: str) -> np.ndarray[Any, Any]:
    """Per status code, whether it excludes (``decision.excludes``)."""
    return np.asarray([excludes(kind, s) for s in STATUSES], dtype=bool)


def load_criteria(protocol: Protocol) -> Criteria:
    refractory, criteria = rules_for(protocol)
    options = protocol.eligibility
    kinds: dict[str, str] = {c.rule.id: c.rule.kind for c in (*refractory.criteria, *criteria.criteria)}
    titles = {c.rule.id: c.rule.title for c in (*refractory.criteria, *criteria.criteria)}
    reads = {c.rule.id: c.tested for c in (*refractory.criteria, *criteria.criteria)}
    fields = {
        f.finding.id: session_record_fields(
            p for cond in f.conditions.values() if cond is not None for p in condition_paths(cond))
        for f in refractory.findings
    }
    return Criteria(
        refractory=refractory,
        criteria=criteria,
        refractory_ids=tuple(c.rule.id for c in refractory.criteria),
        criteria_ids=tuple(c.rule.id for c in criteria.criteria),
        kinds=kinds,
        titles=titles,
        reads=reads,
        finding_fields=fields,
        needs_change={f.finding.id: needs_change(f.finding, options) for f in refractory.findings},
        session_paths=refractory.session_paths,
    )
