"""Protocol definitions (``protocol/*.yaml``) loaded into one immutable, validated model.

Why data: clinicians review and sign off the YAML, sites copy a file and change
a named option, and every engine (eligibility, dosing, schedule, cohort) reads
the same validated model. An invalid file fails at load, naming the offending key.

Sections are owned by the feature that reads them; each feature's options model
documents every option's default and why.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from hccprotocol.errors import FieldIssue, ProtocolDefinitionError

__all__ = ["DEFAULT_PROTOCOL", "Protocol", "available_protocols", "load_protocol"]

DEFAULT_PROTOCOL = "haic-lenvatinib-pd1"


class Definition(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Approval(Definition):
    status: Literal["draft", "approved", "retired"]
    note: str = ""
    approved_by: str | None = None
    approved_on: str | None = None


class Agent(Definition):
    id: Literal["oxaliplatin", "leucovorin", "fluorouracil", "lenvatinib", "pd1"]


class Protocol(Definition):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    version: str
    title: str
    source: str
    approval: Approval
    includes_pd1: bool = Field(description="Whether the arm gives a PD-1 inhibitor")
    agents: tuple[Agent, ...]

    @model_validator(mode="after")
    def _pd1_agent_matches_arm(self) -> Protocol:
        has_pd1 = any(a.id == "pd1" for a in self.agents)
        if has_pd1 != self.includes_pd1:
            raise ValueError("includes_pd1 must be true exactly when the agents list a 'pd1' agent")
        return self

    def agent_ids(self) -> tuple[str, ...]:
        return tuple(a.id for a in self.agents)


def _protocol_dir() -> Path:
    """Shipped protocol files: the top-level ``protocol/`` folder, installed as package data (setup.py)."""
    return Path(str(resources.files("hccprotocol.data.protocol")))


def available_protocols() -> list[str]:
    return sorted(p.stem for p in _protocol_dir().glob("*.yaml"))


_CACHE: dict[str, Protocol] = {}


def load_protocol(id_or_path: str = DEFAULT_PROTOCOL) -> Protocol:
    """Load a shipped protocol by id, or a site's copy by file path (``.yaml``/``.yml``/``.json``)."""
    if id_or_path in _CACHE:
        return _CACHE[id_or_path]
    path = Path(id_or_path)
    if path.suffix.lower() in {".yaml", ".yml", ".json"}:
        if not path.is_file():
            raise ProtocolDefinitionError(f"{path}: no such protocol file")
    else:
        path = _protocol_dir() / f"{id_or_path}.yaml"
        if not path.is_file():
            raise ProtocolDefinitionError(
                f"unknown protocol {id_or_path!r}; available: {', '.join(available_protocols())}, or a file path"
            )
    protocol = _parse(path)
    _CACHE[id_or_path] = protocol
    return protocol


def _parse(path: Path) -> Protocol:
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ProtocolDefinitionError(f"{path}: cannot be read as YAML/JSON: {exc}") from None
    try:
        return Protocol.model_validate(data)
    except ValidationError as exc:
        issues = tuple(
            FieldIssue(
                path=".".join(str(p) for p in err["loc"]),
                received=err.get("input"),
                message=err["msg"],
                code=err["type"],
            )
            for err in exc.errors(include_url=False)
        )
        raise ProtocolDefinitionError(f"{path}: invalid protocol definition", issues=issues) from None
