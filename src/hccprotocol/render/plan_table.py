"""``plan --format table``: the calendar in the terminal, one line per row, warnings above and below.

Short columns never wrap (dates, times, doses); the route and the note wrap at spaces in the last
column; when the columns do not fit the console, each row is stacked (``render.layout``).

Why warnings twice: a forced or incomplete calendar must say so wherever the
reader looks (the top of the screen and the end of a long scroll).
"""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from hccprotocol.render.layout import Col, console_width, fitted_table
from hccprotocol.render.oral_days import oral_dose
from hccprotocol.render.plan_labels import agent_name, dose_text
from hccprotocol.schedule.plan import Plan

__all__ = ["render_plan_table"]


def render_plan_table(plan: Plan, console: Console) -> None:
    def warn() -> None:
        if plan.banner:
            console.print(Text(plan.banner, style="bold red"))
        for warning in plan.warnings:
            console.print(Text(f"WARNING: {warning}", style="bold yellow"))

    warn()
    title = (
        f"Treatment calendar: patient {plan.patient.id}, {plan.protocol.id} {plan.protocol.version}, "
        f"start {plan.start.isoformat()}, {plan.cycles} HAIC cycles, times in {plan.timezone}"
    )
    cols = [Col(c, no_wrap=True) for c in ("Date", "Until", "Time", "C/day", "Agent", "Activity", "Dose", "Hours")]
    cols.append(Col("Note (route, basis, reason)", prose=True))
    rows: list[list[str]] = []
    for row in plan.event_rows():
        hours = row["duration_h"]
        oral = oral_dose(row, plan.protocol)
        rows.append(
            [
            str(row["date"]),
            str(row["end_date"] or ""),
            str(row["time"] or ""),
            f"{row['cycle']}/{row['cycle_day']}",
            agent_name(row["agent"], plan.protocol).split(" (")[0].split(",")[0],
            str(row["activity"]),
            (oral.label() if oral is not None else dose_text(row)).replace("dose not computed", "?"),
            "" if hours is None else f"{hours:g}",
            "; ".join(p for p in (str(row["route"] or ""), str(row["note"] or "")) if p),
            ]
        )
    console.print(fitted_table(title, cols, rows, console_width(console)))
    console.print(f"Calendar ends {plan.schedule.end.isoformat()}; eligibility: {plan.eligibility.summary}.")
    warn()
