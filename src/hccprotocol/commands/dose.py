"""The ``hccprotocol dose`` command (registered by ``cli.py``; the body lives here to keep cli.py small)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from hccprotocol.dosing import next_cycle_doses
from hccprotocol.errors import OptionError
from hccprotocol.patient_file import load_patient
from hccprotocol.protocol import DEFAULT_PROTOCOL, load_protocol
from hccprotocol.render import report_console

__all__ = ["DoseFormat", "dose_command", "parse_date", "today"]


def today() -> dt.date:
    """The default ``--as-of`` of ``dose`` and ``course`` (tests replace this function with monkeypatch)."""
    return dt.date.today()


class DoseFormat(StrEnum):
    json = "json"
    table = "table"


def parse_date(option: str, text: str) -> dt.date:
    """An ISO date (YYYY-MM-DD); anything else is an option error naming the option."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise OptionError(f"{option}: {text!r} is not a date in the form YYYY-MM-DD") from None


def dose_command(
    patient: Annotated[
        Path, typer.Argument(help="Patient record (.json, .yaml or .yml; '-' reads standard input)", show_default=False)
    ],
    protocol: Annotated[
        str, typer.Option("--protocol", help="Protocol id or a site's protocol file")
    ] = DEFAULT_PROTOCOL,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Date of the next cycle (YYYY-MM-DD; default today)")
    ] = None,
    format: Annotated[DoseFormat, typer.Option("--format", "-f", help="Output format")] = DoseFormat.table,
    force: Annotated[
        bool, typer.Option("--force", help="Dose although not eligible/undetermined (every line marked)")
    ] = False,
) -> None:
    """Doses for the next cycle, after every modification the recorded course calls for.

    Refused, like ``plan``, for a patient who is not eligible or undetermined for the arm unless
    ``--force`` (then every line is marked); a contraindicated drug is never dosed.
    """
    record = load_patient(patient)
    definition = load_protocol(protocol)
    day = parse_date("--as-of", as_of) if as_of is not None else today()
    plan = next_cycle_doses(record, definition, day, force=force)
    if format is DoseFormat.json:
        from hccprotocol.provenance import build_header
        from hccprotocol.render.json_output import dose_document

        document = dose_document(plan, record.id, build_header(protocol, definition, day))
        sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    else:
        from hccprotocol.render.dose_table import render_dose_table

        render_dose_table(plan, report_console())
