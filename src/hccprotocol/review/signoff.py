"""Clinical sign-off of a feature file: ``features/signoff.yaml``, one record appended per sign-off.

Why append-only text: the file is the audit trail of who reviewed which version of a feature.
A record is never edited or removed; a new review appends a new record, written as a YAML
list item at the end of the file (the file is never rewritten, so ``git log -p`` shows each
sign-off as an addition). The latest record of a feature is its sign-off.

A record holds the sha256 of the feature file's bytes (the report flags a feature edited since)
and a fingerprint of every rule the feature's scenarios are tagged with (the report flags a
rule whose statement, source or conditions changed since).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hccprotocol.errors import InputError, OptionError
from hccprotocol.review.catalogue import Catalogue
from hccprotocol.review.features import parse_feature, tag_values

__all__ = ["SIGNOFF_FILE", "FeatureFlags", "SignOff", "append_signoff", "feature_sha256", "flags", "load_signoffs"]

SIGNOFF_FILE = "signoff.yaml"

_HEADER = """\
# Clinical sign-off of the feature files (issue 12). APPEND-ONLY: never edit or delete a record;
# `hccprotocol signoff FEATURE --reviewer NAME --role ROLE` appends one. The latest record of a
# feature is its sign-off; `hccprotocol review-report` flags a feature whose sha256 differs from it
# and a rule whose fingerprint (statement, source, conditions) differs from the one signed.
"""


class SignOff(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    feature: str = Field(description="Feature file, relative to the features folder")
    reviewer: str = Field(min_length=1)
    role: str = Field(min_length=1)
    date: dt.date
    protocol_version: str = Field(description="Version of the primary protocol (haic-lenvatinib-pd1) signed against")
    protocols: dict[str, str] = Field(description="Every shipped protocol id -> version at sign-off")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the feature file's bytes")
    rules: dict[str, str] = Field(description="Rule id tagged in the feature -> its fingerprint at sign-off")


class FeatureFlags(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    feature: str
    last: SignOff | None
    changed: bool = Field(description="The feature file differs from the one signed (or was never signed)")
    changed_rules: tuple[str, ...] = Field(description="Rules signed whose definition changed since")
    new_rules: tuple[str, ...] = Field(description="Rules tagged now that the sign-off did not cover")


def feature_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_signoffs(features: Path) -> list[SignOff]:
    path = features / SIGNOFF_FILE
    if not path.is_file():
        return []
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise InputError(f"{path}: not valid YAML ({exc})") from None
    if data is None:
        return []
    if not isinstance(data, list):
        raise InputError(f"{path}: must be a list of sign-off records")
    try:
        return [SignOff.model_validate(item) for item in data]
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InputError(f"{path}: invalid sign-off record: {first['msg']} at {first['loc']}") from None


def _tagged_rules(path: Path, root: Path) -> list[str]:
    doc = parse_feature(path, root)
    return sorted({r for sc in doc.scenarios for r in tag_values(sc.all_tags, "rule")})


def append_signoff(
    features: Path, feature: str, *, reviewer: str, role: str, catalogue: Catalogue,
    protocols: dict[str, str], primary: str, today: dt.date,
) -> SignOff:
    """Append one record for ``feature`` (a file name under ``features``) and return it."""
    path = (features / feature).resolve()
    if not path.is_file() or path.suffix != ".feature" or features.resolve() not in path.parents:
        raise OptionError(f"FEATURE: {feature} is not a .feature file under {features}")
    shown = path.relative_to(features.resolve()).as_posix()
    unknown = [r for r in _tagged_rules(path, features.resolve()) if r not in catalogue.rules]
    if unknown:
        raise InputError(f"{shown}: tags name unknown rule ids {unknown}; fix the tags before signing")
    record = SignOff(
        feature=shown, reviewer=reviewer.strip(), role=role.strip(), date=today,
        protocol_version=protocols[primary], protocols=protocols, sha256=feature_sha256(path),
        rules={r: catalogue.rules[r].fingerprint for r in _tagged_rules(path, features.resolve())},
    )
    load_signoffs(features)  # refuse to append to a file that is already invalid
    target = features / SIGNOFF_FILE
    text: dict[str, Any] = record.model_dump(mode="json")
    item = yaml.safe_dump([text], sort_keys=False, allow_unicode=True, width=1000)
    with target.open("a", encoding="utf-8") as out:
        if target.stat().st_size == 0:
            out.write(_HEADER)
        out.write(item)
    return record


def flags(features: Path, catalogue: Catalogue) -> dict[str, FeatureFlags]:
    """Per feature file: its latest sign-off and what changed since (a never-signed feature is ``changed``)."""
    latest: dict[str, SignOff] = {}
    for record in load_signoffs(features):
        latest[record.feature] = record
    out: dict[str, FeatureFlags] = {}
    for path in sorted(features.rglob("*.feature")):
        name = path.relative_to(features).as_posix()
        last = latest.get(name)
        tagged = _tagged_rules(path, features)
        if last is None:
            out[name] = FeatureFlags(feature=name, last=None, changed=True, changed_rules=(), new_rules=())
            continue
        changed_rules = tuple(
            r for r, fp in last.rules.items() if r not in catalogue.rules or catalogue.rules[r].fingerprint != fp
        )
        out[name] = FeatureFlags(
            feature=name, last=last, changed=feature_sha256(path) != last.sha256,
            changed_rules=changed_rules, new_rules=tuple(r for r in tagged if r not in last.rules),
        )
    return out
