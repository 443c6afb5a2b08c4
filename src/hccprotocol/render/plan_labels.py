"""Human labels for calendar rows, shared by the table, iCalendar and HTML exports.

Why one place: a row must read the same in every export (the nurse's calendar
app, the printed page and the terminal), so the summary text is built once.
"""

from __future__ import annotations

from typing import Any

from hccprotocol.protocol import Protocol
from hccprotocol.render.oral_days import oral_dose

__all__ = ["agent_name", "dose_text", "summary"]

_ACTIVITY = {
    "admission": "HAIC admission",
    "labs": "Pre-cycle laboratory check",
    "imaging": "Follow-up imaging (CT/MRI, mRECIST)",
    "delay": "HAIC delayed",
    "discontinue": "Discontinued",
}


def agent_name(agent: str | None, protocol: Protocol) -> str:
    if agent is None:
        return ""
    if agent in ("camrelizumab", "sintilimab"):
        return agent.capitalize()
    for a in protocol.agents:
        if a.id == agent:
            return a.name
    return agent


def dose_text(row: dict[str, Any]) -> str:
    dose = row.get("dose_mg")
    if dose is None:
        return "dose not computed" if row.get("activity") in ("infusion", "oral") else ""
    return f"{dose:g} mg"


def summary(row: dict[str, Any], protocol: Protocol) -> str:
    """One line: what happens, to which drug, at which dose, in which cycle."""
    activity = str(row["activity"])
    agent = row.get("agent")
    name = agent_name(agent, protocol)
    where = f"(cycle {row['cycle']}, day {row['cycle_day']})"
    if activity == "infusion":
        return f"{name} {dose_text(row)} {row.get('route') or ''} infusion {where}".replace("  ", " ")
    if activity == "oral":
        dose = oral_dose(row, protocol)
        shown = dose.label() if dose is not None else dose_text(row)
        return f"{name} {shown} by mouth {where}"
    if activity == "hold":
        return f"{name} on hold {where}"
    if agent is None:
        label = _ACTIVITY.get(activity, activity.capitalize())
        if activity == "discontinue":
            label = "HAIC discontinued"
        if activity == "admission":
            return f"{label}, cycle {row['cycle']}"
        return f"{label} {where}"
    return f"{name}: {activity} {dose_text(row)} {where}".replace("  ", " ")
