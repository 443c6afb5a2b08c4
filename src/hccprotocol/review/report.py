"""The living-documentation report a clinician reviews: every scenario, its status, the rules it covers.

Why one HTML page built from three independent readings: the .feature files (what the
scenarios say, parsed by Gherkin), a real run's cucumber JSON (whether each passed) and the
catalogue (what each rule says and where it comes from). Nothing in the report is computed
from the engine's own output. Prints to A4 (``@page``); the template is
``render/templates/review-report.html.j2``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict

from hccprotocol import __version__
from hccprotocol.render.jinja_env import environment
from hccprotocol.review.catalogue import Catalogue, OptionEntry, RuleEntry
from hccprotocol.review.cucumber import RunResult, ScenarioRun, Status
from hccprotocol.review.features import FeatureDoc, ScenarioDoc, StepDoc, parse_features, tag_values
from hccprotocol.review.signoff import FeatureFlags, flags

__all__ = ["ReviewReport", "build_report", "render_report"]

SHIPPED_PROTOCOLS = ("haic-lenvatinib-pd1", "haic-lenvatinib")


class _View(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FileVersion(_View):
    id: str
    version: str
    file: str
    sha256: str


class ExampleRow(_View):
    cells: tuple[str, ...]
    status: Status


class ExamplesView(_View):
    name: str
    header: tuple[str, ...]
    rows: tuple[ExampleRow, ...]


class StepView(_View):
    keyword: str
    text: str
    table: tuple[tuple[str, ...], ...]
    docstring: str | None
    comments: tuple[str, ...]
    example: str | None = None
    """For ``the example patient "<name>"``: that name; the appendix lists every field of the file."""


class ExamplePatient(_View):
    name: str
    file: str
    fields: tuple[tuple[str, str], ...]


class ScenarioView(_View):
    number: str
    anchor: str
    keyword: str
    name: str
    description: str
    rule_block: str | None
    line: int
    status: Status
    failed_steps: tuple[str, ...]
    steps: tuple[StepView, ...]
    examples: tuple[ExamplesView, ...]
    rules: tuple[RuleEntry, ...]
    options: tuple[OptionEntry, ...]
    other_tags: tuple[str, ...]


class FeatureView(_View):
    file: str
    name: str
    description: str
    background: tuple[StepView, ...]
    scenarios: tuple[ScenarioView, ...]
    flags: FeatureFlags


class MatrixRow(_View):
    id: str
    kind: str
    title: str
    scenarios: tuple[tuple[str, str, Status], ...]
    """(number, anchor, status) of every scenario tagged with the id."""
    passing: int


class ReviewReport(_View):
    generated_on: dt.date
    tool_version: str
    protocols: tuple[FileVersion, ...]
    rule_files: tuple[FileVersion, ...]
    features: tuple[FeatureView, ...]
    example_patients: tuple[ExamplePatient, ...]
    rule_matrix: tuple[MatrixRow, ...]
    option_matrix: tuple[MatrixRow, ...]
    totals: dict[str, int]
    rules_without_passing: tuple[str, ...]
    options_without_passing: tuple[str, ...]
    unknown_tags: tuple[str, ...]
    changed_features: tuple[str, ...]
    changed_rules: tuple[str, ...]
    unsigned_features: tuple[str, ...]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _protocol_files() -> tuple[FileVersion, ...]:
    from hccprotocol.provenance import protocol_path

    out = []
    for pid in SHIPPED_PROTOCOLS:
        path = protocol_path(pid)
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        out.append(FileVersion(id=str(data["id"]), version=str(data["version"]), file=f"protocol/{path.name}",
                               sha256=_sha(path)))
    return tuple(out)


def _rule_files(catalogue: Catalogue) -> tuple[FileVersion, ...]:
    """Every rules/*.yaml the engines read, and the source file of any rule kept in code (calendar rules)."""
    from hccprotocol.provenance import rule_path

    folder = rule_path("x").parent
    out = []
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        out.append(FileVersion(id=str(data.get("id", path.stem)), version=str(data.get("version", "-")),
                               file=f"rules/{path.name}", sha256=_sha(path)))
    for file in sorted({r.file for r in catalogue.rules.values() if not r.file.startswith("rules/")}):
        module = Path(__file__).resolve().parents[1] / Path(file).relative_to("src/hccprotocol")
        out.append(FileVersion(id=module.stem, version="-", file=file, sha256=_sha(module)))
    return tuple(out)


def _flatten(value: Any, prefix: str = "") -> list[tuple[str, str]]:
    if isinstance(value, dict):
        return [pair for k, v in value.items() for pair in _flatten(v, f"{prefix}.{k}" if prefix else str(k))]
    if isinstance(value, list) and any(isinstance(v, dict | list) for v in value):
        return [pair for i, v in enumerate(value) for pair in _flatten(v, f"{prefix}[{i}]")]
    return [(prefix, json.dumps(value, ensure_ascii=False, default=str))]


_EXAMPLE_STEP = 'the example patient "'


def _step(step: StepDoc) -> StepView:
    example = step.text.split('"')[1] if step.text.startswith(_EXAMPLE_STEP) else None
    return StepView(keyword=step.keyword, text=step.text, table=step.table, docstring=step.docstring,
                    comments=step.comments, example=example)


def _example_patients(docs: tuple[FeatureDoc, ...], examples_dir: Path | None) -> tuple[ExamplePatient, ...]:
    """Every example patient file a step loads, with every field: no scenario input is hidden in a file."""
    names = sorted({st.text.split('"')[1] for d in docs for sc in d.scenarios for st in (*d.background, *sc.steps)
                    if st.text.startswith(_EXAMPLE_STEP)})
    out = []
    for name in names:
        found = sorted(examples_dir.glob(f"{name}.*")) if examples_dir is not None else []
        fields = tuple(_flatten(yaml.safe_load(found[0].read_text(encoding="utf-8")))) if found else ()
        out.append(ExamplePatient(name=name, file=f"examples/{found[0].name}" if found else "(not found)",
                                  fields=fields))
    return tuple(out)


def _aggregate(doc: ScenarioDoc, runs: list[ScenarioRun]) -> Status:
    expected = max(1, sum(len(e.rows) for e in doc.examples))
    if not runs:
        return "not run"
    if any(r.status == "failed" for r in runs):
        return "failed"
    if len(runs) == expected and all(r.status == "passed" for r in runs):
        return "passed"
    return "skipped" if any(r.status == "skipped" for r in runs) else "not run"


def _scenario(number: int, doc: ScenarioDoc, runs: list[ScenarioRun], catalogue: Catalogue) -> ScenarioView:
    by_row = {r.row: r for r in runs}
    examples, row = [], 0
    for e in doc.examples:
        rows = []
        for cells in e.rows:
            run = by_row.get(row)
            rows.append(ExampleRow(cells=cells, status=run.status if run else "not run"))
            row += 1
        examples.append(ExamplesView(name=e.name, header=e.header, rows=tuple(rows)))
    rule_ids = tag_values(doc.tags, "rule") + tag_values(doc.inherited_tags, "rule")
    option_names = tag_values(doc.tags, "option") + tag_values(doc.inherited_tags, "option")
    return ScenarioView(
        number=f"S{number}", anchor=f"s{number}", keyword=doc.keyword, name=doc.name, description=doc.description,
        rule_block=doc.rule,
        line=doc.line, status=_aggregate(doc, runs),
        failed_steps=tuple(sorted({r.failed_step for r in runs if r.failed_step})),
        steps=tuple(_step(s) for s in doc.steps), examples=tuple(examples),
        rules=tuple(catalogue.rules[r] for r in dict.fromkeys(rule_ids) if r in catalogue.rules),
        options=tuple(catalogue.options[o] for o in dict.fromkeys(option_names) if o in catalogue.options),
        other_tags=tuple(t for t in doc.all_tags if not t.startswith(("rule:", "option:"))),
    )


def build_report(
    catalogue: Catalogue, features_dir: Path, run: RunResult, *, today: dt.date, examples_dir: Path | None = None,
) -> ReviewReport:
    docs: tuple[FeatureDoc, ...] = parse_features(features_dir)
    signed = flags(features_dir, catalogue)
    views: list[FeatureView] = []
    number = 0
    rule_hits: dict[str, list[tuple[str, str, Status]]] = {r: [] for r in catalogue.rules}
    option_hits: dict[str, list[tuple[str, str, Status]]] = {o: [] for o in catalogue.options}
    unknown: set[str] = set()
    for doc in docs:
        scenarios = []
        for sc in doc.scenarios:
            number += 1
            view = _scenario(number, sc, run.for_scenario(features_dir.name, sc.file, sc.line), catalogue)
            scenarios.append(view)
            for rid in dict.fromkeys(tag_values(sc.all_tags, "rule")):
                if rid in rule_hits:
                    rule_hits[rid].append((view.number, view.anchor, view.status))
                else:
                    unknown.add(f"@rule:{rid}")
            for name in dict.fromkeys(tag_values(sc.all_tags, "option")):
                if name in option_hits:
                    option_hits[name].append((view.number, view.anchor, view.status))
                else:
                    unknown.add(f"@option:{name}")
        views.append(
            FeatureView(
                file=doc.file, name=doc.name, description=doc.description,
                background=tuple(_step(s) for s in doc.background), scenarios=tuple(scenarios),
                flags=signed[doc.file],
            )
        )

    def matrix(hits: dict[str, list[tuple[str, str, Status]]], entries: dict[str, Any]) -> tuple[MatrixRow, ...]:
        rows = []
        for key, found in hits.items():
            entry = entries[key]
            kind = getattr(entry, "kind", "option")
            title = getattr(entry, "title", None) or f"default {json.dumps(entry.default, default=str)}"
            rows.append(MatrixRow(id=key, kind=kind, title=title, scenarios=tuple(found),
                                  passing=sum(1 for _, _, s in found if s == "passed")))
        return tuple(rows)

    rule_matrix = matrix(rule_hits, catalogue.rules)
    option_matrix = matrix(option_hits, catalogue.options)
    all_scenarios = [s for f in views for s in f.scenarios]
    totals = {
        "scenarios": len(all_scenarios),
        "tests": len(run.runs),
        "passed_tests": sum(1 for r in run.runs if r.status == "passed"),
        "failed_tests": sum(1 for r in run.runs if r.status == "failed"),
        "passed_scenarios": sum(1 for s in all_scenarios if s.status == "passed"),
        "rules": len(rule_matrix),
        "rules_passing": sum(1 for r in rule_matrix if r.passing),
        "options": len(option_matrix),
        "options_passing": sum(1 for r in option_matrix if r.passing),
    }
    return ReviewReport(
        generated_on=today, tool_version=__version__, protocols=_protocol_files(), rule_files=_rule_files(catalogue),
        features=tuple(views), example_patients=_example_patients(docs, examples_dir),
        rule_matrix=rule_matrix, option_matrix=option_matrix, totals=totals,
        rules_without_passing=tuple(r.id for r in rule_matrix if not r.passing),
        options_without_passing=tuple(r.id for r in option_matrix if not r.passing),
        unknown_tags=tuple(sorted(unknown)),
        changed_features=tuple(f for f, fl in signed.items() if fl.last is not None and fl.changed),
        changed_rules=tuple(sorted({r for fl in signed.values() for r in fl.changed_rules})),
        unsigned_features=tuple(f for f, fl in signed.items() if fl.last is None),
    )




"""JSON text of a value, escaped by autoescape like any text (``tojson`` would show ``\u003e`` for '>')."""


def render_report(report: ReviewReport) -> str:
    return environment().get_template("review-report.html.j2").render(r=report)
