"""The ``hccprotocol`` command line.

Why a single error boundary: a person at the terminal gets one plain message
with the field path and a distinct exit code, and no traceback (set
``HCCPROTOCOL_DEBUG=1`` to see one when reporting a defect). With ``--format
json`` the error goes to standard error as one JSON object
``{code, message, field, value, ...}`` so a program can read it.

Exit codes: 0 ok, 2 invalid input, 3 refused by a clinical gate (not eligible
or undetermined without ``--force``), 1 internal error.

Why lazy: ``hccprotocol --help`` must start in well under a second on a shared
machine, so this module imports only typer; each command imports its engine
(durable_rules, pandas, jinja2) when it runs. ``assess``, ``dose``, ``course``,
``plan`` and ``rules`` are listed in the help by name and summary and loaded when
invoked (their modules are in ``hccprotocol.commands``).

Common I/O for every command (added here, not in each command): the patient
argument ``-`` reads the record from standard input, and ``-o FILE`` writes the
output to a file (``-o -`` means standard output).
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import inspect
import io
import json
import os
import sys
from collections.abc import Callable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

import typer
from typer.core import TyperCommand, TyperGroup

if TYPE_CHECKING:
    from hccprotocol.render.json_output import OutputName

__all__ = ["EXIT_CODES", "app", "main"]

DEFAULT_PROTOCOL = "haic-lenvatinib-pd1"
"""Same as ``hccprotocol.protocol.DEFAULT_PROTOCOL`` (a test keeps them equal; importing it is slow)."""

BSA_FORMULAS = ("mosteller", "dubois", "haycock", "gehan-george", "boyd")
"""Same as ``hccprotocol.measures.bsa.FORMULAS`` (a test keeps them equal)."""

EXIT_CODES = {0: "ok", 1: "internal error", 2: "invalid input", 3: "refused by a clinical gate"}

LAZY_COMMANDS: dict[str, tuple[str, str, str]] = {
    "assess": (
        "hccprotocol.commands.assess",
        "assess_command",
        "Derived measures, missing fields and eligibility for one arm (every criterion with its trail).",
    ),
    "dose": (
        "hccprotocol.commands.dose",
        "dose_command",
        "Doses for the next cycle, after every modification the recorded course calls for.",
    ),
    "course": (
        "hccprotocol.commands.course",
        "course_command",
        "Replay adverse events, labs and dose changes: each drug's dose level and status at every point.",
    ),
    "plan": (
        "hccprotocol.commands.plan",
        "plan_command",
        "Dated treatment calendar: HAIC admissions and infusions, lenvatinib, PD-1, labs and imaging.",
    ),
    "review-report": (
        "hccprotocol.commands.review",
        "review_command",
        "Run every scenario and write the clinician review report (HTML): rules, coverage, sign-off flags.",
    ),
    "screen": (
        "hccprotocol.commands.screen",
        "screen_command",
        "Screen a registry (CSV/Parquet) for one arm: per-patient decisions and the patient-selection flow.",
    ),
    "signoff": (
        "hccprotocol.commands.signoff",
        "signoff_command",
        "Append a clinician's sign-off of a feature file to features/signoff.yaml.",
    ),
    "rules": (
        "hccprotocol.commands.rules",
        "rules_command",
        "Every rule id the protocol reads, with its file, title, source and version (the rule registry).",
    ),
}
"""Commands loaded when invoked: (module, function, summary shown by ``hccprotocol --help``)."""


_USAGE_ERROR: type[Exception] = typer.BadParameter.__mro__[1]
"""click's UsageError (typer re-exports only its BadParameter subclass)."""


def _json_in(argv: list[str]) -> bool:
    pairs = zip(argv, [*argv[1:], ""], strict=True)
    return "--format=json" in argv or "-fjson" in argv or any(a in ("--format", "-f") and b == "json" for a, b in pairs)


def _version_callback(value: bool) -> None:
    if value:
        from hccprotocol import __version__

        typer.echo(f"hccprotocol {__version__}")
        raise typer.Exit(0)


