"""The review report: a real run of every scenario, rendered, read back, shown in headless Chromium; sign-off flags.

The slow test runs ``hccprotocol review-report`` exactly as a reviewer would (it runs the whole
BDD suite in a subprocess). The sign-off tests use a copy of the features and an empty run, so
they only exercise the flags.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

import pytest
import yaml

from hccprotocol.review.catalogue import catalogue
from hccprotocol.review.cucumber import read_cucumber

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]


def _cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hccprotocol", *args], cwd=cwd, capture_output=True, text=True,
                          check=False, timeout=900)


class _Rows(HTMLParser):
    """Attributes of every <tr> carrying data-* attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "tr" and any(k.startswith("data-") for k in values):
            self.rows.append(values)


def _rows(html: str) -> list[dict[str, str | None]]:
    parser = _Rows()
    parser.feed(html)
    return parser.rows


@pytest.fixture(scope="module")
def full_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("review") / "report.html"
    done = _cli("review-report", "-o", str(out))
    assert done.returncode == 0, done.stdout + done.stderr
    return out


@pytest.mark.slow
def test_report_lists_every_rule_id_and_option_each_with_a_passing_scenario(full_report: Path) -> None:
    html = full_report.read_text(encoding="utf-8")
    rows = _rows(html)
    rules = {r["data-rule"]: int(r["data-passing"] or 0) for r in rows if r.get("data-rule")}
    options = {r["data-option"]: int(r["data-passing"] or 0) for r in rows if r.get("data-option")}
    assert set(rules) == set(catalogue().rules)
    assert [r for r, passing in rules.items() if passing < 1] == []
    assert set(options) == set(catalogue().options)
    assert [o for o, passing in options.items() if passing < 1] == []
    # 20 criteria, 7 findings, 70 transitions, 17 calendar rules, 6 course events, 4 lab triggers (the registry)
    assert len(catalogue().rules) == 124
    assert "Rule ids with at least one passing scenario: <strong>124 of 124</strong>" in html
    # provenance: both protocol files with their SHA-256, and the date
    import hashlib

    for name in ("haic-lenvatinib-pd1.yaml", "haic-lenvatinib.yaml"):
        assert hashlib.sha256((ROOT / "protocol" / name).read_bytes()).hexdigest() in html
    assert hashlib.sha256((ROOT / "rules/dose-modification-pd1.yaml").read_bytes()).hexdigest() in html
    # a scenario in Gherkin with its example table and a rule's statement and source
    assert "Scenario Outline: A FOLFOX hold not resolved within 30 days discontinues oxaliplatin" in html
    assert "folfox.persisting" in html and "HAIC still held after modification.folfox_persistence_days" in html
    # every field of an example patient file is shown under the step that loads it
    assert 'Example patient "p01-bclc-c-pvtt"' in html and "tace_history[1].viable_tumour_pct = 65.0" in html
    # the hand calculations written as comments, and the scenario descriptions (sources), are shown
    assert "# 2027-01-04 + 42 = 2027-02-15" in html
    assert "SYSUCC HAIC protocol (He 2017): &#34;The study treatment was stopped" in html


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists() and not os.environ.get("CI"),
                    reason="headless browser check needs Debian's chromium at /usr/bin/chromium (not installed)")
