"""The protocol model: rule-file load time, and criteria per second on each engine; printed, no assertions.

Usage: ``python bench/bench_model.py [N]`` (default 2,000 fact rows). Loads the shipped eligibility
rule files of rules/ and a fixture (YAML with lines, type and reachability checks), then judges the
15 Lin 2023 criteria on N generated patient facts with the reference evaluator, durable_rules (one
ruleset, met and not-met rules) and pandas masks (one pass).
"""

from __future__ import annotations

import platform
import random
import sys
import time
from pathlib import Path
from typing import Any

from hccprotocol.eligibility.options import EligibilityOptions
from hccprotocol.engines.durable import criteria_evaluator
from hccprotocol.engines.masks import build_frame, criteria_masks
from hccprotocol.engines.reference import criterion_truth
from hccprotocol.model import load_rule_file
from hccprotocol.model.facts import patient_facts
from hccprotocol.model.options import options_from_model

ROOT = Path(__file__).resolve().parents[1]
FILES = {
    "lin-2023-eligibility.yaml": ROOT / "rules",
    "jsh-lcsgj-2014.yaml": ROOT / "rules",
    "criteria-small.yaml": ROOT / "tests" / "fixtures" / "model",
}
OPTIONS = options_from_model(EligibilityOptions, "protocol eligibility options")


def _row(rng: random.Random) -> dict[str, Any]:
    def maybe(value: Any) -> Any:
        return None if rng.random() < 0.1 else value

    return {
        "arm.id": "haic-lenvatinib-pd1",
        "arm.includes_pd1": True,
        "ecog": maybe(rng.choice([0, 1, 2])),
        "diagnosis.hcc_confirmed": maybe(rng.random() < 0.9),
        "diagnosis.resectable": maybe(rng.random() < 0.1),
        "derived.bclc_stage": maybe(rng.choice(["A", "B", "C", "D"])),
        "bclc_stage": None if rng.random() < 0.7 else rng.choice(["A", "B", "C"]),
        "derived.bclc_stage_contradicted": rng.random() < 0.02,
        "derived.child_pugh.score_range": maybe(rng.choice([(5, 5), (7, 9), (8, 10), (10, 12)])),
        "tace_refractory.status": maybe(rng.choice(["met", "not_met"])),
        **{
            path: maybe(rng.random() < 0.1)
            for path in (
                "history.severe_autoimmune_disease",
                "history.prior_systemic_therapy",
                "history.prior_immunotherapy",
                "history.other_tki",
                "history.refuses_treatment",
                "history.other_subsequent_treatment",
                "contraindications.haic",
                "contraindications.lenvatinib",
                "contraindications.pd1",
            )
        },
    }


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    print(f"python {platform.python_version()}, n={n}")
    for name, folder in FILES.items():
        load_rule_file(folder / name, options=OPTIONS)
        start = time.perf_counter()
        for _ in range(20):
            load_rule_file(folder / name, options=OPTIONS)
        print(f"load {name}: {(time.perf_counter() - start) / 20 * 1000:.1f} ms")
    rules = load_rule_file(ROOT / "rules" / "lin-2023-eligibility.yaml", options=OPTIONS)
    options = EligibilityOptions().values()
    catalogue = patient_facts()
    rng = random.Random(1)
    rows = [_row(rng) for _ in range(n)]

    start = time.perf_counter()
    for row in rows:
        for c in rules.criteria:
            criterion_truth(c, row, options)
    ref = time.perf_counter() - start
    judge = criteria_evaluator(rules.criteria, catalogue, options)
    judge(rows[0])
    start = time.perf_counter()
    for row in rows:
        judge(row)
    dur = time.perf_counter() - start
    start = time.perf_counter()
    criteria_masks(rules.criteria, options, catalogue, build_frame(rows, catalogue))
    pan = time.perf_counter() - start
    for label, seconds in (("reference", ref), ("durable_rules", dur), ("pandas (incl. frame)", pan)):
        print(f"{label:>22}: {n / seconds:,.0f} patients/s ({len(rules.criteria)} criteria each)")


if __name__ == "__main__":
    main()
