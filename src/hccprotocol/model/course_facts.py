"""Facts of the course's own rules beyond a course event: one pre-cycle laboratory limit.

Why a scope of its own: the pre-cycle check judges one limit of the protocol's
``schedule.precycle_labs.limits`` against the latest recorded value of its field; the
rule (``rules/dose-modification-course.yaml``, ``precycle``) says when a value passes a
``min`` or a ``max`` limit (inclusive or not) once, for the calendar, the course and
``dose``/``plan``. The limit's number is an option of that rule (``option: min`` /
``option: max``), the value the fact.
"""

from __future__ import annotations

from hccprotocol.model.facts import Fact, FactCatalogue
from hccprotocol.model.options import OptionSpec

__all__ = ["LIMIT_OPTIONS", "lab_limit_facts"]


def lab_limit_facts() -> FactCatalogue:
    """``value``: the latest recorded value of the limit's field in the check's window (missing = unknown)."""
    return FactCatalogue.of(
        "lab_limit",
        [
            Fact(
                path="value",
                kind="number",
                unit="the limit's unit",
                origin="labs[]: latest value of the limit's field within schedule.precycle_labs.result_max_age_days",
            )
        ],
    )


LIMIT_OPTIONS: dict[str, OptionSpec] = {
    name: OptionSpec(
        name=name,
        kind="number",
        default=0.0,
        why=f"the {name} of each schedule.precycle_labs.limits entry (always given by the protocol's limit)",
        source="protocol/*.yaml schedule.precycle_labs.limits",
    )
    for name in ("min", "max")
}
"""The two numbers a limit rule reads; the course evaluates each limit with its own value (never the default)."""
