"""Adapters from the protocol, dosing, course and eligibility engines to the calendar, with the real engines."""

from __future__ import annotations

from pathlib import Path

import pytest

from hccprotocol.patient import LabResult
from hccprotocol.patient_file import load_patient
from hccprotocol.protocol import load_protocol
from hccprotocol.schedule import adapters
from hccprotocol.schedule.plan import make_plan
from tests.unit.schedule_support import D, labs, patient

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_protocol_timings_follow_the_paper_hours() -> None:
    t = adapters.protocol_timings(load_protocol("haic-lenvatinib-pd1"))
    assert (t["oxaliplatin"].start_h, t["oxaliplatin"].duration_h) == (0, 2)
    assert (t["leucovorin"].start_h, t["leucovorin"].duration_h) == (2, 1)
    assert (t["fluorouracil"].start_h, t["fluorouracil"].duration_h) == (3, 46.0)  # dosing option default 46 h
    assert t["lenvatinib"].kind == "oral_daily"
    assert t["pd1"].kind == "iv_infusion" and t["pd1"].duration_h is None  # the paper gives no PD-1 duration


def test_pd1_schedule_option_maps_to_an_interval() -> None:
    proto = load_protocol("haic-lenvatinib-pd1")
    assert adapters.pd1_interval_days(proto) is None
    q4w = proto.model_copy(update={"dosing": proto.dosing.model_copy(update={"pd1_schedule": "q4w_paper"})})
    assert adapters.pd1_interval_days(q4w) == 28


def test_start_doses_from_the_dosing_engine() -> None:
    # P01: 68 kg, 172 cm -> Mosteller 1.8025 m2; 85 x 1.8025 = 153 mg; lenvatinib 12 mg (>= 60 kg)
    # the baseline work-up of 3 January: creatinine 80 umol/L, 56-year-old man of 68 kg:
    # CrCl (140 - 56) x 68 x 1.23 / 80 = 87.8 mL/min (>= 30: oxaliplatin starts at 85 mg/m2)
    record = load_patient(EXAMPLES / "p01-bclc-c-pvtt.yaml")
    record = record.model_copy(update={"labs": (LabResult.model_validate(labs("2027-01-03", creatinine_umol_l=80.0),
                                                                         strict=False),)})  # fmt: skip
    doses, warnings = adapters.start_doses(record, load_protocol(), D("2027-01-04"))
    assert doses.base_dose("oxaliplatin").dose_mg == 153.0  # type: ignore[union-attr]
    assert doses.base_dose("lenvatinib").dose_mg == 12.0  # type: ignore[union-attr]
    assert doses.base_dose("camrelizumab").dose_mg == 200.0  # type: ignore[union-attr]
    assert not any(w.startswith("pre-cycle check") for w in warnings)


def test_course_adapter_passes_interruptions_and_leaves_lab_delays_to_the_calendar() -> None:
    record = patient(
        weight_kg=68.0, height_cm=172.0,
        adverse_events=[{"onset_date": "2027-01-20", "term": "Hypertension", "grade": 3,
                         "attributed_to": ["lenvatinib"], "resolved_date": "2027-02-01"}],
        labs=[labs("2027-01-24", anc_10e9_l=1.0)],
    )
    timeline, _ = adapters.course_timeline(record, load_protocol(), D("2027-01-04"))
    actions = {(c.agent, c.action) for c in timeline.changes}
    assert ("lenvatinib", "interrupt") in actions
    assert not any(c.rule and c.rule.startswith("precycle.") for c in timeline.changes)
    assert timeline.state_on("lenvatinib", D("2027-01-25")).status == "held"


def test_full_plan_with_the_real_engines_delays_once_for_a_failed_check() -> None:
    record = patient(weight_kg=68.0, height_cm=172.0, labs=[labs("2027-01-24", anc_10e9_l=1.0)])
    providers = adapters.default_providers()
    providers = type(providers)(
        eligibility=lambda p, pr: adapters.EligibilityGate(True, "eligible"),
        doses=providers.doses, course=providers.course, timings=providers.timings,
        pd1_interval=providers.pd1_interval,
    )
    p = make_plan(record, load_protocol(), start=D("2027-01-04"), providers=providers, cycles=3,
                  today=D("2026-12-01"))
    assert [r["date"] for r in p.event_rows() if r["activity"] == "admission"] == [
        "2027-01-04", "2027-02-01", "2027-02-22"
    ]


