"""The condition language's three-valued semantics, written out by hand (Kleene's strong logic).

The tables below are the textbook truth tables (T = met, F = not met, U = unknown),
typed here, not derived from the code; every engine must reproduce them (the
generative test checks durable_rules and pandas against the reference evaluator).
"""

from __future__ import annotations

import itertools

import pytest

from hccprotocol.engines.reference import criterion_truth, evaluate
from hccprotocol.model import All, Any_, Compare, CountRange, In, Known, Not, OptionRef
from hccprotocol.model.rules import Contradiction, Criterion, Explain

T, F, U = True, False, None

# a fact whose value gives each truth value of {x: true}
_FACTS = {T: {"x": True}, F: {"x": False}, U: {}}
_FACTS_Y = {T: {"y": True}, F: {"y": False}, U: {}}
X = Compare(path="x", op="eq", value=True)
Y = Compare(path="y", op="eq", value=True)

AND = {  # a, b -> a and b
    (T, T): T,
    (T, F): F,
    (T, U): U,
    (F, T): F,
    (F, F): F,
    (F, U): F,
    (U, T): U,
    (U, F): F,
    (U, U): U,
}
OR = {
    (T, T): T,
    (T, F): T,
    (T, U): T,
    (F, T): T,
    (F, F): F,
    (F, U): U,
    (U, T): T,
    (U, F): U,
    (U, U): U,
}
NOT = {T: F, F: T, U: U}


@pytest.mark.parametrize(("a", "b"), list(itertools.product([T, F, U], repeat=2)))
def test_all_and_any_follow_kleene(a: bool | None, b: bool | None) -> None:
    facts = {**_FACTS[a], **_FACTS_Y[b]}
    assert evaluate(All(items=(X, Y)), facts) is AND[(a, b)]
    assert evaluate(Any_(items=(X, Y)), facts) is OR[(a, b)]


@pytest.mark.parametrize("a", [T, F, U])
def test_not_keeps_unknown(a: bool | None) -> None:
    assert evaluate(Not(item=X), _FACTS[a]) is NOT[a]


@pytest.mark.parametrize(
    ("ecog", "expected"),
    [(0, T), (1, T), (2, F), (4, F), (None, U)],
)
def test_ecog_lte_1_is_unknown_when_missing(ecog: int | None, expected: bool | None) -> None:
    facts = {} if ecog is None else {"ecog": ecog}
    assert evaluate(Compare(path="ecog", op="lte", value=1), facts) is expected


def test_missing_value_is_unknown_for_every_operator_including_ne_and_in() -> None:
    for op in ("eq", "ne", "lt", "lte", "gt", "gte"):
        assert evaluate(Compare(path="ecog", op=op, value=1), {}) is None
    assert evaluate(In(path="derived.bclc_stage", values=("B", "C")), {}) is None
    assert evaluate(In(path="derived.bclc_stage", values=("B", "C")), {"derived.bclc_stage": None}) is None
    assert evaluate(Compare(path="w", op="gt", value=1.0), {"w": float("nan")}) is None


def test_known_is_two_valued() -> None:
    assert evaluate(Known(path="ecog"), {}) is False
    assert evaluate(Known(path="ecog"), {"ecog": 0}) is True
    assert evaluate(Not(item=Known(path="ecog")), {}) is True


@pytest.mark.parametrize(("weight", "expected"), [(59.9, T), (60.0, F), (60.1, F)])
def test_number_boundaries_both_sides(weight: float, expected: bool) -> None:
    assert evaluate(Compare(path="weight_kg", op="lt", value=60), {"weight_kg": weight}) is expected


@pytest.mark.parametrize(("pct", "expected"), [(50.0, F), (50.5, T), (51.0, T)])
def test_viable_tumour_above_50(pct: float, expected: bool) -> None:
    assert evaluate(Compare(path="viable_tumour_pct", op="gt", value=50), {"viable_tumour_pct": pct}) is expected


