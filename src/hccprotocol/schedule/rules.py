"""Catalogue of the calendar's rule ids: what each says and where it comes from.

Why: every row of a calendar and every entry of its decision trail names the
rule that placed it; this table is where a reviewer reads the statement and
the source of that rule. The numbers themselves live in the protocol's
``schedule:`` section (see ``options.py``), never here.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RULES", "ScheduleRule", "source_of"]

PAPER = "Lin et al. Front Oncol 2023;13:1178428, Materials and methods"


@dataclass(frozen=True)
class ScheduleRule:
    id: str
    statement: str
    source: str


_ALL = (
    ScheduleRule(
        "schedule.haic_cycle",
        "Cycle day 1 is the HAIC day; the next HAIC is due schedule.cycle_length_days after the actual previous HAIC.",
        f'{PAPER}, "HAIC": "FOLFOX-HAIC was performed for a 3-week cycle regimen"',
    ),
    ScheduleRule(
        "schedule.haic_infusion",
        "Each HAIC agent runs at its protocol hour after admission (schedule.admission_time, site time zone).",
        f'{PAPER}, "HAIC": oxaliplatin hours 0-2, leucovorin hours 2-3, 5-fluorouracil over 23 or 46 h',
    ),
    ScheduleRule(
        "schedule.systemic_start",
        "Lenvatinib and the PD-1 inhibitor start together on schedule.systemic_start.default_day of cycle 1, "
        "or the first day of the window the site calendar allows.",
        f'{PAPER}, "Lenvatinib and PD-1 inhibitors": "On the fourth to sixth days after HAIC"',
    ),
    ScheduleRule(
        "schedule.pd1_each_cycle",
        "After cycle 1 the PD-1 inhibitor follows each HAIC on the same cycle day as its first dose.",
        f"{PAPER}; protocol default: PD-1 every 3 weeks with each HAIC cycle (the paper's 4-week reading is "
        "documented in the protocol file)",
    ),
    ScheduleRule(
        "schedule.pd1_interval",
        "Option dosing.pd1_schedule q4w_paper: the PD-1 inhibitor every 28 days from its first dose, "
        "independent of HAIC.",
        f"{PAPER}: '200 mg for 3 weeks and then stopped for 1 week. Every 4 weeks comprises a treatment cycle'",
    ),
    ScheduleRule(
        "schedule.lenvatinib_daily",
        "Lenvatinib is taken daily from its start, through later HAIC admissions, unless the course "
        "interrupts or stops it or schedule.lenvatinib_around_haic holds it.",
        "LENVIMA US PI 2.4: 'orally once daily until disease progression or until unacceptable toxicity'; " + PAPER,
    ),
    ScheduleRule(
        "schedule.lenvatinib_hold_around_haic",
        "Option: lenvatinib paused from days_before before to days_after after each later HAIC.",
        "Site option (the paper is silent on lenvatinib around HAIC)",
    ),
    ScheduleRule(
        "schedule.precycle_labs",
        "Pre-cycle laboratory check schedule.precycle_labs.days_before_haic before each HAIC from cycle "
        "schedule.precycle_labs.from_cycle; a check with no recorded result is due, never assumed passed. A "
        "closed site day moves the draw earlier within result_max_age_days; when every such day is closed the "
        "calendar is refused (exit 2), never drawn on a closed day.",
        "Oxaliplatin US PI (next dose when neutrophils >= 1.5 x10^9/L and platelets >= 75 x10^9/L); "
        "SYSUCC HAIC protocol, He 2017 (bilirubin <= 30 umol/L, albumin >= 30 g/L)",
    ),
    ScheduleRule(
        "schedule.precycle_delay",
        "A recorded pre-cycle result outside a limit delays the HAIC by schedule.delay_step_days; every later "
        "activity re-projects from the new date.",
        "Oxaliplatin US PI 'Delay the next dose until ...'; SYSUCC HAIC protocol, He 2017",
    ),
    ScheduleRule(
        "schedule.course_hold_delay",
        "A HAIC agent held by the course on the HAIC day delays the cycle by schedule.delay_step_days.",
        "Course replay (dosing policies); the calendar never gives a held drug",
    ),
    ScheduleRule(
        "schedule.haic_discontinued",
        "When a cycle would be delayed beyond schedule.max_delay_days in total, HAIC is discontinued; no further "
        "HAIC is scheduled and further treatment needs clinical review (systemic therapy: "
        "schedule.systemic_after_haic_stop).",
        "SYSUCC HAIC protocol, He 2017: 'The study treatment was stopped if no recovery occurred after a 30-day delay'",
    ),
    ScheduleRule(
        "schedule.haic_stopped_by_course",
        "When the course has discontinued both cytotoxic HAIC agents (oxaliplatin and fluorouracil), no further "
        "HAIC is scheduled: leucovorin is never infused alone. The row names each discontinuation's rule and source.",
        "Course replay (dosing policies); FOLFOX: leucovorin is given to modulate fluorouracil "
        "(Oxaliplatin US PI, FOLFOX4 regimen: leucovorin with each 5-FU administration)",
    ),
    ScheduleRule(
        "schedule.leucovorin_with_fluorouracil",
        "Leucovorin is infused only together with fluorouracil: when the course has discontinued fluorouracil, "
        "HAIC continues with oxaliplatin alone.",
        "Oxaliplatin US PI, FOLFOX4 regimen (leucovorin given with each 5-FU administration); "
        "clinical-references.md 2.1",
    ),
    ScheduleRule(
        "schedule.systemic_after_haic_stop",
        "When HAIC stops early, lenvatinib continues daily and the PD-1 inhibitor every cycle length from its last "
        "dose (not before the cycle day it would have followed the HAIC not given), or on its own pd1_schedule "
        "interval, to the day the planned cycles would have ended; the course may still interrupt or stop them. "
        "Flagged for clinical review.",
        "Issue 5: lenvatinib continues daily 'except where the course interrupts or stops it'; LENVIMA US PI 2.4 "
        "'once daily until disease progression or until unacceptable toxicity'; camrelizumab NMPA label "
        "(every 3 weeks until progression or intolerable toxicity); sintilimab label 200 mg every 3 weeks",
    ),
    ScheduleRule(
        "schedule.site_shift",
        "A closed day in the site calendar moves the activity forward to the next open day; the move is shown "
        "and is not a delay; later cycles keep their spacing from the actual date.",
        "Site calendar file (--site-calendar)",
    ),
    ScheduleRule(
        "schedule.imaging",
        "Follow-up CT/MRI (mRECIST) every schedule.imaging_interval_days from the first HAIC.",
        f'{PAPER}, "Treatment evaluation and follow-up": "followed up every 5 to 7 weeks ... with imaging"',
    ),
    ScheduleRule(
        "schedule.course_change",
        "A dated change from the course replay (interrupt, hold, resume, reduce, restore, delay, discontinue).",
        "Course replay; the change's own rule and source are in its note",
    ),
)

RULES: dict[str, ScheduleRule] = {r.id: r for r in _ALL}


def source_of(rule_id: str) -> str:
    rule = RULES.get(rule_id)
    return rule.source if rule else ""