def test_report_renders_in_headless_chromium_and_prints_on_a4(full_report: Path, tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    profile.mkdir()
    shot, pdf = tmp_path / "report.png", tmp_path / "report.pdf"
    for extra in ([f"--screenshot={shot}", "--window-size=1000,1400"], [f"--print-to-pdf={pdf}",
                                                                         "--no-pdf-header-footer"]):
        done = subprocess.run([str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", *extra, full_report.as_uri()],
                              capture_output=True, text=True, timeout=300, check=False, cwd=tmp_path)
        assert done.returncode == 0, done.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1000, 1400)
    # the screenshot is not blank: the page drew text (many distinct byte values in the compressed image)
    assert len(set(data[100:5000])) > 200
    body = pdf.read_bytes()
    assert body.startswith(b"%PDF")
    # A4 is 210 x 297 mm = 595.3 x 841.9 points: every page of the print is A4 (not US Letter, 612 x 792)
    boxes = re.findall(rb"/MediaBox \[0 0 ([0-9.]+) ([0-9.]+)\]", body)
    assert len(boxes) >= 10
    assert all(abs(float(w) - 595.3) < 1 and abs(float(h) - 841.9) < 1 for w, h in boxes), set(boxes)


def _features_copy(tmp_path: Path) -> Path:
    target = tmp_path / "features"
    shutil.copytree(ROOT / "features", target)
    return target


def _report_of(features: Path, tmp_path: Path) -> str:
    empty = tmp_path / "empty-run.json"
    empty.write_text("[]", encoding="utf-8")
    out = tmp_path / "report.html"
    done = _cli("review-report", "--features", str(features), "--cucumber-json", str(empty), "-o", str(out))
    assert done.returncode == 0, done.stdout + done.stderr
    return out.read_text(encoding="utf-8")


def _feature_row(html: str, name: str) -> dict[str, str | None]:
    return next(r for r in _rows(html) if r.get("data-feature") == name)


def test_signoff_appends_a_record_and_an_edited_feature_is_flagged(tmp_path: Path) -> None:
    features = _features_copy(tmp_path)
    before = (features / "signoff.yaml").read_text(encoding="utf-8")
    done = _cli("signoff", "eligibility.feature", "--reviewer", "Dr A. Hepato", "--role", "hepatologist",
                "--features", str(features))
    assert done.returncode == 0, done.stderr
    after = (features / "signoff.yaml").read_text(encoding="utf-8")
    assert after.startswith(before)  # appended, nothing rewritten
    [record] = yaml.safe_load(after)
    import hashlib

    assert record["sha256"] == hashlib.sha256((features / "eligibility.feature").read_bytes()).hexdigest()
    assert (record["feature"], record["reviewer"], record["role"]) == ("eligibility.feature", "Dr A. Hepato",
                                                                      "hepatologist")
    shipped = yaml.safe_load((ROOT / "protocol/haic-lenvatinib-pd1.yaml").read_text(encoding="utf-8"))
    assert record["protocol_version"] == shipped["version"]
    assert record["rules"]["inclusion.ecog_0_1"] == catalogue().rules["inclusion.ecog_0_1"].fingerprint

    html = _report_of(features, tmp_path)
    row = _feature_row(html, "eligibility.feature")
    assert (row["data-signed"], row["data-changed"]) == ("true", "false")
    assert _feature_row(html, "dosing.feature")["data-signed"] == "false"
    assert "CHANGED SINCE SIGN-OFF" not in html

    with (features / "eligibility.feature").open("a", encoding="utf-8") as fh:
        fh.write("  # a reviewer's proposed change\n")
    html = _report_of(features, tmp_path)
    assert _feature_row(html, "eligibility.feature")["data-changed"] == "true"
    assert "CHANGED SINCE SIGN-OFF" in html

    done = _cli("signoff", "eligibility.feature", "--reviewer", "Dr A. Hepato", "--role", "hepatologist",
                "--features", str(features))
    assert done.returncode == 0, done.stderr
    assert len(yaml.safe_load((features / "signoff.yaml").read_text(encoding="utf-8"))) == 2
    assert _feature_row(_report_of(features, tmp_path), "eligibility.feature")["data-changed"] == "false"


def test_a_rule_changed_since_its_signoff_is_flagged(tmp_path: Path) -> None:
    features = _features_copy(tmp_path)
    assert _cli("signoff", "measures.feature", "--reviewer", "P. Harm", "--role", "oncology pharmacist",
                "--features", str(features)).returncode == 0
    assert _cli("signoff", "eligibility.feature", "--reviewer", "P. Harm", "--role", "oncology pharmacist",
                "--features", str(features)).returncode == 0
    path = features / "signoff.yaml"
    # the signed fingerprint of one rule no longer matches its definition, as after an edit of the rule file
    current = catalogue().rules["inclusion.ecog_0_1"].fingerprint
    path.write_text(path.read_text(encoding="utf-8").replace(current, "a" * 64), encoding="utf-8")
    html = _report_of(features, tmp_path)
    assert _feature_row(html, "eligibility.feature")["data-changed-rules"] == "inclusion.ecog_0_1"
    assert _feature_row(html, "measures.feature")["data-changed-rules"] == ""
    assert "rules changed since sign-off: inclusion.ecog_0_1" in html


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no-such.feature", "--reviewer", "A", "--role", "B"], "is not a .feature file"),
        (["eligibility.feature", "--reviewer", " ", "--role", "B"], "--reviewer/--role"),
    ],
)
def test_signoff_refuses_a_bad_request(tmp_path: Path, args: list[str], message: str) -> None:
    features = _features_copy(tmp_path)
    done = _cli("signoff", *args, "--features", str(features))
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert yaml.safe_load((features / "signoff.yaml").read_text(encoding="utf-8")) is None


