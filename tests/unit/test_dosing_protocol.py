"""The protocol's dosing sections: shipped files load; an invalid site file fails at load naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from hccprotocol.errors import ProtocolDefinitionError
from hccprotocol.protocol import load_protocol

from .dosing_support import protocol_with


@pytest.mark.parametrize("name", ["haic-lenvatinib-pd1", "haic-lenvatinib"])
def test_shipped_protocols_define_the_paper_doses(name: str) -> None:
    p = load_protocol(name)
    agents = {a.id: a for a in p.agents}
    # Lin 2023, Materials and methods: 85 / 400 / 2400 mg/m2, hours 0-2, 2-3, from 3
    assert agents["oxaliplatin"].level(agents["oxaliplatin"].start_level or "").amount == 85
    assert agents["leucovorin"].level(agents["leucovorin"].start_level or "").amount == 400
    assert agents["fluorouracil"].level(agents["fluorouracil"].start_level or "").amount == 2400
    assert [agents[d].infusion.start_hour for d in ("oxaliplatin", "leucovorin", "fluorouracil")] == [0, 2, 3]  # type: ignore[union-attr]
    tiers = {(t.min_weight_kg, t.below_weight_kg): t.level for t in agents["lenvatinib"].weight_tiers}
    assert tiers == {(60.0, None): "12mg", (None, 60.0): "8mg"}
    assert ("pd1" in agents) == p.includes_pd1


def _expect_error(tmp_path: Path, fragment: str, **changes: object) -> None:
    with pytest.raises(ProtocolDefinitionError) as err:
        protocol_with(tmp_path, **changes)
    rendered = err.value.render()
    assert fragment in rendered, rendered


def test_reduction_step_must_name_an_existing_level(tmp_path: Path) -> None:
    import yaml

    from .dosing_support import REPO

    data = yaml.safe_load((REPO / "protocol" / "haic-lenvatinib-pd1.yaml").read_text())
    data["agents"][3]["reductions"]["label"]["12mg"] = ["8mg", "2mg"]
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ProtocolDefinitionError) as err:
        load_protocol(str(path))
    assert "agents[lenvatinib].reductions.label.12mg: step '2mg' is not one of the levels" in err.value.render()


def test_a_reduction_may_not_raise_the_dose(tmp_path: Path) -> None:
    import yaml

    from .dosing_support import REPO

    data = yaml.safe_load((REPO / "protocol" / "haic-lenvatinib-pd1.yaml").read_text())
    data["agents"][3]["reductions"]["label"]["8mg"] = ["4mg-qod", "4mg"]  # 4 mg daily is above 4 mg qod
    path = tmp_path / "bad2.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ProtocolDefinitionError, match="invalid protocol") as err:
        load_protocol(str(path))
    assert "does not lower the dose" in err.value.render()


def test_pd1_may_not_have_a_reduction(tmp_path: Path) -> None:
    import yaml

    from .dosing_support import REPO

    data = yaml.safe_load((REPO / "protocol" / "haic-lenvatinib-pd1.yaml").read_text())
    pd1 = data["agents"][4]
    pd1["levels"].append(dict(pd1["levels"][0], id="100mg", amount=100))
    pd1["reductions"] = {"irae_guideline": {"200mg": ["100mg"]}}
    path = tmp_path / "bad3.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ProtocolDefinitionError) as err:
        load_protocol(str(path))
    assert "never dose-reduced" in err.value.render()


def test_unknown_option_value_names_the_key(tmp_path: Path) -> None:
    _expect_error(tmp_path, "modification.lenvatinib_policy", modification__lenvatinib_policy="aggressive")
    _expect_error(tmp_path, "dosing.fluorouracil_infusion_hours", dosing__fluorouracil_infusion_hours=24)


def test_pd1_options_only_on_pd1_arm(tmp_path: Path) -> None:
    _expect_error(
        tmp_path, "modification.pd1_policy: required exactly when", base="haic-lenvatinib",
        modification__pd1_policy="irae_guideline",
    )  # fmt: skip


def test_misspelt_option_is_rejected(tmp_path: Path) -> None:
    _expect_error(tmp_path, "dosing.bsa_cap", dosing__bsa_cap=2.0)
