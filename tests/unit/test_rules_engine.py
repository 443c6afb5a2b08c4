"""The rule-engine wrapper under load: 5,000 assessments in one process, 8 threads, failing actions.

durable_rules has a fixed table of 1024 sessions per ruleset (overflow is fatal),
swallows exceptions raised in actions, and is not thread-safe; these tests show
the wrapper makes each trap unreachable through the eligibility path.
"""

from __future__ import annotations

import datetime as dt
import random
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from hccprotocol.eligibility import evaluate_eligibility
from hccprotocol.errors import RuleEngineError
from hccprotocol.patient import Patient
from hccprotocol.patient_file import parse_patient
from hccprotocol.rules_engine import get_engine

from .eligibility_support import candidate, judge, protocol, session

N = 5000


def random_patient(rng: random.Random, index: int) -> Patient:
    """Varied records around the candidate: boundaries, unknowns, exclusions and TACE series."""
    record: dict[str, Any] = candidate()
    record["id"] = f"R{index}"
    record["ecog"] = rng.choice([0, 1, 1, 2, None])
    record["liver"]["inr"] = rng.choice([1.1, 1.8, 2.5, None])
    record["liver"]["encephalopathy"] = rng.choice(["none", "grade_1_2", None])
    record["tumour"]["vascular_invasion"] = rng.choice([True, False, None])
    record["bclc_stage"] = rng.choice([None, None, "B", "C"])
    for key in list(record["history"]):
        record["history"][key] = rng.choice([False, False, False, True, None])
    record["contraindications"]["pd1"] = rng.choice([False, True, None])
    sessions = []
    for k in range(rng.randint(0, 4)):
        # 100 days apart: even imaging at 93 days precedes the next TACE (a record rule)
        when = dt.date(2024, 1, 10) + dt.timedelta(days=100 * k)
        s = session(when.isoformat(), days_to_imaging=rng.choice([27, 28, 60, 92, 93]))
        s["viable_tumour_pct"] = rng.choice([30.0, 50.0, 51.0, 80.0, None])
        s["selective"] = rng.choice([True, True, False, None])
        s["markers_rising_after"] = rng.choice([False, True, None])
        sessions.append({k: v for k, v in s.items() if v is not None})
    record["tace_history"] = sessions if rng.random() > 0.1 else None
    clean = {k: v for k, v in record.items() if v is not None}
    for section in ("liver", "tumour", "history", "contraindications"):
        clean[section] = {k: v for k, v in clean[section].items() if v is not None}
    return parse_patient(clean)


@pytest.fixture(scope="module")
def patients() -> list[Patient]:
    rng = random.Random(20230513)
    return [random_patient(rng, i) for i in range(N)]


@pytest.fixture(scope="module")
def sequential(patients: list[Patient]) -> list[dict[str, Any]]:
    arm = protocol()
    return [evaluate_eligibility(p, arm).model_dump(mode="json") for p in patients]


@pytest.mark.slow
def test_5000_assessments_in_one_process(sequential: list[dict[str, Any]]) -> None:
    """More than four times the 1024-session table of each ruleset: sessions are freed after each patient."""
    assert len(sequential) == N
    decisions = {r["eligible"] for r in sequential}
    assert decisions == {True, False, None}  # the sample exercises every outcome
    assert {r["tace_refractory"]["status"] for r in sequential} == {"met", "not_met", "unknown"}


@pytest.mark.slow
def test_8_threads_give_the_sequential_results(patients: list[Patient], sequential: list[dict[str, Any]]) -> None:
    arm = protocol()
    with ThreadPoolExecutor(max_workers=8) as pool:
        threaded = list(pool.map(lambda p: evaluate_eligibility(p, arm).model_dump(mode="json"), patients))
    assert threaded == sequential


def test_an_exception_inside_an_action_reaches_the_caller() -> None:
    engine = get_engine()
    before = judge(candidate())
    # the met rule durable runs for the criterion's one condition (engines.durable: "<condition>\x1emet")
    engine.inject_action_failure("inclusion.ecog_0_1#when\x1emet")
    try:
        with pytest.raises(RuleEngineError, match=r"inclusion\.ecog_0_1#when"):
            judge(candidate())
    finally:
        engine.inject_action_failure(None)
    assert judge(candidate()) == before  # nothing was left behind in the engine


def test_an_exception_in_a_session_finding_action_reaches_the_caller() -> None:
    engine = get_engine()
    engine.inject_action_failure("insufficient_response#present\x1emet")
    try:
        with pytest.raises(RuleEngineError):
            judge(candidate())
    finally:
        engine.inject_action_failure(None)


def test_engine_refuses_a_rule_that_durable_would_fire_without_end() -> None:
    with pytest.raises(RuleEngineError, match=r"only \$nex"):
        get_engine().register("test-nex-only", {"r": {"all": [{"m": {"$or": [{"$nex": {"x": 1}}, {"y": 1}]}}]}})


def test_or_branches_matching_together_give_one_status() -> None:
    """durable fires a rule once per matching $or branch: both branches hold here (doublet arm, no contraindication)."""
    result = judge(candidate(), "haic-lenvatinib")
    statuses = [c.status for c in result.criteria if c.id == "exclusion.contraindication_pd1"]
    assert statuses == ["not_met"]