class LazyGroup(TyperGroup):
    """A typer group whose heavy commands are imported only when invoked (see the module docstring)."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        for name, (_, _, summary) in LAZY_COMMANDS.items():
            self.commands.setdefault(name, TyperCommand(name, help=summary, short_help=summary))

    def list_commands(self, ctx: Any) -> list[str]:
        order = ["assess", "dose", "course", "plan", "rules", "schema"]
        return sorted(self.commands, key=lambda name: order.index(name) if name in order else len(order))

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        if args and args[0] in LAZY_COMMANDS:
            self.commands[args[0]] = load_command(args[0])
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: Any) -> Any:
        """Usage errors (an unknown option, a bad choice) are JSON on stderr too when ``--format json`` is given."""
        argv = [*getattr(ctx, "_protected_args", []), *ctx.args]
        try:
            return super().invoke(ctx)
        except _USAGE_ERROR as exc:
            if not _json_in(argv):
                raise
            param = getattr(exc, "param", None)
            error: dict[str, object] = {
                "code": "usage.invalid",
                "message": str(getattr(exc, "format_message", exc.__str__)()),
                "field": ("--" + param.name.replace("_", "-")) if param is not None and param.name else None,
                "value": None,
                "exit_code": 2,
                "issues": [],
            }
            sys.stderr.write(json.dumps(error, ensure_ascii=False) + "\n")
            raise typer.Exit(2) from None


app = typer.Typer(
    name="hccprotocol",
    cls=LazyGroup,
    help="Decision support for TACE-refractory HCC treated with HAIC + lenvatinib (+ PD-1 inhibitor). "
    "Exit codes: 0 ok, 2 invalid input, 3 refused by a clinical gate, 1 internal error.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    # Plain (click) help: rendering typer's rich help panels alone takes ~0.25 s, the whole start-up budget.
    rich_markup_mode=None,
)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version_callback, is_eager=True, help="Print the version and exit"),
    ] = False,
) -> None:
    """Decision support for TACE-refractory HCC treated with HAIC + lenvatinib (+ PD-1 inhibitor)."""


def _wants_json(kwargs: dict[str, Any]) -> bool:
    fmt = kwargs.get("format")
    return str(getattr(fmt, "value", fmt)) == "json"


def cli_boundary(func: Callable[..., None]) -> Callable[..., None]:
    """Translate hccprotocol errors to messages (JSON with ``--format json``) and exit codes; hide tracebacks."""
    from hccprotocol.errors import HccProtocolError

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        as_json = _wants_json(kwargs)
        try:
            func(*args, **kwargs)
        except HccProtocolError as exc:
            if as_json:
                sys.stderr.write(json.dumps(exc.to_error_json(), ensure_ascii=False, default=str) + "\n")
            else:
                print(exc.render(), file=sys.stderr)
            raise typer.Exit(exc.exit_code) from None
        except (typer.Exit, typer.Abort):
            raise
        except Exception as exc:
            if os.environ.get("HCCPROTOCOL_DEBUG"):
                raise
            message = f"{type(exc).__name__}: {exc}"
            hint = (
                "This is a defect in hccprotocol, not in your input. "
                "Re-run with HCCPROTOCOL_DEBUG=1 for a traceback to report."
            )
            if as_json:
                error: dict[str, object] = {
                    "code": "internal", "message": f"{message}. {hint}", "field": None, "value": None,
                    "exit_code": 1, "issues": [],
                }
                sys.stderr.write(json.dumps(error, ensure_ascii=False) + "\n")
            else:
                print(f"internal error [internal]: {message}\n{hint}", file=sys.stderr)
            raise typer.Exit(1) from None

    return wrapper


OutputOpt = Annotated[
    str | None,
    typer.Option("-o", "--output", help="Write the output to this file ('-' = standard output)", show_default=False),
]


@contextlib.contextmanager
def _captured_stdout() -> Iterator[io.StringIO]:
    buffer = io.StringIO()
    saved = sys.stdout
    sys.stdout = buffer
    try:
        yield buffer
    finally:
        sys.stdout = saved


def write_output(text: str, output: str | None) -> None:
    """Write ``text`` to ``output`` (a path), or to standard output for None or ``-``."""
    if output is None or output == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from hccprotocol.errors import OptionError

    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise OptionError(f"-o {output}: cannot write the output ({exc.strerror or exc})") from None


def with_output(func: Callable[..., None]) -> Callable[..., None]:
    """Add ``-o/--output FILE`` to a command that prints to standard output (the output is written at the end).

    Output goes to the file only when the command succeeds; a refused or invalid
    request leaves no partial file behind. A table written to a file uses the
    printable width (140 columns).
    """
    signature = inspect.signature(func, eval_str=True)

    @functools.wraps(func)
    def wrapper(*args: Any, output: str | None = None, **kwargs: Any) -> None:
        if output is None or output == "-":
            func(*args, **kwargs)
            return
        with _captured_stdout() as buffer:
            func(*args, **kwargs)
        write_output(buffer.getvalue(), output)

    params = [*signature.parameters.values()]
    params.append(inspect.Parameter("output", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=OutputOpt))
    wrapper.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in params} | {"return": None}
    return wrapper


def load_command(name: str) -> Any:
    """Import a lazily registered command and build its click command (boundary and ``-o`` added)."""
    module, attr, _ = LAZY_COMMANDS[name]
    func = getattr(importlib.import_module(module), attr)
    parameters = inspect.signature(func).parameters
    wrapped = cli_boundary(func if "output" in parameters else with_output(func))
    info = typer.models.CommandInfo(name=name, callback=wrapped)
    return typer.main.get_command_from_info(info, pretty_exceptions_short=True, rich_markup_mode=None)


class OutputFormat(StrEnum):
    json = "json"
    table = "table"




def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


class SchemaName(StrEnum):
    patient = "patient"
    limits = "limits"
    assess = "assess"
    dose = "dose"
    course = "course"
    plan = "plan"
    rules = "rules"
    cohort = "cohort"


@app.command()
@cli_boundary
@with_output
def schema(name: Annotated[SchemaName, typer.Argument(help="Which schema to print")]) -> None:
    """Print a JSON Schema: the patient record (with plausibility limits), an output, or the limits table.

    ``cohort`` prints the flat columns of ``screen`` (type, unit, range) and writes template CSVs.
    """
    if name is SchemaName.cohort:
        from hccprotocol.commands.screen import cohort_schema

        cohort_schema()
    elif name is SchemaName.patient:
        from hccprotocol.patient_file import patient_schema

        emit_json(patient_schema())
    elif name is SchemaName.limits:
        from hccprotocol import limits

        emit_json(
            {
                key: {"low": lim.low, "high": lim.high, "unit": lim.unit, "quantity": lim.quantity}
                for key, lim in limits.LIMITS.items()
            }
        )
    elif name is SchemaName.rules:
        from hccprotocol.commands.rules import rules_schema

        emit_json(rules_schema())
    else:
        from hccprotocol.render.json_output import output_schema

        emit_json(output_schema(cast("OutputName", name.value)))


def main() -> None:  # pragma: no cover - console-script entry point
    app()
