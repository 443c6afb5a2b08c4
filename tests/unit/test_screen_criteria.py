"""The criteria module: rule ids, kinds and titles from the rule files; statuses as Kleene masks."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from hccprotocol.eligibility.decision import any_met
from hccprotocol.protocol import load_protocol
from hccprotocol.screen.criteria import any_met_codes, excluding, load_criteria

STATUSES = ("met", "not_met", "unknown")


def test_ids_come_from_the_rule_files() -> None:
    triple = load_criteria(load_protocol("haic-lenvatinib-pd1"))
    assert triple.refractory_ids[0] == "jsh2014.insufficient_response"
    assert "inclusion.ecog_0_1" in triple.criteria_ids and "exclusion.contraindication_pd1" in triple.criteria_ids
    assert triple.kinds["inclusion.ecog_0_1"] == "inclusion" and triple.kinds["exclusion.other_tki"] == "exclusion"
    assert triple.titles["inclusion.ecog_0_1"].startswith("ECOG")


def test_any_met_is_the_decision_function_on_every_row() -> None:
    rows = list(itertools.product(range(3), repeat=4))
    codes = [np.asarray([r[k] for r in rows], dtype=np.int8) for k in range(4)]
    got = any_met_codes(codes, len(rows))
    assert [STATUSES[g] for g in got] == [any_met(STATUSES[c] for c in r) for r in rows]


def test_excluding_statuses() -> None:
    # an inclusion criterion excludes when not met; an exclusion criterion when met; unknown never excludes
    assert excluding("inclusion").tolist() == [False, True, False]
    assert excluding("exclusion").tolist() == [True, False, False]


def test_ecog_mask_three_valued_both_sides() -> None:
    crit = load_criteria(load_protocol("haic-lenvatinib"))
    frame = pd.DataFrame({"ecog": pd.array([0, 1, 2, None], dtype="Int64")})
    rule = next(c for c in crit.criteria.criteria if c.rule.id == "inclusion.ecog_0_1")
    import dataclasses

    only = dataclasses.replace(crit.criteria, criteria=(rule,), findings=(), fact_paths=("ecog",))
    codes = crit.judge(only, frame, ["a", "b", "c", "d"])["inclusion.ecog_0_1"]
    assert [STATUSES[c] for c in codes] == ["met", "met", "not_met", "unknown"]  # ECOG 0-1 (Lin 2023)
