"""Helpers for the dosing and course tests: records built from small dicts, protocols with one option changed.

Expected values in the tests are worked by hand from the label / paper, never
copied from engine output.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from hccprotocol.patient import Patient
from hccprotocol.patient_file import parse_patient
from hccprotocol.protocol import Protocol, load_protocol

D = dt.date.fromisoformat
START = D("2026-09-01")
REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"

LIVER_A5 = {
    "total_bilirubin_umol_l": 15.0,
    "albumin_g_l": 40.0,
    "inr": 1.0,
    "ascites": "none",
    "encephalopathy": "none",
}


ELIGIBLE: dict[str, Any] = {
    # the eligibility inputs of examples/p01-bclc-c-pvtt.yaml (eligible for both arms): `dose` is refused for a
    # patient who is not eligible or undetermined, exactly as `plan` is (issue 9 item 1)
    key: value
    for key, value in yaml.safe_load((EXAMPLES / "p01-bclc-c-pvtt.yaml").read_text(encoding="utf-8")).items()
    if key in ("sex", "age_years", "ecog", "diagnosis", "tumour", "bclc_stage", "tace_history", "history",
               "contraindications", "liver")
}  # fmt: skip
BASELINE_LAB: dict[str, Any] = {
    # the baseline work-up the day before the first HAIC (issue 9 item 2): every pre-cycle limit passes
    # (ANC >= 1.5, platelets >= 75, bilirubin <= 30, albumin >= 30) and creatinine 80 umol/L gives, for a
    # 56-year-old man of 68 kg, CrCl (140 - 56) x 68 x 1.23 / 80 = 87.8 mL/min (no renal adjustment)
    "date": (START - dt.timedelta(days=1)).isoformat(),
    "anc_10e9_l": 2.0,
    "platelets_10e9_l": 150.0,
    "total_bilirubin_umol_l": 15.0,
    "albumin_g_l": 40.0,
    "creatinine_umol_l": 80.0,
}


def baseline_lab(on: dt.date, **values: Any) -> dict[str, Any]:
    """The baseline panel of :data:`BASELINE_LAB` dated ``on`` (values overridden or removed with None)."""
    lab = {**BASELINE_LAB, "date": on.isoformat(), **values}
    return {k: v for k, v in lab.items() if v is not None}


def patient(**fields: Any) -> Patient:
    """A started triple-arm record (68 kg, 172 cm, camrelizumab), eligible (p01's inputs), with the baseline
    work-up of :data:`BASELINE_LAB`; ``fields`` override or add (None removes)."""
    record: dict[str, Any] = {
        "id": "T",
        **ELIGIBLE,
        "weight_kg": 68.0,
        "height_cm": 172.0,
        "baseline_weight_kg": 68.0,
        "treatment_start": START.isoformat(),
        "pd1_agent": "camrelizumab",
        "liver": LIVER_A5,
        "labs": [BASELINE_LAB],
    }
    for key, value in fields.items():
        if value is None:
            record.pop(key, None)
        else:
            record[key] = value
    return parse_patient(record, source="test")


def ae(
    onset: str, term: str, grade: int, to: list[str], resolved: str | None = None, irae: bool = False
) -> dict[str, Any]:
    return {
        "onset_date": onset,
        "term": term,
        "grade": grade,
        "attributed_to": to,
        "immune_related": irae,
        "resolved_date": resolved,
    }


def protocol_with(tmp_path: Path, base: str = "haic-lenvatinib-pd1", **changes: Any) -> Protocol:
    """A site copy of a shipped protocol with dotted keys changed (``modification.lenvatinib_policy="label"``)."""
    data = yaml.safe_load((REPO / "protocol" / f"{base}.yaml").read_text(encoding="utf-8"))
    for dotted, value in changes.items():
        node = data
        *parents, last = dotted.split("__")
        for part in parents:
            node = node[part]
        node[last] = value
    path = tmp_path / f"site-{abs(hash(tuple(sorted(map(str, changes.items())))))}.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return load_protocol(str(path))


def by_agent(rows: list[Any]) -> dict[str, Any]:
    return {r.agent: r for r in rows}