@pytest.mark.parametrize(
    ("example", "eligible", "reason"),
    [
        # the examples' own descriptions (examples/*.yaml) and issue 3: a missing INR gives null, never true
        ("p01-bclc-c-pvtt", True, None),
        ("p06-ineligible-ecog2-prior-immunotherapy", False, "prior_immunotherapy: met"),
        ("p07-missing-inr", None, "unknown"),
    ],
)
def test_eligibility_gate_from_the_eligibility_engine(example: str, eligible: bool | None, reason: str | None) -> None:
    gate = adapters.eligibility_gate(load_patient(next(EXAMPLES.glob(f"{example}.*"))), load_protocol())
    assert gate.eligible is eligible
    if reason is None:
        assert gate.reasons == ()
    else:
        assert any(reason in r for r in gate.reasons)


def test_cli_gate_with_the_real_engines(monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from hccprotocol.cli import app

    monkeypatch.setenv("HCCPROTOCOL_TODAY", "2026-12-01")
    runner = CliRunner()
    zone = ["--timezone", "UTC"]
    p01 = str(EXAMPLES / "p01-bclc-c-pvtt.yaml")
    ok = runner.invoke(app, ["plan", p01, "--start", "2027-01-04", *zone, "-f", "json"])
    assert ok.exit_code == 0, ok.stderr
    refused = runner.invoke(app, ["plan", str(EXAMPLES / "p07-missing-inr.yaml"), "--start", "2027-01-04", *zone])
    assert refused.exit_code == 3 and "eligibility undetermined" in refused.stderr
    forced = runner.invoke(
        app, ["plan", str(EXAMPLES / "p07-missing-inr.yaml"), "--start", "2027-01-04", *zone, "--force", "-f", "csv"]
    )
    assert forced.exit_code == 0
    assert all("FORCED CALENDAR" in line for line in forced.stdout.splitlines()[1:])


def _dosing_rows(status: str) -> object:
    from types import SimpleNamespace

    rows = [
        SimpleNamespace(agent=a, dose_mg=None, route="intra-arterial", frequency="day 1 of each HAIC cycle",
                        basis=f"{lvl} mg/m2 x 1.8025 m2; not given while {status}", status=status,
                        dose_level=f"{lvl}mg/m2")
        for a, lvl in (("oxaliplatin", 85), ("leucovorin", 400), ("fluorouracil", 2400))
    ]
    return SimpleNamespace(agents=rows, warnings=["pre-cycle check unknown: no result", "other warning"],
                           eligibility={"forced": False})


@pytest.mark.parametrize("status", ["pending_precycle_check", "delayed"])
def test_folfox_pending_its_precycle_check_gets_the_dose_of_its_level(
    monkeypatch: pytest.MonkeyPatch, status: str
) -> None:
    import hccprotocol.dosing

    monkeypatch.setattr(hccprotocol.dosing, "next_cycle_doses", lambda p, pr, on, **kw: _dosing_rows(status))
    record = patient(weight_kg=68.0, height_cm=172.0)
    doses, warnings = adapters.start_doses(record, load_protocol(), D("2027-01-04"))
    # 85 x 1.8025 = 153.2 -> 153; 400 x 1.8025 = 721; 2400 x 1.8025 = 4326 (no result recorded: nothing failed)
    oxali = doses.base_dose("oxaliplatin")
    assert oxali is not None and (oxali.dose_mg, oxali.basis) == (153.0, "85 mg/m2 x 1.8025 m2")
    assert status in (oxali.note or "")
    assert [doses.base_dose(a).dose_mg for a in ("leucovorin", "fluorouracil")] == [721.0, 4326.0]  # type: ignore[union-attr]
    assert warnings == ("other warning",)  # the calendar shows each check itself


def test_cycle_1_with_a_failing_recorded_result_is_delayed_as_dose_delays_it() -> None:
    # issue 9 items 2 and 12 (deliberate change: cycle 1 used to keep its date with a note): platelets 50 on
    # 3 Jan (< 75, inside the 3-day window of the HAIC on 4 Jan) fail the baseline work-up; `dose` says
    # delayed, so the calendar delays cycle 1 by delay_step_days (7) to 11 Jan, where the re-check is due
    record = patient(sex="male", age_years=56, weight_kg=68.0, height_cm=172.0,
                     labs=[labs("2027-01-03", platelets_10e9_l=50.0, creatinine_umol_l=80.0)])  # fmt: skip
    providers = adapters.default_providers()
    providers = type(providers)(
        eligibility=lambda p, pr: adapters.EligibilityGate(True, "eligible"),
        doses=providers.doses, course=providers.course, timings=providers.timings,
        pd1_interval=providers.pd1_interval,
    )
    p = make_plan(record, load_protocol(), start=D("2027-01-04"), providers=providers, cycles=2,
                  today=D("2026-12-01"))
    [delay] = [r for r in p.event_rows() if r["activity"] == "delay"]
    assert delay["date"] == "2027-01-04" and "platelets_10e9_l 50 below 75" in delay["note"]
    admission = next(r for r in p.event_rows() if r["activity"] == "admission")
    assert admission["date"] == "2027-01-11"
    assert any("fails the limits" in w for w in p.warnings)
    oxali = next(r for r in p.event_rows() if r["agent"] == "oxaliplatin")
    assert (oxali["dose_mg"], oxali["note"].split(";")[0]) == (153.0, "85 mg/m2 x 1.8025 m2")


def test_a_held_agent_never_gets_a_dose_from_its_level(monkeypatch: pytest.MonkeyPatch) -> None:
    import hccprotocol.dosing

    monkeypatch.setattr(hccprotocol.dosing, "next_cycle_doses", lambda p, pr, on, **kw: _dosing_rows("held"))
    doses, _ = adapters.start_doses(patient(weight_kg=68.0, height_cm=172.0), load_protocol(), D("2027-01-04"))
    assert doses.base_dose("oxaliplatin").dose_mg is None  # type: ignore[union-attr]
    assert "dosing engine gives no dose (status held" in (doses.base_dose("oxaliplatin").note or "")  # type: ignore[union-attr]


def test_level_table_from_the_protocol_levels() -> None:
    table = adapters.level_doses(patient(weight_kg=68.0, height_cm=172.0), load_protocol())
    # hand: 65 x 1.8025 = 117.2 -> 117; 1920 x 1.8025 = 3460.8 -> 3461
    assert (table["oxaliplatin"]["65mg/m2"].dose_mg, table["oxaliplatin"]["65mg/m2"].basis) == (
        117.0, "65 mg/m2 x 1.8025 m2"
    )
    assert (table["fluorouracil"]["1920mg/m2"].dose_mg, table["fluorouracil"]["1920mg/m2"].basis) == (
        3461.0, "1920 mg/m2 x 1.8025 m2"
    )
    assert table["pd1"]["200mg"].dose_mg == 200.0


def test_start_doses_without_treatment_start_are_those_before_any_recorded_event() -> None:
    # --start is the first HAIC: the dosing engine (which refuses events without treatment_start) is given the
    # record before the course; the course timeline, replayed from --start, applies the event on its date
    record = patient(
        sex="male", age_years=56, weight_kg=68.0, height_cm=172.0,
        adverse_events=[{"onset_date": "2027-01-20", "term": "Hypertension", "grade": 3,
                         "attributed_to": ["lenvatinib"], "resolved_date": "2027-02-01"}],
        labs=[labs("2027-01-03", creatinine_umol_l=80.0)],  # CrCl 87.8 mL/min: no renal adjustment
    )
    doses, _ = adapters.start_doses(record, load_protocol(), D("2027-01-04"))
    assert doses.base_dose("lenvatinib").dose_mg == 12.0  # type: ignore[union-attr]
    assert doses.base_dose("oxaliplatin").dose_mg == 153.0  # type: ignore[union-attr]
    timeline, _ = adapters.course_timeline(record, load_protocol(), D("2027-01-04"))
    assert timeline.state_on("lenvatinib", D("2027-01-20")).status == "held"
