"""JSON contract, CSV, HTML (escaping, strict template) and the terminal table."""

from __future__ import annotations

import csv
import io
import json

import pytest
from jinja2 import StrictUndefined, UndefinedError
from rich.console import Console

from hccprotocol.render.csv_export import render_plan_csv
from hccprotocol.render.html import render_plan_html
from hccprotocol.render.jinja_env import environment
from hccprotocol.render.plan_json import render_plan_json
from hccprotocol.render.plan_table import render_plan_table
from tests.unit.schedule_support import patient, plan

EVENT_KEYS = {
    "date", "end_date", "time", "cycle", "cycle_day", "agent", "activity", "dose_mg", "route", "duration_h", "note",
    "rule",
}


def test_json_contract_keys() -> None:
    doc = json.loads(render_plan_json(plan(patient(pd1_agent="sintilimab"))))
    for key in ("patient_id", "protocol", "options", "start", "events"):
        assert key in doc
    assert doc["patient_id"] == "T1"
    assert doc["protocol"] == {"id": "haic-lenvatinib-pd1", "version": "1.1.0"}
    assert doc["start"] == "2027-01-04"
    assert all(set(e) == EVENT_KEYS for e in doc["events"])
    imaging = [e for e in doc["events"] if e["activity"] == "imaging"]
    assert imaging and all(e["agent"] is None for e in imaging)
    agents = {e["agent"] for e in doc["events"]} - {None}
    assert agents == {"oxaliplatin", "leucovorin", "fluorouracil", "lenvatinib", "sintilimab"}
    oral = next(e for e in doc["events"] if e["activity"] == "oral")
    assert oral["end_date"] is not None and oral["time"] is None
    admission = next(e for e in doc["events"] if e["activity"] == "admission")
    assert admission["time"] == "08:00"


def test_json_options_in_force() -> None:
    doc = json.loads(render_plan_json(plan(cycles=3, timezone="Asia/Shanghai")))
    opts = doc["options"]
    assert (opts["cycles"], opts["cycles_from"], opts["timezone"]) == (3, "--cycles", "Asia/Shanghai")
    assert opts["cycle_length_days"] == 21 and opts["systemic_start"]["default_day"] == 4
    assert opts["fluorouracil_infusion_hours"] == 46
    assert doc["eligibility"] == {"eligible": True, "summary": "eligible", "reasons": [], "forced": False}


def test_csv_has_the_json_columns_and_rows() -> None:
    p = plan()
    reader = list(csv.DictReader(io.StringIO(render_plan_csv(p))))
    assert set(reader[0]) == EVENT_KEYS
    assert len(reader) == len(p.events)
    first = reader[0]
    assert (first["date"], first["time"], first["activity"]) == ("2027-01-04", "08:00", "admission")
    assert first["agent"] == ""  # null -> empty cell


def test_forced_csv_carries_the_warning_on_every_line() -> None:
    reader = list(csv.DictReader(io.StringIO(render_plan_csv(plan(eligible=False, force=True)))))
    assert all(r["plan_warning"].startswith("FORCED CALENDAR: patient not eligible") for r in reader)


def test_html_sections_and_escaping() -> None:
    page = render_plan_html(plan(patient(id="<b>x</b>")))
    assert "&lt;b&gt;x&lt;/b&gt;" in page and "<b>x</b>" not in page
    for heading in ("Patient summary", "Doses at the start of treatment", "Calendar, month by month",
                    "Options in force", "Decision trail"):
        assert heading in page
    for month in ("January 2027", "February 2027", "March 2027"):
        assert month in page
    assert "@media print" in page


def test_forced_html_says_so_at_top_and_bottom_and_in_every_table_header() -> None:
    # Issue 13 changed this deliberately: the print banner was position: fixed and covered the first row of
    # every printed page after the first; it is now a row of each table's header (repeated per printed page).
    page = render_plan_html(plan(eligible=None, force=True))
    banner = "FORCED CALENDAR: patient eligibility undetermined"
    tables = page.count("<table")
    heads = page.count('<tr class="banner-row">')
    assert heads == tables - 1  # every table but the patient summary (a key-value list, first page)
    assert page.count(banner) == heads + 2  # plus the top of the page and the footer
    css = page[page.index("<style>") : page.index("</style>")]
    assert "position: fixed" not in css and "position: sticky" not in css and "position:fixed" not in css


def test_html_first_pages_are_for_the_patient_and_nurse_then_the_appendix() -> None:
    page = render_plan_html(plan(patient(pd1_agent="camrelizumab")))
    order = ["Visits and medicines, date by date", "Doses at the start of treatment", "Calendar, month by month",
             "Appendix A. Every dated activity", "Appendix B. Options in force", "Appendix C. Decision trail"]
    positions = [page.index(h) for h in order]
    assert positions == sorted(positions)
    visits = page[positions[0] : positions[1]]
    assert "schedule." not in visits  # no rule ids before the appendix
    # what to bring: the admission stay (cycle 1: 4 Jan 08:00 + 49 h) and the lenvatinib capsules (12 mg = 3 x 4 mg)
    assert "Mon 2027-01-04, 08:00" in visits and "Hospital stay until Wed 2027-01-06 (49 h from admission)" in visits
    assert "Take 3 x 4 mg capsules by mouth, once daily" in visits
    assert "Day-ward visit for the infusion (about 60 min)" in visits  # camrelizumab, pd1_infusion_minutes 60
    assert 'class="appendix"' in page


def test_template_environment_is_strict_and_autoescaping() -> None:
    env = environment()  # the environment the calendar renders with (render/jinja_env.py)
    assert env.undefined is StrictUndefined
    assert env.autoescape("plan.html.j2") is True  # type: ignore[operator]
    with pytest.raises(UndefinedError):
        env.get_template("plan.html.j2").render()


def test_table_shows_rows_and_warnings() -> None:
    console = Console(record=True, width=200, file=io.StringIO())
    render_plan_table(plan(eligible=False, force=True), console)
    text = console.export_text()
    assert text.count("FORCED CALENDAR") == 2
    assert "2027-01-25" in text and "admission" in text
