"""Terminal table of an assessment: the summary a clinician prints and files."""

from __future__ import annotations

from rich.console import Console, Group, RenderableType
from rich.text import Text

from hccprotocol.assessment import Assessment
from hccprotocol.render.layout import Col, console_width, fitted_table


def _show(value: object) -> str:
    return "unknown" if value is None else str(value)


def render_assessment(assessment: Assessment, console: Console) -> None:
    """Measures, decision and criteria; tables fit the console width or are stacked (render.layout)."""
    width = console_width(console)
    d = assessment.derived
    trail = {m.id: m for m in assessment.measures}
    bsa = trail["measure.bsa"]
    cp = trail["measure.child_pugh"]
    cp_text = "unknown" if d.child_pugh is None else f"{d.child_pugh.cls} (score {d.child_pugh.score})"
    albi = trail["measure.albi"]
    albi_text = "unknown" if d.albi is None else f"{d.albi.score:.2f} (grade {d.albi.grade})"
    bclc = trail["measure.bclc_stage"]
    bclc_text = _show(d.bclc_stage)
    if d.bclc_stage_recorded is not None:
        bclc_text += f" (recorded {d.bclc_stage_recorded}{', CONFLICT' if d.bclc_stage_conflict else ''})"
    rows = [
        ["Body surface area", f"{_show(d.bsa_m2)} m² ({d.bsa_formula})", f"{bsa.formula}; {bsa.source}"],
        ["Child-Pugh", cp_text, cp.source],
        ["ALBI", albi_text, albi.source],
        ["BCLC stage", bclc_text, bclc.source],
    ]
    table = fitted_table(
        f"Patient {assessment.patient_id}: derived measures",
        [Col("Measure"), Col("Value"), Col("Formula / source", prose=True)],
        rows,
        width,
    )
    parts: list[RenderableType] = [table]
    eligibility_warnings = set(assessment.eligibility_basis.warnings)
    for warning in assessment.warnings:
        if warning not in eligibility_warnings:  # printed under the decision instead
            parts.append(Text(f"WARNING: {warning}", style="bold yellow"))
    if assessment.missing:
        parts.append(Text("Unknown (missing) fields: " + ", ".join(assessment.missing)))
    else:
        parts.append(Text("No missing fields."))
    parts.extend(_eligibility(assessment, width))
    console.print(Group(*parts))


_STATUS = {"met": "met", "not_met": "not met", "unknown": "UNKNOWN"}
_EFFECT = {
    ("inclusion", "met"): "satisfied",
    ("inclusion", "not_met"): "EXCLUDES",
    ("exclusion", "met"): "EXCLUDES",
    ("exclusion", "not_met"): "clear",
}


def _inputs(inputs: dict[str, object]) -> str:
    return "; ".join(f"{path} = {'unknown' if v is None else v}" for path, v in inputs.items())


def _eligibility(a: Assessment, width: int) -> list[RenderableType]:
    """Decision first, then every criterion with its status, why, inputs and source."""
    basis = a.eligibility_basis
    if a.eligible is True:
        decision = Text("DECISION: ELIGIBLE (every criterion decided and satisfied)", style="bold green")
    elif a.eligible is False:
        decision = Text("DECISION: NOT ELIGIBLE, excluded by " + ", ".join(basis.excluded_by), style="bold red")
    else:
        decision = Text(
            "DECISION: UNDETERMINED (never eligible on incomplete data); undecided: " + ", ".join(basis.unknown),
            style="bold yellow",
        )
    warnings = [Text(f"WARNING: {w}", style="bold yellow") for w in basis.warnings]
    rules = basis.rules
    header = Text(
        f"Eligibility for protocol {a.protocol.id} {a.protocol.version}; criteria {rules['name']} "
        f"{rules['version']}; TACE refractoriness {a.tace_refractory.ruleset} {a.tace_refractory.version}"
    )
    criteria = [
        [
            f"{c.title}\n[{c.kind}] {c.id}",
            _STATUS[c.status],
            _EFFECT.get((c.kind, c.status), "undecided"),
            c.why,
            _inputs(c.inputs),
            c.source,
        ]
        for c in a.criteria
    ]
    table = fitted_table(
        "Criteria",
        [Col("Criterion"), Col("Status", no_wrap=True), Col("Effect", no_wrap=True), Col("Why", prose=True),
         Col("Inputs read", prose=True), Col("Source", prose=True)],
        criteria,
        width,
        show_lines=True,
    )
    sessions_rows = []
    for r in a.tace_refractory.criteria:
        sessions = "\n".join(
            f"#{e.session} {e.date or 'date unknown'}: {e.why}" for e in r.evidence
        ) or _inputs(r.inputs)
        sessions_rows.append([f"{r.title}\n{r.id}", _STATUS[r.status], r.why, sessions])
    tace = fitted_table(
        f"TACE failure/refractoriness ({a.tace_refractory.ruleset}): {_STATUS[a.tace_refractory.status]}"
        " (any one criterion suffices)",
        [Col("Criterion"), Col("Status", no_wrap=True), Col("Why", prose=True),
         Col("Sessions (0-based)", prose=True)],
        sessions_rows,
        width,
        show_lines=True,
    )
    notes = [Text(f"Not evaluated: {n.title} ({n.source}): {n.treatment}") for n in basis.not_evaluated]
    options = Text("Options: " + ", ".join(f"{k}={v}" for k, v in basis.options.items()))
    return [decision, *warnings, header, table, tace, *notes, options]
