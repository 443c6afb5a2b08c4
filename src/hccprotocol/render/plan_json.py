"""``plan --format json``: the issue's output contract, built through ``PlanDocument``.

Why through the model: the keys (``patient_id``, ``protocol``, ``options``,
``start``, ``events`` with exactly twelve keys each) are a contract with
integrators; the pydantic model rejects a missing or extra key before it ships.
"""

from __future__ import annotations

import json

from hccprotocol.provenance import Header
from hccprotocol.schedule.plan import Plan

__all__ = ["render_plan_json"]


def render_plan_json(plan: Plan, header: Header | None = None) -> str:
    """The plan document; with ``header`` (the CLI always gives one) the issue-13 envelope comes first."""
    if header is None:
        return json.dumps(plan.to_json_dict(), indent=2, ensure_ascii=False) + "\n"
    from hccprotocol.render.json_output import plan_document

    return json.dumps(plan_document(plan, header), indent=2, ensure_ascii=False) + "\n"
