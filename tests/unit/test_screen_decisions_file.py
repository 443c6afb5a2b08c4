"""``screen.io.DecisionsFile``: decisions written in parts join to the file of the whole, and a failed screen
leaves no half file; ``read_table`` holds Parquet numbers in Arrow but validation types them as pandas did.

Why: the CLI now writes each partition's decisions while later ones are screened, and reads Parquet without
converting it in the main process; both must be invisible in what the coordinator gets.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hccprotocol.screen.columns import patient_columns
from hccprotocol.screen.io import DecisionsFile, read_table, to_csv_text
from hccprotocol.screen.validate import typed_table


def _decisions(n: int, seed: int, names: list[str]) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "patient_id": pd.Series([f"P{seed}-{i}" for i in range(n)], dtype="str"),
        "eligible": pd.array(rng.choice([True, False, None], n), dtype="boolean"),
        "tace_refractory": pd.Categorical.from_codes(rng.integers(0, 3, n), categories=["met", "not_met", "unknown"]),
        "excluded_by": pd.Categorical.from_codes(rng.integers(0, len(names), n), categories=names),
    })


PARTS = [(1500, 1, ["", "ecog"]), (700, 2, ["", "ecog;liver_inr", "liver_inr"]), (0, 3, [""]), (2100, 4, ["x"])]


@pytest.mark.parametrize("ext", ["csv", "parquet"])
def test_parts_join_to_the_whole(tmp_path: Path, ext: str) -> None:
    parts = [_decisions(n, seed, names) for n, seed, names in PARTS]  # categories differ from part to part
    whole = pd.concat([p.astype({"excluded_by": "str"}) for p in parts], ignore_index=True)
    with DecisionsFile(tmp_path / f"d.{ext}") as out:
        for part in parts:
            out.write(part)
    if ext == "csv":
        # the header once, then every line as to_csv writes the concatenation
        text = (tmp_path / "d.csv").read_text(encoding="utf-8")
        assert text == to_csv_text(whole) and text.count("patient_id,") == 1
    else:
        back = pd.read_parquet(tmp_path / "d.parquet")
        assert back["eligible"].dtype == "boolean" and isinstance(back["excluded_by"].dtype, pd.CategoricalDtype)
        pd.testing.assert_frame_equal(back.astype({"excluded_by": "str", "tace_refractory": "str"}),
                                      whole.astype({"tace_refractory": "str"}))
    assert [p.name for p in tmp_path.iterdir()] == [f"d.{ext}"]  # no partial file left beside it


def test_a_failed_screen_leaves_the_old_file_and_no_partial(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("old\n", encoding="utf-8")

    def screen_that_fails() -> None:
        with DecisionsFile(path) as out:
            out.write(_decisions(10, 1, [""]))
            raise RuntimeError("a partition failed")

    with pytest.raises(RuntimeError):
        screen_that_fails()
    assert path.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["d.csv"]


def test_parquet_read_in_arrow_is_typed_as_pandas_read_it(tmp_path: Path) -> None:
    frame = pd.DataFrame({
        "patient_id": ["P1", "P2", None], "age_years": pd.array([60, None, 70], dtype="Int64"),
        "weight_kg": [59.9, np.nan, 60.0], "ecog": pd.array([1, 2, None], dtype="Int32"),
        "diagnosis_resectable": pd.array([True, None, False], dtype="boolean"),
        "tumour_count": np.array([1, 2, 3], dtype=np.uint8), "liver_ascites": ["none", "slight", None],
    })
    frame.to_parquet(tmp_path / "p.parquet", index=False)
    held = read_table(tmp_path / "p.parquet", "patients file")
    assert isinstance(held["weight_kg"].dtype, pd.ArrowDtype)  # not converted in the main process
    reference = pd.read_parquet(tmp_path / "p.parquet", dtype_backend="numpy_nullable")
    rows = np.arange(1, 4)
    a = typed_table(held.drop(columns=["__row"]), patient_columns(), "patients", rows)
    b = typed_table(reference, patient_columns(), "patients", rows)
    pd.testing.assert_frame_equal(a.frame, b.frame)
    assert a.issues == b.issues and (a.invalid == b.invalid).all()
    assert a.frame["weight_kg"].tolist()[0] == 59.9 and a.frame["ecog"].isna().tolist() == [False, False, True]
