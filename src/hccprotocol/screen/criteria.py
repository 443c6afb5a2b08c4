"""The one place where screening meets the rule files: criteria and session findings as Kleene masks.

Why one narrow module: the rules come from ``rules/`` and ``protocol/`` only (ids, kinds,
titles, conditions); nothing here or elsewhere in ``screen`` states a clinical threshold.
They are loaded through the protocol model (``eligibility.compile``, the per-patient durable
path's own loading, options resolved) and compiled to pandas nullable-boolean (Kleene)
masks by ``engines.masks``, the vectorised engine of the model: a criterion is ``met`` where
its condition is true, ``not_met`` where it is false (or, for an asymmetric criterion, where
its ``not_met_when`` is true), ``unknown`` elsewhere. The screen's fact columns use the
trail's names (``tace.<f>.run`` / ``possible_run``, ``derived.child_pugh.score_min`` /
``score_max``); :func:`model_frame` lays them out as the model's facts (count ranges as
``.lo``/``.hi``). The rest of ``screen`` sees ``Criteria`` and status codes (0 met, 1 not
met, 2 unknown).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from hccprotocol.cohort.sessions import judge_sessions
from hccprotocol.cohort.statuses import STATUSES, criterion_codes
from hccprotocol.eligibility.compile import CompiledRules, bound_names
from hccprotocol.eligibility.decision import any_met, excludes
from hccprotocol.eligibility.evaluate import rules_for
from hccprotocol.eligibility.facts import session_record_fields
from hccprotocol.eligibility.tace_series import needs_change
from hccprotocol.engines.masks import FACT_DTYPES
from hccprotocol.model.conditions import paths_read

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
        rules = self.refractory
        return judge_sessions(rules, model_frame(sessions, rules.session_catalogue, rules.session_paths), labels)

    def judge(self, rules: CompiledRules, frame: pd.DataFrame, labels: Sequence[str]) -> dict[str, Codes]:
        """Criterion id -> status codes per patient row (the masks of the model's conditions)."""
        return criterion_codes(rules, model_frame(frame, rules.catalogue, rules.fact_paths), labels)


def _bounds(path: str) -> tuple[str, str]:
    """The screen's (lower, upper) columns of a count-range fact: the trail's names (``eligibility.compile``)."""
    names = bound_names(path)
    if names is None:
        raise KeyError(f"no screen columns for the count range {path}")
    return names


def model_frame(columns: pd.DataFrame, catalogue: Any, paths: Sequence[str]) -> pd.DataFrame:
    """The screen's columns as the model's facts at ``paths`` (what ``engines.masks`` reads).

    As ``eligibility.facts.model_values`` does per patient: a run of sessions is the range
    ``(run, possible_run)`` and the Child-Pugh score the range ``(score_min, score_max)``, missing
    when either end is; ``tace.<f>.certain_run`` is the run; an unknown refractoriness status is missing.
    """
    kinds = {f.path: f.kind for f in catalogue}
    out: dict[str, pd.Series[Any]] = {}
    n = len(columns)
    for path in paths:
        kind = kinds[path]
        if kind == "count_range":
            lo_name, hi_name = _bounds(path)
            lo = _as(columns[lo_name], "Int64")
            hi = _as(columns[hi_name], "Int64")
            gone = lo.isna().to_numpy(dtype=bool) | hi.isna().to_numpy(dtype=bool)
            for end, bound in ((".lo", lo), (".hi", hi)):
                values = bound.to_numpy(dtype=np.int64, na_value=0)
                out[path + end] = pd.Series(pd.arrays.IntegerArray(values, gone), index=pd.RangeIndex(n))
            continue
        if path.startswith("tace.") and path.endswith(".certain_run"):
            source = columns[path.removesuffix(".certain_run") + ".run"]
        elif path in columns:
            source = columns[path]
        else:
            source = pd.Series([None] * n, dtype=object)
        series = source.reset_index(drop=True)
        if kind in ("enum", "text") and isinstance(series.dtype, pd.CategoricalDtype):
            out[path] = _categorical_text(series, drop="unknown" if path == TACE_REFRACTORY else None)
            continue
        if path == TACE_REFRACTORY:
            series = series.astype(object).where(series.astype(object) != "unknown", None)
        if kind in ("enum", "text") and path != TACE_REFRACTORY and isinstance(series.dtype, pd.StringDtype):
            # Same strings with missing as <NA> (Kleene comparisons), in the column's own storage: no per-value copy.
            out[path] = _as(series, pd.StringDtype(series.dtype.storage, na_value=pd.NA))
            continue
        if kind in ("enum", "text"):
            series = series.astype(object).where(series.notna(), None)
        out[path] = _as(series, FACT_DTYPES[kind])
    return pd.DataFrame(out, index=pd.RangeIndex(n), copy=False)


_TEXT = pd.StringDtype("pyarrow", na_value=pd.NA)


def _categorical_text(series: pd.Series[Any], drop: str | None) -> pd.Series[Any]:
    """A categorical column as the engine's text facts: still categorical (``engines.masks`` tests its few
    categories and reads the answers back by code, no string per row), category ``drop`` counted as missing."""
    categories = [str(c) for c in series.cat.categories]
    codes = series.cat.codes.to_numpy()
    if drop is not None and drop in categories:
        codes = np.where(codes == categories.index(drop), -1, codes)
    return pd.Series(pd.Categorical.from_codes(codes, categories=pd.Index(categories, dtype=_TEXT)),
                     index=pd.RangeIndex(len(series)))


def _as(series: pd.Series[Any], dtype: Any) -> pd.Series[Any]:
    """``series`` as ``dtype``, without a copy when it already is."""
    return series if series.dtype == dtype else series.astype(dtype)


def any_met_codes(codes: Sequence[Codes], n: int) -> Codes:
    """``decision.any_met`` over status codes, column-wise (the function itself, on the 3^k possible rows)."""
    if not codes:
        return np.full(n, STATUSES.index(any_met([])), dtype=np.int8)
    stacked = np.stack(codes, axis=1).astype(np.int64)
    key = (stacked * (3 ** np.arange(len(codes)))).sum(axis=1)
    inverse, distinct = pd.factorize(key)  # a hash: the few distinct rows, without sorting a million keys
    table = np.asarray(
        [STATUSES.index(any_met(STATUSES[(k // 3**j) % 3] for j in range(len(codes))))
         for k in np.asarray(distinct).tolist()],
        dtype=np.int8,
    )
    return table[inverse]


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
        f.finding.id: session_record_fields(p for cond in f.conditions for p in paths_read(cond))
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
