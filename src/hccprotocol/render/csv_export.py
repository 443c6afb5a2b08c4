"""``plan --format csv``: one line per calendar row, the JSON event keys as columns.

Why these columns: a spreadsheet user sees exactly what the JSON says (same
names, ISO dates, empty cell for null). A forced calendar carries its warning
in a ``plan_warning`` column on every line, so no line can be read without it.
"""

from __future__ import annotations

import csv
import io

from hccprotocol.schedule.engine import COLUMNS
from hccprotocol.schedule.plan import Plan

__all__ = ["render_plan_csv"]


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def render_plan_csv(plan: Plan) -> str:
    buffer = io.StringIO()
    banner = plan.banner
    columns = [*COLUMNS, "plan_warning"] if banner else list(COLUMNS)
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in plan.event_rows():
        cells = [_cell(row[c]) for c in COLUMNS]
        if banner:
            cells.append(banner)
        writer.writerow(cells)
    return buffer.getvalue()
