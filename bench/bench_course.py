"""Course replay through the model (issue 10): replays per second, and the cost of one transition selection
with the reference evaluator (what the course uses) against the same conditions compiled for durable_rules.

Usage: ``python bench/bench_course.py [SECONDS]`` (default 3 per figure). Printed, no assertions: the machine
has 2 cores shared with other jobs, so the load average is printed with the figures.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

from hccprotocol.course import replay_course
from hccprotocol.course.tables import catalogue, model_facts, option_values, select, table_for
from hccprotocol.engines.durable import DurableEvaluator
from hccprotocol.patient_file import load_patient
from hccprotocol.protocol import load_protocol

ROOT = Path(__file__).resolve().parents[1]


def rate(fn: Any, seconds: float) -> float:
    fn()  # warm-up (first durable session, caches)
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        fn()
        n += 1
    return n / (time.perf_counter() - start)


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
    protocol = load_protocol("haic-lenvatinib-pd1")
    patient = load_patient(ROOT / "examples" / "dosing-course-triple.yaml")
    replays = rate(lambda: replay_course(patient, protocol, start=None, as_of=None), seconds)
    print(f"course replay of examples/dosing-course-triple.yaml: {replays:,.0f} replays/s")

    table = table_for("lenvatinib")
    options = option_values(protocol.modification)
    fact: dict[str, Any] = {
        "kind": "ae_onset", "agent": "lenvatinib", "policy": "paper_made_safe", "status": "active",
        "can_reduce": True, "below_start": False, "blockers_remaining": 0, "clinician_hold": False,
        "previous_holds": 0, "ongoing_max_grade": 3, "grade": 3, "term": "Diarrhea", "attributed": True,
        "in_gastrointestinal": True, "first_gastrointestinal": True,
    }  # fmt: skip
    print(f"select (reference evaluator, {len(table.transitions)} transitions): "
          f"{rate(lambda: select(table, fact, options), seconds):,.0f} selections/s")  # fmt: skip
    durable = DurableEvaluator({t.id: t.when for t in table.transitions}, catalogue(), options)
    facts = model_facts(fact)
    print(f"same conditions compiled for durable_rules (truth of every row): "
          f"{rate(lambda: durable.evaluate(facts), seconds):,.0f} evaluations/s")  # fmt: skip
    agree = durable.evaluate(facts)
    from hccprotocol.model.semantics import evaluate

    assert all(agree[t.id] == evaluate(t.when, facts, options) for t in table.transitions)
    print(f"load average: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
