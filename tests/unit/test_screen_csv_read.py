"""``screen.io.read_table`` on CSV: every cell as written, held in Arrow text, as pandas' own reader gives it.

Why: the screen reads registry CSVs with Arrow's reader (every column typed as text, 32-bit offsets kept)
instead of ``pd.read_csv(dtype="str")``, to hold a quarter less memory; the reference is pandas' reader over
the same file, and the cells written out by hand.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hccprotocol.errors import InputError
from hccprotocol.protocol import load_protocol
from hccprotocol.screen.io import read_table
from hccprotocol.screen.partition import ROW
from hccprotocol.screen.run import screen_files, screen_frames

AWKWARD = (
    '\ufeffpatient_id,sex,weight_kg,liver_ascites\r\n'
    'P1,male, 70 ,none\r\n'
    '"P,2",,"7""1",NA\r\n'
    '"multi\nline",female,null,""\r\n'
    'é,N/A,1e3,   \r\n'
)


def test_cells_are_read_as_written_and_as_pandas_reads_them(tmp_path: Path) -> None:
    path = tmp_path / "patients.csv"
    path.write_bytes(AWKWARD.encode("utf-8"))
    frame = read_table(path, "patients file")
    assert list(frame.columns) == ["patient_id", "sex", "weight_kg", "liver_ascites", ROW]
    assert frame["patient_id"].tolist() == ["P1", "P,2", "multi\nline", "é"]
    assert frame["weight_kg"].tolist() == [" 70 ", '7"1', "null", "1e3"]  # neither trimmed nor converted
    assert frame["liver_ascites"].tolist() == ["none", "NA", "", "   "]  # "NA" is text, an empty cell ""
    assert frame[ROW].tolist() == [1, 2, 3, 4]
    assert all(frame[c].dtype == pd.ArrowDtype(pa.string()) for c in frame.columns if c != ROW)
    reference = pd.read_csv(path, dtype="str", keep_default_na=False, engine="pyarrow")
    assert frame.drop(columns=[ROW]).astype("str").equals(reference)


def test_a_header_only_file_has_no_rows(tmp_path: Path) -> None:
    path = tmp_path / "patients.csv"
    path.write_text("patient_id,sex\n", encoding="utf-8")
    frame = read_table(path, "patients file")
    assert list(frame.columns) == ["patient_id", "sex", ROW] and len(frame) == 0


@pytest.mark.parametrize(("text", "message"), [
    ("", "no header row"),
    ("patient_id,sex\nP1\n", "cannot be read"),
])
def test_unreadable_files_are_refused_as_input(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "patients.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_table(path, "patients file")


def test_a_column_named_twice_is_refused_in_any_file_and_a_frame(tmp_path: Path) -> None:
    table = pa.table([pa.array(["P1"]), pa.array(["P2"])], names=["patient_id", "patient_id"])
    pq.write_table(table, tmp_path / "patients.parquet")
    arm = load_protocol("haic-lenvatinib-pd1")
    with pytest.raises(InputError, match="cannot be read"):  # Arrow's reader refuses the repeated name
        screen_files(tmp_path / "patients.parquet", None, arm, dt.date(2024, 1, 1))
    (tmp_path / "patients.csv").write_text("patient_id,sex,patient_id\nP1,male,P2\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"column\(s\) patient_id appear more than once"):
        screen_files(tmp_path / "patients.csv", None, arm, dt.date(2024, 1, 1))
    frame = pd.DataFrame([["P1", "P2"]], columns=["patient_id", "patient_id"])
    with pytest.raises(InputError, match=r"column\(s\) patient_id appear more than once"):
        screen_frames(frame, None, arm, dt.date(2024, 1, 1))
