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


def patient(**fields: Any) -> Patient:
    """A started triple-arm record (68 kg, 172 cm, camrelizumab) with ``fields`` overriding or adding."""
    record: dict[str, Any] = {
        "id": "T",
        "weight_kg": 68.0,
        "height_cm": 172.0,
        "baseline_weight_kg": 68.0,
        "treatment_start": START.isoformat(),
        "pd1_agent": "camrelizumab",
        "liver": LIVER_A5,
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
