"""The provenance header every output carries: tool version, protocol file, rule files, as-of date.

Why: an output read weeks later (a dose sheet in the chart, a calendar imported
into an EHR, an eligibility report in a trial file) must say exactly which
definitions produced it. The protocol is identified by the id and version
*written in the file that was read* and by the SHA-256 of that file's bytes, so a
site's modified copy is reported under its own id, version and hash, never the
shipped one's; ``shipped`` says whether the bytes are those of the file shipped
under that id. Rule files are reported the same way.

This module reads files only (no rule engine, pandas or jinja2), so it is cheap
to call from every command.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from hccprotocol import __version__
from hccprotocol.data_files import read_data
from hccprotocol.errors import ProtocolDefinitionError
from hccprotocol.protocol import Protocol

if TYPE_CHECKING:
    from hccprotocol.model.rules import RuleFile as ModelRuleFile

__all__ = ["Header", "ProtocolFile", "RuleFile", "build_header", "protocol_path", "rule_path"]

DOSE_MODIFICATION_GLOB = "dose-modification-*.yaml"
CTCAE_FILES = ("ctcae-term-classes.yaml", "ctcae-lab-grading.yaml")
"""The CTCAE definitions the course reads (event classes, lab grading): every dose and course depends on them."""
"""The dose-modification tables every protocol's ``dose``/``course``/``plan`` read (course.tables)."""


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ProtocolFile(_Out):
    id: str = Field(description="Protocol id as written in the file read")
    version: str = Field(description="Protocol version as written in the file read")
    file: str = Field(description="The file read: 'protocol/<id>.yaml' when shipped, else the path given")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the file's bytes")
    shipped: bool = Field(description="True when the bytes are those of the protocol shipped under this id")


class RuleFile(_Out):
    id: str
    version: str
    file: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    shipped: bool


class Header(_Out):
    """``header`` of every JSON output (issue 10 contract plus the file name and ``shipped`` flag)."""

    tool_version: str = Field(description="hccprotocol version that produced the output")
    protocol: ProtocolFile
    rule_files: list[RuleFile] = Field(description="Every rule file the protocol in force reads")
    as_of: dt.date = Field(description="Date the output describes (--as-of, the plan's generation day, or today)")


def _shipped_dir(package: str) -> Path:
    return Path(str(resources.files(package)))


def protocol_path(id_or_path: str) -> Path:
    """The file ``load_protocol(id_or_path)`` reads (same resolution rule)."""
    path = Path(id_or_path)
    if path.suffix.lower() in {".yaml", ".yml", ".json"}:
        return path
    return _shipped_dir("hccprotocol.data.protocol") / f"{id_or_path}.yaml"


def rule_path(id_or_path: str) -> Path:
    """The file ``load_rule_source(id_or_path)`` reads (same resolution rule)."""
    path = Path(id_or_path)
    if path.suffix.lower() in {".yaml", ".yml", ".json"}:
        return path
    return _shipped_dir("hccprotocol.data.rules") / f"{id_or_path}.yaml"


def _digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        raise ProtocolDefinitionError(f"{path}: cannot be read ({exc.strerror or exc})") from None


def _is_shipped(path: Path, digest: str, package: str, file_id: str) -> tuple[bool, str]:
    shipped = _shipped_dir(package) / f"{file_id}.yaml"
    folder = package.rsplit(".", 1)[-1]
    if shipped.is_file() and _digest(shipped) == digest:
        return True, f"{folder}/{file_id}.yaml"
    return False, str(path)


def _rule_file(path: Path) -> RuleFile:
    """A rule file not on the model: its id and version as written, its hash (cached per file state)."""
    try:
        stat = path.stat()
    except OSError:
        return _read_rule_file(path, 0, 0)  # raises the reader's error naming the file
    return _read_rule_file(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=64)
def _read_rule_file(path: Path, _mtime_ns: int, _size: int) -> RuleFile:
    """Keyed by modification time and size too, so a file edited in a long-lived process is read again."""
    data: Any = read_data(path, ProtocolDefinitionError, noun="rule file")
    if not isinstance(data, dict) or "id" not in data or "version" not in data:
        raise ProtocolDefinitionError(f"{path}: a rule file must state its id and version")
    digest = _digest(path)
    shipped, shown = _is_shipped(path, digest, "hccprotocol.data.rules", str(data["id"]))
    return RuleFile(id=str(data["id"]), version=str(data["version"]), file=shown, sha256=digest, shipped=shipped)


def _model_rule_file(path: Path, model: ModelRuleFile) -> RuleFile:
    """A rule file as the model loaded it: the id, version and hash of the bytes the engines read."""
    shipped, shown = _is_shipped(path, model.sha256, "hccprotocol.data.rules", model.id)
    return RuleFile(id=model.id, version=model.version, file=shown, sha256=model.sha256, shipped=shipped)


def build_header(protocol_arg: str, protocol: Protocol, as_of: dt.date) -> Header:
    """The header for an output computed with ``protocol`` (loaded from ``protocol_arg``) as of ``as_of``.

    Rule files on the protocol model (:mod:`hccprotocol.model.shipped`) are reported
    from the model (loaded, checked and cached once per process); the others, still
    in the old syntax, are read here for their id and version.
    """
    from hccprotocol.model.shipped import load_for_protocol

    path = protocol_path(protocol_arg)
    digest = _digest(path)
    shipped, shown = _is_shipped(path, digest, "hccprotocol.data.protocol", protocol.id)
    rules = [rule_path(protocol.eligibility.refractoriness_rules), rule_path(protocol.eligibility.criteria_rules)]
    rules.extend(sorted(_shipped_dir("hccprotocol.data.rules").glob(DOSE_MODIFICATION_GLOB)))
    rules.extend(_shipped_dir("hccprotocol.data.rules") / name for name in CTCAE_FILES)
    loaded = load_for_protocol(protocol_arg)
    on_model = {p.resolve(): m for p, m in zip(loaded.paths, loaded.files, strict=True)}
    rules.extend(p for p in loaded.paths if p.resolve() not in {r.resolve() for r in rules})
    return Header(
        tool_version=__version__,
        protocol=ProtocolFile(id=protocol.id, version=protocol.version, file=shown, sha256=digest, shipped=shipped),
        rule_files=[
            _model_rule_file(p, on_model[p.resolve()]) if p.resolve() in on_model else _rule_file(p) for p in rules
        ],
        as_of=as_of,
    )
