"""Three-valued statuses from pairs of masks, and the per-patient combinations applied column-wise.

Why the combinations are not rewritten with numpy: how statuses combine
(``any_met`` for refractoriness, ``decide`` for eligibility) is fixed once in
``eligibility.decision`` and must be the same function on both paths. A cohort
has few *distinct* rows of statuses (each criterion has three), so the original
functions are called once per distinct row and the answers mapped back: exact
reuse at vectorised cost.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from hccprotocol.eligibility.compile import SEP, CompiledCriterion, CompiledRules
from hccprotocol.eligibility.decision import CriterionResult, Status, any_met, decide
from hccprotocol.engines.masks import Truth
from hccprotocol.errors import ProtocolDefinitionError, RuleEngineError
from hccprotocol.model.facts import FactCatalogue

__all__ = [
    "STATUSES",
    "apply_any_met",
    "apply_decide",
    "criterion_codes",
    "pair_codes",
    "restricted",
    "status_column",
    "tri_codes",
    "truth_codes",
]

STATUSES: tuple[Status, ...] = ("met", "not_met", "unknown")


def tri_codes(yes: pd.Series[bool], no: pd.Series[bool], what: str, labels: Sequence[str]) -> np.ndarray[Any, Any]:
    """0 where only ``yes`` matched, 1 where only ``no`` matched, 2 where neither; both is a rule-file defect.

    ``labels`` name each row in the error (patient ids, or patient/session).
    """
    return pair_codes((yes.to_numpy(dtype=bool), no.to_numpy(dtype=bool)), what, labels)


def pair_codes(truth: Truth, what: str, labels: Sequence[str]) -> np.ndarray[Any, Any]:
    """:func:`tri_codes` of a numpy (yes, no) pair (no Series on the way)."""
    y, n = truth
    both = np.flatnonzero(y & n)
    if both.size:
        shown = ", ".join(str(labels[i]) for i in both[:5])
        raise RuleEngineError(f"{what}: both conditions matched ({shown}); the rule file contradicts itself")
    return _codes(y, n)


def _codes(y: np.ndarray[Any, Any], n: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Exclusive (yes, no) masks as codes: 2 - 2y - n is 0 (yes), 1 (no) or 2 (neither), three passes over int8."""
    codes: np.ndarray[Any, Any] = np.full(len(y), 2, dtype=np.int8)
    codes -= y.astype(np.int8) << 1
    codes -= n.astype(np.int8)
    return codes


def criterion_codes(
    rules: CompiledRules, frame: pd.DataFrame, labels: Sequence[str]
) -> dict[str, np.ndarray[Any, Any]]:
    """Criterion id -> status codes (0 met, 1 not met, 2 unknown) over a frame of the model's facts.

    Met where ``when`` is true; not met where it is false, or, for an asymmetric criterion, where
    ``not_met_when`` is true. Shared by the cohort engine and ``screen`` (one vectorised reading).
    """
    truths = {key: truth(frame) for key, truth in rules.truth_functions("criteria").items()}
    out: dict[str, np.ndarray[Any, Any]] = {}
    for c in rules.criteria:
        met, when_no = truths[f"{c.rule.id}{SEP}when"]
        not_met = truths[f"{c.rule.id}{SEP}not_met_when"][0] if "not_met_when" in c.parts else when_no
        codes = pair_codes((met, not_met), f"criterion {c.rule.id} is both met and not met", labels)
        if c.contradiction is not None:
            # The contradiction only explains an unknown (per-patient trail); met on it is a rule-file defect,
            # refused by both engines alike.
            contradicted = truths[f"{c.rule.id}{SEP}contradiction"][0]
            clash = np.flatnonzero(met & contradicted)
            if clash.size:
                shown = ", ".join(str(labels[i]) for i in clash[:5])
                raise RuleEngineError(
                    f"criterion {c.rule.id} is met on a contradictory record ({shown}): its conditions overlap"
                )
        out[c.rule.id] = codes
    return out


def truth_codes(truth: pd.Series[Any] | Truth) -> np.ndarray[Any, Any]:
    """A Kleene truth as codes: 0 true, 1 false, 2 unknown (``<NA>``, or neither of a numpy pair)."""
    if isinstance(truth, tuple):
        yes, no = truth
    else:
        yes = truth.fillna(False).to_numpy(dtype=bool)
        no = (~truth).fillna(False).to_numpy(dtype=bool)
    return _codes(yes, no)


def restricted(catalogue: FactCatalogue, paths: Sequence[str]) -> FactCatalogue:
    """The facts of ``catalogue`` at ``paths`` plus its always-known ones: the columns a cohort frame needs."""
    facts = [f for f in catalogue if f.path in set(paths) or f.always_known]
    return FactCatalogue.of(catalogue.scope, facts)


def status_column(codes: np.ndarray[Any, Any], index: pd.Index[Any]) -> pd.Series[str]:
    """Codes 0/1/2 -> "met"/"not_met"/"unknown"."""
    labels = np.asarray(STATUSES, dtype=object)[codes]
    return pd.Series(labels, index=index, dtype="str")


def _distinct_rows(statuses: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray[Any, Any]]:
    """The distinct rows of ``statuses`` and, for each original row, the number of its distinct row."""
    codes = statuses.groupby(list(statuses.columns), sort=False, dropna=False).ngroup().to_numpy()
    first = pd.Series(np.arange(len(codes))).groupby(codes, sort=True).first().to_numpy()
    return statuses.iloc[first].reset_index(drop=True), codes


def apply_any_met(statuses: pd.DataFrame) -> pd.Series[str]:
    """``decision.any_met`` of each row (columns: refractoriness criteria)."""
    if statuses.empty:
        return pd.Series([], index=statuses.index, dtype="str")
    distinct, codes = _distinct_rows(statuses)
    answers = np.asarray([any_met(row) for row in distinct.itertuples(index=False, name=None)], dtype=object)
    return pd.Series(answers[codes], index=statuses.index, dtype="str")


def apply_decide(
    statuses: pd.DataFrame, criteria: Sequence[CompiledCriterion]
) -> tuple[pd.Series[Any], list[tuple[str, ...]], list[tuple[str, ...]]]:
    """``decision.decide`` of each row: (eligible as a nullable boolean, excluded_by per row, unknown per row)."""
    n = len(statuses)
    if n == 0:
        return pd.Series([], index=statuses.index, dtype="boolean"), [], []
    distinct, codes = _distinct_rows(statuses[[c.rule.id for c in criteria]])
    results = [{status: _result(c, status) for status in STATUSES} for c in criteria]
    eligible: list[bool | None] = []
    excluded: list[tuple[str, ...]] = []
    unknown: list[tuple[str, ...]] = []
    for row in distinct.itertuples(index=False, name=None):
        items = [by_status[status] for by_status, status in zip(results, row, strict=True)]
        decision, excl, unk = decide(items)
        eligible.append(decision)
        excluded.append(tuple(excl))
        unknown.append(tuple(unk))
    column = pd.Series([eligible[i] for i in codes], index=statuses.index, dtype="boolean")
    return column, [excluded[i] for i in codes], [unknown[i] for i in codes]


def _result(c: CompiledCriterion, status: Status) -> CriterionResult:
    kind = c.rule.kind
    if kind == "refractoriness":
        raise ProtocolDefinitionError(f"criterion {c.rule.id}: a refractoriness criterion cannot decide eligibility")
    return CriterionResult(
        id=c.rule.id, kind=kind, title=c.rule.title, status=status, why="", inputs={}, source=c.rule.source,
        numbering=c.rule.numbering,
    )
