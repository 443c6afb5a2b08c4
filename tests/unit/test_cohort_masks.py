"""The mask compiler against durable_rules itself: missing values, $neq, equality, nested paths, $ex/$nex.

Every case states the expected matches from durable's documented semantics
(library-notes §1.2: a missing attribute never matches, including for ``!=``;
None/NaN are dropped before asserting) and then checks that *both* durable
(through ``hccprotocol.rules_engine``) and the mask give exactly that.
"""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hccprotocol.cohort.frame import facts_frame, typed_column
from hccprotocol.cohort.masks import column_kind, compile_condition
from hccprotocol.errors import ProtocolDefinitionError
from hccprotocol.rules_engine import get_engine
from hccprotocol.rules_source import condition_paths

MISSING = object()


def durable_matches(cond: dict[str, Any], facts: list[dict[str, Any]]) -> list[bool]:
    """Which facts durable_rules matches with ``cond`` (each fact tagged with its row; one session)."""
    rule = {"r": {"all": [{"m": {"$and": [cond, {"$ex": {"row__": 1}}]}}]}}
    name = "cohort-masks-" + hashlib.sha256(json.dumps(rule, sort_keys=True).encode()).hexdigest()[:16]
    engine = get_engine()
    engine.register(name, rule)
    tagged = [{**f, "row__": i} for i, f in enumerate(facts)]
    fired = {int(f.fact["row__"]) for f in engine.evaluate(name, tagged)}
    return [i in fired for i in range(len(facts))]


def mask_matches(cond: dict[str, Any], facts: list[dict[str, Any]]) -> list[bool]:
    frame = facts_frame(facts, condition_paths(cond))
    return [bool(v) for v in compile_condition(cond)(frame)]


