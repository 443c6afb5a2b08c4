"""The pre-cycle laboratory check: which recorded result answers it, and whether it passes.

Why a module: "no result" and "an incomplete result" must never read as
"passed". A check is ``due`` when no result was recorded in its window,
``incomplete`` when the result lacks a limited value (still due), ``failed``
when any recorded value is outside a limit (even if others are missing), and
``passed`` only when every limited value is present and inside its limit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from hccprotocol.patient import LabResult
from hccprotocol.schedule.options import PrecycleLabs

__all__ = ["LabCheck", "evaluate_check"]

Outcome = Literal["due", "incomplete", "passed", "failed"]


@dataclass(frozen=True)
class LabCheck:
    haic_date: dt.date
    outcome: Outcome
    result_index: int | None
    result_date: dt.date | None
    inputs: dict[str, object]
    failures: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def blocks_cycle(self) -> bool:
        return self.outcome == "failed"

    def note(self) -> str:
        if self.outcome == "due":
            return "due: no result recorded yet (not assumed passed)"
        assert self.result_date is not None
        when = self.result_date.isoformat()
        if self.outcome == "failed":
            return f"failed (result of {when}): " + "; ".join(self.failures)
        if self.outcome == "incomplete":
            return f"due: result of {when} lacks " + ", ".join(self.missing) + " (not assumed passed)"
        return f"passed (result of {when})"


def evaluate_check(labs: tuple[LabResult, ...] | None, haic_date: dt.date, options: PrecycleLabs) -> LabCheck:
    """Judge the check for a HAIC on ``haic_date`` from the latest result dated in its window."""
    earliest = haic_date - dt.timedelta(days=options.result_max_age_days)
    chosen: tuple[int, LabResult] | None = None
    for index, result in enumerate(labs or ()):
        if earliest <= result.date <= haic_date and (chosen is None or result.date >= chosen[1].date):
            chosen = (index, result)
    if chosen is None:
        return LabCheck(haic_date, "due", None, None, {}, (), ())
    index, result = chosen
    inputs: dict[str, object] = {f"labs[{index}].date": result.date.isoformat()}
    failures: list[str] = []
    missing: list[str] = []
    for limit in options.limits:
        value = getattr(result, limit.field)
        inputs[f"labs[{index}].{limit.field}"] = value
        if value is None:
            missing.append(limit.field)
        elif limit.min is not None and value < limit.min:
            failures.append(f"{limit.field} {value:g} below {limit.min:g} {limit.unit} (needs {limit.describe()})")
        elif limit.max is not None and value > limit.max:
            failures.append(f"{limit.field} {value:g} above {limit.max:g} {limit.unit} (needs {limit.describe()})")
    outcome: Outcome = "failed" if failures else "incomplete" if missing else "passed"
    return LabCheck(haic_date, outcome, index, result.date, inputs, tuple(failures), tuple(missing))
