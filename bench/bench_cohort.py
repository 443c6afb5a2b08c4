"""Patients per second on the vectorised cohort engine, against the per-patient durable_rules path.

Usage: ``python bench/bench_cohort.py [N ...]`` (default 10,000 and 100,000
synthetic patients; the per-patient path runs on 2,000). Prints figures, asserts
nothing. The cohort engine's time is split into its two parts: the per-patient
Python part (derived measures, TACE session facts and runs, building the
frames) and the vectorised part (masks over the session and patient frames,
statuses, decisions). Synthetic patients vary around an eligible candidate:
boundaries (ECOG 1/2, 27/28/92/93 days, 50/51 % viable tumour), unknowns,
exclusions and TACE series of 0-4 sessions; the same seed gives the same cohort.
"""

from __future__ import annotations

import datetime as dt
import platform
import random
import sys
import time
from typing import Any

import pandas as pd

from hccprotocol.cohort import evaluate_cohort
from hccprotocol.eligibility import evaluate_eligibility
from hccprotocol.patient import Patient
from hccprotocol.patient_file import parse_patient
from hccprotocol.protocol import load_protocol

PER_PATIENT_N = 2000


def _session(rng: random.Random, day: dt.date) -> dict[str, Any]:
    before = rng.choice([1, 2, 3, 4])
    out: dict[str, Any] = {
        "date": day.isoformat(),
        "selective": rng.choice([True, True, True, False, None]),
        "agents_changed": rng.choice([True, False, None]),
        "intrahepatic_tumour_count_before": before,
        "imaging_date": (day + dt.timedelta(days=rng.choice([27, 28, 35, 60, 92, 93]))).isoformat(),
        "viable_tumour_pct": rng.choice([20.0, 50.0, 51.0, 70.0, 85.0, None]),
        "intrahepatic_tumour_count": before + rng.choice([-1, 0, 0, 1]),
        "markers_rising_after": rng.choice([False, False, True, None]),
        "new_vascular_invasion": rng.choice([False, False, True, None]),
        "new_extrahepatic_spread": rng.choice([False, False, True, None]),
    }
    if out["intrahepatic_tumour_count"] == 0 and out["viable_tumour_pct"] is not None:
        out["viable_tumour_pct"] = 0.0  # no tumour at imaging leaves nothing viable (the patient model refuses more)
    return {k: v for k, v in out.items() if v is not None}


def synthetic_patient(rng: random.Random, index: int) -> Patient:
    day = dt.date(2025, 1, 6)
    sessions = []
    for _ in range(rng.randint(0, 4)):
        day += dt.timedelta(days=rng.choice([95, 120, 150]))  # response imaging precedes the next TACE
        sessions.append(_session(rng, day))
    record: dict[str, Any] = {
        "id": f"S{index:06d}",
        "ecog": rng.choice([0, 1, 1, 1, 2, None]),
        "diagnosis": {"hcc_confirmed": rng.choice([True, True, True, None]), "resectable": rng.choice([False] * 5 +
                                                                                                     [True])},
        "tumour": {
            "count": rng.choice([1, 2, 3, 5]),
            "largest_diameter_cm": rng.choice([1.8, 2.5, 4.0, 8.5]),
            "vascular_invasion": rng.choice([True, False, False, None]),
            "extrahepatic_spread": rng.choice([True, False, False, False]),
        },
        "liver": {
            "total_bilirubin_umol_l": rng.choice([12.0, 18.0, 40.0, 60.0]),
            "albumin_g_l": rng.choice([40.0, 38.0, 32.0, 26.0]),
            "inr": rng.choice([1.0, 1.1, 1.8, 2.5, None]),
            "ascites": rng.choice(["none", "none", "mild", "moderate_severe"]),
            "encephalopathy": rng.choice(["none", "none", "none", "grade_1_2"]),
        },
        "bclc_stage": rng.choice([None, None, None, "B", "C"]),
        "tace_history": sessions if rng.random() > 0.1 else None,
        "history": {
            name: rng.choice([False] * 12 + [True, None])
            for name in ("severe_autoimmune_disease", "prior_systemic_therapy", "prior_immunotherapy", "other_tki",
                         "refuses_treatment", "other_subsequent_treatment")
        },
        "contraindications": {k: rng.choice([False] * 12 + [True, None]) for k in ("haic", "lenvatinib", "pd1")},
    }
    record = {k: v for k, v in record.items() if v is not None}
    for section in ("diagnosis", "tumour", "liver", "history", "contraindications"):
        record[section] = {k: v for k, v in record[section].items() if v is not None}
    return parse_patient(record, source="bench")


def cohort(n: int, seed: int = 20230513) -> list[Patient]:
    rng = random.Random(seed)
    return [synthetic_patient(rng, i) for i in range(n)]


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [10_000, 100_000]
    protocol = load_protocol("haic-lenvatinib-pd1")
    print(f"python {platform.python_version()}, pandas {pd.__version__}, protocol {protocol.id} v{protocol.version}")
    patients = cohort(max([*sizes, PER_PATIENT_N]))
    evaluate_cohort(patients[:10], protocol)  # warm-up: compiles and registers the rule files

    print(f"{'path':44s} {'patients':>9s} {'seconds':>9s} {'patients/s':>12s}")
    for n in sizes:
        start = time.perf_counter()
        result = evaluate_cohort(patients[:n], protocol)
        total = time.perf_counter() - start
        per_patient, vectorised = result.timings["per_patient"], result.timings["vectorised"]
        for label, seconds in (
            ("cohort: per-patient part (derived facts)", per_patient),
            ("cohort: vectorised part (masks, statuses)", vectorised),
            ("cohort: total", total),
        ):
            print(f"{label:44s} {n:9,d} {seconds:9.2f} {n / seconds:12,.0f}")
        counts = result.table["eligible"].value_counts(dropna=False).to_dict()
        print(f"{'':44s} eligible true/false/null: {counts.get(True, 0)}/{counts.get(False, 0)}/"
              f"{int(result.table['eligible'].isna().sum())}")

    sample = patients[:PER_PATIENT_N]
    evaluate_eligibility(sample[0], protocol)
    start = time.perf_counter()
    for p in sample:
        evaluate_eligibility(p, protocol)
    seconds = time.perf_counter() - start
    print(f"{'per-patient durable_rules (evaluate_eligibility)':44s} {PER_PATIENT_N:9,d} {seconds:9.2f} "
          f"{PER_PATIENT_N / seconds:12,.0f}")


if __name__ == "__main__":
    main()
