"""BCLC stage derivation (BCLC 2022) including unknown inputs, which never default."""

from __future__ import annotations

import pytest

from hccprotocol.measures.bclc import BclcInputs, derive_bclc


def inputs(**kw: object) -> BclcInputs:
    base: dict[str, object] = {
        "tumour_count": 1,
        "largest_diameter_cm": 1.5,
        "vascular_invasion": False,
        "extrahepatic_spread": False,
        "ecog": 0,
        "child_pugh_class": "A",
    }
    base.update(kw)
    return BclcInputs(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kw", "stage"),
    [
        ({}, "0"),  # single 1.5 cm, PS 0, Child-Pugh A
        ({"largest_diameter_cm": 2.0}, "0"),
        ({"largest_diameter_cm": 2.1}, "A"),
        ({"largest_diameter_cm": 9.0}, "A"),  # single, any size
        ({"child_pugh_class": "B"}, "A"),  # very early needs preserved (Child-Pugh A) function
        ({"tumour_count": 3, "largest_diameter_cm": 3.0}, "A"),  # <= 3 nodules each <= 3 cm
        ({"tumour_count": 3, "largest_diameter_cm": 3.1}, "B"),
        ({"tumour_count": 4, "largest_diameter_cm": 2.0}, "B"),
        ({"tumour_count": 4, "largest_diameter_cm": 6.0, "ecog": 1}, "C"),  # PS 1-2 -> C
        ({"tumour_count": 4, "ecog": 2}, "C"),
        ({"vascular_invasion": True}, "C"),
        ({"extrahepatic_spread": True}, "C"),
        ({"ecog": 3}, "D"),
        ({"child_pugh_class": "C"}, "D"),
        ({"vascular_invasion": True, "ecog": 4}, "D"),
    ],
)
def test_stage_table(kw: dict[str, object], stage: str) -> None:
    assert derive_bclc(inputs(**kw)) == stage


@pytest.mark.parametrize(
    ("kw", "stage"),
    [
        ({"ecog": None}, None),  # cannot rule out C or D
        ({"child_pugh_class": None}, None),  # cannot rule out D
        ({"tumour_count": None}, None),  # 0, A or B
        ({"ecog": 3, "child_pugh_class": None, "tumour_count": None}, "D"),  # known PS 3 decides
        ({"vascular_invasion": True, "tumour_count": None}, "C"),  # known PVTT decides once D excluded
        ({"vascular_invasion": None, "extrahepatic_spread": False}, None),
        ({"vascular_invasion": None, "ecog": 1}, "C"),
    ],
)
def test_unknown_inputs_only_decide_when_they_cannot_matter(kw: dict[str, object], stage: str | None) -> None:
    assert derive_bclc(inputs(**kw)) == stage


@pytest.mark.parametrize(
    ("classes", "size", "stage"),
    [
        (("C",), 1.5, "D"),  # class C whatever the missing component: end-stage liver function
        (("B", "C"), 1.5, None),  # D cannot be ruled out
        (("A", "B"), 1.5, None),  # single 1.5 cm, PS 0: 0 with class A, A with class B
        (("A", "B"), 2.5, "A"),  # single 2.5 cm: A whatever the class (A or B)
        (("B",), 1.5, "A"),  # class B certain: not very early
    ],
)
def test_a_partial_child_pugh_decides_when_its_classes_allow(
    classes: tuple[str, ...], size: float, stage: str | None
) -> None:
    assert derive_bclc(inputs(child_pugh_class=None, child_pugh_classes=classes, largest_diameter_cm=size)) == stage
