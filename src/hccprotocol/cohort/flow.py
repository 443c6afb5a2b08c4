"""The patient-selection flow of a cohort, per protocol arm, as in the paper's Figure 1.

Why a model and two renderings: Lin et al. 2023 report selection as a
flowchart (screened -> excluded, with counts per reason -> included, per arm).
A prospective screen has a third outcome the retrospective study did not:
*undetermined*, a patient no criterion excludes but whose record leaves some
criterion unknown (never counted as eligible). The model holds the numbers;
``render_text`` prints them for a report, ``render_mermaid`` draws them.

Counting exclusions: a patient can fail several criteria. ``excluded_by``
counts each patient under every criterion that excludes them (what each
criterion does); ``excluded_first`` counts each excluded patient once, under
the first excluding criterion in rule-file order, so its counts add up to
``excluded`` the way a flowchart's boxes do. ``undetermined_by`` counts the
undetermined patients under every criterion left unknown.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from hccprotocol.cohort.engine import CohortResult
from hccprotocol.eligibility.decision import ProtocolRef

__all__ = ["ArmFlow", "ReasonCount", "SelectionFlow", "render_mermaid", "render_text", "selection_flow"]


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReasonCount(_Out):
    id: str = Field(description="Criterion id")
    kind: str = Field(description="inclusion (not met) or exclusion (met)")
    title: str
    patients: int = Field(ge=0)


class ArmFlow(_Out):
    protocol: ProtocolRef
    title: str
    rules: dict[str, str] = Field(description="Criteria rule file: id, name, version")
    screened: int = Field(ge=0)
    excluded: int = Field(ge=0, description="A criterion definitively excludes (eligible: false)")
    excluded_by: list[ReasonCount] = Field(description="Patients under every criterion that excludes them")
    excluded_first: list[ReasonCount] = Field(
        description="Each excluded patient once, under the first excluding criterion in rule-file order"
    )
    undetermined: int = Field(ge=0, description="Nothing excludes, but some criterion is unknown (eligible: null)")
    undetermined_by: list[ReasonCount] = Field(description="Undetermined patients under every unknown criterion")
    eligible: int = Field(ge=0, description="Every criterion decided in the patient's favour (eligible: true)")


class SelectionFlow(_Out):
    screened: int = Field(ge=0)
    arms: list[ArmFlow]


def selection_flow(results: Sequence[CohortResult]) -> SelectionFlow:
    """The flow of one screened cohort judged for each arm (every result must cover the same patients)."""
    if not results:
        raise ValueError("give at least one cohort result")
    ids = list(results[0].table["patient_id"])
    for r in results[1:]:
        if list(r.table["patient_id"]) != ids:
            raise ValueError("every arm's result must cover the same patients, in the same order")
    return SelectionFlow(screened=len(ids), arms=[_arm(r) for r in results])


def _arm(result: CohortResult) -> ArmFlow:
    eligible = result.table["eligible"].astype("boolean")
    undetermined_rows = np.flatnonzero(eligible.isna().to_numpy(dtype=bool)).tolist()
    excluded_rows = np.flatnonzero(eligible.eq(False).fillna(False).to_numpy(dtype=bool)).tolist()
    by: Counter[str] = Counter()
    first: Counter[str] = Counter()
    for i in excluded_rows:
        reasons = result.excluded_by[i]
        by.update(reasons)
        first[reasons[0]] += 1
    unknown: Counter[str] = Counter()
    for i in undetermined_rows:
        unknown.update(result.unknown[i])

    def counts(counter: Counter[str]) -> list[ReasonCount]:
        return [
            ReasonCount(
                id=cid, kind=result.criteria_kinds[cid], title=result.criteria_titles[cid], patients=counter[cid]
            )
            for cid in result.criteria_ids
            if counter[cid]
        ]

    screened = len(result.table)
    return ArmFlow(
        protocol=result.protocol,
        title=result.protocol_title,
        rules=dict(result.rules),
        screened=screened,
        excluded=len(excluded_rows),
        excluded_by=counts(by),
        excluded_first=counts(first),
        undetermined=len(undetermined_rows),
        undetermined_by=counts(unknown),
        eligible=screened - len(excluded_rows) - len(undetermined_rows),
    )


def _reason(r: ReasonCount) -> str:
    verb = "not met" if r.kind == "inclusion" else "present"
    return f"{r.title} ({r.kind} {verb}, {r.id}): {r.patients}"


def render_text(flow: SelectionFlow) -> str:
    """The flow as indented plain text (for a report or a terminal)."""
    lines = [f"Screened: {flow.screened} patients"]
    for arm in flow.arms:
        lines += [
            "",
            f"Arm {arm.protocol.id} v{arm.protocol.version}: {arm.title}",
            f"  criteria: {arm.rules['name']} {arm.rules['version']} ({arm.rules['id']})",
            f"  Excluded: {arm.excluded}",
            *(f"    {_reason(r)}" for r in arm.excluded_first),
        ]
        if arm.excluded_by != arm.excluded_first:
            lines.append("    counting every reason (a patient may have several):")
            lines += [f"      {_reason(r)}" for r in arm.excluded_by]
        lines += [
            f"  Undetermined (a criterion is unknown; never counted as eligible): {arm.undetermined}",
            *(f"    {r.title} ({r.id}) unknown: {r.patients}" for r in arm.undetermined_by),
            f"  Eligible: {arm.eligible}",
        ]
    return "\n".join(lines) + "\n"


def _label(text: str) -> str:
    return text.replace('"', "#quot;")


def render_mermaid(flow: SelectionFlow) -> str:
    """The flow as a Mermaid flowchart (top-down: screened -> arm -> excluded / undetermined / eligible)."""
    lines = ["flowchart TD", f'  screened["Screened: {flow.screened} patients"]']
    for n, arm in enumerate(flow.arms):
        a = f"arm{n}"
        excluded = "<br/>".join(
            [f"Excluded: {arm.excluded}", *(_label(f"{r.title}: {r.patients}") for r in arm.excluded_first)]
        )
        undetermined = "<br/>".join(
            [
                f"Undetermined: {arm.undetermined}",
                *(_label(f"{r.title} unknown: {r.patients}") for r in arm.undetermined_by),
            ]
        )
        lines += [
            f'  {a}["{_label(arm.title)}<br/>{arm.protocol.id} v{arm.protocol.version}"]',
            f"  screened --> {a}",
            f'  {a} --> {a}_excluded["{excluded}"]',
            f'  {a} --> {a}_undetermined["{undetermined}"]',
            f'  {a} --> {a}_eligible["Eligible: {arm.eligible}"]',
        ]
    return "\n".join(lines) + "\n"
