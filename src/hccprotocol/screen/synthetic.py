"""A synthetic registry (patients + TACE sessions) for benchmarks, examples and tests: numpy, seeded.

Why it exists: no real registry may leave a hospital. The generator draws
values around every cut-off the rules and measures use (ECOG 1/2, Child-Pugh
points, viable tumour 50/50.5/51 %, imaging 27-93 days after TACE from month
ends), leaves about ``gap`` of each field empty, and gives each patient 0-6
sessions (mean about ``sessions``) in valid date order, so eligible, excluded
and undetermined patients all occur. Columns are typed (Parquet-ready);
``to_csv`` writes them as a registry export would.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["registry_csv", "synthetic_registry"]


def _maybe(rng: np.random.Generator, values: np.ndarray[Any, Any], gap: float, dtype: str) -> pd.Series[Any]:
    series: pd.Series[Any] = pd.Series(values).astype(dtype)  # type: ignore[call-overload]
    return series.mask(pd.Series(rng.random(len(values)) < gap))


def synthetic_registry(n: int, sessions: float = 3.0, gap: float = 0.03, seed: int = 2023,
                       ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(patients, sessions) with ``n`` patients and about ``sessions`` TACE sessions each."""
    rng = np.random.default_rng(seed)

    def pick(values: list[Any], p: list[float] | None = None) -> np.ndarray[Any, Any]:
        return np.asarray(values, dtype=object)[rng.choice(len(values), size=n, p=p)]

    def flag(p_true: float) -> np.ndarray[Any, Any]:
        return rng.random(n) < p_true

    ids = np.char.add("P", np.arange(n).astype(str))
    count = np.clip(rng.poisson(sessions, n), 0, 6) if sessions > 0 else np.zeros(n, dtype=np.int64)
    patients = pd.DataFrame({
        "patient_id": pd.Series(ids, dtype="str"),
        "sex": _maybe(rng, pick(["male", "female"]), gap, "str"),
        "age_years": _maybe(rng, rng.integers(30, 85, n), gap, "Int64"),
        "weight_kg": _maybe(rng, np.round(rng.uniform(45, 95, n), 1), gap, "Float64"),
        "height_cm": _maybe(rng, np.round(rng.uniform(150, 190, n), 1), gap, "Float64"),
        "ecog": _maybe(rng, pick([0, 1, 1, 1, 2, 3]).astype(int), gap, "Int64"),
        "diagnosis_hcc_confirmed": _maybe(rng, flag(0.97), gap, "boolean"),
        "diagnosis_resectable": _maybe(rng, flag(0.1), gap, "boolean"),
        "tumour_count": _maybe(rng, rng.integers(1, 6, n), gap, "Int64"),
        "tumour_largest_diameter_cm": _maybe(rng, pick([1.5, 2.0, 2.5, 3.0, 3.1, 5.0, 8.5]).astype(float), gap,
                                             "Float64"),
        "tumour_vascular_invasion": _maybe(rng, flag(0.3), gap, "boolean"),
        "tumour_extrahepatic_spread": _maybe(rng, flag(0.2), gap, "boolean"),
        "tumour_afp_ng_ml": _maybe(rng, np.round(rng.lognormal(5, 2, n), 1), gap, "Float64"),
        "liver_total_bilirubin_umol_l": _maybe(rng, pick([12.0, 18.0, 34.2, 40.0, 51.3, 60.0]).astype(float), gap,
                                               "Float64"),
        "liver_albumin_g_l": _maybe(rng, pick([42.0, 38.0, 35.0, 30.0, 28.0, 25.0]).astype(float), gap, "Float64"),
        "liver_inr": _maybe(rng, pick([1.0, 1.1, 1.7, 2.0, 2.3, 2.5]).astype(float), gap, "Float64"),
        "liver_ascites": _maybe(rng, pick(["none", "none", "mild", "moderate_severe"]), gap, "str"),
        "liver_encephalopathy": _maybe(rng, pick(["none", "none", "none", "grade_1_2", "grade_3_4"]), gap, "str"),
        "history_severe_autoimmune_disease": _maybe(rng, flag(0.03), gap, "boolean"),
        "history_prior_systemic_therapy": _maybe(rng, flag(0.05), gap, "boolean"),
        "history_prior_immunotherapy": _maybe(rng, flag(0.05), gap, "boolean"),
        "history_other_tki": _maybe(rng, flag(0.03), gap, "boolean"),
        "history_refuses_treatment": _maybe(rng, flag(0.03), gap, "boolean"),
        "history_other_subsequent_treatment": _maybe(rng, flag(0.03), gap, "boolean"),
        "contraindications_haic": _maybe(rng, flag(0.03), gap, "boolean"),
        "contraindications_lenvatinib": _maybe(rng, flag(0.03), gap, "boolean"),
        "contraindications_pd1": _maybe(rng, flag(0.03), gap, "boolean"),
        "tace_sessions": pd.Series(count, dtype="Int64").mask(pd.Series(rng.random(n) < gap)),
    })
    # sessions: first TACE on a month end or mid-month, then every 95-130 days; imaging 27-93 days after each
    owner = np.repeat(np.arange(n), count)
    m = len(owner)
    position = pd.Series(owner).groupby(owner).cumcount().to_numpy()
    starts = np.asarray(["2022-01-31", "2021-11-30", "2021-12-01", "2023-01-06"], dtype="datetime64[D]")
    start = starts[rng.integers(0, len(starts), n)][owner]
    steps = rng.choice([95, 100, 130], size=m)
    steps[position == 0] = 0
    offset = pd.Series(steps).groupby(owner).cumsum().to_numpy()
    date = start + offset.astype("timedelta64[D]")
    interval = rng.choice([27, 28, 29, 30, 31, 35, 59, 89, 90, 91, 92, 93], size=m)
    before = rng.integers(1, 5, m)
    after = np.maximum(0, before + rng.integers(-1, 3, m))
    viable = rng.choice([20.0, 50.0, 50.5, 51.0, 80.0], size=m)
    viable = np.where(after == 0, 0.0, viable)

    def s_flag(p_true: float) -> np.ndarray[Any, Any]:
        return rng.random(m) < p_true

    def s_maybe(values: np.ndarray[Any, Any], dtype: str) -> pd.Series[Any]:
        out: pd.Series[Any] = pd.Series(values).astype(dtype)  # type: ignore[call-overload]
        return out.mask(pd.Series(rng.random(m) < gap))

    session_table = pd.DataFrame({
        "patient_id": pd.Series(ids[owner], dtype="str"),
        "date": pd.Series(date.astype("datetime64[s]")),
        "selective": s_maybe(s_flag(0.8), "boolean"),
        "agents_changed": s_maybe(s_flag(0.5), "boolean"),
        "feeding_artery_reanalysed": s_maybe(s_flag(0.5), "boolean"),
        "intrahepatic_tumour_count_before": s_maybe(before, "Int64"),
        "imaging_date": s_maybe((date + interval.astype("timedelta64[D]")).astype("datetime64[s]"),
                                "datetime64[s]"),
        "viable_tumour_pct": pd.Series(viable, dtype="Float64"),
        "intrahepatic_tumour_count": pd.Series(after, dtype="Int64"),
        "markers_rising_after": s_maybe(s_flag(0.3), "boolean"),
        "new_vascular_invasion": s_maybe(s_flag(0.1), "boolean"),
        "new_extrahepatic_spread": s_maybe(s_flag(0.1), "boolean"),
    })
    # tace_sessions must match the sessions listed when given (else the record is invalid): keep it honest
    return patients, session_table


def registry_csv(frame: pd.DataFrame) -> str:
    """A table as a registry export's CSV: true/false in lower case, dates YYYY-MM-DD, empty = unknown."""
    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if pd.api.types.is_bool_dtype(column.dtype):
            out[name] = column.map({True: "true", False: "false"}).astype("str")
        elif pd.api.types.is_datetime64_any_dtype(column.dtype):
            out[name] = column.dt.strftime("%Y-%m-%d").astype("str")
    return out.to_csv(index=False, lineterminator="\n")
