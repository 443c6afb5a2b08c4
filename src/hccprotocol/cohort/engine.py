"""The cohort engine: eligibility of many patients for one protocol arm, vectorised over a DataFrame.

Same rule source, same compiled conditions, same semantics as the per-patient
engine (``eligibility.evaluate_eligibility``); only the evaluation differs:

1. per patient, in Python, with the per-patient path's own functions: derived
   measures (``measures.derive``: Child-Pugh, BCLC and its conflict with the
   recorded stage) and the TACE session facts (``eligibility.facts``);
2. vectorised: the refractoriness rule file's session findings over one row
   per TACE session (``cohort.sessions``);
3. per patient: the runs of consecutive sessions (``tace_series.summarise``)
   and the patient fact (``eligibility.facts.patient_fact``);
4. vectorised: the refractoriness criteria, then (with
   ``tace_refractory.status``) the inclusion/exclusion criteria over one row
   per patient; statuses combine with ``decision.any_met`` / ``decide``.

The result is a table (one row per patient, one column per criterion) rather
than one trail per patient: the cohort engine answers "who, and how many";
the trail of one patient's answer is ``assess --protocol``.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from hccprotocol.cohort.sessions import judge_sessions, series_facts, session_frame
from hccprotocol.cohort.statuses import (
    apply_any_met,
    apply_decide,
    criterion_codes,
    restricted,
    status_column,
)
from hccprotocol.eligibility.compile import CompiledRules
from hccprotocol.eligibility.dates import check_dates
from hccprotocol.eligibility.decision import ProtocolRef, Status
from hccprotocol.eligibility.evaluate import rules_for
from hccprotocol.eligibility.facts import model_values, patient_fact, session_facts
from hccprotocol.engines.masks import build_frame
from hccprotocol.measures.derive import Derived, derive
from hccprotocol.patient import Patient

if TYPE_CHECKING:  # protocol.py imports eligibility.options: avoid an import cycle
    from hccprotocol.protocol import Protocol

__all__ = ["TACE_REFRACTORY", "CohortResult", "PatientOutcome", "evaluate_cohort"]

TACE_REFRACTORY = "tace_refractory.status"
"""Column of the result table (and path of the patient fact) holding the refractoriness status."""


class PatientOutcome(BaseModel):
    """One patient's row of a cohort result: every status and the decision, without the per-patient trail."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    patient_id: str
    protocol: ProtocolRef
    eligible: bool | None = Field(description="false: a criterion excludes; null: some criterion unknown; true")
    tace_refractory: Status
    refractory_criteria: dict[str, Status] = Field(description="Refractoriness criterion id -> status")
    criteria: dict[str, Status] = Field(description="Inclusion/exclusion criterion id -> status")
    excluded_by: list[str]
    unknown: list[str]


@dataclass(frozen=True)
class CohortResult:
    """Statuses and decisions of a cohort for one protocol arm.

    ``table`` has one row per patient (in input order): ``patient_id``, one column per refractoriness
    criterion, ``tace_refractory.status``, one column per inclusion/exclusion criterion (status strings)
    and ``eligible`` (nullable boolean: ``<NA>`` is null).
    """

    protocol: ProtocolRef
    protocol_title: str
    rules: Mapping[str, str]
    """Criteria rule file: id, name, version (as ``Basis.rules`` of the per-patient result)."""
    refractory_ids: tuple[str, ...]
    criteria_ids: tuple[str, ...]
    criteria_kinds: Mapping[str, str]
    criteria_titles: Mapping[str, str]
    table: pd.DataFrame
    excluded_by: Sequence[tuple[str, ...]]
    unknown: Sequence[tuple[str, ...]]
    options: Mapping[str, Any]
    timings: Mapping[str, float] = field(default_factory=dict)
    """Seconds per stage: ``per_patient`` (derived facts, runs, frames) and ``vectorised`` (masks, statuses)."""

    def __len__(self) -> int:
        return len(self.table)

    def outcome(self, row: int) -> PatientOutcome:
        record = self.table.iloc[row]
        eligible = record["eligible"]
        return PatientOutcome(
            patient_id=str(record["patient_id"]),
            protocol=self.protocol,
            eligible=None if pd.isna(eligible) else bool(eligible),
            tace_refractory=record[TACE_REFRACTORY],
            refractory_criteria={i: record[i] for i in self.refractory_ids},
            criteria={i: record[i] for i in self.criteria_ids},
            excluded_by=list(self.excluded_by[row]),
            unknown=list(self.unknown[row]),
        )

    def outcomes(self) -> Iterator[PatientOutcome]:
        for row in range(len(self.table)):
            yield self.outcome(row)