@pytest.mark.parametrize(
    ("lo", "hi", "expected"),
    # run >= 2: met when even the certain run reaches 2; not met when even the possible run stays below 2
    [(2, 2, T), (2, 5, T), (0, 1, F), (1, 1, F), (1, 2, U), (0, 3, U)],
)
def test_count_range_run_of_two(lo: int, hi: int, expected: bool | None) -> None:
    cond = Compare(path="tace.insufficient_response.consecutive_sessions", op="gte", value=2)
    assert evaluate(cond, {"tace.insufficient_response.consecutive_sessions": CountRange(lo, hi)}) is expected


@pytest.mark.parametrize(
    ("op", "lo", "hi", "expected"),
    [
        ("eq", 2, 2, T),
        ("eq", 1, 3, U),
        ("eq", 3, 4, F),
        ("ne", 2, 2, F),
        ("ne", 0, 1, T),
        ("ne", 1, 3, U),
        ("lt", 0, 1, T),
        ("lt", 1, 2, U),
        ("lt", 2, 3, F),
        ("lte", 0, 2, T),
        ("lte", 2, 3, U),
        ("lte", 3, 3, F),
        ("gt", 3, 4, T),
        ("gt", 2, 3, U),
        ("gt", 0, 2, F),
    ],
)
def test_count_range_every_operator_against_2(op: str, lo: int, hi: int, expected: bool | None) -> None:
    assert evaluate(Compare(path="r", op=op, value=2), {"r": (lo, hi)}) is expected  # type: ignore[arg-type]


def test_option_value_and_option_path() -> None:
    cond = Compare(path="days_to_imaging", op="gte", value=OptionRef(option="response_window_min_days"))
    assert evaluate(cond, {"days_to_imaging": 27}, {"response_window_min_days": 28}) is False
    assert evaluate(cond, {"days_to_imaging": 28}, {"response_window_min_days": 28}) is True
    reading = Compare(path="option.invasion_spread_reading", op="eq", value="presence")
    assert evaluate(reading, {}, {"invasion_spread_reading": "presence"}) is True
    with pytest.raises(KeyError, match="response_window_min_days"):
        evaluate(cond, {"days_to_imaging": 28}, {})


def _criterion(**kw: object) -> Criterion:
    base: dict[str, object] = {
        "id": "c",
        "kind": "inclusion",
        "title": "t",
        "statement": "s",
        "source": "src",
        "version": "1.0.0",
        "explain": Explain(met="m", not_met="n", unknown="u"),
    }
    base.update(kw)
    return Criterion.model_validate(base)


def test_a_contradiction_explains_and_never_changes_the_status() -> None:
    """The criterion's own conditions decide (the shipped engine's rule); the loader checks that a
    contradicted record can never make it met (tests/unit/test_model_loader.py)."""
    vi = Compare(path="tumour.vascular_invasion", op="eq", value=True)
    contra = All(
        items=(
            Compare(path="tumour.vascular_invasion", op="eq", value=False),
            Compare(path="recorded", op="gte", value=1),
        )
    )
    c = _criterion(when=vi, contradiction=Contradiction(when=contra, why="record contradicts itself"))
    assert criterion_truth(c, {"tumour.vascular_invasion": True}) is True
    assert criterion_truth(c, {"tumour.vascular_invasion": False, "recorded": 0}) is False
    assert criterion_truth(c, {"tumour.vascular_invasion": False, "recorded": 1}) is False
    assert evaluate(contra, {"tumour.vascular_invasion": False, "recorded": 1}) is True


def test_asymmetric_not_met_when_needs_its_why() -> None:
    with pytest.raises(ValueError, match="asymmetric_why"):
        _criterion(when=X, not_met_when=Y)
    c = _criterion(when=X, not_met_when=Y, asymmetric_why="why not the negation")
    assert criterion_truth(c, {"x": True}) is True
    assert criterion_truth(c, {"x": False, "y": True}) is False
    assert criterion_truth(c, {"x": False, "y": False}) is None
