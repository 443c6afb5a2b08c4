"""The .feature files as a reviewer reads them: features, rules, scenarios with their steps, tables and tags.

Why the official Gherkin parser (gherkin-official, the parser pytest-bdd 9 uses): the
traceability check and the report must see exactly the scenarios pytest-bdd runs,
including ``Rule:`` blocks and Scenario Outline examples, without running them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

__all__ = ["Examples", "FeatureDoc", "ScenarioDoc", "StepDoc", "parse_feature", "parse_features", "tag_values"]


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StepDoc(_Doc):
    keyword: str
    text: str
    table: tuple[tuple[str, ...], ...] = ()
    docstring: str | None = None
    line: int = 0
    comments: tuple[str, ...] = ()
    """``#`` comments written above this step (hand calculations, sources): shown to the reviewer with it."""


class Examples(_Doc):
    name: str
    tags: tuple[str, ...]
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


class ScenarioDoc(_Doc):
    file: str
    feature: str
    rule: str | None
    keyword: str
    name: str
    description: str
    line: int
    tags: tuple[str, ...]
    """Tags of the scenario itself (``@rule:x`` without the ``@``), not those inherited from Feature or Rule."""
    inherited_tags: tuple[str, ...]
    steps: tuple[StepDoc, ...]
    examples: tuple[Examples, ...]

    @property
    def all_tags(self) -> tuple[str, ...]:
        return (*self.inherited_tags, *self.tags)


class FeatureDoc(_Doc):
    file: str
    path: str
    name: str
    description: str
    background: tuple[StepDoc, ...]
    scenarios: tuple[ScenarioDoc, ...]


def _tags(node: dict[str, Any]) -> tuple[str, ...]:
    return tuple(t["name"].lstrip("@") for t in node.get("tags", []))


def _cells(row: dict[str, Any]) -> tuple[str, ...]:
    return tuple(c["value"] for c in row["cells"])


def _steps(node: dict[str, Any], comments: list[tuple[int, str]] | None = None, after: int = 0) -> tuple[StepDoc, ...]:
    """Steps of a Background or Scenario; each takes the comments between the previous step (or ``after``) and it."""
    out = []
    previous = after
    for s in node.get("steps", []):
        table = tuple(_cells(r) for r in s["dataTable"]["rows"]) if s.get("dataTable") else ()
        doc = s["docString"]["content"] if s.get("docString") else None
        line = int(s["location"]["line"])
        above = tuple(text for at, text in comments or [] if previous < at < line)
        out.append(StepDoc(keyword=s["keyword"].strip(), text=s["text"], table=table, docstring=doc, line=line,
                           comments=above))
        previous = line
    return tuple(out)


def parse_feature(path: Path, root: Path | None = None) -> FeatureDoc:
    """One .feature file; ``file`` is the path relative to ``root`` (default: the file's folder)."""
    from gherkin.parser import Parser

    text = path.read_text(encoding="utf-8")
    doc: Any = Parser().parse(text)
    feature: dict[str, Any] = doc["feature"]
    shown = path.relative_to(root).as_posix() if root is not None else path.name
    background: tuple[StepDoc, ...] = ()
    scenarios: list[ScenarioDoc] = []
    comments = [(int(c["location"]["line"]), c["text"].strip().lstrip("#").strip()) for c in doc.get("comments", [])]

    def visit(children: list[dict[str, Any]], rule: str | None, inherited: tuple[str, ...]) -> None:
        nonlocal background
        for child in children:
            if "background" in child and rule is None:
                node = child["background"]
                background = _steps(node, comments, int(node["location"]["line"]))
            elif "rule" in child:
                node = child["rule"]
                visit(node.get("children", []), node["name"], (*inherited, *_tags(node)))
            elif "scenario" in child:
                node = child["scenario"]
                examples = tuple(
                    Examples(
                        name=e.get("name", ""),
                        tags=_tags(e),
                        header=_cells(e["tableHeader"]) if e.get("tableHeader") else (),
                        rows=tuple(_cells(r) for r in e.get("tableBody", [])),
                    )
                    for e in node.get("examples", [])
                )
                scenarios.append(
                    ScenarioDoc(
                        file=shown, feature=feature["name"], rule=rule, keyword=node["keyword"], name=node["name"],
                        description=(node.get("description") or "").strip(), line=node["location"]["line"],
                        tags=_tags(node), inherited_tags=inherited,
                        steps=_steps(node, comments, int(node["location"]["line"])), examples=examples,
                    )
                )

    visit(feature.get("children", []), None, _tags(feature))
    return FeatureDoc(
        file=shown, path=str(path), name=feature["name"], description=feature.get("description", "").strip(),
        background=background, scenarios=tuple(scenarios),
    )


def parse_features(folder: Path) -> tuple[FeatureDoc, ...]:
    """Every ``*.feature`` under ``folder`` (recursively, sorted by path)."""
    return tuple(parse_feature(p, folder) for p in sorted(folder.rglob("*.feature")))


def tag_values(tags: tuple[str, ...], kind: str) -> tuple[str, ...]:
    """The ``<x>`` of every ``<kind>:<x>`` tag (kind ``rule`` or ``option``)."""
    prefix = f"{kind}:"
    return tuple(t[len(prefix):] for t in tags if t.startswith(prefix))
