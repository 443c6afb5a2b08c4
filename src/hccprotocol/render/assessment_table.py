"""Terminal table of an assessment: the summary a clinician prints and files."""

from __future__ import annotations

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from hccprotocol.assessment import Assessment


def _show(value: object) -> str:
    return "unknown" if value is None else str(value)


def render_assessment(assessment: Assessment, console: Console) -> None:
    d = assessment.derived
    table = Table(title=f"Patient {assessment.patient_id}: derived measures", show_lines=False)
    table.add_column("Measure")
    table.add_column("Value")
    table.add_column("Formula / source", overflow="fold")
    trail = {m.id: m for m in assessment.measures}
    bsa = trail["measure.bsa"]
    table.add_row("Body surface area", f"{_show(d.bsa_m2)} m² ({d.bsa_formula})", f"{bsa.formula}; {bsa.source}")
    cp = trail["measure.child_pugh"]
    cp_text = "unknown" if d.child_pugh is None else f"{d.child_pugh.cls} (score {d.child_pugh.score})"
    table.add_row("Child-Pugh", cp_text, cp.source)
    albi = trail["measure.albi"]
    albi_text = "unknown" if d.albi is None else f"{d.albi.score:.2f} (grade {d.albi.grade})"
    table.add_row("ALBI", albi_text, albi.source)
    bclc = trail["measure.bclc_stage"]
    bclc_text = _show(d.bclc_stage)
    if d.bclc_stage_recorded is not None:
        bclc_text += f" (recorded {d.bclc_stage_recorded}{', CONFLICT' if d.bclc_stage_conflict else ''})"
    table.add_row("BCLC stage", bclc_text, bclc.source)
    parts: list[Table | Text] = [table]
    for warning in assessment.warnings:
        parts.append(Text(f"WARNING: {warning}", style="bold yellow"))
    if assessment.missing:
        parts.append(Text("Unknown (missing) fields: " + ", ".join(assessment.missing)))
    else:
        parts.append(Text("No missing fields."))
    console.print(Group(*parts))