def fact(**values: Any) -> dict[str, Any]:
    """A fact from keyword values; ``MISSING`` leaves a key out, ``__`` nests (``x__y=1`` -> {x: {y: 1}})."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if value is MISSING:
            continue
        *parents, last = key.split("__")
        node = out
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    return out


CASES = [
    pytest.param(
        {"$neq": {"a": 1}},
        [fact(a=1), fact(a=2), fact(a=MISSING, b=1), fact(a=None, b=1), fact(a=math.nan, b=1)],
        [False, True, False, False, False],
        id="neq-never-matches-a-missing-value",
    ),
    pytest.param(
        {"$neq": {"s": "A"}},
        [fact(s="A"), fact(s="B"), fact(s=MISSING, b=1), fact(s=None, b=1)],
        [False, True, False, False],
        id="neq-on-text-missing",
    ),
    pytest.param(
        {"$neq": {"flag": True}},
        [fact(flag=True), fact(flag=False), fact(b=1)],
        [False, True, False],
        id="neq-on-bool-missing",
    ),
    pytest.param(
        {"flag": False},
        [fact(flag=True), fact(flag=False), fact(flag=None, b=1), fact(b=1)],
        [False, True, False, False],
        id="equality-false-is-not-missing",
    ),
    pytest.param(
        {"s": "0"},
        [fact(s="0"), fact(s="A"), fact(b=1)],
        [True, False, False],
        id="equality-on-text-missing",
    ),
    pytest.param(
        {"x.y.z": 3},
        [fact(x__y__z=3), fact(x__y__z=4), fact(x__y__w=3), fact(x__q=1), fact(b=1)],
        [True, False, False, False, False],
        id="nested-equality",
    ),
    pytest.param(
        {"$neq": {"x.y": 2}},
        [fact(x__y=2), fact(x__y=5), fact(x__z=5), fact(x__y=None, b=1)],
        [False, True, False, False],
        id="nested-neq-missing",
    ),
    pytest.param(
        {"$ex": {"x.y": 1}},
        [fact(x__y=0), fact(x__y=False), fact(x__z=1), fact(x__y=None, b=1), fact(x__y=math.nan, b=1)],
        [True, True, False, False, False],
        id="ex-false-and-zero-exist-none-and-nan-do-not",
    ),
    pytest.param(
        {"$and": [{"$nex": {"x.y": 1}}, {"$ex": {"b": 1}}]},
        [fact(x__y=0, b=1), fact(b=1), fact(x__y=None, b=1), fact(x__z=1, b=1), fact(x__y=1)],
        [False, True, True, True, False],
        id="nex-with-a-positive-test",
    ),
    pytest.param(
        {"$or": [{"a": 1}, {"$neq": {"s": "x"}}]},
        [fact(a=1), fact(a=2), fact(s="x"), fact(s="y"), fact(a=2, s="x"), fact(b=1)],
        [True, False, False, True, False, False],
        id="or-with-missing-branches",
    ),
    pytest.param(
        {"$gt": {"v": 50}},
        [fact(v=50), fact(v=50.0), fact(v=50.5), fact(v=51), fact(b=1)],
        [False, False, True, True, False],
        id="gt-50-int-and-float",
    ),
    pytest.param(
        {"$lte": {"v": 50}},
        [fact(v=50), fact(v=50.0), fact(v=50.5), fact(v=49), fact(b=1)],
        [True, True, False, True, False],
        id="lte-50-int-and-float",
    ),
    pytest.param(
        {"$and": [{"$gte": {"d": 28}}, {"$lte": {"d": 92}}]},
        [fact(d=27), fact(d=28), fact(d=92), fact(d=93), fact(b=1)],
        [False, True, True, False, False],
        id="window-28-92-inclusive",
    ),
    pytest.param(
        {"v": 30},
        [fact(v=30), fact(v=30.0), fact(v=30.5)],
        [True, True, False],
        id="equality-int-equals-float",
    ),
    pytest.param(
        {"$gte": {"flag": 1}},
        [fact(flag=True), fact(flag=False), fact(b=1)],
        [True, False, False],
        id="true-compares-as-1",
    ),
    pytest.param(
        {"n": True},
        [fact(n=1), fact(n=0), fact(n=2), fact(b=1)],
        [True, False, False, False],
        id="number-equals-true-as-1",
    ),
]


@pytest.mark.parametrize(("cond", "facts", "expected"), CASES)
def test_mask_and_durable_agree_with_the_stated_semantics(
    cond: dict[str, Any], facts: list[dict[str, Any]], expected: list[bool]
) -> None:
    assert durable_matches(cond, facts) == expected
    assert mask_matches(cond, facts) == expected


def test_pandas_neq_on_missing_is_true_which_the_compiler_guards() -> None:
    """library-notes §5: pandas' own != is true on a missing value; the compiled mask is not."""
    column = pd.Series(["A", None], dtype="str")
    assert (column != "A").tolist() == [False, True]
    frame = pd.DataFrame({"s": column})
    assert compile_condition({"$neq": {"s": "A"}})(frame).tolist() == [False, False]


def test_a_column_absent_from_the_frame_is_missing_everywhere() -> None:
    frame = pd.DataFrame({"a": [1, 2]})
    assert compile_condition({"$neq": {"zz": 1}})(frame).tolist() == [False, False]
    assert compile_condition({"$and": [{"$nex": {"zz": 1}}, {"$ex": {"a": 1}}]})(frame).tolist() == [True, True]


def durable_fired(rules: dict[str, dict[str, Any]], one: dict[str, Any]) -> list[str]:
    """Rule ids of a ruleset of several rules that fire on one fact."""
    defs = {rid: {"all": [{"m": {"$and": [cond, {"$ex": {"row__": 1}}]}}]} for rid, cond in rules.items()}
    name = "cohort-masks-" + hashlib.sha256(json.dumps(defs).encode()).hexdigest()[:16]  # order matters here
    engine = get_engine()
    engine.register(name, defs)
    return sorted({f.rule_id for f in engine.evaluate(name, [{**one, "row__": 0}])})


