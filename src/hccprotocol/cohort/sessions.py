"""TACE sessions of a cohort: one row per session, session findings judged vectorised, runs per patient.

Why split this way: whether one session shows a finding is a rule-file
condition (a mask over all sessions of all patients at once); the run of
consecutive sessions is bookkeeping that the per-patient path does in
``eligibility.tace_series.summarise``, and the cohort calls that very function
per patient with the judgements read from the masks, so the two paths cannot
count runs differently.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from hccprotocol.cohort.statuses import restricted, truth_codes
from hccprotocol.eligibility.compile import SEP, CompiledRules
from hccprotocol.eligibility.options import EligibilityOptions
from hccprotocol.eligibility.tace_series import CHANGE_FIELDS, Judgement, summarise
from hccprotocol.engines.masks import build_frame
from hccprotocol.errors import RuleEngineError

__all__ = ["SessionCodes", "judge_sessions", "series_facts", "session_frame"]

SessionCodes = dict[str, tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]]
"""finding id -> (counted codes, present codes) per session row; 0 = yes, 1 = no, 2 = unknown."""

_TRI: tuple[bool | None, ...] = (True, False, None)
_JUDGEMENTS = [[Judgement(counted=c, present=p) for p in _TRI] for c in _TRI]


def session_frame(
    histories: Sequence[Sequence[Mapping[str, Any]] | None], rules: CompiledRules
) -> pd.DataFrame:
    """One row per TACE session of every patient (the session facts the findings read, nullable columns);
    column ``patient`` is the patient's row in the cohort."""
    rows: list[Mapping[str, Any]] = []
    owner: list[int] = []
    for row, history in enumerate(histories):
        for session in history or ():
            rows.append({p: session.get(p) for p in rules.session_paths})
            owner.append(row)
    frame = build_frame(rows, restricted(rules.session_catalogue, rules.session_paths))
    frame["patient"] = pd.Series(owner, index=frame.index, dtype="int64")
    return frame


def judge_sessions(rules: CompiledRules, frame: pd.DataFrame, labels: Sequence[str]) -> SessionCodes:
    """Each finding's counted/present codes per session row (the masks of the rule file's session findings)."""
    out: SessionCodes = {}
    truths = rules.truth_functions("findings")  # keys of rules.finding_conditions()
    for compiled in rules.findings:
        finding = compiled.finding
        if finding.counts_when is None:
            counted = np.zeros(len(frame), dtype=np.int8)  # no counting condition: every session counts
        else:
            counted = truth_codes(truths[f"{finding.id}{SEP}counts"](frame))
        present = truth_codes(truths[f"{finding.id}{SEP}present"](frame))
        out[finding.id] = (counted, present)
    return out


def series_facts(
    rules: CompiledRules,
    histories: Sequence[Sequence[Mapping[str, Any]] | None],
    codes: SessionCodes,
    options: EligibilityOptions,
) -> list[dict[str, dict[str, int]] | None]:
    """Per patient, ``tace_series.summarise(...).facts``: finding id -> {run, possible_run}; None if history absent.

    ``summarise`` is called one finding at a time (it treats findings independently) and memoised: besides the
    options, a finding's runs depend only on its judgements per session and each session's change fields
    (``agents_changed``, ``feeding_artery_reanalysed``)
    (the evidence texts it also writes read more, but they are not facts). Patients with the same sequence share
    one call; the agreement test with the per-patient engine guards that dependency.
    """
    findings = {f.finding.id: f.finding for f in rules.findings}
    memo: dict[tuple[Any, ...], dict[str, int]] = {}
    out: list[dict[str, dict[str, int]] | None] = []
    start = 0
    for history in histories:
        if history is None:
            out.append(None)
            continue
        end = start + len(history)
        agents = tuple(tuple(s.get(f) for f in CHANGE_FIELDS) for s in history)
        facts: dict[str, dict[str, int]] = {}
        for fid, (counted, present) in codes.items():
            c, p = counted[start:end], present[start:end]
            key = (fid, agents, c.tobytes(), p.tobytes())
            runs = memo.get(key)
            if runs is None:
                judgements = {fid: [_JUDGEMENTS[i][j] for i, j in zip(c, p, strict=True)]}
                series = summarise([findings[fid]], history, judgements, options).facts
                if series is None:  # pragma: no cover - summarise returns None only for an absent history
                    raise RuleEngineError("TACE series facts missing for a recorded history")
                runs = memo[key] = series[fid]
            facts[fid] = dict(runs)
        out.append(facts)
        start = end
    return out
