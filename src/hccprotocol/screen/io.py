"""Reading registry tables (CSV or Parquet) and writing decisions, with row numbers kept.

Why text for CSV: every CSV cell is read as text and typed by
``screen.validate`` against the model, so "1.7" and "1,7" or "yes" are judged
by one rule, never by pandas' guessing. Parquet columns arrive typed and are
checked the same way. Decisions are written with ``eligible`` as
``true``/``false``/empty (CSV) or a nullable boolean (Parquet).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from hccprotocol.errors import InputError
from hccprotocol.screen.partition import ROW

__all__ = ["read_table", "suffix", "to_csv_text", "write_decisions"]


def suffix(path: Path, allowed: tuple[str, ...], what: str) -> str:
    ext = path.suffix.lower()
    if ext not in allowed:
        raise InputError(f"{what} {path}: expected a {' or '.join(allowed)} file")
    return ext


def read_table(path: Path, what: str) -> pd.DataFrame:
    """The table with a ``__row`` column (1-based data-row numbers)."""
    ext = suffix(path, (".csv", ".parquet"), what)
    if not path.exists():
        raise InputError(f"{what} {path}: no such file")
    try:
        if ext == ".csv":
            frame = pd.read_csv(path, dtype="str", keep_default_na=False, engine="pyarrow")
        else:
            frame = pd.read_parquet(path, dtype_backend="numpy_nullable")
    except (ValueError, OSError) as exc:
        raise InputError(f"{what} {path}: cannot be read ({exc})") from exc
    frame[ROW] = np.arange(1, len(frame) + 1)
    return frame


def _csv_frame(decisions: pd.DataFrame) -> pd.DataFrame:
    out = decisions.copy()
    eligible = decisions["eligible"].astype("boolean")
    out["eligible"] = np.where(eligible.isna(), "", np.where(eligible.fillna(False), "true", "false"))
    return out


def to_csv_text(decisions: pd.DataFrame) -> str:
    return _csv_frame(decisions).to_csv(index=False, lineterminator="\n")


def write_decisions(decisions: pd.DataFrame, path: Path | None) -> bytes | None:
    """Write to ``path`` (.csv or .parquet); ``None`` returns the CSV bytes (standard output)."""
    if path is None:
        return to_csv_text(decisions).encode("utf-8")
    ext = suffix(path, (".csv", ".parquet"), "decisions file")
    if ext == ".csv":
        path.write_text(to_csv_text(decisions), encoding="utf-8")
    else:
        decisions.to_parquet(path, index=False)
    return None
