"""BCLC staging of a whole record: contradictions are never staged, the latest imaging's count is staged.

Hand-worked from the candidate in ``eligibility_support`` with vascular invasion removed and ECOG 0:
Child-Pugh A5, 8.5 cm largest tumour. A single tumour is BCLC A; more than 3 (or any beyond 3 cm among
2-3) is B (BCLC 2022, clinical-references §6.3).
"""

from __future__ import annotations

from typing import Any

import pytest

from hccprotocol.measures.derive import derive
from hccprotocol.patient_file import parse_patient

from .eligibility_support import candidate, session


def record(count: int = 1, imaged: tuple[int | None, ...] = (1, 1), **tumour: Any) -> dict[str, Any]:
    r = candidate()
    r["ecog"] = 0
    r["tumour"].update({"count": count, "vascular_invasion": False, **tumour})
    for s, n in zip(r["tace_history"], imaged, strict=True):
        s["intrahepatic_tumour_count_before"] = count
        if n is None:
            del s["intrahepatic_tumour_count"]
        else:
            s["intrahepatic_tumour_count"] = n
    return r


def staged(r: dict[str, Any]) -> tuple[str | None, list[str]]:
    out = derive(parse_patient(r, source="test"))
    return out.derived.bclc_stage, out.warnings


@pytest.mark.parametrize(
    ("imaged", "stage", "path"),
    [
        ((1, 1), "A", None),  # the latest imaging agrees with tumour.count
        ((1, 4), "B", "tace_history[1].intrahepatic_tumour_count"),  # newer imaging: 4 tumours
        ((4, 1), "A", "tace_history[1].intrahepatic_tumour_count"),  # only the latest imaging counts
        ((4, None), None, "tace_history[1].intrahepatic_tumour_count"),  # its count not recorded: unknown
    ],
)
def test_the_latest_response_imaging_count_is_staged(
    imaged: tuple[int | None, ...], stage: str | None, path: str | None
) -> None:
    r = record(1, imaged)
    out = derive(parse_patient(r, source="test"))
    assert out.derived.bclc_stage == stage
    trail = next(m for m in out.measures if m.id == "measure.bclc_stage")
    assert trail.inputs["tumour.count"] == 1
    if path is not None:
        assert path in trail.inputs
    newer = [w for w in out.warnings if "newer than tumour.count" in w]
    assert bool(newer) is (imaged[-1] != 1)


def test_without_response_imaging_tumour_count_is_staged() -> None:
    r = record(4)
    for s in r["tace_history"]:
        del s["imaging_date"]
    assert staged(r)[0] == "B"


def test_zero_tumours_at_the_latest_imaging_leave_the_burden_unstaged_unless_c_or_d_decides() -> None:
    r = record(1, (1, 0))
    r["tace_history"][1]["viable_tumour_pct"] = 0.0
    assert staged(r)[0] is None
    r["ecog"] = 1
    assert staged(r)[0] == "C"


@pytest.mark.parametrize(
    ("changes", "new", "fragment"),
    [
        ({}, {"new_vascular_invasion": True},
         "tace_history[1].new_vascular_invasion = true while tumour.vascular_invasion = false"),
        ({"extrahepatic_spread": False}, {"new_extrahepatic_spread": True},
         "tace_history[1].new_extrahepatic_spread = true while tumour.extrahepatic_spread = false"),
        ({"pvtt_cheng_type": "I0"}, {},
         'tumour.pvtt_cheng_type = "I0" (a portal vein tumour thrombus) while tumour.vascular_invasion = false'),
    ],
)
def test_a_contradictory_record_is_not_staged_and_the_warning_names_both_sides(
    changes: dict[str, Any], new: dict[str, Any], fragment: str
) -> None:
    r = record(1, **changes)  # otherwise single tumour, ECOG 0, Child-Pugh A: BCLC A
    r["tace_history"][1].update(new)
    stage, warnings = staged(r)
    assert stage is None
    assert any(w.startswith("BCLC stage not derived: the record contradicts itself") and fragment in w
               for w in warnings)


def test_the_same_findings_consistently_recorded_are_staged() -> None:
    r = record(1, vascular_invasion=True, pvtt_cheng_type="II")
    r["tace_history"][1]["new_vascular_invasion"] = True
    stage, warnings = staged(r)
    assert stage == "C"
    assert not any("contradicts" in w for w in warnings)


def test_a_session_without_the_finding_is_no_contradiction() -> None:
    r = record(1)
    r["tace_history"].append(session("2026-05-04", new_vascular_invasion=False, intrahepatic_tumour_count=1,
                                     intrahepatic_tumour_count_before=1))
    assert staged(r)[0] == "A"
