"""The loader's two reachability methods agree: the exact term expansion (fast) and the search (the fallback).

Why: every load of an asymmetric criterion checks that it cannot be met and not met at once; the term
expansion made that check of the shipped JSH file 20 times faster, and must give the search's answer
on every condition (random trees over every fact kind, options, count ranges and ``known``).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hccprotocol.model.check import _candidates, _reachable_by_terms, _search
from hccprotocol.model.conditions import Condition
from hccprotocol.model.options import OptionSpec

from .test_model_engines_agree import CATALOGUE, CONDITIONS

OPTIONS = {
    "min_days": OptionSpec(name="min_days", kind="integer", default=2, why="test", source="test"),
    "inr_limit": OptionSpec(name="inr_limit", kind="number", default=1.5, why="test", source="test"),
    "reading": OptionSpec(
        name="reading", kind="enum", values=("presence", "appearance"), default="presence", why="test", source="test"
    ),
}


@pytest.mark.agreement
@settings(max_examples=400, deadline=None)
@given(cond=CONDITIONS, goal=st.booleans())
def test_term_expansion_and_search_agree(cond: Condition, goal: bool) -> None:
    candidates = _candidates(cond, CATALOGUE, OPTIONS)
    by_terms = _reachable_by_terms(cond, candidates, OPTIONS, goal)
    by_search = _search(cond, candidates, OPTIONS, goal)
    if by_terms is not None and by_search is not None:
        assert by_terms is by_search, cond