def test_durable_compares_text_with_numbers_by_accident_so_the_compiler_refuses() -> None:
    """Why a cross-kind comparison is refused: durable's answer is an accident of its C code.

    The text '0' equals the number 0; whether it is also "not equal" to 0 depends on the *other* rules of the
    ruleset and their order (alone: no; after a $neq on the text 'zz': yes; before it: no). No mask can
    reproduce that, so none tries.
    """
    neq0, neqzz = {"$neq": {"s": 0}}, {"$neq": {"s": "zz"}}
    assert durable_matches({"s": 0}, [fact(s="0")]) == [True]
    assert durable_fired({"neq0": neq0}, fact(s="0")) == []
    assert durable_fired({"neqzz": neqzz, "neq0": neq0}, fact(s="0")) == ["neq0", "neqzz"]
    assert durable_fired({"neq0": neq0, "neqzz": neqzz}, fact(s="0")) == ["neqzz"]
    for cond in ({"s": 0}, {"$neq": {"s": 0}}, {"$gt": {"s": 1}}, {"s": True}):
        with pytest.raises(ProtocolDefinitionError, match="across kinds"):
            mask_matches(cond, [fact(s="0")])
    with pytest.raises(ProtocolDefinitionError, match="across kinds"):
        mask_matches({"n": "1"}, [fact(n=1)])


@pytest.mark.parametrize(
    "cond",
    [
        {"$mt": {"s": "a.*"}},
        {"$case": {"option": "x", "cases": {"a": {"s": "a"}}}},
        {"s": {"$option": "x"}},
        {"$and": []},
        {"a": 1, "b": 2},
    ],
)
def test_unresolved_or_unsupported_conditions_are_refused(cond: dict[str, Any]) -> None:
    with pytest.raises(ProtocolDefinitionError):
        compile_condition(cond)


def test_column_types_come_from_the_values() -> None:
    assert str(typed_column([1, None, 3]).dtype) == "Int64"
    assert str(typed_column([1, None, 2.5]).dtype) == "Float64"
    assert str(typed_column([True, None]).dtype) == "boolean"
    assert column_kind(typed_column(["a", None])) == "text"
    assert column_kind(typed_column([None, None])) == "empty"
    assert column_kind(typed_column(["a", 1])) == "mixed"


# -- random conditions: the mask equals durable on every fact ----------------------------------------------

_INT = st.sampled_from([0, 1, 2, 27, 28, 50, 92, 93])
_FLOAT = st.sampled_from([0.0, 1.5, 49.9, 50.0, 50.5, 51.0, 92.0])
_TEXT = st.sampled_from(["0", "A", "B", "C", "met", "not_met"])
_PATHS: dict[str, st.SearchStrategy[Any]] = {
    "i": _INT,
    "f": _FLOAT,
    "b": st.booleans(),
    "s": _TEXT,
    "x.i": _INT,
    "x.y.f": _FLOAT,
    "x.y.b": st.booleans(),
}
_NUMERIC = ("i", "f", "x.i", "x.y.f")


@st.composite
def leaves(draw: st.DrawFn) -> dict[str, Any]:
    path = draw(st.sampled_from(sorted(_PATHS)))
    op = draw(st.sampled_from(["eq", "$neq", "$lt", "$lte", "$gt", "$gte", "$ex", "$nex"]))
    if op in ("$ex", "$nex"):
        return {op: {path: 1}}
    if op in ("$lt", "$lte", "$gt", "$gte") and path not in _NUMERIC:
        op = "eq"
    value = draw(_PATHS[path] if path not in _NUMERIC else st.one_of(_INT, _FLOAT))
    return {path: value} if op == "eq" else {op: {path: value}}


conditions = st.recursive(
    leaves(),
    lambda sub: st.builds(lambda k, xs: {k: xs}, st.sampled_from(["$and", "$or"]), st.lists(sub, min_size=1,
                                                                                           max_size=3)),
    max_leaves=5,
)


@st.composite
def facts(draw: st.DrawFn) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for path, values in _PATHS.items():
        value = draw(st.one_of(st.just(MISSING), st.none(), values))
        if value is MISSING:
            continue
        *parents, last = path.split(".")
        node = out
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cond=conditions, rows=st.lists(facts(), min_size=1, max_size=8, unique_by=lambda f: json.dumps(f,
                                                                                                   sort_keys=True)))
def test_random_conditions_match_durable(cond: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    assert mask_matches(cond, rows) == durable_matches(cond, rows)
