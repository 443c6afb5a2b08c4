"""The rule registry: every rule id of the loaded rule files, with its file, title, source and version.

Why: a reviewer, an audit trail and the coming ``hccprotocol rules`` command need one list in
which each id is unique across all files (an id shared by two files would make a trail
ambiguous), with the version and SHA-256 of the file it came from.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict

from hccprotocol.model.errors import RuleFileError
from hccprotocol.model.rules import RuleFile

__all__ = ["RegistryEntry", "registry"]


class RegistryEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    kind: str
    title: str
    source: str
    version: str
    file: str
    file_id: str
    file_version: str
    file_sha256: str
    line: int


def registry(files: Iterable[RuleFile]) -> tuple[RegistryEntry, ...]:
    """Every rule of ``files`` in file order; an id defined in two files is a load error naming both."""
    seen: dict[str, RegistryEntry] = {}
    out: list[RegistryEntry] = []
    for rule_file in files:
        for rule in rule_file.rules():
            entry = RegistryEntry(
                id=rule.id,
                kind=type(rule).__name__,
                title=rule.title,
                source=rule.source,
                version=rule.version,
                file=rule_file.file,
                file_id=rule_file.id,
                file_version=rule_file.version,
                file_sha256=rule_file.sha256,
                line=rule.line,
            )
            first = seen.get(rule.id)
            if first is not None:
                raise RuleFileError(
                    rule_file.file,
                    [(rule.line, rule.id, f"rule id already defined in {first.file}:{first.line}")],
                )
            seen[rule.id] = entry
            out.append(entry)
    return tuple(out)
