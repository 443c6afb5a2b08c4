"""``plan --format json``: the issue's output contract, built through ``PlanDocument``.

Why through the model: the keys (``patient_id``, ``protocol``, ``options``,
``start``, ``events`` with exactly twelve keys each) are a contract with
integrators; the pydantic model rejects a missing or extra key before it ships.
"""

from __future__ import annotations

import json

from hccprotocol.schedule.plan import Plan

__all__ = ["render_plan_json"]


def render_plan_json(plan: Plan) -> str:
    return json.dumps(plan.to_json_dict(), indent=2, ensure_ascii=False) + "\n"
