"""The ``hccprotocol course`` command (registered by ``cli.py``; the body lives here to keep cli.py small)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from hccprotocol.commands import dose as dose_cli
from hccprotocol.commands.dose import DoseFormat, parse_date
from hccprotocol.course import replay_course
from hccprotocol.patient_file import load_patient
from hccprotocol.protocol import DEFAULT_PROTOCOL, load_protocol
from hccprotocol.render import report_console

__all__ = ["course_command"]


def course_command(
    patient: Annotated[
        Path, typer.Argument(help="Patient record (.json, .yaml or .yml; '-' reads standard input)", show_default=False)
    ],
    start: Annotated[
        str | None, typer.Option("--start", help="Course start, the first HAIC (YYYY-MM-DD; default treatment_start)")
    ] = None,
    protocol: Annotated[
        str, typer.Option("--protocol", help="Protocol id or a site's protocol file")
    ] = DEFAULT_PROTOCOL,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Replay the record up to this date (YYYY-MM-DD; default today)"),
    ] = None,
    format: Annotated[DoseFormat, typer.Option("--format", "-f", help="Output format")] = DoseFormat.table,
) -> None:
    """Replay adverse events, labs and dose changes: each drug's dose level and status at every point.

    Nothing after ``--as-of`` is replayed or projected: a persistence threshold an ongoing event would
    cross later is a warning with its date (the same replay ``dose --as-of`` reads, so they agree).
    JSON output keeps the contract (``events``, ``current``) and carries the ``warnings`` (issue 13).
    """
    record = load_patient(patient)
    definition = load_protocol(protocol)
    begin = parse_date("--start", start) if start is not None else None
    day = parse_date("--as-of", as_of) if as_of is not None else dose_cli.today()
    course = replay_course(record, definition, start=begin, as_of=day)
    if format is DoseFormat.json:
        from hccprotocol.provenance import build_header
        from hccprotocol.render.json_output import course_document

        document = course_document(course, record.id, build_header(protocol, definition, day))
        sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    else:
        from hccprotocol.render.course_table import render_course_table

        render_course_table(course, report_console())
