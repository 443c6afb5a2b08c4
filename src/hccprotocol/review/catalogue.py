"""Every rule id and protocol option a reviewer must see, behind ONE function: :func:`catalogue`.

Why one function: the rules are those of the protocol model's registry (the rule files of
``hccprotocol.model.shipped`` and the rules of its data files, exactly what ``hccprotocol rules``
lists); the options are the protocol's option models. Everything downstream (the traceability
test, the review report, sign-off) reads :class:`Catalogue` only.

A rule's ``fingerprint`` is the SHA-256 of its whole definition (statement, source and
conditions): a sign-off stores it so the report can flag a rule that changed since.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from hccprotocol.provenance import protocol_path

__all__ = ["Catalogue", "OptionEntry", "RuleEntry", "RuleKind", "catalogue", "fingerprint"]

RuleKind = Literal["criterion", "finding", "transition", "lab_grading", "calendar", "course_event"]

PRIMARY_PROTOCOL = "haic-lenvatinib-pd1"
"""The arm whose file gives each option's default and why (it has every option; the other arm lacks PD-1 ones)."""


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RuleEntry(_Entry):
    id: str
    kind: RuleKind
    title: str
    statement: str
    source: str
    file: str
    version: str
    fingerprint: str


class OptionEntry(_Entry):
    name: str
    default: Any
    why: str
    file: str


class Catalogue(_Entry):
    rules: dict[str, RuleEntry]
    options: dict[str, OptionEntry]


