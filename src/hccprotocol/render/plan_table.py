"""``plan --format table``: the calendar in the terminal, one line per row, warnings above and below.

Short columns never wrap (dates, times, doses); the route and the note fold in the last column.

Why warnings twice: a forced or incomplete calendar must say so wherever the
reader looks (the top of the screen and the end of a long scroll).
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

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
    table = Table(
        title=(
            f"Treatment calendar: patient {plan.patient.id}, {plan.protocol.id} {plan.protocol.version}, "
            f"start {plan.start.isoformat()}, {plan.cycles} HAIC cycles, times in {plan.timezone}"
        ),
        show_lines=False,
    )
    for column in ("Date", "Until", "Time", "C/day", "Agent", "Activity", "Dose", "Hours"):
        table.add_column(column, no_wrap=True)
    table.add_column("Note (route, basis, reason)", overflow="fold", min_width=24)
    for row in plan.event_rows():
        hours = row["duration_h"]
        table.add_row(
            str(row["date"]),
            str(row["end_date"] or ""),
            str(row["time"] or ""),
            f"{row['cycle']}/{row['cycle_day']}",
            agent_name(row["agent"], plan.protocol).split(" (")[0].split(",")[0],
            str(row["activity"]),
            dose_text(row).replace("dose not computed", "?"),
            "" if hours is None else f"{hours:g}",
            "; ".join(p for p in (str(row["route"] or ""), str(row["note"] or "")) if p),
        )
    console.print(table)
    console.print(f"Calendar ends {plan.schedule.end.isoformat()}; eligibility: {plan.eligibility.summary}.")
    warn()
