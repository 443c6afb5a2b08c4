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
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hccprotocol.data_files import read_data, validate_definition
from hccprotocol.eligibility.options import EligibilityOptions
from hccprotocol.errors import ProtocolDefinitionError
from hccprotocol.regimen import (
    DoseLevel,
    DosingOptions,
    Infusion,
    ModificationOptions,
    Pd1Product,
    RenalStart,
    WeightTier,
    check_agent_dosing,
    policy_option,
)
from hccprotocol.schedule.options import ScheduleOptions

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
    """One drug of the arm, fully defined for dosing (models and checks: ``hccprotocol.regimen``)."""

    id: Literal["oxaliplatin", "leucovorin", "fluorouracil", "lenvatinib", "pd1"]
    name: str = Field(min_length=1, description="Name shown in outputs (e.g. 'Leucovorin (calcium folinate, racemic)')")
    drug_class: str = Field(min_length=1)
    route: Literal["intra-arterial", "oral", "intravenous"]
    basis: Literal["per_m2", "weight_tier", "fixed"] = Field(description="Dose per m2 of BSA, by weight tier, or fixed")
    levels: tuple[DoseLevel, ...] = Field(min_length=1, description="Dose levels; the highest is the protocol maximum")
    start_level: str | None = Field(None, description="Start level id (per_m2 and fixed agents)")
    weight_tiers: tuple[WeightTier, ...] = Field((), description="Start level by baseline weight (weight_tier agents)")
    reductions: dict[str, dict[str, tuple[str, ...]]] = Field(
        default_factory=dict, description="policy -> start level -> levels at the 1st, 2nd, ... reduction"
    )
    infusion: Infusion | None = Field(None, description="Infusion timing from HAIC hour 0 (infused agents)")
    day: str = Field(min_length=1, description="Day(s) of the cycle relative to HAIC day 1, e.g. '1', '4-6'")
    unit_mg: float | None = Field(None, gt=0, description="Capsule or vial strength used to count units")
    unit_form: Literal["capsule", "vial"] | None = None
    products: tuple[Pd1Product, ...] = Field((), description="PD-1 inhibitors the arm may use (pd1 only)")
    frequency_options: dict[str, str] = Field(
        default_factory=dict, description="Frequency text by dosing.pd1_schedule choice (pd1 only)"
    )
    source: str = Field(min_length=1)
    renal_start: RenalStart | None = Field(None, description="Renal adjustment of the starting dose (oxaliplatin)")

    @model_validator(mode="after")
    def _dosing_consistent(self) -> Agent:
        check_agent_dosing(
            self.id, self.basis, self.levels, self.start_level, self.weight_tiers, self.reductions, self.products
        )
        if self.renal_start is not None and self.renal_start.start_level not in {lv.id for lv in self.levels}:
            raise ValueError(
                f"agents[{self.id}].renal_start.start_level: {self.renal_start.start_level!r} is not a level"
            )
        return self

    def level(self, level_id: str) -> DoseLevel:
        return next(lv for lv in self.levels if lv.id == level_id)


class Protocol(Definition):
    """One protocol arm as data (``protocol/<id>.yaml`` or a site's copy): agents and option sections."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    version: str
    title: str
    source: str
    approval: Approval
    includes_pd1: bool = Field(description="Whether the arm gives a PD-1 inhibitor")
    agents: tuple[Agent, ...]
    dosing: DosingOptions = Field(description="How doses are calculated (options; see the YAML comments)")
    modification: ModificationOptions = Field(description="Dose-modification policy per drug and its thresholds")
    schedule: ScheduleOptions = Field(description="Treatment-calendar day rules (hccprotocol.schedule.options)")
    eligibility: EligibilityOptions = Field(
        description="TACE refractoriness and inclusion/exclusion options (hccprotocol.eligibility.options)"
    )

    @model_validator(mode="after")
    def _ladders_for_selected_policies(self) -> Protocol:
        pd1_options = {
            "dosing.pd1_schedule": self.dosing.pd1_schedule,
            "modification.pd1_policy": self.modification.pd1_policy,
            "modification.pd1_persistence_days": self.modification.pd1_persistence_days,
        }
        for key, value in pd1_options.items():
            if (value is None) == self.includes_pd1:
                raise ValueError(f"{key}: required exactly when the arm includes a PD-1 inhibitor (includes_pd1)")
        for agent in self.agents:
            chosen = getattr(self.modification, policy_option(agent.id))
            if agent.id in ("lenvatinib", "oxaliplatin", "fluorouracil") and chosen not in agent.reductions:
                raise ValueError(
                    f"agents[{agent.id}].reductions: no ladder for the selected policy {chosen!r} "
                    f"(modification.{policy_option(agent.id)})"
                )
            if agent.id == "pd1" and set(agent.frequency_options) != {"q3w_with_haic", "q4w_paper"}:
                raise ValueError("agents[pd1].frequency_options: give the text for q3w_with_haic and q4w_paper")
        return self

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
    data = read_data(path, ProtocolDefinitionError)
    return validate_definition(
        Protocol, data, where=str(path), what="protocol definition", error=ProtocolDefinitionError
    )
