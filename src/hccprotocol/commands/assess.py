"""The ``hccprotocol assess`` command (registered lazily by ``cli.py``; moved here unchanged from cli.py)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer

from hccprotocol.cli import BSA_FORMULAS, DEFAULT_PROTOCOL

if TYPE_CHECKING:
    from hccprotocol.measures.bsa import BsaFormulaName

__all__ = ["AssessFormat", "BsaFormulaOption", "assess_command"]


class AssessFormat(StrEnum):
    json = "json"
    table = "table"


BsaFormulaOption = StrEnum("BsaFormulaOption", {name: name for name in BSA_FORMULAS})  # type: ignore[misc]
DEFAULT_BSA_FORMULA = BsaFormulaOption("mosteller")


def assess_command(
    patient: Annotated[
        Path, typer.Argument(help="Patient record (.json, .yaml or .yml; '-' reads standard input)", show_default=False)
    ],
    format: Annotated[AssessFormat, typer.Option("--format", "-f", help="Output format")] = AssessFormat.table,
    bsa_formula: Annotated[
        BsaFormulaOption, typer.Option("--bsa-formula", help="Body surface area formula")
    ] = DEFAULT_BSA_FORMULA,
    protocol: Annotated[
        str, typer.Option("--protocol", help="Protocol id (the arm judged) or a site's protocol file")
    ] = DEFAULT_PROTOCOL,
) -> None:
    """Derived measures, missing fields and eligibility for one arm (every criterion with its trail).

    Not eligible or undetermined is a result, not a refusal: assess exits 0.
    """
    from hccprotocol.assessment import assess as run_assess
    from hccprotocol.patient_file import load_patient
    from hccprotocol.protocol import load_protocol
    from hccprotocol.provenance import build_header

    record = load_patient(patient)
    arm = load_protocol(protocol)
    result = run_assess(record, bsa_formula=cast("BsaFormulaName", bsa_formula.value), protocol=arm)
    if format is AssessFormat.json:
        from hccprotocol.render.json_output import assess_document

        header = build_header(protocol, arm, dt.date.today())
        sys.stdout.write(json.dumps(assess_document(result, header), indent=2, ensure_ascii=False) + "\n")
    else:
        from hccprotocol.render import report_console
        from hccprotocol.render.assessment_table import render_assessment

        render_assessment(result, report_console())