def evaluate_cohort(
    patients: Sequence[Patient],
    protocol: Protocol,
    derived: Sequence[Derived] | None = None,
    as_of: dt.date | None = None,
) -> CohortResult:
    """Judge every criterion for every patient under ``protocol``; ``derived`` may be given (one per patient).

    ``as_of`` as in ``evaluate_eligibility``: a TACE or imaging dated after it is an error naming the field.
    """
    for patient in patients:
        check_dates(patient, as_of)
    options = protocol.eligibility
    refractory, criteria = rules_for(protocol)
    labels = [p.id for p in patients]
    clock = time.perf_counter()

    # 1. per patient: derived measures and TACE session facts (the per-patient path's functions)
    if derived is None:
        derived = [derive(p).derived for p in patients]
    elif len(derived) != len(patients):
        raise ValueError("give one Derived per patient")
    histories = [session_facts(p.tace_history) if p.tace_history is not None else None for p in patients]
    sessions = session_frame(histories, refractory)
    session_labels = [f"{labels[row]} session {int(s)}" for row, s in zip(sessions["patient"], sessions["session"],
                                                                         strict=True)]
    per_patient = time.perf_counter() - clock

    # 2. vectorised: session findings
    clock = time.perf_counter()
    codes = judge_sessions(refractory, sessions, session_labels)
    vectorised = time.perf_counter() - clock

    # 3. per patient: runs of consecutive sessions, then the patient fact
    clock = time.perf_counter()
    runs = series_facts(refractory, histories, codes, options)
    # Only the paths the rules read become columns: what the per-patient path gives durable_rules.
    paths = list(dict.fromkeys([*refractory.fact_paths, *criteria.fact_paths]))
    facts = [patient_fact(p, d, protocol, r) for p, d, r in zip(patients, derived, runs, strict=True)]
    frame = build_frame([model_values(f, paths) for f in facts], restricted(criteria.catalogue, paths))
    per_patient += time.perf_counter() - clock

    # 4. vectorised: refractoriness, then inclusion/exclusion, then the decision
    clock = time.perf_counter()
    table = pd.DataFrame({"patient_id": pd.Series(labels, index=frame.index, dtype="str")})
    jsh = _statuses(refractory, frame, labels)
    table = pd.concat([table, jsh], axis=1)
    tace_status = apply_any_met(jsh)
    table[TACE_REFRACTORY] = tace_status
    frame[TACE_REFRACTORY] = pd.Series(
        [None if s == "unknown" else s for s in tace_status], index=frame.index, dtype=frame[TACE_REFRACTORY].dtype
    )
    items = _statuses(criteria, frame, labels)
    table = pd.concat([table, items], axis=1)
    eligible, excluded_by, unknown = apply_decide(items, criteria.criteria)
    table["eligible"] = eligible
    vectorised += time.perf_counter() - clock

    return CohortResult(
        protocol=ProtocolRef(id=protocol.id, version=protocol.version),
        protocol_title=protocol.title,
        rules={"id": criteria.source.id, "name": criteria.source.display_name, "version": criteria.source.version},
        refractory_ids=tuple(c.rule.id for c in refractory.criteria),
        criteria_ids=tuple(c.rule.id for c in criteria.criteria),
        criteria_kinds={c.rule.id: c.rule.kind for c in criteria.criteria},
        criteria_titles={c.rule.id: c.rule.title for c in criteria.criteria},
        table=table,
        excluded_by=excluded_by,
        unknown=unknown,
        options=options.values(),
        timings={"per_patient": per_patient, "vectorised": vectorised},
    )


def _statuses(rules: CompiledRules, frame: pd.DataFrame, labels: Sequence[str]) -> pd.DataFrame:
    """One status column per criterion of ``rules`` (nullable-boolean masks, ``<NA>`` = unknown)."""
    columns = {cid: status_column(codes, frame.index) for cid, codes in criterion_codes(rules, frame, labels).items()}
    return pd.DataFrame(columns, index=frame.index)
