"""The public API (``hccprotocol.__all__``): every name importable, typed and documented; nothing else public.

Expected values come from outside the API: the CLI's JSON for the same request (the API is a thin
wrapper, so the two must be the same decision), and the hand-computed figures the CI smoke test
also checks for P01 (Mosteller BSA sqrt(68 x 172 / 3600) = 1.8025 m², Child-Pugh A, BCLC C).
"""

from __future__ import annotations

import datetime as dt
import inspect
import json
import subprocess
import sys
import typing
from importlib import resources
from pathlib import Path

import pytest
from typer.testing import CliRunner

import hccprotocol
from hccprotocol.cli import app

ROOT = Path(__file__).resolve().parents[2]
P01 = ROOT / "examples" / "p01-bclc-c-pvtt.yaml"
COURSE = ROOT / "examples" / "dosing-course-triple.yaml"
FUNCTIONS = ("assess", "course", "dose", "load_patient", "load_protocol", "plan")
MODELS = ("Assessment", "Course", "DosePlan", "HccProtocolError", "Patient", "Plan", "Protocol")


def test_all_is_exactly_the_functions_models_and_version() -> None:
    assert sorted(hccprotocol.__all__) == sorted([*FUNCTIONS, *MODELS, "__version__"])


@pytest.mark.parametrize("name", sorted(set(hccprotocol.__all__) - {"__version__"}))
def test_every_public_name_is_importable_documented_and_typed(name: str) -> None:
    namespace: dict[str, object] = {}
    exec(f"from hccprotocol import {name}", namespace)  # the import statement a user writes
    value = namespace[name]
    assert value is getattr(hccprotocol, name)
    assert (inspect.getdoc(value) or "").strip(), f"{name} has no docstring"
    if name in FUNCTIONS:
        assert inspect.isfunction(value)
        from hccprotocol.measures.bsa import BsaFormulaName
        from hccprotocol.schedule.site_calendar import SiteCalendar

        names = {n: getattr(hccprotocol, n) for n in MODELS} | {"BsaFormulaName": BsaFormulaName}
        hints = typing.get_type_hints(value, globalns=vars(hccprotocol) | names | {"SiteCalendar": SiteCalendar})
        params = inspect.signature(value).parameters
        assert set(params) <= set(hints) and "return" in hints, f"{name} is not fully annotated"
    else:
        assert inspect.isclass(value)


def test_a_fresh_import_is_cheap_and_exposes_nothing_else() -> None:
    code = (
        "import sys, inspect, json, hccprotocol\n"
        "public = [n for n, v in vars(hccprotocol).items() if not n.startswith('_') and not inspect.ismodule(v)]\n"
        "heavy = [m for m in ('pydantic', 'durable', 'pandas', 'jinja2', 'typer', 'rich', 'yaml')\n"
        "         if m in sys.modules]\n"
        "print(json.dumps({'public': public, 'heavy': heavy}))\n"
    )
    out = json.loads(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout)
    assert set(out["public"]) <= set(hccprotocol.__all__), out["public"]
    assert out["heavy"] == []


def test_the_course_function_survives_the_course_engine_being_imported() -> None:
    import hccprotocol.course.replay  # binds the subpackage to its parent
    from hccprotocol.course import replay_course

    assert inspect.isfunction(hccprotocol.course) and hccprotocol.course is not replay_course
    from hccprotocol import course

    assert course is hccprotocol.course


def test_py_typed_is_shipped() -> None:
    assert resources.files("hccprotocol").joinpath("py.typed").is_file()
    setup = (ROOT / "setup.py").read_text()
    assert '"hccprotocol": ["py.typed"]' in setup


def test_assess_gives_the_hand_computed_measures_and_the_cli_decision() -> None:
    patient = hccprotocol.load_patient(P01)
    result = hccprotocol.assess(patient)
    assert isinstance(result, hccprotocol.Assessment)
    assert result.derived.bsa_m2 == 1.8025
    cli = json.loads(CliRunner().invoke(app, ["assess", str(P01), "--format", "json"]).stdout)
    assert cli["derived"]["child_pugh"]["class"] == "A" and cli["derived"]["bclc_stage"] == "C"
    body = json.loads(json.dumps(result.to_json_dict()))
    assert body == {k: v for k, v in cli.items() if k not in {"as_of", "header"}}


def test_load_patient_reads_plain_data_and_refuses_a_bad_field() -> None:
    patient = hccprotocol.load_patient({"id": "X1", "weight_kg": 70})
    assert isinstance(patient, hccprotocol.Patient) and patient.weight_kg == 70
    with pytest.raises(hccprotocol.HccProtocolError) as info:
        hccprotocol.load_patient({"id": "X1", "weight_kg": -3})
    assert info.value.exit_code == 2


def test_dose_and_course_give_what_the_cli_gives() -> None:
    patient = hccprotocol.load_patient(COURSE)
    doses = hccprotocol.dose(patient, as_of=dt.date(2026, 10, 20))
    assert isinstance(doses, hccprotocol.DosePlan)
    cli = json.loads(CliRunner().invoke(app, ["dose", str(COURSE), "--as-of", "2026-10-20", "-f", "json"]).stdout)
    assert doses.model_dump(mode="json")["agents"] == cli["agents"]
    replay = hccprotocol.course(patient, as_of=dt.date(2026, 11, 17), protocol=hccprotocol.load_protocol())
    assert isinstance(replay, hccprotocol.Course)
    cli = json.loads(CliRunner().invoke(app, ["course", str(COURSE), "--as-of", "2026-11-17", "-f", "json"]).stdout)
    assert replay.to_json_dict()["current"] == cli["current"]


def test_plan_needs_a_timezone_and_otherwise_gives_the_cli_calendar() -> None:
    patient = hccprotocol.load_patient(P01)
    with pytest.raises(hccprotocol.HccProtocolError, match="time zone is required") as info:
        hccprotocol.plan(patient, start=dt.date(2027, 1, 4), allow_past=True)
    assert info.value.exit_code == 2
    calendar = hccprotocol.plan(patient, start=dt.date(2027, 1, 4), timezone="Asia/Shanghai", allow_past=True)
    assert isinstance(calendar, hccprotocol.Plan)
    args = ["plan", str(P01), "--start", "2027-01-04", "--timezone", "Asia/Shanghai", "--allow-past", "-f", "json"]
    cli = json.loads(CliRunner().invoke(app, args).stdout)
    body = json.loads(json.dumps(calendar.to_json_dict()))
    assert body == {k: v for k, v in cli.items() if k not in {"as_of", "header"}}
