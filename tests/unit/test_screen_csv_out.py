"""``screen.io.to_csv_text`` writes exactly what ``DataFrame.to_csv`` writes (the reference), faster.

Why: the fast writer renders each distinct combination of the columns after ``patient_id`` once and
quotes ids itself only where ``to_csv`` would; any slip (quoting, missing values, order) shows up as a
byte difference from pandas' own writer over the same decisions.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from hccprotocol.screen.io import _csv_frame, csv_chunks, to_csv_text, write_decisions


def _decisions(ids: list[str], seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = len(ids)
    status = pd.Categorical.from_codes(rng.integers(0, 3, n), categories=["met", "not_met", "unknown"])
    eligible = pd.array(rng.choice([True, False, None], n), dtype="boolean")
    names = pd.Categorical.from_codes(rng.integers(0, 3, n), categories=["", "ecog", "ecog;liver_inr"])
    return pd.DataFrame({"patient_id": pd.Series(ids, dtype="str"), "eligible": eligible,
                         "tace_refractory": status, "inclusion.ecog_0_1": status[::-1],
                         "excluded_by": names, "missing": pd.Series(names).astype("str")})


def _reference(decisions: pd.DataFrame) -> str:
    return _csv_frame(decisions).to_csv(index=False, lineterminator="\n")


def test_plain_and_awkward_ids_byte_for_byte() -> None:
    ids = [f"P{i:05d}" for i in range(3000)]
    ids[3], ids[10], ids[11], ids[12], ids[2999] = "a,b", 'say "x"', " lead", "trail ", "x;y"
    decisions = _decisions(ids, 1)
    text = to_csv_text(decisions)
    assert text == _reference(decisions)
    assert '\n"a,b",' in text and '\n"say ""x""",' in text  # RFC 4180 quoting, written out by hand


@settings(max_examples=25, deadline=None)
@given(st.lists(st.text(alphabet='ab ,"\';é', min_size=1, max_size=6), min_size=1, max_size=20), st.integers(0, 9))
def test_any_ids_match_pandas(awkward: list[str], seed: int) -> None:
    ids = [f"P{i}" for i in range(1200)]
    ids[: len(awkward)] = awkward
    decisions = _decisions(ids, seed)
    assert to_csv_text(decisions) == _reference(decisions)


def test_chunks_join_to_the_whole_text_and_the_file_holds_it(tmp_path: Path) -> None:
    ids = [f"P{i:05d}" for i in range(3000)]
    ids[6], ids[7] = "a,b", 'say "x"'  # quoted ids on both sides of the first chunk boundary
    decisions = _decisions(ids, 2)
    halves = pd.concat([decisions["patient_id"][:1500], decisions["patient_id"][1500:]], ignore_index=True)
    decisions["patient_id"] = halves  # ids held in two Arrow chunks, as after combining partitions
    chunks = [bytes(c).decode("utf-8") for c in csv_chunks(decisions, rows=7)]
    assert len(chunks) == -(-3000 // 7)
    assert chunks[0].startswith("patient_id,") and not chunks[1].startswith("patient_id,")
    assert chunks[0].splitlines()[-1].startswith('"a,b",') and chunks[1].startswith('"say ""x""",')
    assert "".join(chunks) == _reference(decisions)
    write_decisions(decisions, tmp_path / "out.csv")
    assert (tmp_path / "out.csv").read_bytes() == _reference(decisions).encode("utf-8")
    assert write_decisions(decisions, None) == _reference(decisions).encode("utf-8")


def test_awkward_values_in_every_column_match_pandas() -> None:
    # a value needing quotes, an empty one, a missing one and a non-ASCII one outside patient_id
    decisions = _decisions([f"P{i}" for i in range(1500)], 3)
    awkward = pd.Categorical.from_codes(np.arange(1500) % 4, categories=['a,b', 'say "x"', "", "é"])
    decisions["excluded_by"] = awkward
    decisions["missing"] = pd.Series(awkward).astype("str").where(np.arange(1500) % 5 != 0, None)
    decisions.loc[3, "tace_refractory"] = None
    text = to_csv_text(decisions)
    assert text == _reference(decisions)
    assert '\nP1,' in text and ',"say ""x""",' in text  # written out by hand (RFC 4180)
