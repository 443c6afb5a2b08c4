"""The three engines of the protocol model agree: reference evaluator, durable_rules, pandas masks.

Random condition trees over declared facts of every kind (integer, number, boolean,
enum, text, count range, and options read as values and as facts), and random fact
values: missing, at each constant, just either side of it, numbers durable cannot
read as written (1e-05, 1e+16: exponent notation), text that looks like a number.
For every tree, every fact row and every option value, durable_rules (met and
not-met rules compiled from the one condition) and the pandas mask (nullable
boolean) must give the reference evaluator's true / false / unknown.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hccprotocol.engines.durable import DurableEvaluator
from hccprotocol.engines.masks import build_frame, compile_mask
from hccprotocol.engines.reference import evaluate
from hccprotocol.model import All, Any_, Compare, CountRange, FactCatalogue, In, Known, Not, OptionRef
from hccprotocol.model.facts import Fact, patient_facts

pytestmark = pytest.mark.agreement

CATALOGUE = FactCatalogue.of(
    "patient",
    [
        Fact(path="ecog", kind="integer", origin="test"),
        Fact(path="liver.inr", kind="number", origin="test"),
        Fact(path="weight_kg", kind="number", unit="kg", origin="test"),
        Fact(path="history.other_tki", kind="boolean", origin="test"),
        Fact(path="arm.includes_pd1", kind="boolean", always_known=True, origin="test"),
        Fact(path="derived.child_pugh.class", kind="enum", values=("A", "B", "C"), origin="test"),
        Fact(path="derived.bclc_stage", kind="enum", values=("0", "A", "B", "C", "D"), origin="test"),
        Fact(path="term", kind="text", origin="test"),
        Fact(path="tace.x.consecutive_sessions", kind="count_range", origin="test"),
    ],
)
OPTION_VALUES = {
    "min_days": st.sampled_from([1, 2, 3]),
    "inr_limit": st.sampled_from([1.5, 2.0]),
    "reading": st.sampled_from(["presence", "appearance"]),
}

INTS = [-1, 0, 1, 2, 3]
NUMBERS = [0, 0.001, 1.5, 2.0, 59.9, 60, 60.0, 1000.25]
TEXTS = ["Anaphylaxis", "Proteinuria", "0", ""]
ORDER = ["eq", "ne", "lt", "lte", "gt", "gte"]


def _leaf() -> st.SearchStrategy[Any]:
    integer = st.builds(
        lambda op, v: Compare(path="ecog", op=op, value=v),
        st.sampled_from(ORDER),
        st.one_of(st.sampled_from(INTS), st.just(OptionRef(option="min_days"))),
    )
    number = st.builds(
        lambda path, op, v: Compare(path=path, op=op, value=v),
        st.sampled_from(["liver.inr", "weight_kg"]),
        st.sampled_from(ORDER),
        st.one_of(st.sampled_from(NUMBERS), st.just(OptionRef(option="inr_limit"))),
    )
    boolean = st.builds(
        lambda path, op, v: Compare(path=path, op=op, value=v),
        st.sampled_from(["history.other_tki", "arm.includes_pd1"]),
        st.sampled_from(["eq", "ne"]),
        st.booleans(),
    )
    enum = st.one_of(
        st.builds(
            lambda op, v: Compare(path="derived.bclc_stage", op=op, value=v),
            st.sampled_from(["eq", "ne"]),
            st.sampled_from(["0", "A", "B", "C", "D"]),
        ),
        st.builds(
            lambda vs: In(path="derived.child_pugh.class", values=tuple(vs)),
            st.lists(st.sampled_from(["A", "B", "C"]), min_size=1, max_size=3),
        ),
    )
    text = st.one_of(
        st.builds(
            lambda op, v: Compare(path="term", op=op, value=v), st.sampled_from(["eq", "ne"]), st.sampled_from(TEXTS)
        ),
        st.builds(
            lambda vs: In(path="term", values=tuple(vs)), st.lists(st.sampled_from(TEXTS), min_size=1, max_size=2)
        ),
    )
    run = st.builds(
        lambda op, v: Compare(path="tace.x.consecutive_sessions", op=op, value=v),
        st.sampled_from(ORDER),
        st.one_of(st.sampled_from([0, 1, 2, 3]), st.just(OptionRef(option="min_days"))),
    )
    option = st.builds(
        lambda v: Compare(path="option.reading", op="eq", value=v), st.sampled_from(["presence", "appearance"])
    )
    known = st.builds(
        lambda p: Known(path=p),
        st.sampled_from(
            ["ecog", "liver.inr", "history.other_tki", "derived.bclc_stage", "term", "tace.x.consecutive_sessions"]
        ),
    )
    return st.one_of(integer, number, boolean, enum, text, run, option, known)


CONDITIONS = st.recursive(
    _leaf(),
    lambda children: st.one_of(
        st.builds(lambda xs: All(items=tuple(xs)), st.lists(children, min_size=1, max_size=3)),
        st.builds(lambda xs: Any_(items=tuple(xs)), st.lists(children, min_size=1, max_size=3)),
        st.builds(lambda x: Not(item=x), children),
    ),
    max_leaves=8,
)


def _near(values: list[float]) -> st.SearchStrategy[float]:
    """Each constant, a hair either side of it, and values durable cannot read as JSON (exponent notation)."""
    return st.one_of(
        st.sampled_from(values),
        st.sampled_from(values).map(lambda v: v + 1e-9),
        st.sampled_from(values).map(lambda v: v - 1e-9),
        st.sampled_from([1e-05, -1e-05, 1e-300, 1e16, 3.5e20, 0.0005]),
        st.floats(min_value=-5, max_value=2000, allow_nan=False, allow_infinity=False),
    )


def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


RUNS = st.tuples(st.integers(0, 4), st.integers(0, 4)).map(lambda t: CountRange(min(t), max(t)))
ROWS = st.fixed_dictionaries(
    {
        "ecog": _maybe(st.sampled_from([-1, 0, 1, 2, 3, 4])),
        "liver.inr": _maybe(_near([0.001, 1.5, 2.0])),
        "weight_kg": _maybe(_near([59.9, 60.0, 1000.25])),
        "history.other_tki": _maybe(st.booleans()),
        "arm.includes_pd1": st.booleans(),
        "derived.child_pugh.class": _maybe(st.sampled_from(["A", "B", "C"])),
        "derived.bclc_stage": _maybe(st.sampled_from(["0", "A", "B", "C", "D"])),
        "term": _maybe(st.sampled_from([*TEXTS, "Stroke", "1"])),
        "tace.x.consecutive_sessions": _maybe(RUNS),
    }
)


def _truth(value: Any) -> bool | None:
    return None if str(value) == "<NA>" else bool(value)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cond=CONDITIONS, rows=st.lists(ROWS, min_size=1, max_size=6), options=st.fixed_dictionaries(OPTION_VALUES))
def test_reference_durable_and_pandas_agree(cond: Any, rows: list[dict[str, Any]], options: dict[str, Any]) -> None:
    expected = [evaluate(cond, row, options) for row in rows]
    durable = DurableEvaluator({"c": cond}, CATALOGUE, options)
    assert [durable.evaluate(row)["c"] for row in rows] == expected, cond
    mask = compile_mask(cond, options, CATALOGUE)(build_frame(rows, CATALOGUE))
    assert [_truth(v) for v in mask] == expected, cond


def _every_leaf() -> dict[str, Any]:
    """Every single test the language has, on every fact kind, with every constant, and its negation."""
    leaves: list[Any] = []
    for op in ORDER:
        leaves += [Compare(path="ecog", op=op, value=v) for v in INTS]
        leaves += [Compare(path="weight_kg", op=op, value=v) for v in NUMBERS]
        leaves += [Compare(path="tace.x.consecutive_sessions", op=op, value=v) for v in (0, 1, 2, 3)]
    for op in ("eq", "ne"):
        leaves += [Compare(path="history.other_tki", op=op, value=v) for v in (True, False)]
        leaves += [Compare(path="derived.bclc_stage", op=op, value=v) for v in ("0", "A", "D")]
        leaves += [Compare(path="term", op=op, value=v) for v in TEXTS]
    leaves += [In(path="derived.child_pugh.class", values=("A", "B")), In(path="term", values=("0", ""))]
    leaves += [Known(path=p) for p in ("ecog", "weight_kg", "term", "tace.x.consecutive_sessions")]
    return {f"leaf{i}": cond for i, leaf in enumerate(leaves) for cond in (leaf,)} | {
        f"not{i}": Not(item=leaf) for i, leaf in enumerate(leaves)
    }


def _boundary_rows() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [{"arm.includes_pd1": True}]
    for v in [*INTS, 4]:
        rows.append({"arm.includes_pd1": False, "ecog": v})
    for v in [*NUMBERS, 59.9 + 1e-9, 60 - 1e-9, 1e-05, 1e16, -1e-05, 0.0005]:
        rows.append({"arm.includes_pd1": True, "weight_kg": v})
    for lo in range(5):
        rows += [{"arm.includes_pd1": True, "tace.x.consecutive_sessions": CountRange(lo, hi)} for hi in range(lo, 5)]
    rows += [{"arm.includes_pd1": True, "history.other_tki": b} for b in (True, False)]
    rows += [
        {"arm.includes_pd1": True, "derived.bclc_stage": s, "derived.child_pugh.class": c}
        for s, c in (("0", "A"), ("A", "B"), ("D", "C"))
    ]
    rows += [{"arm.includes_pd1": True, "term": t} for t in [*TEXTS, "1", "Stroke"]]
    return rows


def test_every_leaf_and_its_negation_agree_on_every_boundary() -> None:
    """Deterministic: each operator on each kind, at, just above and just below each constant, and missing."""
    conditions = _every_leaf()
    rows = _boundary_rows()
    durable = DurableEvaluator(conditions, CATALOGUE, {})
    frame = build_frame(rows, CATALOGUE)
    for name, cond in conditions.items():
        expected = [evaluate(cond, row) for row in rows]
        assert [_truth(v) for v in compile_mask(cond, {}, CATALOGUE)(frame)] == expected, (name, cond)
    for row in rows:
        got = durable.evaluate(row)
        assert got == {name: evaluate(cond, row) for name, cond in conditions.items()}, row


# -- the same over the real declared patient facts ------------------------------------------------

REAL = patient_facts(["insufficient_response", "adequate_tace"])
_REAL_FACTS = [f for f in REAL if f.kind != "date"]
_CONSTS: dict[str, list[Any]] = {
    "integer": [0, 1, 2, 5, 9, 10],
    "number": [0.001, 1.7, 34.2, 50, 59.9, 60.0],
    "count_range": [0, 1, 2],
}


def _real_leaf(fact: Fact) -> st.SearchStrategy[Any]:
    if fact.kind in ("integer", "number", "count_range"):
        return st.builds(
            lambda op, v: Compare(path=fact.path, op=op, value=v),
            st.sampled_from(ORDER),
            st.sampled_from(_CONSTS[fact.kind]),
        )
    if fact.kind == "boolean":
        return st.builds(
            lambda op, v: Compare(path=fact.path, op=op, value=v), st.sampled_from(["eq", "ne"]), st.booleans()
        )
    values = list(fact.values) or TEXTS
    return st.one_of(
        st.builds(lambda v: Compare(path=fact.path, op="eq", value=v), st.sampled_from(values)),
        st.builds(
            lambda vs: In(path=fact.path, values=tuple(vs)), st.lists(st.sampled_from(values), min_size=1, max_size=3)
        ),
    )


def _real_value(fact: Fact) -> st.SearchStrategy[Any]:
    if fact.kind == "integer":
        strategy: st.SearchStrategy[Any] = st.integers(-1, 11)
    elif fact.kind == "number":
        strategy = _near(_CONSTS["number"])
    elif fact.kind == "count_range":
        strategy = RUNS
    elif fact.kind == "boolean":
        strategy = st.booleans()
    else:
        strategy = st.sampled_from(list(fact.values) or [*TEXTS, "x"])
    return strategy if fact.always_known else _maybe(strategy)


REAL_CONDITIONS = st.recursive(
    st.sampled_from(_REAL_FACTS).flatmap(_real_leaf),
    lambda children: st.one_of(
        st.builds(lambda xs: All(items=tuple(xs)), st.lists(children, min_size=1, max_size=3)),
        st.builds(lambda xs: Any_(items=tuple(xs)), st.lists(children, min_size=1, max_size=3)),
        st.builds(lambda x: Not(item=x), children),
    ),
    max_leaves=8,
)
REAL_ROWS = st.fixed_dictionaries({f.path: _real_value(f) for f in _REAL_FACTS})


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cond=REAL_CONDITIONS, rows=st.lists(REAL_ROWS, min_size=1, max_size=4))
def test_engines_agree_over_the_declared_patient_facts(cond: Any, rows: list[dict[str, Any]]) -> None:
    expected = [evaluate(cond, row) for row in rows]
    durable = DurableEvaluator({"c": cond}, REAL, {})
    assert [durable.evaluate(row)["c"] for row in rows] == expected, cond
    mask = compile_mask(cond, {}, REAL)(build_frame(rows, REAL))
    assert [_truth(v) for v in mask] == expected, cond
