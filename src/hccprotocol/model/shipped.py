"""The shipped rule files that load through the protocol model, and loading them with a protocol's options.

Why a list: the shipped files move onto the model's language one at a time
(issue 10). A file is either in :data:`SHIPPED_RULE_FILES` (it loads through
:func:`hccprotocol.model.load_rule_file`, and the registry, the ``rules`` command
and every output's header read it from the model) or in :data:`NOT_YET_ON_MODEL`
(still the old syntax, read by its engine's own loader). A test fails when a
``rules/*.yaml`` is in neither, so no file is forgotten; when the migration is
complete :data:`NOT_YET_ON_MODEL` is empty.

Why the protocol's options: a condition may read an option
(``{option: response_window_min_days}``); the loader checks each such use
against the option's kind and values. Those are declared once, in the
protocol's option sections (``eligibility``, ``modification``, ``schedule``),
and the values a protocol sets are the defaults the model is loaded with, so a
site's copy that names a value no rule can read is refused at load.

Importing this module is cheap (no engine); :func:`load_for_protocol` reads the
protocol definition, whose option models live beside their engines.
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hccprotocol.model.options import OptionSpec, fits
from hccprotocol.model.registry import RegistryEntry
from hccprotocol.model.rules import RuleFile

if TYPE_CHECKING:
    from pydantic import BaseModel

    from hccprotocol.protocol import Protocol

__all__ = [
    "DATA_FILES",
    "DEFAULT_PROTOCOL",
    "NOT_YET_ON_MODEL",
    "SHIPPED_RULE_FILES",
    "LoadedRuleFiles",
    "data_rule_entries",
    "load_for_protocol",
    "load_paths",
    "load_shipped",
    "on_model",
    "protocol_option_specs",
    "protocol_rule_paths",
    "rules_dir",
]

DEFAULT_PROTOCOL = "haic-lenvatinib-pd1"
"""The protocol whose options :func:`load_shipped` uses (the PD-1 arm: it sets every option)."""

SHIPPED_RULE_FILES: tuple[str, ...] = (
    "jsh-lcsgj-2014.yaml",
    "lin-2023-eligibility.yaml",
    "dose-modification-lenvatinib.yaml",
    "dose-modification-folfox.yaml",
    "dose-modification-pd1.yaml",
    "calendar-lin-2023.yaml",
)
"""``rules/`` rule files (:class:`~hccprotocol.model.rules.RuleFile`) that load through the model, in registry
order (eligibility, dose modification, calendar)."""

DATA_FILES: tuple[str, ...] = (
    "dose-modification-course.yaml",
    "dose-modification-categories.yaml",
    "ctcae-term-classes.yaml",
    "ctcae-lab-grading.yaml",
)
"""``rules/`` files read through the model's own loaders (``model/course_rules.py``, ``model/datafile.py``):
the course's event rules and the CTCAE definitions. Their loads name file and line like a rule file's; the
rules among them (course events, lab-grading triggers) are listed by :func:`data_rule_entries`."""

NOT_YET_ON_MODEL: tuple[str, ...] = ()
"""``rules/`` files still in the old syntax: none since issue 10 (kept so the ``rules`` output can say so)."""

CATEGORIES_FILE = "dose-modification-categories.yaml"
"""The adverse-event categories a dose-modification condition reads as ``in_<category>``."""

_OPTION_SECTIONS: Mapping[str, tuple[str, ...]] = {
    "eligibility": ("eligibility",),
    "tace_refractoriness": ("eligibility",),
    "dose_modification": ("modification",),
    "calendar": ("schedule",),
}
"""Which protocol option sections a rule file of each kind may read."""


def rules_dir() -> Path:
    """The shipped ``rules/`` folder (package data ``hccprotocol.data.rules``: editable or installed)."""
    return Path(str(resources.files("hccprotocol.data.rules")))


def on_model(name: str) -> bool:
    """Whether the shipped file ``name`` (``rules/<name>``) is read through the model."""
    return name in SHIPPED_RULE_FILES


@dataclass(frozen=True)
class LoadedRuleFiles:
    """The rule files a protocol reads, loaded through the model, with the paths they came from."""

    protocol_id: str
    files: tuple[RuleFile, ...]
    paths: tuple[Path, ...]


def _kind_of(annotation: Any) -> tuple[str, tuple[str, ...]] | None:
    args = typing.get_args(annotation)
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        inner = [a for a in args if a is not type(None)]
        return _kind_of(inner[0]) if len(inner) == 1 else None
    if typing.get_origin(annotation) is typing.Literal and args and all(isinstance(v, str) for v in args):
        return "enum", tuple(args)
    simple = {bool: "boolean", int: "integer", float: "number"}
    return (simple[annotation], ()) if annotation in simple else None


def _section_specs(section: BaseModel, source: str) -> dict[str, OptionSpec]:
    out: dict[str, OptionSpec] = {}
    for name, field in type(section).model_fields.items():
        kind = _kind_of(field.annotation)
        value = getattr(section, name)
        if kind is None or value is None:  # nested sections, file names; an option this arm does not set
            continue
        spec = OptionSpec(
            name=name,
            kind=kind[0],
            values=kind[1],
            default=float(value) if kind[0] == "number" and isinstance(value, int) else value,
            why=field.description or name,
            source=source,
        )
        if fits(spec, spec.default):
            out[name] = spec
    return out


def protocol_option_specs(protocol: Protocol, kind: str) -> dict[str, OptionSpec]:
    """The options a rule file of ``kind`` may read, each with the value ``protocol`` sets as its default."""
    out: dict[str, OptionSpec] = {}
    for section in _OPTION_SECTIONS.get(kind, ()):
        out.update(_section_specs(getattr(protocol, section), f"protocol {protocol.id} {protocol.version}, {section}"))
    return out


def _categories() -> tuple[str, ...]:
    from hccprotocol.data_files import read_data
    from hccprotocol.errors import ProtocolDefinitionError

    data = read_data(rules_dir() / CATEGORIES_FILE, ProtocolDefinitionError, noun="rule file")
    return tuple(data.get("categories", {})) if isinstance(data, dict) else ()


def _peek_kind(path: Path) -> str:
    """The ``kind:`` of a rule file, read before loading (it decides which options apply)."""
    from hccprotocol.model.yamlsrc import read_yaml

    data = read_yaml(path.read_text(encoding="utf-8"), str(path)).data
    return str(data.get("kind", "")) if isinstance(data, dict) else ""


def _shown(path: Path) -> str:
    """The name errors and the registry give a file: ``rules/<name>`` when shipped, else the path as given."""
    try:
        path.resolve().relative_to(rules_dir().resolve())
    except ValueError:
        return str(path)
    return f"rules/{path.name}"


def load_paths(paths: tuple[Path, ...], protocol: Protocol) -> tuple[RuleFile, ...]:
    """Load ``paths`` through the model with ``protocol``'s options (and the shipped event categories).

    An option this arm does not set (the PD-1 options on the arm without PD-1) is
    declared with the default protocol's value: every arm reads the same shipped
    dose-modification files, and the load check needs only the option's kind.
    """
    from hccprotocol.model.loader import load_rule_file
    from hccprotocol.protocol import load_protocol

    categories = _categories()
    default = load_protocol(DEFAULT_PROTOCOL)
    out = []
    for path in paths:
        kind = _peek_kind(path)
        options = protocol_option_specs(default, kind) | protocol_option_specs(protocol, kind)
        if kind == "calendar":
            from hccprotocol.schedule.rules import calendar_options

            options = {**calendar_options(), **options}
        out.append(
            load_rule_file(
                path,
                options=options,
                categories=categories if kind == "dose_modification" else (),
                name=_shown(path),
            )
        )
    return tuple(out)


_ELIGIBILITY_SLOTS = ("refractoriness_rules", "criteria_rules")
"""The protocol's eligibility options that name a rule file (a shipped id, or a site's file)."""


def protocol_rule_paths(protocol: Protocol) -> tuple[Path, ...]:
    """The on-model rule files ``protocol`` reads: its two eligibility files, then the other shipped ones.

    A site's file in an eligibility slot is read through the model when the shipped
    file of that slot is (the engine reads whatever the slot names in one language).
    """
    from hccprotocol.provenance import rule_path

    section = protocol.eligibility
    out: list[Path] = []
    for slot in _ELIGIBILITY_SLOTS:
        default = f"{type(section).model_fields[slot].default}.yaml"
        if on_model(default):
            out.append(rule_path(getattr(section, slot)))
    slot_defaults = {f"{type(section).model_fields[s].default}.yaml" for s in _ELIGIBILITY_SLOTS}
    out.extend(rules_dir() / name for name in SHIPPED_RULE_FILES if name not in slot_defaults)
    return tuple(out)


def load_for_protocol(protocol_arg: str = DEFAULT_PROTOCOL) -> LoadedRuleFiles:
    """The on-model rule files the protocol ``protocol_arg`` (an id or a site's file) reads, loaded (cached)."""
    from hccprotocol.protocol import load_protocol

    paths = protocol_rule_paths(load_protocol(protocol_arg))
    return _load_cached(protocol_arg, paths, tuple(_mtime(p) for p in paths))


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


@functools.lru_cache(maxsize=16)
def _load_cached(protocol_arg: str, paths: tuple[Path, ...], _stamp: tuple[int, ...]) -> LoadedRuleFiles:
    """Keyed by the files' modification times too: a site editing its copy is re-read, never served stale."""
    from hccprotocol.protocol import load_protocol

    protocol = load_protocol(protocol_arg)
    return LoadedRuleFiles(protocol_id=protocol.id, files=load_paths(paths, protocol), paths=paths)


@functools.cache
def load_shipped() -> tuple[RuleFile, ...]:
    """Every file of :data:`SHIPPED_RULE_FILES`, in that order, loaded with the default protocol's options."""
    from hccprotocol.protocol import load_protocol

    return load_paths(tuple(rules_dir() / name for name in SHIPPED_RULE_FILES), load_protocol(DEFAULT_PROTOCOL))


def data_rule_entries() -> tuple[RegistryEntry, ...]:
    """The rules of :data:`DATA_FILES`, as registry entries: the course's persistence clocks, lab events and
    pre-cycle limit rule, and the lab-grading triggers (each with its file's id, version, hash and line)."""
    import hashlib

    from hccprotocol.course.lab_grading import lab_grading
    from hccprotocol.course.tables import course_rules

    def digest(name: str) -> str:
        return hashlib.sha256((rules_dir() / name).read_bytes()).hexdigest()

    out: list[RegistryEntry] = []
    if not all((rules_dir() / name).is_file() for name in ("dose-modification-course.yaml", "ctcae-lab-grading.yaml")):
        return ()  # a rules folder without the course's data files (a test's fixture folder) lists none
    course = course_rules()
    out += [
        RegistryEntry(
            id=rule.id, kind=type(rule).__name__, title=rule.title, source=rule.source, version=rule.version,
            file="rules/dose-modification-course.yaml", file_id=course.id, file_version=course.version,
            file_sha256=digest("dose-modification-course.yaml"), line=rule.line,
        )
        for rule in (*course.persistence, *course.lab_events, course.precycle)
    ]
    grading = lab_grading()
    out += [
        RegistryEntry(
            id=t.id, kind="LabTrigger", title=t.title, source=t.source, version=grading.version,
            file="rules/ctcae-lab-grading.yaml", file_id=grading.id, file_version=grading.version,
            file_sha256=digest("ctcae-lab-grading.yaml"), line=t.line,
        )
        for t in grading.triggers
    ]
    return tuple(out)
