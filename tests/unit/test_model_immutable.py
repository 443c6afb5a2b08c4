"""The protocol model is engine-free and immutable all the way down."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError

from hccprotocol.eligibility.options import EligibilityOptions
from hccprotocol.model import FrozenMap, RuleFile, load_rule_file
from hccprotocol.model.options import options_from_model

FIXTURES = Path(__file__).parent.parent / "fixtures" / "model"
FORBIDDEN = ("durable", "durable_rules_engine", "pandas", "jinja2", "numpy")


def test_importing_the_model_loads_no_engine_library() -> None:
    """``python -X importtime -c "import hccprotocol.model"``: no durable_rules, pandas or jinja2 (issue 10)."""
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import hccprotocol.model"],
        capture_output=True,
        text=True,
        check=True,
    )
    imported = {line.split("|")[-1].strip() for line in run.stderr.splitlines() if line.startswith("import time:")}
    assert "hccprotocol.model" in imported  # the log was read
    top = {name.split(".")[0] for name in imported}
    assert not top & set(FORBIDDEN), sorted(top & set(FORBIDDEN))


def test_loading_a_rule_file_loads_no_engine_library() -> None:
    code = (
        "import sys; from hccprotocol.model import load_rule_file; "
        f"load_rule_file({str(FIXTURES / 'dose-small.yaml')!r}, categories=['neuropathy', 'hypersensitivity']); "
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"


RULES = Path(__file__).resolve().parents[2] / "rules"
SHIPPED = ("lin-2023-eligibility.yaml", "jsh-lcsgj-2014.yaml")


def _load(name: str) -> RuleFile:
    """A fixture, or a shipped eligibility file (rules/) with the protocol's eligibility options."""
    if name in SHIPPED:
        return load_rule_file(RULES / name, options=options_from_model(EligibilityOptions, "protocol eligibility"))
    return load_rule_file(FIXTURES / name, categories=["neuropathy", "hypersensitivity"])


def _walk(value: object, path: str = "model") -> list[tuple[str, object]]:
    """Every value reachable from a model (fields, tuple items, map values)."""
    out: list[tuple[str, object]] = [(path, value)]
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            out.extend(_walk(getattr(value, name), f"{path}.{name}"))
    elif isinstance(value, tuple):
        for i, item in enumerate(value):
            out.extend(_walk(item, f"{path}[{i}]"))
    elif isinstance(value, FrozenMap):
        for key, item in value.items():
            out.extend(_walk(item, f"{path}[{key!r}]"))
    return out


@pytest.mark.parametrize(
    "name", ["dose-small.yaml", "criteria-small.yaml", "lin-2023-eligibility.yaml", "jsh-lcsgj-2014.yaml"]
)
def test_no_mutable_container_is_reachable(name: str) -> None:
    model = _load(name)
    for path, value in _walk(model):
        assert not isinstance(value, dict | list | set), f"{path} is a mutable {type(value).__name__}"


def test_models_and_maps_refuse_changes() -> None:
    model = load_rule_file(FIXTURES / "dose-small.yaml", categories=["neuropathy", "hypersensitivity"])
    with pytest.raises(ValidationError):
        model.id = "other"  # type: ignore[misc]
    reductions = model.agents[0].reductions
    with pytest.raises(TypeError):
        reductions["x"] = FrozenMap({})  # type: ignore[index]
    with pytest.raises(AttributeError):
        reductions._items = ()  # type: ignore[misc]
    assert reductions["oxaliplatin_label"]["85mg/m2"] == ("65mg/m2",)


def test_frozen_map_serialises_as_a_dict_and_round_trips() -> None:
    model = load_rule_file(FIXTURES / "dose-small.yaml", categories=["neuropathy", "hypersensitivity"])
    dumped = model.model_dump(mode="json")
    assert dumped["agents"][0]["reductions"] == {"oxaliplatin_label": {"85mg/m2": ["65mg/m2"]}}
    again = RuleFile.model_validate(model.model_dump())
    assert again.model_dump() == model.model_dump()  # lines are positions in a file, not content


def test_every_rule_has_id_title_statement_source_and_version() -> None:
    names = ("dose-small.yaml", "criteria-small.yaml", "calendar-small.yaml", "lin-2023-eligibility.yaml",
             "jsh-lcsgj-2014.yaml")
    for name in names:
        model = _load(name)
        assert model.rules()
        for rule in model.rules():
            assert rule.id and rule.title and rule.statement and rule.source
            assert rule.version == model.version  # inherited from the file when not given
            assert rule.line > 0
        assert len(model.sha256) == 64
