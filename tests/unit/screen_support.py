"""Synthetic registry tables for the screen tests (seeded), as text cells like a CSV export."""

from __future__ import annotations

import io

import pandas as pd

from hccprotocol.screen.synthetic import synthetic_registry


def cohort_tables(n: int, seed: int = 11) -> tuple[pd.DataFrame, pd.DataFrame]:
    patients, sessions = synthetic_registry(n, seed=seed)
    return (pd.read_csv(io.StringIO(patients.to_csv(index=False)), dtype="str", keep_default_na=False),
            pd.read_csv(io.StringIO(sessions.to_csv(index=False)), dtype="str", keep_default_na=False))
