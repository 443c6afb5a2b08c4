"""Assessments per second on the per-patient path (durable_rules), printed; no assertions.

Usage: ``python bench/bench_assess.py [N]`` (default 2,000 patients). Measures
``evaluate_eligibility`` (session findings + JSH 2014 + inclusion/exclusion,
three rule-engine evaluations per patient) and the full ``assess`` (adds the
derived measures and missing-field list), on the shipped examples cycled, after
one warm-up call that registers the rulesets.
"""

from __future__ import annotations

import platform
import sys
import time
from pathlib import Path

from hccprotocol.assessment import assess
from hccprotocol.eligibility import evaluate_eligibility
from hccprotocol.patient_file import load_patient
from hccprotocol.protocol import load_protocol

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    patients = [load_patient(p) for p in sorted(EXAMPLES.glob("p[0-9]*"))]
    protocol = load_protocol("haic-lenvatinib-pd1")
    evaluate_eligibility(patients[0], protocol)  # warm-up: compiles and registers the rulesets
    print(f"python {platform.python_version()}, {len(patients)} example patients cycled, n={n}")
    for label, run in (
        ("evaluate_eligibility", lambda i: evaluate_eligibility(patients[i % len(patients)], protocol)),
        ("assess (measures + eligibility)", lambda i: assess(patients[i % len(patients)], protocol=protocol)),
    ):
        start = time.perf_counter()
        for i in range(n):
            run(i)
        elapsed = time.perf_counter() - start
        print(f"{label:34s} {n / elapsed:8.0f} assessments/s  ({elapsed / n * 1e6:.0f} µs each)")


if __name__ == "__main__":
    main()
