"""The ``hccprotocol rules`` command: every rule id the protocol in force reads, with its file, source and version.

Why: a reviewer signing off a protocol, an auditor reading an old output's trail
(``rule_id``) and the review report need one list of every rule: its id, kind,
title, source, version, and the file (id, version, SHA-256, line) it came from.
It is built from the model's registry (:func:`hccprotocol.model.registry`), which
refuses an id defined twice, over the files of :mod:`hccprotocol.model.shipped`
(or a site protocol's own eligibility files). Files not yet migrated onto the
model are named under ``not_on_model`` so the list never looks complete when it
is not.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from enum import StrEnum
from typing import Annotated, Any

import typer
from pydantic import BaseModel, ConfigDict, Field

from hccprotocol.model.errors import RuleFileError
from hccprotocol.model.registry import RegistryEntry, registry
from hccprotocol.model.rules import RuleFile as ModelRuleFile
from hccprotocol.model.shipped import DEFAULT_PROTOCOL, NOT_YET_ON_MODEL, data_rule_entries, load_for_protocol
from hccprotocol.provenance import Header

__all__ = ["RulesFormat", "RulesOutput", "rules_command", "rules_document", "rules_schema"]


class RulesFormat(StrEnum):
    json = "json"
    table = "table"


class RulesOutput(BaseModel):
    """``rules --format json``: the registry of every rule the protocol reads, under the provenance header."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    as_of: dt.date = Field(description="Date of the listing; equals header.as_of")
    hccprotocol_version: str
    header: Header
    rules: list[RegistryEntry] = Field(description="Every rule id, in file order (an id is unique across files)")
    not_on_model: list[str] = Field(description="rules/ files not yet on the protocol model, so not listed")


def rules_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of ``rules --format json`` (``hccprotocol schema rules``)."""
    from hccprotocol import __version__

    schema = RulesOutput.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://hccprotocol.invalid/schema/rules-{__version__}.json"
    return schema


def all_entries(files: tuple[ModelRuleFile, ...]) -> tuple[RegistryEntry, ...]:
    """The registry of the rule files, then the rules of the data files (course events, lab triggers).

    An id given twice anywhere is refused, as :func:`~hccprotocol.model.registry.registry` does within files.
    """
    entries = (*registry(files), *data_rule_entries())
    seen: dict[str, RegistryEntry] = {}
    for entry in entries:
        first = seen.setdefault(entry.id, entry)
        if first is not entry:
            why = f"rule id already defined in {first.file}:{first.line}"
            raise RuleFileError(entry.file, [(entry.line, entry.id, why)])
    return entries


def rules_document(protocol_arg: str, as_of: dt.date) -> dict[str, Any]:
    """``rules --format json``: the envelope (version, as-of, provenance header), ``rules``, ``not_on_model``."""
    from hccprotocol import __version__
    from hccprotocol.protocol import load_protocol
    from hccprotocol.provenance import build_header

    loaded = load_for_protocol(protocol_arg)
    header = build_header(protocol_arg, load_protocol(protocol_arg), as_of)
    document = RulesOutput(
        as_of=as_of,
        hccprotocol_version=__version__,
        header=header,
        rules=list(all_entries(loaded.files)),
        not_on_model=[f"rules/{name}" for name in NOT_YET_ON_MODEL],
    )
    return document.model_dump(mode="json")


def _render_table(entries: tuple[RegistryEntry, ...], not_on_model: tuple[str, ...]) -> None:
    """One table of the files (id, version, hash), then one of the rules; each fits the width or is stacked."""
    from rich.text import Text

    from hccprotocol.render import report_console
    from hccprotocol.render.layout import Col, console_width, fitted_table

    console = report_console()
    width = console_width(console)
    files: dict[str, RegistryEntry] = {}
    for entry in entries:
        files.setdefault(entry.file, entry)
    console.print(
        fitted_table(
            "Rule files on the protocol model",
            (Col("File"), Col("Id"), Col("Version"), Col("SHA-256 (first 12)", no_wrap=True)),
            [[f, e.file_id, e.file_version, e.file_sha256[:12]] for f, e in files.items()],
            width,
        )
    )
    console.print(
        fitted_table(
            "Rules (registry)",
            (
                Col("Rule id"),
                Col("Kind"),
                Col("Title", prose=True),
                Col("Source", prose=True),
                Col("Version"),
                Col("Where", prose=True),
            ),
            [[e.id, e.kind, e.title, e.source, e.version, f"{e.file}:{e.line}"] for e in entries],
            width,
        )
    )
    total = f"{len(entries)} rules in {len(files)} files."
    if not_on_model:
        total += " Not yet on the model (not listed): " + ", ".join(f"rules/{n}" for n in not_on_model) + "."
    console.print(Text(total))


def rules_command(
    format: Annotated[RulesFormat, typer.Option("--format", "-f", help="Output format")] = RulesFormat.table,
    protocol: Annotated[
        str, typer.Option("--protocol", help="Protocol id or a site's protocol file (its rule files are listed)")
    ] = DEFAULT_PROTOCOL,
) -> None:
    """Every rule id with its file, title, source and version (the model's registry)."""
    if format is RulesFormat.json:
        document = rules_document(protocol, dt.date.today())
        sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        return
    _render_table(all_entries(load_for_protocol(protocol).files), NOT_YET_ON_MODEL)
