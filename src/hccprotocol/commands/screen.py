"""The ``hccprotocol screen`` command: a registry export screened for one arm, decisions and flow written.

Invalid records are reported on standard error (row, field, reason), counted
in the flow and not screened; the exit code stays 0 because a screen with some
bad rows is still a result (a file that cannot be read, or an unknown column,
exits 2).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from hccprotocol.protocol import DEFAULT_PROTOCOL, load_protocol

if TYPE_CHECKING:
    from hccprotocol.screen.run import Progress, Screen

__all__ = ["Engine", "screen_command"]

LONG_RUN_ROWS = 250_000
"""Above this many patients the single-machine path shows a progress bar (on a terminal)."""


class Engine(StrEnum):
    pandas = "pandas"
    dask = "dask"


def screen_command(
    patients: Annotated[Path, typer.Argument(help="Patients table (.csv or .parquet)", show_default=False)],
    tace_sessions: Annotated[
        Path | None, typer.Option("--tace-sessions", help="TACE sessions table (.csv or .parquet), keyed by patient_id")
    ] = None,
    protocol: Annotated[str, typer.Option("--protocol", help="Protocol id or file")] = DEFAULT_PROTOCOL,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Decisions file (.csv or .parquet); default standard output")
    ] = None,
    flow: Annotated[
        Path | None, typer.Option("--flow", help="Patient-selection flow diagram (.svg, .html or .mmd)")
    ] = None,
    engine: Annotated[Engine, typer.Option("--engine", help="pandas (this machine) or dask")] = Engine.pandas,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Dask scheduler address (with --engine dask)")
    ] = None,
) -> None:
    """Screen a registry (CSV/Parquet) for one protocol arm: per-patient decisions and the selection flow."""
    from hccprotocol.errors import InputError
    from hccprotocol.patient import latest_today
    from hccprotocol.screen import flow as flow_mod
    from hccprotocol.screen.io import suffix, to_csv_text, write_decisions
    from hccprotocol.screen.run import screen_dask, screen_files

    if output is not None and str(output) != "-":
        suffix(output, (".csv", ".parquet"), "decisions file")
    else:
        output = None
    if flow is not None:
        suffix(flow, (".svg", ".html", ".mmd"), "flow file")
    if scheduler is not None and engine is not Engine.dask:
        raise InputError("--scheduler needs --engine dask")
    arm = load_protocol(protocol)
    today = latest_today()
    if engine is Engine.dask:
        result = screen_dask(patients, tace_sessions, arm, today, scheduler)
    else:
        # decisions written to the file while the partitions are screened (standard output: after)
        result = _with_progress(lambda progress: screen_files(patients, tace_sessions, arm, today, progress,
                                                              output=output))
    sys.stderr.writelines(f"invalid record: {table} row {row} (patient {pid}): {name} = {value!r}: {reason}\n"
                          for table, row, pid, name, value, reason in result.issues.tuples())
    if result.invalid:
        sys.stderr.write(f"{result.invalid} invalid record(s) not screened (counted in the flow)\n")
    if output is None:
        sys.stdout.write(to_csv_text(result.decisions))
    elif engine is Engine.dask:
        write_decisions(result.decisions, output)
    if flow is not None:
        drawn = flow_mod.Flow(arms=(flow_mod.arm_flow(result.decisions, result.invalid, result.criteria, arm.id,
                                                      arm.title),))
        ext = flow.suffix.lower()
        text = (flow_mod.render_svg(drawn) if ext == ".svg" else flow_mod.render_html(drawn) if ext == ".html"
                else flow_mod.render_mermaid(drawn))
        flow.write_text(text, encoding="utf-8")


def _with_progress(run: Callable[[Progress | None], Screen]) -> Screen:
    """Run with a rich progress bar on standard error when it is a terminal (updated per partition)."""
    if not sys.stderr.isatty():
        return run(None)
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("screening", total=None)

        def update(done: int, total: int) -> None:
            if total > LONG_RUN_ROWS:
                bar.update(task, completed=done, total=total)

        return run(update)


TEMPLATES = ("cohort-template-patients.csv", "cohort-template-sessions.csv")


def cohort_schema(directory: Path | None = None) -> None:
    """``hccprotocol schema cohort``: print every column (type, unit, plausible range) and write the
    two template CSVs (header rows) into ``directory`` (default: the current directory)."""
    from rich.table import Table

    from hccprotocol.render import report_console
    from hccprotocol.screen.columns import patient_columns, session_columns

    where = directory or Path.cwd()
    console = report_console()
    for title, columns, name in (("Patients table", patient_columns(), TEMPLATES[0]),
                                 ("TACE sessions table (--tace-sessions)", session_columns(), TEMPLATES[1])):
        table = Table(title=title)
        for head in ("column", "type", "unit", "plausible", "description"):
            table.add_column(head)
        for c in columns:
            plausible = "" if c.low is None else f"{c.low:g}-{c.high:g}" if c.high is not None else f">= {c.low:g}"
            table.add_row(c.name, c.type_name, c.unit, plausible, c.description)
        console.print(table)
        (where / name).write_text(",".join(c.name for c in columns) + "\n", encoding="utf-8")
        sys.stderr.write(f"template written: {where / name}\n")
