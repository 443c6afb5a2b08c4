"""``plan --format html``: a printable page; first what the patient and the nurse need (visits and
medicines date by date, with times, doses and what to bring; the doses; the month grid), then the
technical trail in an appendix (every row with its rule, the options in force, the decision trail).

Why this order: the first printed pages go home with the patient and onto the
ward; rule ids and inputs are for the reviewer. The forced-calendar banner is
never positioned over content: it is at the top and the end and in every
table header (repeated by the browser on each printed page).

Why jinja2 with ``select_autoescape(["html", "html.j2"])`` and ``StrictUndefined``:
every value from a record is escaped (a patient id ``<b>`` prints as text), and
a template that names a value the context does not have fails loudly instead of
printing an empty cell. (``select_autoescape(["html"])`` alone would NOT escape
``plan.html.j2``: it matches on the end of the template name.)
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from hccprotocol import __version__
from hccprotocol.render.jinja_env import environment
from hccprotocol.render.oral_days import dosing_days, oral_dose
from hccprotocol.render.plan_labels import agent_name, dose_text, summary
from hccprotocol.schedule.plan import Plan

__all__ = ["render_plan_html"]



def _show(value: object) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _chip(row: dict[str, Any], plan: Plan) -> dict[str, str]:
    activity = str(row["activity"])
    name = agent_name(row["agent"], plan.protocol).split(" (")[0]
    time = f" {row['time']}" if row["time"] else ""
    if activity == "admission":
        label = f"HAIC C{row['cycle']} admission{time}"
    elif activity == "infusion":
        label = f"{name} {dose_text(row)}{time}"
    elif activity == "oral":
        dose = oral_dose(row, plan.protocol)
        label = f"{name} {dose.label() if dose is not None else dose_text(row)}"
    elif activity == "hold":
        label = f"{name} on hold"
    elif activity == "labs":
        label = "Pre-cycle labs"
    elif activity == "imaging":
        label = "Imaging CT/MRI"
    elif activity == "delay":
        label = "HAIC delayed"
    elif activity == "discontinue":
        label = f"{name or 'HAIC'} discontinued"
    else:
        label = f"{name} {activity}"
    return {"label": label.strip(), "cls": activity}


def _months(plan: Plan, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_day: dict[dt.date, list[dict[str, str]]] = {}
    oral = dosing_days(rows, plan.protocol)
    for index, row in enumerate(rows):
        first = dt.date.fromisoformat(row["date"])
        last = dt.date.fromisoformat(row["end_date"]) if row["end_date"] and row["time"] is None else first
        chip = _chip(row, plan)
        if row["activity"] == "oral":
            # Only the dosing days are marked (every other day stays every other day); an undefined
            # frequency marks the first day only, with its wording, rather than every day.
            days = oral.get(index, [first])
        else:
            days = [first + dt.timedelta(days=k) for k in range((last - first).days + 1)]
        for day in days:
            by_day.setdefault(day, []).append(chip)
    start, end = plan.start, max([plan.schedule.end, *by_day])
    months = []
    year, month = start.year, start.month
    grid = calendar.Calendar(firstweekday=0)
    while (year, month) <= (end.year, end.month):
        weeks = [
            [
                {
                    "day": d.day,
                    "iso": d.isoformat(),
                    "in_month": d.month == month,
                    "chips": by_day.get(d, []) if d.month == month else [],
                }
                for d in week
            ]
            for week in grid.monthdatescalendar(year, month)
        ]
        months.append({"name": f"{calendar.month_name[month]} {year}", "weeks": weeks})
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _day(iso: str) -> str:
    day = dt.date.fromisoformat(iso)
    return f"{calendar.day_abbr[day.weekday()]} {iso}"


def _visit(row: dict[str, Any], plan: Plan) -> dict[str, str]:
    """One line of the patient's and nurse's list: when, what (with the dose), what to bring or prepare."""
    activity = str(row["activity"])
    when = _day(str(row["date"])) + (f", {row['time']}" if row["time"] else "")
    what = summary(row, plan.protocol)
    bring = ""
    end = row["end_date"]
    hours = row["duration_h"]
    if activity == "admission":
        stay = f"until {_day(str(end))}" if end else "the same day"
        length = f" ({hours:g} h from admission)" if hours else ""
        bring = f"Hospital stay {stay}{length}: bring this calendar and all your medicines, including lenvatinib."
    elif activity == "infusion" and row["route"] == "intravenous":
        minutes = f"about {float(hours) * 60:g} min" if hours else "the infusion"
        bring = f"Day-ward visit for the infusion ({minutes}); bring this calendar."
    elif activity == "oral":
        dose = oral_dose(row, plan.protocol)
        until = f" to {_day(str(end))}" if end else ""
        what = f"{what}, from {_day(str(row['date']))}{until}"
        unit = next((a.unit_mg for a in plan.protocol.agents if a.id == row["agent"]), None)
        if dose is not None and dose.dose_mg is not None and unit:
            count = dose.dose_mg / unit
            capsules = f"{count:g} x {unit:g} mg capsule{'s' if count != 1 else ''}"
            days = " on the marked days only" if dose.interval_days and dose.interval_days > 1 else ""
            bring = f"Take {capsules} by mouth, {dose.frequency}{days} (see the month grid)."
        else:
            bring = "Dose not computed: ask the treating team before taking it."
    elif activity == "hold":
        until = f" to {_day(str(end))}" if end else ""
        bring = f"Do not take or receive it from {_day(str(row['date']))}{until}: {row['note'] or 'held'}."
    elif activity == "labs":
        bring = "Blood test; the result decides whether the next HAIC goes ahead."
    elif activity == "imaging":
        bring = "CT or MRI scan to assess the response; bring this calendar."
    elif activity in ("delay", "discontinue"):
        bring = str(row["note"] or "")
    return {"when": when, "what": what, "bring": bring, "cls": activity}


def _flatten(prefix: str, value: Any, out: list[tuple[str, str]]) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _flatten(f"{prefix}.{key}" if prefix else str(key), inner, out)
    elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        for index, inner in enumerate(value):
            _flatten(f"{prefix}[{index}]", inner, out)
    else:
        out.append((prefix, "null" if value is None else _show(value)))


def render_plan_html(plan: Plan) -> str:
    rows = plan.event_rows()
    p = plan.patient
    patient = [
        ("Patient id", p.id),
        ("Sex", _show(p.sex)),
        ("Age (years)", _show(p.age_years)),
        ("Weight (kg)", _show(p.weight_kg)),
        ("Baseline weight (kg)", _show(p.baseline_weight_kg)),
        ("Height (cm)", _show(p.height_cm)),
        ("ECOG", _show(p.ecog)),
        ("PD-1 inhibitor", _show(p.pd1_agent) if plan.protocol.includes_pd1 else "not in this arm"),
        ("Treatment start in record", _show(p.treatment_start)),
        ("Eligibility", plan.eligibility.summary),
    ]
    options: list[tuple[str, str]] = []
    _flatten("", plan.options, options)
    context = {
        "title": f"Treatment calendar: patient {p.id}",
        "banner": plan.banner,
        "warnings": list(plan.warnings),
        "patient": patient,
        "protocol": {
            "id": plan.protocol.id,
            "version": plan.protocol.version,
            "title": plan.protocol.title,
            "approval": plan.protocol.approval.status,
        },
        "start": plan.start.isoformat(),
        "end": plan.schedule.end.isoformat(),
        "cycles": plan.cycles,
        "timezone": plan.timezone,
        "doses": [
            {
                "agent": agent_name(d.agent, plan.protocol),
                "dose": "not computed" if d.dose_mg is None else f"{d.dose_mg:g} mg",
                "route": _show(d.route) if d.route else "",
                "frequency": d.frequency or "",
                "basis": d.basis or "",
                "note": d.note or "",
            }
            for d in plan.doses
        ],
        "visits": [_visit(row, plan) for row in rows],
        "months": _months(plan, rows),
        "events": [
            {
                **{k: ("" if v is None else _show(v)) for k, v in row.items()},
                "summary": summary(row, plan.protocol),
            }
            for row in rows
        ],
        "options": options,
        "trail": [
            {
                "date": t.date.isoformat(),
                "rule": t.rule,
                "decision": t.decision,
                "inputs": "; ".join(f"{k} = {_show(v)}" for k, v in t.inputs.items()),
                "source": t.source,
            }
            for t in plan.schedule.trail
        ],
        "generated_on": plan.generated_on.isoformat(),
        "version": __version__,
    }
    return environment().get_template("plan.html.j2").render(**context)