def fingerprint(definition: Any) -> str:
    """SHA-256 of a definition's canonical JSON (key order and whitespace do not matter)."""
    body = json.dumps(definition, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _first_sentence(text: str, limit: int = 100) -> str:
    head = re.split(r"(?<=[.;:])\s", text.strip(), maxsplit=1)[0].rstrip(".;:")
    return head if len(head) <= limit else head[: limit - 1].rstrip() + "…"


def _shown(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


_KINDS: dict[str, RuleKind] = {
    "Criterion": "criterion",
    "SessionFinding": "finding",
    "Transition": "transition",
    "CalendarRule": "calendar",
    "PersistenceClock": "course_event",
    "LabEvent": "course_event",
    "PrecycleRule": "course_event",
}
"""The catalogue's kind of each model rule class (the registry's ``kind``)."""


def _entry(rule: Any, kind: RuleKind, file: str, version: str) -> RuleEntry:
    return RuleEntry(
        id=rule.id, kind=kind, title=rule.title, statement=rule.statement, source=rule.source, file=file,
        version=version, fingerprint=fingerprint(rule.model_dump(mode="json", by_alias=True)),
    )


def _model_rules() -> list[RuleEntry]:
    """Every rule the registry lists (``hccprotocol rules``), read from the loaded model objects."""
    from hccprotocol.course.lab_grading import lab_grading
    from hccprotocol.course.tables import course_rules
    from hccprotocol.model.shipped import load_for_protocol

    out: list[RuleEntry] = []
    for rule_file in load_for_protocol(PRIMARY_PROTOCOL).files:
        out += [_entry(r, _KINDS[type(r).__name__], rule_file.file, rule_file.version) for r in rule_file.rules()]
    course = course_rules()
    shown = "rules/dose-modification-course.yaml"
    out += [_entry(r, "course_event", shown, course.version) for r in (*course.persistence, *course.lab_events)]
    out.append(_entry(course.precycle, "course_event", shown, course.version))
    grading = lab_grading()
    out += [_entry(t, "lab_grading", "rules/ctcae-lab-grading.yaml", grading.version) for t in grading.triggers]
    return out


# -- options ---------------------------------------------------------------------------------------------------


def _option_names() -> list[str]:
    """Every option leaf of the protocol's option models (nested option groups are walked; lists are leaves)."""
    from pydantic import BaseModel as _Model

    from hccprotocol.eligibility.options import EligibilityOptions
    from hccprotocol.regimen import DosingOptions, ModificationOptions
    from hccprotocol.schedule.options import LabLimit, ScheduleOptions

    def walk(prefix: str, model: type[_Model]) -> list[str]:
        names: list[str] = []
        for field, info in model.model_fields.items():
            kind = info.annotation
            if isinstance(kind, type) and issubclass(kind, _Model) and kind is not LabLimit:
                names.extend(walk(f"{prefix}{field}.", kind))
            else:
                names.append(f"{prefix}{field}")
        return names

    names = [
        *walk("dosing.", DosingOptions),
        *walk("modification.", ModificationOptions),
        *walk("schedule.", ScheduleOptions),
        *walk("eligibility.", EligibilityOptions),
    ]
    # The one per-agent policy: the oxaliplatin label's renal start (protocol agents[oxaliplatin].renal_start).
    names.append("agents.oxaliplatin.renal_start.policy")
    return names


_KEY = re.compile(r"^(?P<indent>\s*)(?P<dash>- )?(?P<key>[A-Za-z_][A-Za-z0-9_]*):(?P<rest>.*)$")


def option_comments(text: str) -> dict[str, str]:
    """Dotted key -> the YAML comment block written above it (a key without one shares its previous sibling's).

    List items named by ``- id: X`` contribute ``X`` to the path (``agents.oxaliplatin.renal_start.policy``).
    """
    found: dict[str, str] = {}
    stack: list[tuple[int, str]] = []
    block: list[str] = []
    last: dict[int, str] = {}
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            block.append(stripped.lstrip("#").strip())
            continue
        match = _KEY.match(line)
        if not match:
            if not stripped:
                block = []
            continue
        indent = len(match["indent"]) + (2 if match["dash"] else 0)
        key = match["key"]
        if match["dash"]:
            indent_item = len(match["indent"])
            while stack and stack[-1][0] >= indent_item:
                stack.pop()
            if key == "id":
                stack.append((indent_item, match["rest"].strip().strip("'\"")))
                block = []
                continue
        while stack and stack[-1][0] >= indent:
            stack.pop()
        path = ".".join([*(name for _, name in stack), key])
        if block:
            last[indent] = " ".join(block)
            found[path] = last[indent]
        elif indent in last:
            found[path] = last[indent]
        block = []
        if not match["rest"].strip():
            stack.append((indent, key))
            last = {k: v for k, v in last.items() if k <= indent}
    return found


def _dig(data: Any, dotted: str) -> Any:
    node = data
    for part in dotted.split("."):
        if isinstance(node, list):
            node = next(item for item in node if isinstance(item, dict) and item.get("id") == part)
        else:
            node = node[part]
    return node


def _why(comment: str) -> str:
    """The reason part of a ``default X. Why: ...`` comment (the whole comment when it has no 'Why:')."""
    head, sep, tail = comment.partition("Why:")
    return tail.strip() if sep else head.strip()


def _options() -> list[OptionEntry]:
    import yaml

    path = protocol_path(PRIMARY_PROTOCOL)
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    comments = option_comments(text)
    out: list[OptionEntry] = []
    for name in _option_names():
        # A key without a comment of its own is explained by its group's (renal_start: ... policy: label).
        parts = name.split(".")
        prefixes = [".".join(parts[:n]) for n in range(len(parts), 0, -1)]
        comment = next((comments[p] for p in prefixes if p in comments), "")
        out.append(OptionEntry(name=name, default=_dig(data, name), why=_why(comment), file=_shown(path)))
    return out


@functools.cache
def catalogue() -> Catalogue:
    """Every rule id (criteria, session findings, dose-modification transitions, lab grading, calendar) and option."""
    rules: dict[str, RuleEntry] = {}
    for entry in _model_rules():
        if entry.id in rules:
            raise ValueError(f"rule id {entry.id!r} is defined twice ({rules[entry.id].file}, {entry.file})")
        rules[entry.id] = entry
    options = {o.name: o for o in _options()}
    return Catalogue(rules=rules, options=options)