def test_review_report_outside_a_checkout_is_an_input_error(tmp_path: Path) -> None:
    done = _cli("review-report", "-o", str(tmp_path / "r.html"), cwd=tmp_path)
    assert done.returncode == 2
    assert "no source checkout" in done.stderr
    assert not (tmp_path / "r.html").exists()


def test_cucumber_json_rows_follow_the_examples_order(tmp_path: Path) -> None:
    """pytest-bdd 9 writes one element per example row, in order, with the Scenario line (hand-written JSON)."""
    ok = {"keyword": "Given", "name": "x", "line": 5, "match": {"location": ""},
          "result": {"status": "passed", "duration": 1}}
    bad = {**ok, "keyword": "Then", "name": "it fails", "result": {"status": "failed", "duration": 1}}
    data = [{"uri": "features/a.feature", "elements": [
        {"line": 4, "id": "test_o[1]", "steps": [ok, ok]},
        {"line": 4, "id": "test_o[2]", "steps": [ok, bad]},
        {"line": 9, "id": "test_p", "steps": [ok]},
        {"line": 12, "id": "test_q", "steps": []},
    ]}]
    path = tmp_path / "c.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    run = read_cucumber(path)
    got = [(r.file, r.line, r.row, r.status, r.failed_step) for r in run.runs]
    uri = "features/a.feature"
    assert got == [(uri, 4, 0, "passed", None), (uri, 4, 1, "failed", "Then it fails"),
                   (uri, 9, 0, "passed", None), (uri, 12, 0, "not run", None)]
    assert [r.row for r in run.for_scenario("features", "a.feature", 4)] == [0, 1]
    assert run.for_scenario("other", "a.feature", 4) == []


def test_the_template_is_package_data() -> None:
    assert resources.files("hccprotocol.render").joinpath("templates/review-report.html.j2").is_file()
    assert '"hccprotocol.render": ["templates/*"]' in (ROOT / "setup.py").read_text(encoding="utf-8")


def test_a_rule_whose_only_scenario_fails_has_no_passing_scenario_in_the_report() -> None:
    """Every scenario passed except the only one of a rule: the report names that rule, and only it."""
    import datetime as dt

    from hccprotocol.review.cucumber import RunResult, ScenarioRun
    from hccprotocol.review.features import parse_features
    from hccprotocol.review.report import build_report, render_report
    from hccprotocol.review.traceability import coverage

    features = ROOT / "features"
    only = {r: keys[0] for r, keys in coverage(catalogue(), features).rules.items() if len(keys) == 1}
    rule, key = sorted(only.items())[0]
    runs = []
    for doc in parse_features(features):
        for sc in doc.scenarios:
            for row in range(max(1, sum(len(e.rows) for e in sc.examples))):
                failed = f"{sc.file}:{sc.line}" == key and row == 0
                runs.append(ScenarioRun(file=f"features/{sc.file}", line=sc.line, row=row, test_id="t",
                                        status="failed" if failed else "passed",
                                        failed_step="Then x" if failed else None))
    report = build_report(catalogue(), features, RunResult(runs=tuple(runs)), today=dt.date(2026, 12, 2))
    assert report.rules_without_passing == (rule,)
    assert report.totals["failed_tests"] == 1
    html = render_report(report)
    assert f'data-rule="{rule}" data-passing="0"' in html
    assert "Failed at: Then x" in html


@pytest.mark.parametrize("text", ["{}", "not json", '[{"name": "no uri"}]'])
def test_a_file_that_is_not_a_cucumber_report_is_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / "c.json"
    path.write_text(text, encoding="utf-8")
    done = _cli("review-report", "--cucumber-json", str(path), "-o", str(tmp_path / "r.html"))
    assert done.returncode == 2, done.stderr
    assert "--cucumber-json" in done.stderr
    assert not (tmp_path / "r.html").exists()
