"""Every value that reaches durable_rules reads back as the same value, and a bad one never breaks the engine.

durable_rules 2.0.28's C parser rejects exponent notation without a decimal point ("1e-05": error 204);
Python's json writes it for every float below 1e-4 or from 1e16 on. The values below are hand-picked
extremes of IEEE-754 doubles (smallest subnormal, smallest normal, largest finite) and of the 64-bit
integers, plus the float sums whose shortest repr has 17 digits.
"""

from __future__ import annotations

import pytest

from hccprotocol.errors import RuleEngineError
from hccprotocol.rules_engine import get_engine, positional, to_json

from .eligibility_support import candidate, judge

RULES = {
    "any": {"all": [{"m": {"$ex": {"v": 1}}}]},
    "below_0_0001": {"all": [{"m": {"$lt": {"v": 0.0001}}}]},
    "above_zero": {"all": [{"m": {"$gt": {"v": 0}}}]},
}
VALUES = [
    0.00001, -0.00001, 5e-324, 2.2250738585072014e-308, 1e16, 1.7976931348623157e308, -0.0, 0.0,
    0.1 + 0.2, 1 / 3, 50.00001, 9_007_199_254_740_993.0, 2**63 - 1, -(2**63), 0, 999,
]


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_a_value_reads_back_exactly_and_compares_as_a_number(value: float) -> None:
    engine = get_engine()
    engine.register("test-values", RULES)
    firings = engine.evaluate("test-values", [{"v": value}])
    fired = {f.rule_id for f in firings}
    assert "any" in fired
    assert all(f.fact["v"] == value and type(f.fact["v"]) is type(value) for f in firings)
    assert ("below_0_0001" in fired) is (value < 0.0001)
    assert ("above_zero" in fired) is (value > 0)


@pytest.mark.parametrize(
    ("value", "text"),
    [(0.00001, "0.00001"), (1e16, "10000000000000000.0"), (1.5e-07, "0.00000015"), (50.0, "50.0"), (-0.0, "-0.0")],
)
def test_floats_are_written_in_positional_notation(value: float, text: str) -> None:
    assert positional(value) == text
    assert float(text) == value


def test_fact_text_is_json() -> None:
    assert to_json({"a": {"b": [True, False, 1, 0.00001, "é"]}}) == '{"a": {"b": [true, false, 1, 0.00001, "é"]}}'


def test_an_integer_beyond_64_bits_is_refused_and_the_engine_stays_usable() -> None:
    engine = get_engine()
    engine.register("test-values", RULES)
    with pytest.raises(RuleEngineError, match="64-bit"):
        engine.evaluate("test-values", [{"v": 2**64}])
    assert judge(candidate()).eligible is True


def test_a_rule_threshold_durable_cannot_read_is_refused_at_registration() -> None:
    with pytest.raises(RuleEngineError, match="exponent notation"):
        get_engine().register("test-exponent-threshold", {"r": {"all": [{"m": {"$gt": {"v": 0.00001}}}]}})


def test_a_tiny_viable_tumour_percentage_is_assessed_and_later_patients_still_are() -> None:
    """The reported crash: viable_tumour_pct 0.00001 made assess exit 1 and broke the engine for later patients."""
    record = candidate()
    record["tace_history"][0]["viable_tumour_pct"] = 0.00001
    tiny = judge(record)
    first = next(c for c in tiny.tace_refractory.criteria if c.id == "jsh2014.insufficient_response").evidence[0]
    assert "viable tumour 0.00001 % <= 50 %" in first.why
    assert judge(candidate()).eligible is True
