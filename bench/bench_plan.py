"""How long 10,000 treatment calendars take (``hccprotocol plan``'s engine), printed, never asserted.

Three figures, each over N calendars (default 10,000; ``--n`` to change):

1. the date engine alone (``build_schedule``: DataFrame of dated rows), with varied start dates, lab
   results (some failing, so cycles are delayed and re-projected), site calendars and cycle counts;
2. the whole ``make_plan`` path with the real dosing and course engines (eligibility let through);
3. rendering the JSON and iCalendar exports of each plan.

Run: ``.venv/bin/python bench/bench_plan.py [--n 10000]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import random
import time
from collections.abc import Callable

from hccprotocol.patient import Patient
from hccprotocol.patient_file import parse_patient
from hccprotocol.protocol import load_protocol
from hccprotocol.render.ics import render_plan_ics
from hccprotocol.render.plan_json import render_plan_json
from hccprotocol.schedule.adapters import default_providers, protocol_timings
from hccprotocol.schedule.engine import build_schedule
from hccprotocol.schedule.plan import EligibilityGate, Plan, Providers, make_plan
from hccprotocol.schedule.site_calendar import SiteCalendar
from hccprotocol.schedule.timeline import AgentDose, FixedDoses

TODAY = dt.date(2026, 12, 1)


def patients(n: int, seed: int = 7) -> list[tuple[Patient, dt.date, int, SiteCalendar | None]]:
    rng = random.Random(seed)
    sites = [None, SiteCalendar.model_validate({"closed_weekdays": ["saturday", "sunday"]}),
             SiteCalendar.model_validate({"closed_dates": ["2027-01-01", "2027-02-11", "2027-05-01"]})]
    out = []
    for i in range(n):
        start = TODAY + dt.timedelta(days=rng.randint(0, 120))
        labs = []
        for k in range(1, 4):
            day = start + dt.timedelta(days=21 * k - 1)
            labs.append({"date": day.isoformat(), "anc_10e9_l": rng.choice([1.2, 1.8, 2.5, 3.0]),
                         "platelets_10e9_l": rng.choice([70.0, 110.0, 180.0]),
                         "total_bilirubin_umol_l": 15.0, "albumin_g_l": 36.0})
        record = {"id": f"B{i}", "weight_kg": rng.choice([54.0, 60.0, 72.0]), "height_cm": 168.0,
                  "pd1_agent": rng.choice(["camrelizumab", "sintilimab"]), "labs": labs}
        out.append((parse_patient(record), start, rng.randint(2, 8), rng.choice(sites)))
    return out


def timed(label: str, n: int, fn: Callable[[], object]) -> None:
    began = time.perf_counter()
    fn()
    took = time.perf_counter() - began
    print(f"{label:<58} {n:>6} calendars in {took:8.2f} s  ({took / n * 1000:7.3f} ms each, {n / took:8.0f}/s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    args = parser.parse_args()
    n = args.n
    protocol = load_protocol("haic-lenvatinib-pd1")
    cases = patients(n)
    timings = protocol_timings(protocol)
    doses = FixedDoses({"lenvatinib": AgentDose("lenvatinib", 12.0, "oral", "once daily"),
                        "pd1": AgentDose("pd1", 200.0, "intravenous", "every 3 weeks")})
    print(f"hccprotocol plan bench: Python {platform.python_version()} on {platform.machine()}")

    rows = 0

    def engine_only() -> None:
        nonlocal rows
        for record, start, cycles, site in cases:
            schedule = build_schedule(patient=record, agents=protocol.agent_ids(), options=protocol.schedule,
                                      start=start, cycles=cycles, timezone="Asia/Shanghai", site_calendar=site,
                                      doses=doses, timings=timings)
            rows += len(schedule.events)

    timed("1. date engine (build_schedule -> DataFrame)", n, engine_only)
    print(f"   {rows} rows in total ({rows / n:.1f} per calendar)")

    real = default_providers()
    providers = Providers(eligibility=lambda p, pr: EligibilityGate(True, "eligible (bench)"), doses=real.doses,
                          course=real.course, timings=real.timings, pd1_interval=real.pd1_interval)
    plans: list[Plan] = []

    def full() -> None:
        for record, start, cycles, site in cases:
            plans.append(make_plan(record, protocol, start=start, providers=providers, cycles=cycles,
                                   timezone="Asia/Shanghai", site_calendar=site, today=TODAY))

    timed("2. make_plan with the real dosing and course engines", n, full)

    def exports() -> None:
        for plan in plans:
            render_plan_json(plan)
            render_plan_ics(plan)

    timed("3. JSON + iCalendar export of each plan", n, exports)


if __name__ == "__main__":
    main()
