"""Terminal table of the next cycle's doses: what a pharmacist checks against the prescription.

Columns fit the console width or the table is stacked (``render.layout``): no word is ever cut.
"""

from __future__ import annotations

from rich.console import Console, Group, RenderableType
from rich.text import Text

from hccprotocol.dosing.model import DosePlan
from hccprotocol.render.layout import Col, console_width, fitted_table


def _mg(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


COLUMNS = (
    Col("Agent"),
    Col("Status"),
    Col("Dose mg", no_wrap=True),
    Col("Unrounded mg"),
    Col("Basis", prose=True),
    Col("Route"),
    Col("Day"),
    Col("Hours", no_wrap=True),
    Col("mg/h", no_wrap=True),
    Col("Frequency", prose=True),
    Col("Units", no_wrap=True),
)


def render_dose_table(plan: DosePlan, console: Console) -> None:
    bsa = "unknown" if plan.bsa_m2 is None else f"{plan.bsa_m2:.4f} m² ({plan.bsa_formula})"
    rows = [
        [
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
        ]
        for a in plan.agents
    ]
    table = fitted_table(f"Next cycle doses: {plan.protocol}; BSA {bsa}", COLUMNS, rows, console_width(console))
    parts: list[RenderableType] = [table]
    parts.append(Text("Options: " + ", ".join(f"{k}={v}" for k, v in plan.options.items())))
    parts.extend(Text(f"WARNING: {w}", style="bold yellow") for w in plan.warnings)
    console.print(Group(*parts))
