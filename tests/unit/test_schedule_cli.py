"""``hccprotocol plan``: formats, -o FILE, exit code 2 for bad input, no traceback.

The eligibility, dosing and course providers are replaced by fixed ones
(``schedule_support.providers``) so that these tests check the command itself;
``test_schedule_integration.py`` runs the real engines.
"""

from __future__ import annotations

import json
from pathlib import Path

import icalendar
import pytest
from typer.testing import CliRunner

from hccprotocol.cli import app
from hccprotocol.commands import plan as command
from hccprotocol.schedule import clock
from tests.unit.schedule_support import providers

ROOT = Path(__file__).resolve().parents[2]
P01 = str(ROOT / "examples" / "p01-bclc-c-pvtt.yaml")
runner = CliRunner()


@pytest.fixture(autouse=True)
def fixed_world(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(clock.ENV, "2026-12-01")
    monkeypatch.setattr(command, "default_providers", lambda: providers(eligible=True))


def plan_cli(*args: str, zone: str | None = "Asia/Shanghai") -> tuple[int, str, str]:
    """Run ``plan``; issue 13: the site zone is required, so it is given unless the test sets it (or ``zone=None``)."""
    extra = ["--timezone", zone] if zone is not None and "--timezone" not in args else []
    result = runner.invoke(app, ["plan", *args, *extra])
    return result.exit_code, result.stdout, result.stderr


def test_json_to_stdout() -> None:
    code, out, _ = plan_cli(P01, "--start", "2027-01-04", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["patient_id"] == "P01" and doc["start"] == "2027-01-04"
    assert [e["date"] for e in doc["events"] if e["activity"] == "admission"] == [
        "2027-01-04", "2027-01-25", "2027-02-15", "2027-03-08"
    ]


@pytest.mark.parametrize("fmt", ["json", "csv", "ics", "html", "table"])
def test_every_format_to_a_file(fmt: str, tmp_path: Path) -> None:
    target = tmp_path / f"plan.{fmt}"
    code, out, err = plan_cli(P01, "--start", "2027-01-04", "--format", fmt, "-o", str(target), "--cycles", "2")
    assert code == 0, err
    assert out == ""
    assert target.stat().st_size > 500
    assert f"wrote {fmt} calendar" in err
    if fmt == "ics":
        cal = icalendar.Calendar.from_ical(target.read_bytes())
        assert not [c for c in cal.walk() if c.errors]


def test_protocol_timezone_and_site_calendar_options(tmp_path: Path) -> None:
    site = tmp_path / "site.json"
    site.write_text(json.dumps({"closed_dates": [{"date": "2027-01-25", "reason": "holiday"}]}))
    code, out, err = plan_cli(
        P01, "--start", "2027-01-04", "--format", "json", "--protocol", "haic-lenvatinib",
        "--timezone", "Asia/Shanghai", "--site-calendar", str(site), "--cycles", "2",
    )
    assert code == 0, err
    doc = json.loads(out)
    assert doc["protocol"]["id"] == "haic-lenvatinib"
    assert doc["options"]["timezone"] == "Asia/Shanghai"
    assert doc["options"]["site_calendar"]["closed_dates"] == [{"date": "2027-01-25", "reason": "holiday"}]
    assert [e["date"] for e in doc["events"] if e["activity"] == "admission"] == ["2027-01-04", "2027-01-26"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--start", "2027-02-30"], "not a real calendar date"),
        (["--start", "04.01.2027"], "YYYY-MM-DD"),
        (["--start", "2026-11-30"], "in the past"),
        (["--start", "2027-01-04", "--cycles", "0"], "at least 1"),
        (["--start", "2027-01-04", "--cycles", "-2"], "at least 1"),
        (["--start", "2027-01-04", "--cycles", "9"], "use --force"),
        (["--start", "2027-01-04", "--timezone", "Nowhere/City"], "IANA"),
        (["--start", "2027-01-04", "--protocol", "no-such-arm"], "unknown protocol"),
    ],
)
def test_bad_input_exits_2_with_a_message(args: list[str], message: str) -> None:
    code, out, err = plan_cli(P01, *args)
    assert code == 2
    assert message in err
    assert "Traceback" not in err + out


def test_site_calendar_blocking_the_start_window_exits_2(tmp_path: Path) -> None:
    site = tmp_path / "site.yaml"
    site.write_text("closed_dates: [2027-01-07, 2027-01-08, 2027-01-09]\n")
    code, _, err = plan_cli(P01, "--start", "2027-01-04", "--site-calendar", str(site))
    assert code == 2 and "blocks every day of the window" in err


def test_allow_past() -> None:
    code, _, err = plan_cli(P01, "--start", "2026-11-30", "--allow-past", "--format", "json")
    assert code == 0, err


def test_not_eligible_needs_force(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(command, "default_providers", lambda: providers(eligible=False))
    code, _, err = plan_cli(P01, "--start", "2027-01-04")
    assert code == 3 and "not eligible" in err  # issue 13: a clinical-gate refusal exits 3 (was 2)
    code, out, _ = plan_cli(P01, "--start", "2027-01-04", "--force", "--format", "json")
    assert code == 0
    assert json.loads(out)["eligibility"]["forced"] is True


def test_no_silent_utc_the_zone_is_required(tmp_path: Path) -> None:
    code, out, err = plan_cli(P01, "--start", "2027-01-04", zone=None)
    assert code == 2 and out == ""
    assert "--timezone" in err and "never assumes UTC" in err
    site = tmp_path / "site.yaml"
    site.write_text("closed_weekdays: [sunday]\n")
    code, _, err = plan_cli(P01, "--start", "2027-01-04", "--site-calendar", str(site), zone=None)
    assert code == 2 and "--timezone" in err  # a site calendar without a zone does not supply one


def test_the_site_calendar_zone_is_the_default(tmp_path: Path) -> None:
    site = tmp_path / "site.yaml"
    site.write_text("name: Day ward\ntimezone: Europe/Berlin\nclosed_weekdays: [sunday]\n")
    code, out, err = plan_cli(P01, "--start", "2027-01-04", "-f", "json", "--site-calendar", str(site), zone=None)
    assert code == 0, err
    doc = json.loads(out)
    assert doc["options"]["timezone"] == "Europe/Berlin"
    assert doc["options"]["site_calendar"]["timezone"] == "Europe/Berlin"
    code, out, _ = plan_cli(
        P01, "--start", "2027-01-04", "-f", "json", "--site-calendar", str(site), "--timezone", "Asia/Tokyo"
    )
    assert code == 0 and json.loads(out)["options"]["timezone"] == "Asia/Tokyo"  # the command line wins


def test_a_site_calendar_with_an_unknown_zone_is_refused(tmp_path: Path) -> None:
    site = tmp_path / "site.yaml"
    site.write_text("timezone: Mars/Olympus\n")
    code, _, err = plan_cli(P01, "--start", "2027-01-04", "--site-calendar", str(site), zone=None)
    assert code == 2 and "Mars/Olympus" in err and "timezone" in err
