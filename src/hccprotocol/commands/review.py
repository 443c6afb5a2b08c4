"""The ``hccprotocol review-report`` command: run the scenarios, write the clinician review report (HTML).

Why it needs a source checkout: the scenarios (``features/``) and their step definitions
(``tests/bdd/``) are not installed with the package; the command finds them from the current
directory upwards, or from ``--root``.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from hccprotocol.errors import OptionError

__all__ = ["find_root", "review_command"]


def find_root(start: Path) -> Path:
    """The nearest folder at or above ``start`` holding ``features/`` and ``tests/bdd/``."""
    for folder in (start.resolve(), *start.resolve().parents):
        if (folder / "features").is_dir() and (folder / "tests" / "bdd").is_dir():
            return folder
    raise OptionError(
        f"--root: no source checkout (a folder with features/ and tests/bdd/) at or above {start}; "
        "run review-report from the repository or give --root"
    )


def review_command(
    output: Annotated[
        str | None, typer.Option("-o", "--output", help="Write the HTML report to this file ('-' = standard output)")
    ] = None,
    root: Annotated[
        Path | None, typer.Option("--root", help="Source checkout with features/ and tests/bdd/ (default: found "
                                  "from the current folder upwards)", show_default=False)
    ] = None,
    features: Annotated[
        Path | None, typer.Option("--features", help="Folder of .feature files and signoff.yaml (default: "
                                  "ROOT/features)", show_default=False)
    ] = None,
    cucumber_json: Annotated[
        Path | None, typer.Option("--cucumber-json", help="Read this cucumber JSON of a run of exactly these "
                                  "features instead of running them", show_default=False)
    ] = None,
) -> None:
    """Run every scenario and write the review report: scenarios, status, rules, coverage, sign-off flags."""
    from hccprotocol.cli import write_output
    from hccprotocol.review.catalogue import catalogue
    from hccprotocol.review.cucumber import read_cucumber, run_scenarios
    from hccprotocol.review.report import build_report, render_report

    base = find_root(root or Path.cwd())
    folder = (features or base / "features").resolve()
    if not folder.is_dir():
        raise OptionError(f"--features: {folder} is not a folder")
    if cucumber_json is not None:
        run = read_cucumber(cucumber_json)
    else:
        with tempfile.TemporaryDirectory(prefix="hcc-review-") as tmp:
            run = run_scenarios(base, folder, Path(tmp) / "cucumber.json")
    report = build_report(catalogue(), folder, run, today=dt.date.today(), examples_dir=base / "examples")
    write_output(render_report(report), output)
    t = report.totals
    typer.echo(
        f"review report: {t['tests']} tests, {t['failed_tests']} failed; rules with a passing scenario "
        f"{t['rules_passing']}/{t['rules']}, options {t['options_passing']}/{t['options']}; "
        f"changed since sign-off: {', '.join(report.changed_features) or 'none'}",
        err=True,
    )
