"""Issue 13, CLI and outputs: --version, '-' as stdin, -o FILE, JSON errors, exit codes 0/1/2/3,
the provenance header in every JSON output, and JSON Schemas checked against real outputs."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from hccprotocol import __version__
from hccprotocol.cli import BSA_FORMULAS, DEFAULT_PROTOCOL, app
from hccprotocol.schedule import clock

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
P01 = EXAMPLES / "p01-bclc-c-pvtt.yaml"
P07 = EXAMPLES / "p07-missing-inr.yaml"
COURSE = EXAMPLES / "dosing-course-triple.yaml"
runner = CliRunner()


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(clock.ENV, "2026-12-01")


def run(*args: str, stdin: str | None = None) -> Any:
    return runner.invoke(app, list(args), input=stdin)


# The commands as an integrator calls them, each with --format json.
COMMANDS: dict[str, list[str]] = {
    "assess": ["assess", str(P01), "-f", "json"],
    "dose": ["dose", str(P01), "--as-of", "2026-08-25", "-f", "json"],
    "course": ["course", str(COURSE), "--as-of", "2026-11-17", "-f", "json"],
    "plan": ["plan", str(P01), "--start", "2027-01-04", "--timezone", "Asia/Shanghai", "-f", "json"],
}


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0 and result.stdout.strip() == f"hccprotocol {__version__}"


def test_lazy_constants_match_the_modules_they_stand_for() -> None:
    from hccprotocol.measures.bsa import FORMULAS
    from hccprotocol.protocol import DEFAULT_PROTOCOL as REAL_DEFAULT

    assert set(BSA_FORMULAS) == set(FORMULAS) and DEFAULT_PROTOCOL == REAL_DEFAULT


def test_help_lists_every_command() -> None:
    result = run("--help")
    assert result.exit_code == 0
    for name in ("assess", "dose", "course", "plan", "schema"):
        assert name in result.stdout


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_json_output_carries_patient_as_of_version_and_header(name: str) -> None:
    result = run(*COMMANDS[name])
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    header = out["header"]
    assert out["patient_id"] == "P01" if name != "course" else out["patient_id"] == "DOSING-COURSE-1"
    assert out["hccprotocol_version"] == header["tool_version"] == __version__
    assert out["as_of"] == header["as_of"]
    expected_as_of = {"assess": None, "dose": "2026-08-25", "course": "2026-11-17", "plan": "2026-12-01"}[name]
    if expected_as_of is not None:
        assert out["as_of"] == expected_as_of
    shipped = ROOT / "protocol" / "haic-lenvatinib-pd1.yaml"
    assert header["protocol"] == {
        "id": "haic-lenvatinib-pd1",
        "version": header["protocol"]["version"],
        "file": "protocol/haic-lenvatinib-pd1.yaml",
        "sha256": hashlib.sha256(shipped.read_bytes()).hexdigest(),
        "shipped": True,
    }
    ids = [r["id"] for r in header["rule_files"]]
    assert ids[:2] == ["jsh-lcsgj-2014", "lin-2023-eligibility"]
    assert {"dose-modification-lenvatinib", "dose-modification-folfox", "dose-modification-pd1"} <= set(ids)
    assert all(r["shipped"] for r in header["rule_files"])


def test_a_site_copy_is_reported_under_its_own_id_version_and_hash(tmp_path: Path) -> None:
    shipped = (ROOT / "protocol" / "haic-lenvatinib-pd1.yaml").read_text(encoding="utf-8")
    site = tmp_path / "site-protocol.yaml"
    text = shipped.replace("fluorouracil_infusion_hours: 46", "fluorouracil_infusion_hours: 23", 1)
    assert text != shipped
    site.write_text(text, encoding="utf-8")
    out = json.loads(run("dose", str(P01), "--as-of", "2026-08-25", "--protocol", str(site), "-f", "json").stdout)
    protocol = out["header"]["protocol"]
    assert protocol["shipped"] is False and protocol["file"] == str(site)
    assert protocol["sha256"] == hashlib.sha256(site.read_bytes()).hexdigest()
    assert protocol["sha256"] != hashlib.sha256(shipped.encode()).hexdigest()


def test_course_json_includes_its_warnings() -> None:
    out = json.loads(run(*COMMANDS["course"]).stdout)
    assert isinstance(out["warnings"], list)
    assert {"events", "current"} <= set(out)


@pytest.mark.parametrize("name", list(COMMANDS))
def test_dash_reads_the_record_from_stdin(name: str) -> None:
    args = list(COMMANDS[name])
    path = Path(args[1])
    args[1] = "-"
    from_stdin = run(*args, stdin=path.read_text(encoding="utf-8"))
    from_file = run(*COMMANDS[name])
    assert from_stdin.exit_code == 0, from_stdin.stderr
    assert json.loads(from_stdin.stdout)["patient_id"] == json.loads(from_file.stdout)["patient_id"]
    strip = {"header"}
    assert {k: v for k, v in json.loads(from_stdin.stdout).items() if k not in strip} == {
        k: v for k, v in json.loads(from_file.stdout).items() if k not in strip
    }


def test_stdin_json_record_and_empty_stdin() -> None:
    record = json.dumps({"id": "S1", "weight_kg": 70.0, "height_cm": 170.0})
    out = json.loads(run("assess", "-", "-f", "json", stdin=record).stdout)
    assert out["patient_id"] == "S1" and out["derived"]["bsa_m2"] == 1.8181  # sqrt(170*70/3600) = 1.81812
    empty = run("assess", "-", stdin="")
    assert empty.exit_code == 2 and "standard input" in empty.stderr


@pytest.mark.parametrize("name", list(COMMANDS))
def test_dash_o_file_and_dash_o_dash(name: str, tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    to_file = run(*COMMANDS[name], "-o", str(target))
    assert to_file.exit_code == 0, to_file.stderr
    assert to_file.stdout == ""
    to_stdout = run(*COMMANDS[name], "-o", "-")
    assert json.loads(target.read_text(encoding="utf-8"))["patient_id"] == json.loads(to_stdout.stdout)["patient_id"]


def test_schema_and_table_take_dash_o(tmp_path: Path) -> None:
    target = tmp_path / "schema.json"
    assert run("schema", "assess", "-o", str(target)).exit_code == 0
    assert json.loads(target.read_text())["title"] == "AssessOutput"
    table = tmp_path / "assess.txt"
    assert run("assess", str(P01), "-o", str(table)).exit_code == 0
    lines = table.read_text(encoding="utf-8").splitlines()
    assert lines and max(len(line) for line in lines) <= 140


def test_json_errors_go_to_stderr_as_json(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"id": "B", "weight_kg": 700.0}))
    result = run("assess", str(bad), "-f", "json")
    assert result.exit_code == 2 and result.stdout == ""
    error = json.loads(result.stderr)
    assert error["code"] == "patient.invalid"
    assert error["field"] == "weight_kg" and error["value"] == 700.0
    assert "25" in error["message"] + json.dumps(error["issues"])
    table = run("assess", str(bad))
    assert table.exit_code == 2 and table.stderr.startswith("error [patient.invalid]")


def test_json_error_for_an_option_names_no_field() -> None:
    result = run("dose", str(P01), "--as-of", "yesterday", "-f", "json")
    assert result.exit_code == 2
    error = json.loads(result.stderr)
    assert error["code"] == "option.invalid" and error["field"] == "--as-of"
    assert set(error) >= {"code", "message", "field", "value"}


def test_exit_3_for_a_clinical_gate_and_json_error() -> None:
    result = run("plan", str(P07), "--start", "2027-01-04", "--timezone", "UTC", "-f", "json")
    assert result.exit_code == 3
    error = json.loads(result.stderr)
    assert error["code"] == "clinical.refused" and "undetermined" in error["message"]
    forced = run("plan", str(P07), "--start", "2027-01-04", "--timezone", "UTC", "-f", "json", "--force")
    assert forced.exit_code == 0


def test_assess_of_an_ineligible_patient_is_a_result_not_a_refusal() -> None:
    result = run("assess", str(EXAMPLES / "p06-ineligible-ecog2-prior-immunotherapy.yaml"), "-f", "json")
    assert result.exit_code == 0 and json.loads(result.stdout)["eligible"] is False


def test_internal_error_as_json(monkeypatch: pytest.MonkeyPatch) -> None:
    import hccprotocol.assessment as assessment

    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("simulated defect")

    monkeypatch.setattr(assessment, "assess", broken)
    result = run("assess", str(P01), "-f", "json")
    assert result.exit_code == 1
    assert json.loads(result.stderr)["code"] == "internal"


# -- JSON Schemas ---------------------------------------------------------------------------------


def schema_of(name: str) -> dict[str, Any]:
    result = run("schema", name)
    assert result.exit_code == 0, result.stderr
    schema: dict[str, Any] = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


@pytest.mark.parametrize("name", list(COMMANDS))
def test_real_outputs_validate_against_their_schema(name: str) -> None:
    schema = schema_of(name)
    out = json.loads(run(*COMMANDS[name]).stdout)
    jsonschema.Draft202012Validator(schema).validate(out)
    broken = dict(out)
    broken["unexpected_key"] = 1
    assert not jsonschema.Draft202012Validator(schema).is_valid(broken)


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("p*.*")))
def test_every_example_assessment_validates(example: str) -> None:
    out = json.loads(run("assess", str(EXAMPLES / example), "-f", "json").stdout)
    jsonschema.Draft202012Validator(schema_of("assess")).validate(out)


def test_forced_plan_validates() -> None:
    args = ["plan", str(P07), "--start", "2027-01-04", "--timezone", "UTC", "-f", "json", "--force"]
    out = json.loads(run(*args).stdout)
    jsonschema.Draft202012Validator(schema_of("plan")).validate(out)


@pytest.mark.parametrize(
    ("field", "low", "high"),
    [("weight_kg", 25, 350), ("height_cm", 100, 250), ("age_years", 1, 120)],  # limits.py, the one table
)
def test_patient_schema_carries_the_plausibility_limits(field: str, low: float, high: float) -> None:
    schema = schema_of("patient")
    validator = jsonschema.Draft202012Validator(schema)
    assert validator.is_valid({"id": "X", field: low}) and validator.is_valid({"id": "X", field: high})
    assert not validator.is_valid({"id": "X", field: high + 0.1})
    assert not validator.is_valid({"id": "X", field: low - 0.1})


def test_patient_schema_rejects_700_kg_and_nested_limits() -> None:
    validator = jsonschema.Draft202012Validator(schema_of("patient"))
    assert not validator.is_valid({"id": "X", "weight_kg": 700})
    assert not validator.is_valid({"id": "X", "liver": {"albumin_g_l": 3.5}})
    assert validator.is_valid({"id": "X", "liver": {"albumin_g_l": 35}})


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["assess", str(P01), "-f", "json", "--bsa-formula", "magic"], "--bsa-formula"),
        (["plan", str(P01), "--format", "json", "--no-such-option"], None),
        (["plan", str(P01), "--format=json", "--timezone", "UTC"], "--start"),  # required option missing
    ],
)
def test_usage_errors_are_json_too_with_format_json(args: list[str], field: str | None) -> None:
    result = run(*args)
    assert result.exit_code == 2 and result.stdout == ""
    error = json.loads(result.stderr)
    assert error["code"] == "usage.invalid" and error["field"] == field and error["message"]


def test_usage_errors_stay_plain_text_without_json() -> None:
    result = run("assess", str(P01), "--bsa-formula", "magic")
    assert result.exit_code == 2 and "Invalid value" in result.stderr
    with pytest.raises(json.JSONDecodeError):
        json.loads(result.stderr)
