"""``hccprotocol rules`` and the shipped-file list of the protocol model (issue 10).

Expected values are read independently of the code under test: rule ids, titles,
sources and versions with ``yaml.safe_load`` of the fixture file, the SHA-256 with
hashlib over its bytes, the line by searching its text for ``- id: <rule>``.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from hccprotocol.cli import app
from hccprotocol.model import shipped

ROOT = Path(__file__).parent.parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "model"
SMALL = ("criteria-small.yaml", "dose-small.yaml", "calendar-small.yaml")
HEADER_KEYS = {"tool_version", "protocol", "rule_files", "as_of"}

runner = CliRunner()


def _clear() -> None:
    shipped.load_shipped.cache_clear()
    shipped._load_cached.cache_clear()


@pytest.fixture
def fixture_rules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A rules folder holding the small fixture files, declared as the files on the model."""
    folder = tmp_path / "rules"
    folder.mkdir()
    for name in SMALL:
        shutil.copy(FIXTURES / name, folder / name)
    shutil.copy(ROOT / "rules" / shipped.CATEGORIES_FILE, folder / shipped.CATEGORIES_FILE)
    monkeypatch.setattr(shipped, "rules_dir", lambda: folder)
    monkeypatch.setattr(shipped, "SHIPPED_RULE_FILES", SMALL)
    _clear()
    yield folder
    _clear()


def _expected(path: Path) -> list[dict[str, Any]]:
    data = yaml.safe_load(path.read_text())
    lines = path.read_text().splitlines()
    out = []
    for section in ("session_findings", "criteria", "transitions", "calendar"):
        for rule in data.get(section, []):
            line = next(i for i, text in enumerate(lines, 1) if text.strip() == f"- id: {rule['id']}")
            out.append(
                {
                    "id": rule["id"],
                    "title": rule["title"],
                    "source": rule["source"],
                    "version": rule.get("version", data["version"]),
                    "file_id": data["id"],
                    "file_version": data["version"],
                    "file_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                    "line": line,
                }
            )
    return out


def test_every_rules_file_is_on_the_model_or_listed_as_not_yet() -> None:
    on_disk = {p.name for p in (ROOT / "rules").glob("*.yaml")}
    assert not set(shipped.SHIPPED_RULE_FILES) & set(shipped.NOT_YET_ON_MODEL)
    assert not set(shipped.SHIPPED_RULE_FILES) & set(shipped.DATA_FILES)
    assert on_disk == set(shipped.SHIPPED_RULE_FILES) | set(shipped.DATA_FILES) | set(shipped.NOT_YET_ON_MODEL)
    assert shipped.NOT_YET_ON_MODEL == ()  # issue 10: every shipped file loads through the model
    assert len(shipped.SHIPPED_RULE_FILES) == len(set(shipped.SHIPPED_RULE_FILES))


def test_the_shipped_rules_folder_is_the_package_data_folder() -> None:
    assert shipped.rules_dir().resolve() == (ROOT / "rules").resolve()


def test_every_file_on_the_model_loads_and_the_registry_has_unique_ids() -> None:
    from hccprotocol.model import registry

    _clear()
    files = shipped.load_shipped()
    assert [f.file for f in files] == [f"rules/{n}" for n in shipped.SHIPPED_RULE_FILES]
    entries = registry(files)
    assert len({e.id for e in entries}) == len(entries)
    assert shipped.load_shipped() is files  # cached: loaded once per process


