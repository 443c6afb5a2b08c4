"""Which scenarios exercise which rule id and option, read from ``@rule:<id>`` / ``@option:<name>`` tags.

Why static (from the .feature files): the check that every rule and option has a scenario, and
that no tag names an unknown id, must be fast and run in every test session; whether those
scenarios *pass* is read from a real run's cucumber JSON (:mod:`hccprotocol.review.cucumber`).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from hccprotocol.review.catalogue import Catalogue
from hccprotocol.review.features import FeatureDoc, parse_features, tag_values

__all__ = ["Coverage", "coverage", "scenario_key"]


def scenario_key(file: str, line: int) -> str:
    """``<feature file>:<line of the Scenario keyword>``: how report, JSON and tags refer to one scenario."""
    return f"{file}:{line}"


class Coverage(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    rules: dict[str, tuple[str, ...]]
    """Rule id -> keys of the scenarios tagged with it (every catalogue id present, possibly empty)."""
    options: dict[str, tuple[str, ...]]
    unknown_rule_tags: dict[str, tuple[str, ...]]
    """Tagged id that is not in the catalogue -> scenarios carrying it."""
    unknown_option_tags: dict[str, tuple[str, ...]]

    @property
    def untested_rules(self) -> list[str]:
        return [r for r, keys in self.rules.items() if not keys]

    @property
    def untested_options(self) -> list[str]:
        return [o for o, keys in self.options.items() if not keys]

    def problems(self) -> list[str]:
        """Every finding in words, empty when the features trace every rule and option and nothing else."""
        out = [f"rule {r} has no scenario tagged @rule:{r}" for r in self.untested_rules]
        out += [f"option {o} has no scenario tagged @option:{o}" for o in self.untested_options]
        out += [f"@rule:{r} names no rule id ({', '.join(k)})" for r, k in self.unknown_rule_tags.items()]
        out += [f"@option:{o} names no protocol option ({', '.join(k)})" for o, k in self.unknown_option_tags.items()]
        return out


def coverage(catalogue: Catalogue, features: Iterable[FeatureDoc] | Path) -> Coverage:
    """Tags of every scenario (with Feature/Rule tags inherited) against the catalogue."""
    docs = parse_features(features) if isinstance(features, Path) else tuple(features)
    rules: dict[str, list[str]] = {r: [] for r in catalogue.rules}
    options: dict[str, list[str]] = {o: [] for o in catalogue.options}
    unknown_rules: dict[str, list[str]] = {}
    unknown_options: dict[str, list[str]] = {}
    for doc in docs:
        for sc in doc.scenarios:
            key = scenario_key(sc.file, sc.line)
            for rule in tag_values(sc.all_tags, "rule"):
                (rules[rule] if rule in rules else unknown_rules.setdefault(rule, [])).append(key)
            for option in tag_values(sc.all_tags, "option"):
                (options[option] if option in options else unknown_options.setdefault(option, [])).append(key)

    def frozen(d: dict[str, list[str]]) -> dict[str, tuple[str, ...]]:
        return {k: tuple(v) for k, v in d.items()}

    return Coverage(
        rules=frozen(rules), options=frozen(options),
        unknown_rule_tags=frozen(unknown_rules), unknown_option_tags=frozen(unknown_options),
    )
