"""The ``hccprotocol plan`` command: options, validation and output, registered by ``cli.py``.

Why here and not in ``cli.py``: several features add commands to the shared
CLI module at once; keeping the command body in the feature's package leaves
``cli.py`` with a one-line registration and no merge conflicts.
"""

from __future__ import annotations

import io
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from hccprotocol.patient_file import load_patient
from hccprotocol.protocol import DEFAULT_PROTOCOL, load_protocol
from hccprotocol.provenance import Header, build_header
from hccprotocol.render import report_console
from hccprotocol.schedule import clock
from hccprotocol.schedule.adapters import default_providers
from hccprotocol.schedule.plan import Plan, make_plan, parse_start_date
from hccprotocol.schedule.site_calendar import ScheduleInputError, SiteCalendar, load_site_calendar

__all__ = ["PlanFormat", "plan_command", "resolve_timezone", "write_plan"]


class PlanFormat(StrEnum):
    json = "json"
    csv = "csv"
    ics = "ics"
    html = "html"
    table = "table"


def write_plan(plan: Plan, fmt: PlanFormat, output: Path | None, header: Header | None = None) -> None:
    """Render ``plan`` in ``fmt`` to ``output`` (or standard output for None or ``-``).

    ``header`` is the provenance header (``hccprotocol.provenance``) of the JSON output.
    """
    if output is not None and str(output) == "-":
        output = None
    if fmt is PlanFormat.table and output is None:
        from hccprotocol.render.plan_table import render_plan_table

        render_plan_table(plan, report_console())
        return
    data: bytes | str
    if fmt is PlanFormat.json:
        from hccprotocol.render.plan_json import render_plan_json

        data = render_plan_json(plan, header)
    elif fmt is PlanFormat.csv:
        from hccprotocol.render.csv_export import render_plan_csv

        data = render_plan_csv(plan)
    elif fmt is PlanFormat.ics:
        from hccprotocol.render.ics import render_plan_ics

        data = render_plan_ics(plan)
    elif fmt is PlanFormat.html:
        from hccprotocol.render.html import render_plan_html

        data = render_plan_html(plan)
    else:
        from hccprotocol.render import PRINT_WIDTH
        from hccprotocol.render.plan_table import render_plan_table

        console = Console(record=True, width=PRINT_WIDTH, file=io.StringIO())
        render_plan_table(plan, console)
        data = console.export_text()
    if output is None:
        if isinstance(data, bytes):
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        else:
            sys.stdout.write(data)
        return
    try:
        if isinstance(data, bytes):
            output.write_bytes(data)
        else:
            output.write_text(data, encoding="utf-8")
    except OSError as exc:
        raise ScheduleInputError(f"-o {output}: cannot write the calendar ({exc.strerror or exc})") from None
    print(f"wrote {fmt.value} calendar ({len(plan.events)} events) to {output}", file=sys.stderr)


def resolve_timezone(option: str | None, calendar: SiteCalendar | None) -> str:
    """``--timezone``, else the site calendar's ``timezone``, else an error: a calendar is never silently UTC.

    Why: an admission at 08:00 means 08:00 at the site; a calendar application
    shows a UTC event at the wrong hour everywhere else, so the zone must be
    stated once, by the command line or by the site's own calendar file.
    """
    if option is not None:
        return option
    if calendar is not None and calendar.timezone is not None:
        return calendar.timezone
    raise ScheduleInputError(
        "--timezone: the site's IANA time zone is required (e.g. --timezone Asia/Shanghai), or give it once as "
        "'timezone:' in the --site-calendar file; hccprotocol never assumes UTC for a treatment calendar"
    )


def plan_command(
    patient: Annotated[
        Path, typer.Argument(help="Patient record (.json, .yaml or .yml; '-' reads standard input)", show_default=False)
    ],
    start: Annotated[str, typer.Option("--start", help="Date of the first HAIC, YYYY-MM-DD", show_default=False)],
    cycles: Annotated[
        int | None, typer.Option("--cycles", help="HAIC cycles to plan (default: the protocol's default_cycles)")
    ] = None,
    protocol: Annotated[str, typer.Option("--protocol", help="Protocol id or file")] = DEFAULT_PROTOCOL,
    timezone: Annotated[
        str | None,
        typer.Option(
            "--timezone",
            help="Site IANA time zone, e.g. Asia/Shanghai (default: the site calendar's 'timezone'; else required)",
        ),
    ] = None,
    site_calendar: Annotated[
        Path | None, typer.Option("--site-calendar", help="YAML/JSON file of closed weekdays and dates")
    ] = None,
    format: Annotated[PlanFormat, typer.Option("--format", "-f", help="Output format")] = PlanFormat.table,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write to this file ('-' = standard output)")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Plan although not eligible/undetermined, or > 8 cycles (marked)")
    ] = False,
    allow_past: Annotated[bool, typer.Option("--allow-past", help="Allow a start date before today")] = False,
) -> None:
    """Dated treatment calendar: HAIC admissions and infusions, lenvatinib, PD-1, labs and imaging."""
    first = parse_start_date(start)
    record = load_patient(patient)
    proto = load_protocol(protocol)
    calendar = load_site_calendar(site_calendar) if site_calendar is not None else None
    zone = resolve_timezone(timezone, calendar)
    result = make_plan(
        record,
        proto,
        start=first,
        providers=default_providers(),
        cycles=cycles,
        timezone=zone,
        site_calendar=calendar,
        site_calendar_label=str(site_calendar) if site_calendar is not None else None,
        force=force,
        allow_past=allow_past,
    )
    header = build_header(protocol, proto, clock.today(result.timezone))
    write_plan(result, format, output, header)
