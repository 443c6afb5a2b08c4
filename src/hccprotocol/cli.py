"""The ``hccprotocol`` command line.

Why a single error boundary: a person at the terminal gets one plain message
with the field path and exit code 2 for bad input, exit 1 for a defect, and no
traceback (set ``HCCPROTOCOL_DEBUG=1`` to see one when reporting a defect).
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar, cast

import typer

from hccprotocol import limits
from hccprotocol.assessment import assess as run_assess
from hccprotocol.course.command import course_command
from hccprotocol.dosing.command import dose_command
from hccprotocol.errors import HccProtocolError
from hccprotocol.measures.bsa import FORMULAS, BsaFormulaName
from hccprotocol.patient import Patient
from hccprotocol.patient_file import load_patient
from hccprotocol.protocol import DEFAULT_PROTOCOL, load_protocol
from hccprotocol.render import report_console
from hccprotocol.render.assessment_table import render_assessment
from hccprotocol.schedule.command import plan_command

app = typer.Typer(
    name="hccprotocol",
    help="Decision support for TACE-refractory HCC treated with HAIC + lenvatinib (+ PD-1 inhibitor).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

P = ParamSpec("P")
R = TypeVar("R")


class OutputFormat(StrEnum):
    json = "json"
    table = "table"


BsaFormulaOption = StrEnum("BsaFormulaOption", {name: name for name in FORMULAS})  # type: ignore[misc]
DEFAULT_BSA_FORMULA = BsaFormulaOption("mosteller")


def cli_boundary(func: Callable[P, R]) -> Callable[P, R]:
    """Translate hccprotocol errors to messages and exit codes; hide tracebacks."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except HccProtocolError as exc:
            print(exc.render(), file=sys.stderr)
            raise typer.Exit(exc.exit_code) from None
        except typer.Exit:
            raise
        except Exception as exc:
            if os.environ.get("HCCPROTOCOL_DEBUG"):
                raise
            print(
                f"internal error [internal]: {type(exc).__name__}: {exc}\n"
                "This is a defect in hccprotocol, not in your input. "
                "Re-run with HCCPROTOCOL_DEBUG=1 for a traceback to report.",
                file=sys.stderr,
            )
            raise typer.Exit(1) from None

    return wrapper


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


PatientArg = Annotated[Path, typer.Argument(help="Patient record (.json, .yaml or .yml)", show_default=False)]
FormatOpt = Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format")]


@app.command()
@cli_boundary
def assess(
    patient: PatientArg,
    format: FormatOpt = OutputFormat.table,
    bsa_formula: Annotated[
        BsaFormulaOption, typer.Option("--bsa-formula", help="Body surface area formula")
    ] = DEFAULT_BSA_FORMULA,
    protocol: Annotated[
        str, typer.Option("--protocol", help="Protocol id (the arm judged) or a site's protocol file")
    ] = DEFAULT_PROTOCOL,
) -> None:
    """Derived measures, missing fields and eligibility for one arm (every criterion with its trail)."""
    record = load_patient(patient)
    arm = load_protocol(protocol)
    result = run_assess(record, bsa_formula=cast(BsaFormulaName, bsa_formula.value), protocol=arm)
    if format is OutputFormat.json:
        emit_json(result.to_json_dict())
    else:
        render_assessment(result, report_console())


class SchemaName(StrEnum):
    patient = "patient"
    limits = "limits"


@app.command()
@cli_boundary
def schema(name: Annotated[SchemaName, typer.Argument(help="Which schema to print")]) -> None:
    """Print the JSON Schema of the patient record, or the plausibility limits."""
    if name is SchemaName.patient:
        emit_json(Patient.model_json_schema())
    else:
        emit_json(
            {
                key: {"low": lim.low, "high": lim.high, "unit": lim.unit, "quantity": lim.quantity}
                for key, lim in limits.LIMITS.items()
            }
        )


app.command(name="plan")(cli_boundary(plan_command))
app.command(name="dose")(cli_boundary(dose_command))
app.command(name="course")(cli_boundary(course_command))


def main() -> None:  # pragma: no cover - console-script entry point
    app()
