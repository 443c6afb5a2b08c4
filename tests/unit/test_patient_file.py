"""Reading patient files: unknowns are listed, bad input is a clear error naming the field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hccprotocol.errors import PatientFileError, PatientValidationError
from hccprotocol.patient_file import load_patient, missing_fields, parse_patient


def problems(data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(PatientValidationError) as info:
        parse_patient(data)
    return {i.path: i.message for i in info.value.issues}


def test_only_id_is_required_and_everything_else_is_missing() -> None:
    patient = parse_patient({"id": "X"})
    missing = missing_fields(patient)
    assert "weight_kg" in missing and "liver.inr" in missing and "tumour.count" in missing
    assert "tace_history" in missing and "history.prior_immunotherapy" in missing
    # annotations are not gaps
    assert "bclc_stage" not in missing and "adverse_events" not in missing


def test_explicit_null_is_unknown_too() -> None:
    patient = parse_patient({"id": "X", "liver": {"inr": None}})
    assert "liver.inr" in missing_fields(patient)


def test_missing_inside_list_items_has_indexed_path() -> None:
    patient = parse_patient({"id": "X", "tace_history": [{"date": "2026-01-05"}, {"date": "2026-03-01"}]})
    missing = missing_fields(patient)
    assert "tace_history[1].imaging_date" in missing
    assert "tace_history[0].viable_tumour_pct" in missing


def test_empty_tace_history_is_known_not_missing() -> None:
    assert "tace_history" not in missing_fields(parse_patient({"id": "X", "tace_history": []}))


@pytest.mark.parametrize(
    ("field", "value", "expect"),
    [
        ("weight_kg", 0, "between 25 and 350"),
        ("weight_kg", 700, "between 25 and 350"),
        ("weight_kg", 24.9, "kg"),
        ("height_cm", 30, "between 100 and 250"),
        ("height_cm", 1.75, "metres"),
        ("age_years", -3, "between 1 and 120"),
        ("ecog", 5, "less than or equal to 4"),
    ],
)
def test_implausible_top_level_values(field: str, value: float, expect: str) -> None:
    assert expect in problems({"id": "X", field: value})[field]


def test_plausible_edges_are_accepted() -> None:
    p = parse_patient({"id": "X", "weight_kg": 25, "height_cm": 250, "ecog": 4})
    assert p.weight_kg == 25 and p.height_cm == 250


@pytest.mark.parametrize(
    ("field", "value", "expect"),
    [
        ("total_bilirubin_umol_l", -1, "µmol/L"),
        ("total_bilirubin_umol_l", 0.9, "mg/dL"),
        ("albumin_g_l", 3.5, "g/dL"),
        ("inr", 0, "between 0.5 and 15"),
        ("ascites", "lots", "'none', 'mild' or 'moderate_severe'"),
    ],
)
def test_implausible_or_invalid_liver_values(field: str, value: object, expect: str) -> None:
    assert expect in problems({"id": "X", "liver": {field: value}})[f"liver.{field}"]


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"id": "X", "weight_kg": "70"}, "weight_kg"),  # a string is not a number
        ({"id": "X", "ecog": 1.0}, "ecog"),  # ECOG is a whole number
        ({"id": "X", "diagnosis": {"resectable": 1}}, "diagnosis.resectable"),  # 1 is not true
        ({"id": "X", "sex": "M"}, "sex"),
        ({"id": "X", "bclc_stage": "E"}, "bclc_stage"),
        ({"id": "X", "colour": "blue"}, "colour"),
        ({"id": "X", "liver": {"inr": 1.1, "inr_ratio": 1.1}}, "liver.inr_ratio"),
        ({"weight_kg": 70}, "id"),
        ({"id": ""}, "id"),
    ],
)
def test_wrong_types_unknown_keys_and_missing_id(data: dict[str, Any], path: str) -> None:
    assert path in problems(data)


def test_error_names_received_value() -> None:
    with pytest.raises(PatientValidationError) as info:
        parse_patient({"id": "X", "height_cm": 1.75})
    (issue,) = info.value.issues
    assert issue.received == 1.75
    assert "height_cm" in info.value.render() and "1.75" in info.value.render()


def test_imaging_before_tace_is_an_error() -> None:
    found = problems({"id": "X", "tace_history": [{"date": "2026-02-01", "imaging_date": "2026-01-01"}]})
    assert "before the TACE date" in found["tace_history[0]"]


def test_tace_sessions_must_be_in_date_order() -> None:
    found = problems({"id": "X", "tace_history": [{"date": "2026-05-01"}, {"date": "2026-02-01"}]})
    assert "date order" in found["tace_history"]


def test_the_same_tace_entered_twice_is_an_error() -> None:
    # A duplicated row would otherwise be two "consecutive" insufficient responses (JSH needs two procedures).
    session = {"date": "2026-01-01", "imaging_date": "2026-02-05", "viable_tumour_pct": 70.0}
    found = problems({"id": "X", "tace_history": [session, session]})
    assert "tace_history[1].date 2026-01-01 is not after tace_history[0].date" in found["tace_history"]


def test_sessions_one_day_apart_are_accepted() -> None:
    parse_patient({"id": "X", "tace_history": [{"date": "2026-01-01"}, {"date": "2026-01-02"}]})


@pytest.mark.parametrize(("imaging", "ok"), [("2026-03-01", True), ("2026-03-02", False)])
def test_response_imaging_must_not_follow_the_next_tace(imaging: str, ok: bool) -> None:
    # Imaging on the day of the next TACE is still that session's evaluation; the day after is not.
    data = {
        "id": "X",
        "tace_history": [{"date": "2026-01-01", "imaging_date": imaging}, {"date": "2026-03-01"}],
    }
    if ok:
        parse_patient(data)
    else:
        assert "after the next TACE" in problems(data)["tace_history"]


def test_json_and_yaml_mean_the_same(tmp_path: Path) -> None:
    data = {"id": "Y", "weight_kg": 70.0, "tace_history": [{"date": "2026-01-05", "selective": True}]}
    (tmp_path / "y.json").write_text(json.dumps(data))
    yaml_text = "id: Y\nweight_kg: 70.0\ntace_history:\n  - date: 2026-01-05\n    selective: true\n"
    (tmp_path / "y.yaml").write_text(yaml_text)
    assert load_patient(tmp_path / "y.json") == load_patient(tmp_path / "y.yaml")


@pytest.mark.parametrize(
    ("name", "text", "expect"),
    [
        ("a.json", '{"id": "X", ', "malformed JSON"),
        ("b.json", '{"id": "X", "id": "Y"}', "appears twice"),
        ("c.yaml", "id: X\nid: Y\n", "appears twice"),
        ("d.yaml", "id: [unclosed\n", "malformed YAML"),
        ("e.json", '{"id": "X", "weight_kg": NaN}', "NaN"),
        ("f.yaml", "id: X\nliver:\n  inr: .nan\n", "liver.inr: NaN or infinity"),
        ("i.json", '{"id": "X", "weight_kg": 1e309}', "weight_kg: NaN or infinity"),
        ("g.json", "[1, 2]", "mapping"),
        ("h.txt", "id: X", "unsupported file type"),
    ],
)
def test_malformed_files(tmp_path: Path, name: str, text: str, expect: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(PatientFileError, match=expect):
        load_patient(path)


def test_absent_file() -> None:
    with pytest.raises(PatientFileError, match="no such file"):
        load_patient(Path("does-not-exist.json"))


# Issue 13: a value plausible only in another unit is refused with the conversion, never silently graded.
# Conversions (published): bilirubin 1 mg/dL = 17.1 µmol/L; albumin 1 g/dL = 10 g/L; 1 lb = 0.45359237 kg.
@pytest.mark.parametrize(
    ("where", "value", "hint"),
    [
        ("liver.total_bilirubin_umol_l", 1.2, "multiply mg/dL by 17.1"),  # 1.2 mg/dL = 20.52 µmol/L
        ("liver.total_bilirubin_umol_l", 2.9, "mg/dL"),  # 2.9 mg/dL = 49.6 µmol/L (Child-Pugh 2 points)
        ("liver.albumin_g_l", 3.5, "multiply g/dL by 10"),  # 3.5 g/dL = 35 g/L
        ("weight_kg", 400.0, "pounds"),  # 400 lb = 181.4 kg
        ("labs[0].total_bilirubin_umol_l", 0.8, "mg/dL"),
        ("labs[0].albumin_g_l", 2.8, "g/dL"),
    ],
)
def test_a_value_plausible_only_in_another_unit_gives_the_conversion(where: str, value: float, hint: str) -> None:
    record: dict[str, Any] = {"id": "U"}
    if where.startswith("liver."):
        record["liver"] = {where.split(".")[1]: value}
    elif where.startswith("labs[0]."):
        record["labs"] = [{"date": "2026-09-01", where.split(".")[1]: value}]
    else:
        record[where] = value
    found = problems(record)[where]
    assert hint in found and "implausible" in found


@pytest.mark.parametrize(
    ("where", "value"),
    [("liver.total_bilirubin_umol_l", 3.0), ("liver.total_bilirubin_umol_l", 20.5), ("weight_kg", 350.0),
     ("liver.albumin_g_l", 10.0)],
)
def test_the_unit_boundaries_are_accepted(where: str, value: float) -> None:
    record: dict[str, Any] = {"id": "U"}
    if where.startswith("liver."):
        record["liver"] = {where.split(".")[1]: value}
    else:
        record[where] = value
    parse_patient(record)  # no error


def test_the_published_conversions_in_the_hints() -> None:
    from hccprotocol import limits

    assert round(1.2 * 17.1, 1) == 20.5 and round(400 * 0.45359237, 1) == 181.4 and 3.5 * 10 == 35
    assert "17.1" in limits.LIMITS["total_bilirubin_umol_l"].unit_hint
    assert "0.4536" in limits.LIMITS["weight_kg"].above_hint
