"""Patient records laid flat as the two registry tables (the inverse of what screening reads).

Why: the agreement test and the examples write ``Patient`` records as a
registry export would hold them, with the same column layout
(``screen.columns``); every cell is text as in a CSV (empty = unknown).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from hccprotocol.eligibility.facts import lookup
from hccprotocol.patient import Patient
from hccprotocol.screen.columns import SESSIONS_COUNT, patient_columns, session_columns

__all__ = ["to_tables"]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def to_tables(patients: Iterable[Patient]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(patients table, sessions table) of text cells, in record order."""
    p_rows: list[dict[str, str]] = []
    s_rows: list[dict[str, str]] = []
    p_cols, s_cols = patient_columns(), session_columns()
    for patient in patients:
        data = patient.model_dump(mode="json")
        row = {c.name: _cell(lookup(data, c.path)) for c in p_cols if c.name != SESSIONS_COUNT}
        history = patient.tace_history
        row[SESSIONS_COUNT] = "" if history is None else str(len(history))
        p_rows.append(row)
        for session in history or ():
            s = session.model_dump(mode="json")
            s_rows.append({c.name: patient.id if c.name == "patient_id" else _cell(s.get(c.name)) for c in s_cols})
    return (pd.DataFrame(p_rows, columns=[c.name for c in p_cols], dtype="str"),
            pd.DataFrame(s_rows, columns=[c.name for c in s_cols], dtype="str"))
