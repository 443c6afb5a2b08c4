"""Columnar validation: the model's layout, every bad cell named by row, field and reason, limits on both sides."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hccprotocol.errors import InputError
from hccprotocol.screen.columns import patient_columns, session_columns
from hccprotocol.screen.io import read_table
from hccprotocol.screen.partition import ROW
from hccprotocol.screen.validate import _trimmed_already, typed_table


def _typed(cells: dict[str, list[str]]) -> tuple[pd.DataFrame, list[tuple[int, str, str]]]:
    raw = pd.DataFrame(cells, dtype="str")
    typed = typed_table(raw, patient_columns(), "patients", np.arange(1, len(raw) + 1))
    return typed.frame, [(i.row, i.field, i.reason) for i in typed.issues]


def test_layout_is_the_model_flattened() -> None:
    names = [c.name for c in patient_columns()]
    assert names[0] == "patient_id"
    assert {"liver_inr", "liver_total_bilirubin_umol_l", "tumour_count", "history_other_tki",
            "contraindications_pd1", "diagnosis_resectable", "tace_sessions"} <= set(names)
    inr = next(c for c in patient_columns() if c.name == "liver_inr")
    assert (inr.path, inr.kind, inr.low, inr.high) == ("liver.inr", "float", 0.5, 15)
    assert [c.name for c in session_columns()][:2] == ["patient_id", "date"]
    # annotation fields (their absence is not a gap)
    assert {c.name for c in patient_columns() if c.annotation} >= {"bclc_stage", "tumour_pvtt_cheng_type"}


def test_weight_limits_both_sides() -> None:
    # limits.py: body weight 25-350 kg inclusive; above 350 the message suggests pounds
    frame, issues = _typed({"patient_id": ["a", "b", "c", "d"], "weight_kg": ["25", "24.9", "350", "350.1"]})
    assert [(r, f) for r, f, _ in issues] == [(2, "weight_kg"), (4, "weight_kg")]
    assert "pounds" in issues[1][2]
    assert frame["weight_kg"].iloc[0] == 25 and frame["weight_kg"].iloc[2] == 350
    assert frame["weight_kg"].isna().tolist() == [False, True, False, True]  # never clipped


def test_ecog_whole_numbers_in_range() -> None:
    _, issues = _typed({"patient_id": ["a", "b", "c", "d", "e"], "ecog": ["0", "4", "5", "1.5", "x"]})
    assert [(r, f) for r, f, _ in issues] == [(3, "ecog"), (4, "ecog"), (5, "ecog")]


def test_booleans_choices_and_blanks() -> None:
    frame, issues = _typed({"patient_id": ["a", "b", "c"], "history_other_tki": ["true", "yes", ""],
                            "liver_ascites": ["mild", "", "severe"]})
    assert [(r, f) for r, f, _ in issues] == [(2, "history_other_tki"), (3, "liver_ascites")]
    assert "true or false" in issues[0][2] and "moderate_severe" in issues[1][2]
    assert frame["history_other_tki"].iloc[0] is np.True_ or bool(frame["history_other_tki"].iloc[0]) is True
    assert pd.isna(frame["history_other_tki"].iloc[2])  # empty = unknown, never false


def test_bilirubin_unit_hint() -> None:
    _, issues = _typed({"patient_id": ["a"], "liver_total_bilirubin_umol_l": ["1.2"]})
    assert "mg/dL" in issues[0][2]


def test_unknown_column_refused() -> None:
    with pytest.raises(InputError, match="liver_innr"):
        _typed({"patient_id": ["a"], "liver_innr": ["1.1"]})


def test_patient_id_required() -> None:
    _, issues = _typed({"patient_id": ["a", " "]})
    assert issues == [(2, "patient_id", "patient_id is required")]


def test_csv_numbers_padded_or_with_decimal_comma() -> None:
    # limits.py: body weight 25-350 kg inclusive. Padding around a number is not a fault (" 25 " is 25, at the
    # lower limit); a decimal comma is not a number ("24,9" is neither 24.9 nor 249), on both sides of a limit.
    frame, issues = _typed({"patient_id": ["a", "b", "c", "d", "e", "f"],
                            "weight_kg": [" 25 ", " 24.9 ", "350 ", "24,9", "350,1", "\t70\t"]})
    assert [(r, f) for r, f, _ in issues] == [(2, "weight_kg"), (4, "weight_kg"), (5, "weight_kg")]
    assert not issues[0][2].startswith("expected a number")  # a limit, not a parse failure
    assert issues[1][2].startswith("expected a number") and issues[2][2].startswith("expected a number")
    assert frame["weight_kg"].iloc[0] == 25 and frame["weight_kg"].iloc[2] == 350 and frame["weight_kg"].iloc[5] == 70
    assert frame["weight_kg"].isna().tolist() == [False, True, False, True, True, False]  # never guessed


def test_csv_file_cells_reach_validation_as_written(tmp_path: Path) -> None:
    # The same cells read from a CSV file: the reader neither trims, nor converts, nor drops a padded cell.
    path = tmp_path / "patients.csv"
    path.write_text('patient_id,weight_kg\na, 25 \nb,"24,9"\nc,350 \nd,"350,1"\n', encoding="utf-8")
    raw = read_table(path, "patients file")
    assert raw["weight_kg"].tolist() == [" 25 ", "24,9", "350 ", "350,1"]
    typed = typed_table(raw.drop(columns=[ROW]), patient_columns(), "patients", raw[ROW].to_numpy())
    assert [(i.row, i.field, i.value) for i in typed.issues] == [(2, "weight_kg", "24,9"), (4, "weight_kg", "350,1")]
    assert typed.frame["weight_kg"].tolist()[0] == 25 and typed.frame["weight_kg"].tolist()[2] == 350


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(
    st.from_regex(r"\A[ \t]?[+-]?[0-9]{1,6}(\.[0-9]{0,4})?([eE][+-]?[0-9]{1,2})?[ \t]?\Z"),
    st.sampled_from(["", " ", "1,7", "n/a", "inf", "nan", "1e400", ".", "+", "0x10", "1_000", "\u00a012"]),
), min_size=1, max_size=30))
def test_arrow_number_parsing_equals_pandas(cells: list[str]) -> None:
    """The Arrow fast path reads exactly the numbers ``pd.to_numeric`` reads (the reference), else is not taken."""
    from hccprotocol.screen.validate import _blank, _plain_numbers

    series = pd.Series(cells, dtype="str")
    fast = _plain_numbers(series, _blank(series))
    reference = pd.to_numeric(series.str.strip(), errors="coerce").astype("Float64")
    if fast is not None:
        pd.testing.assert_series_equal(fast, reference, check_names=False)
    odd = {"1,7", "n/a", "inf", "nan", ".", "+", "0x10", "1_000", "\u00a012"}
    assert (fast is None) == any(c in odd for c in cells)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(["true", "True", "TRUE", "false", "False", "FALSE", "yes", "tRue", "1", ""]),
                          st.text(alphabet=" \tTRUEfalse\u00a0", max_size=7)), min_size=1, max_size=25))
def test_arrow_boolean_and_blank_cells_equal_the_pandas_reading(cells: list[str]) -> None:
    """Booleans and blanks of an Arrow-backed text column (one hash lookup) are read exactly as pandas' strip and
    ``isin`` read the same cells held as Python strings (the reference path)."""
    from hccprotocol.screen.validate import _blank, _parse

    col = next(c for c in patient_columns() if c.kind == "bool")
    arrow = pd.Series(cells, dtype=pd.StringDtype("pyarrow"))
    python = pd.Series(cells, dtype=object)
    assert list(_blank(arrow)) == list(_blank(python))
    got, want = _parse(col, arrow, _blank(arrow)), _parse(col, python, _blank(python))
    pd.testing.assert_series_equal(got[0], want[0])
    assert list(got[1]) == list(want[1])


def test_trimmed_already_agrees_with_arrow_trim_on_every_ascii_edge() -> None:
    for code in range(128):
        for cell in (chr(code) + "x", "x" + chr(code)):
            arrow_trims = pc.utf8_trim_whitespace(pa.array([cell])).to_pylist() != [cell]
            assert _trimmed_already(pa.array(["id", cell, ""])) is not arrow_trims, (code, cell)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(alphabet="ab1 \t\u00a0\u3000\u2009é\n", max_size=5)), max_size=12),
       st.integers(0, 3))
def test_trimmed_already_only_when_trimming_changes_nothing(cells: list[str | None], cut: int) -> None:
    text = pa.array(cells, type=pa.large_string()).slice(min(cut, len(cells)))  # sliced: offsets not from 0
    if _trimmed_already(text):
        assert pc.utf8_trim_whitespace(text).to_pylist() == text.to_pylist()