def test_rules_json_lists_every_fixture_rule_with_file_source_version_and_line(fixture_rules: Path) -> None:
    result = runner.invoke(app, ["rules", "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    expected = [e for name in SMALL for e in _expected(fixture_rules / name)]
    assert len(expected) == 3 + 3 + 1
    got = [{k: r[k] for k in expected[0]} for r in doc["rules"]]
    assert got == expected
    assert {r["file"] for r in doc["rules"]} == {f"rules/{n}" for n in SMALL}
    assert {r["kind"] for r in doc["rules"]} == {"Criterion", "Transition", "CalendarRule"}
    assert doc["not_on_model"] == [f"rules/{n}" for n in shipped.NOT_YET_ON_MODEL]


def test_rules_json_carries_the_standard_header_with_the_model_files(fixture_rules: Path) -> None:
    doc = json.loads(runner.invoke(app, ["rules", "--format", "json"]).stdout)
    header = doc["header"]
    assert set(header) == HEADER_KEYS
    assert header["protocol"]["id"] == "haic-lenvatinib-pd1" and header["protocol"]["shipped"] is True
    by_id = {r["id"]: r for r in header["rule_files"]}
    for name in SMALL:
        data = yaml.safe_load((fixture_rules / name).read_text())
        entry = by_id[data["id"]]
        assert entry["version"] == data["version"]
        assert entry["sha256"] == hashlib.sha256((fixture_rules / name).read_bytes()).hexdigest()
    assert doc["as_of"] == header["as_of"]


def test_rules_table_is_readable_at_80_columns(fixture_rules: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    result = runner.invoke(app, ["rules"])
    assert result.exit_code == 0, result.output
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    for name in SMALL:
        for rule in _expected(fixture_rules / name):
            assert rule["id"] in result.stdout  # never cut mid-word
    assert "7 rules in 3 files." in result.stdout


def test_a_site_eligibility_copy_is_reported_under_its_own_id_version_and_hash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The shipped criteria file is on the model; a site protocol names its own copy, which the header reports."""
    folder = tmp_path / "rules"
    folder.mkdir()
    shutil.copy(FIXTURES / "criteria-small.yaml", folder / "lin-2023-eligibility.yaml")
    shutil.copy(ROOT / "rules" / shipped.CATEGORIES_FILE, folder / shipped.CATEGORIES_FILE)
    monkeypatch.setattr(shipped, "rules_dir", lambda: folder)
    monkeypatch.setattr(shipped, "SHIPPED_RULE_FILES", ("lin-2023-eligibility.yaml",))
    site_rules = tmp_path / "site-criteria.yaml"
    text = (FIXTURES / "criteria-small.yaml").read_text()
    site_rules.write_text(text.replace("id: fixture-criteria", "id: site-criteria").replace('"1.0.0"', '"7.3.1"', 1))
    site_protocol = tmp_path / "site-protocol.yaml"
    data = yaml.safe_load((ROOT / "protocol" / "haic-lenvatinib-pd1.yaml").read_text())
    data["eligibility"]["criteria_rules"] = str(site_rules)
    site_protocol.write_text(yaml.safe_dump(data, sort_keys=False))
    _clear()
    try:
        result = runner.invoke(app, ["rules", "--format", "json", "--protocol", str(site_protocol)])
    finally:
        _clear()
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    entry = next(r for r in doc["header"]["rule_files"] if r["id"] == "site-criteria")
    assert entry == {
        "id": "site-criteria",
        "version": "7.3.1",
        "file": str(site_rules),
        "sha256": hashlib.sha256(site_rules.read_bytes()).hexdigest(),
        "shipped": False,
    }
    assert {r["file_id"] for r in doc["rules"]} == {"site-criteria"}
    assert doc["header"]["protocol"]["shipped"] is False


def test_a_misspelt_key_in_a_file_on_the_model_is_refused_with_its_line(fixture_rules: Path) -> None:
    path = fixture_rules / "calendar-small.yaml"
    path.write_text(path.read_text().replace("    statement:", "    statment:", 1))
    _clear()
    result = runner.invoke(app, ["rules", "--format", "json"])
    assert result.exit_code == 2
    error = json.loads(result.stderr)
    line = next(i for i, t in enumerate(path.read_text().splitlines(), 1) if "statment:" in t)
    assert error["message"].startswith("rules/calendar-small.yaml:")
    assert any(
        issue["path"].startswith(f"rules/calendar-small.yaml:{line} ") and "statment" in issue["message"]
        for issue in error["issues"]
    ), error["issues"]


def test_rules_json_validates_against_schema_rules(fixture_rules: Path) -> None:
    import jsonschema

    schema = json.loads(runner.invoke(app, ["schema", "rules"]).stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    doc = json.loads(runner.invoke(app, ["rules", "--format", "json"]).stdout)
    jsonschema.Draft202012Validator(schema).validate(doc)
    broken = {**doc, "rules": [{**doc["rules"][0], "line": "first"}]}
    assert not jsonschema.Draft202012Validator(schema).is_valid(broken)


def test_rules_lists_every_rule_of_the_files_shipped_on_the_model() -> None:
    """With the real rules/ folder: every rule id of every file on the model, read from the files themselves."""
    _clear()
    doc = json.loads(runner.invoke(app, ["rules", "--format", "json"]).stdout)
    expected = [
        rule["id"]
        for name in shipped.SHIPPED_RULE_FILES
        for section, rules in yaml.safe_load((ROOT / "rules" / name).read_text()).items()
        if section in ("session_findings", "criteria", "transitions", "calendar")
        for rule in rules
    ]
    course = yaml.safe_load((ROOT / "rules" / "dose-modification-course.yaml").read_text())
    expected += [r["id"] for r in course["persistence"] + course["lab_events"]] + [course["precycle"]["id"]]
    expected += [t["id"] for t in yaml.safe_load((ROOT / "rules" / "ctcae-lab-grading.yaml").read_text())["triggers"]]
    assert sorted(r["id"] for r in doc["rules"]) == sorted(expected)
    assert len(expected) == 124  # 20 criteria, 7 findings, 70 transitions, 17 calendar, 6 course events, 4 lab triggers
    header_ids = {r["id"] for r in doc["header"]["rule_files"]}
    for name in shipped.SHIPPED_RULE_FILES:
        assert yaml.safe_load((ROOT / "rules" / name).read_text())["id"] in header_ids
    assert doc["not_on_model"] == [f"rules/{n}" for n in shipped.NOT_YET_ON_MODEL]


OUTPUTS: dict[str, list[str]] = {
    "assess": ["assess", "examples/p01-bclc-c-pvtt.yaml", "-f", "json"],
    "dose": ["dose", "examples/p01-bclc-c-pvtt.yaml", "--as-of", "2026-08-25", "-f", "json"],
    "course": ["course", "examples/dosing-course-triple.yaml", "--as-of", "2026-11-17", "-f", "json"],
    "plan": ["plan", "examples/p01-bclc-c-pvtt.yaml", "--start", "2027-01-04", "--timezone", "Asia/Shanghai",
             "--allow-past", "-f", "json"],
}


@pytest.mark.parametrize("name", list(OUTPUTS))
def test_every_output_header_reports_the_files_on_the_model(
    name: str, fixture_rules: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    result = runner.invoke(app, OUTPUTS[name])
    assert result.exit_code == 0, result.output
    header = json.loads(result.stdout)["header"]
    assert set(header) == HEADER_KEYS
    by_id = {r["id"]: r for r in header["rule_files"]}
    for file in SMALL:
        data = yaml.safe_load((fixture_rules / file).read_text())
        assert by_id[data["id"]]["version"] == data["version"]
        assert by_id[data["id"]]["sha256"] == hashlib.sha256((fixture_rules / file).read_bytes()).hexdigest()
    assert {"jsh-lcsgj-2014", "lin-2023-eligibility", "dose-modification-pd1"} <= set(by_id)  # not yet on the model
