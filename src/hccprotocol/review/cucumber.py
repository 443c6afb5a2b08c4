"""Run the BDD scenarios in a subprocess and read their results from pytest-bdd's cucumber JSON.

Why a subprocess and the JSON file: the report states what a real ``pytest`` run of
``tests/bdd`` found, step by step, never a reading of console text; the run cannot
disturb the process that writes the report (durable_rules sessions, caches).

pytest-bdd 9 writes one element per executed test: a Scenario Outline gives one element per
example row, in the order of its Examples tables; the feature ``uri`` is
``<folder name>/<file>`` and the element ``line`` is the line of the Scenario keyword.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from hccprotocol.errors import InputError, OptionError

__all__ = ["RunResult", "ScenarioRun", "Status", "read_cucumber", "run_scenarios"]

Status = Literal["passed", "failed", "skipped", "not run"]


class ScenarioRun(BaseModel):
    """One executed test: a plain scenario, or one example row of an outline (``row`` counts from 0)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    file: str
    """The feature ``uri`` as pytest-bdd writes it: ``<features folder name>/<file>`` for a top-level file,
    ``<subfolder>/<file>`` for a nested one (pytest-bdd 9 quirk)."""
    line: int
    row: int
    test_id: str
    status: Status
    failed_step: str | None = None


class RunResult(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    runs: tuple[ScenarioRun, ...]
    exit_code: int | None = None

    def for_scenario(self, folder: str, file: str, line: int) -> list[ScenarioRun]:
        """Runs of the scenario at ``line`` of ``file`` (relative to the features folder named ``folder``)."""
        uris = {f"{folder}/{file}"} if "/" not in file else {file}
        return [r for r in self.runs if r.file in uris and r.line == line]


def _status(steps: list[dict[str, Any]]) -> tuple[Status, str | None]:
    results = [s.get("result", {}).get("status") for s in steps]
    for step, status in zip(steps, results, strict=True):
        if status == "failed":
            return "failed", f"{step.get('keyword', '')} {step.get('name', '')}".strip()
    if results and all(s == "passed" for s in results):
        return "passed", None
    if any(s == "skipped" for s in results):
        return "skipped", None
    return "not run", None


def read_cucumber(path: Path, exit_code: int | None = None) -> RunResult:
    """The runs recorded in a cucumber JSON file written by ``pytest --cucumberjson``."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise OptionError(f"--cucumber-json: {path} is not a readable cucumber JSON report ({exc})") from None
    if not isinstance(data, list) or not all(isinstance(f, dict) and "uri" in f for f in data):
        raise OptionError(f"--cucumber-json: {path} is not a cucumber JSON report (a list of features with a uri)")
    runs: list[ScenarioRun] = []
    for feature in data:
        file = str(feature["uri"])
        seen: dict[int, int] = {}
        for element in feature.get("elements", []):
            line = int(element["line"])
            row = seen.get(line, 0)
            seen[line] = row + 1
            status, failed = _status(element.get("steps", []))
            runs.append(
                ScenarioRun(file=file, line=line, row=row, test_id=str(element.get("id", "")), status=status,
                            failed_step=failed)
            )
    return RunResult(runs=tuple(runs), exit_code=exit_code)


def run_scenarios(root: Path, features: Path, json_path: Path) -> RunResult:
    """``pytest tests/bdd`` under ``root`` with the features of ``features``; exit 0/1 (all passed / some failed).

    Any other pytest exit (collection error, no tests, usage error) is an error: a report must
    never show scenarios that did not run as if they had.
    """
    command = [
        sys.executable, "-m", "pytest", str(root / "tests" / "bdd"), "-q", "-p", "no:cacheprovider",
        f"--rootdir={root}", "-o", f"bdd_features_base_dir={features.resolve()}",
        f"--cucumberjson={json_path}",
        # every scenario, whatever the default run deselects (addopts' -m excludes slow/agreement tests)
        "-m", "",
    ]
    done = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode not in (0, 1) or not json_path.is_file():
        tail = (done.stdout + done.stderr).strip().splitlines()[-15:]
        raise InputError(
            f"the scenario run failed to complete (pytest exit {done.returncode}): " + " | ".join(tail)
        )
    return read_cucumber(json_path, exit_code=done.returncode)
