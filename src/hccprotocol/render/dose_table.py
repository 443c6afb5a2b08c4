"""Terminal table of the next cycle's doses: what a pharmacist checks against the prescription."""

from __future__ import annotations

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from hccprotocol.dosing.model import DosePlan


def _mg(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def render_dose_table(plan: DosePlan, console: Console) -> None:
    bsa = "unknown" if plan.bsa_m2 is None else f"{plan.bsa_m2:.4f} m² ({plan.bsa_formula})"
    table = Table(title=f"Next cycle doses: {plan.protocol}; BSA {bsa}")
    for column in (
        "Agent",
        "Status",
        "Dose mg",
        "Unrounded mg",
        "Basis",
        "Route",
        "Day",
        "Hours",
        "mg/h",
        "Frequency",
        "Units",
    ):
        table.add_column(column, overflow="fold")
    for a in plan.agents:
        table.add_row(
            a.agent,
            a.status,
            _mg(a.dose_mg),
            _mg(a.unrounded_mg),
            a.basis,
            a.route,
            a.day,
            _mg(a.infusion_hours),
            _mg(a.rate_mg_per_h),
            a.frequency,
            "-" if a.vials is None else str(a.vials),
        )
    parts: list[Table | Text] = [table]
    parts.append(Text("Options: " + ", ".join(f"{k}={v}" for k, v in plan.options.items())))
    parts.extend(Text(f"WARNING: {w}", style="bold yellow") for w in plan.warnings)
    console.print(Group(*parts))
