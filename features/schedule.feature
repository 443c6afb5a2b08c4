Feature: Per-patient treatment calendar
  A nurse navigator plans a patient's dated treatment from the first HAIC (Lin et al. 2023, Materials
  and methods; protocol section "schedule"). Cycle day 1 is the HAIC day and HAIC repeats every 21 days
  from the actual date of the previous HAIC. Lenvatinib and the PD-1 inhibitor start "on the fourth to
  sixth days after HAIC": cycle day 4, or the first day of the window the site allows. Pre-cycle
  laboratory checks fall the day before each HAIC from cycle 2 on. Imaging every 6 weeks from the
  first HAIC. Doses come from the dosing engine (BSA by Mosteller, lenvatinib by the weight tier).

  Background:
    Given today is 2026-12-01
    # The calendar's eligibility gate (not eligible or undetermined: refused) has its own scenarios in
    # eligibility.feature and dosing.feature; here every patient is let through it, and the step says so.
    And the eligibility gate is let through (its scenarios are in eligibility.feature)

  Rule: The first cycle of each arm

    @rule:schedule.haic_cycle @rule:schedule.haic_infusion @rule:schedule.imaging @rule:schedule.lenvatinib_daily
    @rule:schedule.pd1_each_cycle @rule:schedule.precycle_labs @rule:schedule.systemic_start
    @option:schedule.admission_time @option:schedule.cycle_length_days @option:schedule.pd1_infusion_minutes
    @option:schedule.pd1_time @option:schedule.systemic_start.default_day
    Scenario: First cycle of HAIC-FOLFOX + lenvatinib + PD-1 inhibitor
      # 68 kg, 172 cm: BSA 1.8025 m2; oxaliplatin 85 x 1.8025 = 153 mg, leucovorin 400 x 1.8025 = 721 mg,
      # 5-FU 2400 x 1.8025 = 4326 mg over 46 h from hour 3; lenvatinib 12 mg (>= 60 kg); camrelizumab 200 mg
      Given the example patient "p01-bclc-c-pvtt"
      # baseline creatinine for the oxaliplatin renal start (label: 85 -> 65 mg/m2 when CrCl < 30 mL/min);
      # Cockcroft-Gault (140 - age) x weight x 1.23 (man) or 1.04 (woman) / creatinine umol/L is well above 30
      And a patient with:
        | field                     | value        |
        | labs[0].date              | "2027-01-03" |
        | labs[0].creatinine_umol_l | 80.0         |
      When the calendar is planned on "haic-lenvatinib-pd1" from 2027-01-04 for 4 cycles
      Then the treatment of cycle 1 is:
        | date       | until      | time  | agent        | activity  | dose_mg | hours |
        | 2027-01-04 | 2027-01-06 | 08:00 |              | admission |         | 49    |
        | 2027-01-04 |            | 08:00 | oxaliplatin  | infusion  | 153     | 2     |
        | 2027-01-04 |            | 10:00 | leucovorin   | infusion  | 721     | 1     |
        | 2027-01-04 | 2027-01-06 | 11:00 | fluorouracil | infusion  | 4326    | 46    |
        | 2027-01-07 | 2027-01-24 |       | lenvatinib   | oral      | 12      |       |
        | 2027-01-07 |            | 08:00 | camrelizumab | infusion  | 200     | 1     |

    @rule:schedule.haic_cycle @rule:schedule.haic_infusion @rule:schedule.imaging @rule:schedule.lenvatinib_daily
    @rule:schedule.precycle_labs @rule:schedule.systemic_start
    Scenario: First cycle of HAIC-FOLFOX + lenvatinib
      # 54.5 kg, 158 cm: BSA 1.5466 m2; 85 x 1.5466 = 131 mg, 400 x 1.5466 = 619 mg, 2400 x 1.5466 = 3712 mg;
      # lenvatinib 8 mg (< 60 kg); no PD-1 inhibitor on this arm
      Given the example patient "p03-bclc-c-extrahepatic-under-60kg"
      # baseline creatinine for the oxaliplatin renal start (label: 85 -> 65 mg/m2 when CrCl < 30 mL/min);
      # Cockcroft-Gault (140 - age) x weight x 1.23 (man) or 1.04 (woman) / creatinine umol/L is well above 30
      And a patient with:
        | field                     | value        |
        | labs[0].date              | "2027-01-03" |
        | labs[0].creatinine_umol_l | 80.0         |
      When the calendar is planned on "haic-lenvatinib" from 2027-01-04 for 4 cycles
      Then the treatment of cycle 1 is:
        | date       | until      | time  | agent        | activity  | dose_mg | hours |
        | 2027-01-04 | 2027-01-06 | 08:00 |              | admission |         | 49    |
        | 2027-01-04 |            | 08:00 | oxaliplatin  | infusion  | 131     | 2     |
        | 2027-01-04 |            | 10:00 | leucovorin   | infusion  | 619     | 1     |
        | 2027-01-04 | 2027-01-06 | 11:00 | fluorouracil | infusion  | 3712    | 46    |
        | 2027-01-07 | 2027-01-24 |       | lenvatinib   | oral      | 8       |       |

  Rule: Lenvatinib and the PD-1 inhibitor start in the window of cycle days 4-6

    @rule:schedule.haic_cycle @rule:schedule.haic_infusion @rule:schedule.imaging @rule:schedule.lenvatinib_daily
    @rule:schedule.pd1_each_cycle @rule:schedule.precycle_labs @rule:schedule.systemic_start
    @option:schedule.systemic_start.default_day @option:schedule.systemic_start.window_first_day
    @option:schedule.systemic_start.window_last_day
    Scenario Outline: Start day with the site closed on <closed>
      Given the example patient "p01-bclc-c-pvtt"
      And the site is closed on <closed>
      When the calendar is planned on "haic-lenvatinib-pd1" from 2027-01-04 for 2 cycles
      Then lenvatinib starts on <start>
      And camrelizumab is given on <first> and <second>

      Examples:
        | closed                 | start      | first      | second     |
        | no day                 | 2027-01-07 | 2027-01-07 | 2027-01-28 |
        | 2027-01-07             | 2027-01-08 | 2027-01-08 | 2027-01-29 |
        | 2027-01-07, 2027-01-08 | 2027-01-09 | 2027-01-09 | 2027-01-30 |

    Scenario: A site calendar that closes the whole start window is refused
      Given the example patient "p01-bclc-c-pvtt"
      And the site is closed on 2027-01-07, 2027-01-08, 2027-01-09
      When the calendar is planned on "haic-lenvatinib-pd1" from 2027-01-04 for 2 cycles
      Then the plan is refused with "blocks every day of the window"

  Rule: The course interrupts, reduces and stops drugs on their dates

    @rule:lenvatinib.paper.grade3 @rule:lenvatinib.resume @rule:schedule.haic_cycle @rule:schedule.haic_infusion
    @rule:schedule.imaging @rule:schedule.lenvatinib_daily @rule:schedule.pd1_each_cycle @rule:schedule.precycle_labs
    @rule:schedule.systemic_start
    Scenario: A grade 3 adverse event opens an interruption window for lenvatinib
      # Paper made safe: interrupt until grade <= 1, then resume one level lower (12 -> 8 mg)
      Given the example patient "p01-bclc-c-pvtt"
      And a patient with:
        | field                             | value            |
        | adverse_events[0].onset_date      | "2027-01-20"     |
        | adverse_events[0].term            | "Hypertension"   |
        | adverse_events[0].grade           | 3                |
        | adverse_events[0].attributed_to   | ["lenvatinib"]   |
        | adverse_events[0].resolved_date   | "2027-02-01"     |
      When the calendar is planned on "haic-lenvatinib-pd1" from 2027-01-04 for 3 cycles
      Then lenvatinib is on hold from 2027-01-20 to 2027-01-31
      And lenvatinib is taken at 12 mg from 2027-01-07 to 2027-01-19
      And lenvatinib is taken at 8 mg from 2027-02-01 to 2027-03-07

  Rule: A failed pre-cycle check delays the cycle and everything after it re-projects

    @rule:schedule.haic_cycle @rule:schedule.haic_infusion @rule:schedule.imaging @rule:schedule.lenvatinib_daily
    @rule:schedule.pd1_each_cycle @rule:schedule.precycle_delay @rule:schedule.precycle_labs
    @rule:schedule.systemic_start
    @option:schedule.cycle_length_days @option:schedule.delay_step_days
    @option:schedule.precycle_labs.days_before_haic @option:schedule.precycle_labs.enabled
    @option:schedule.precycle_labs.limits
    Scenario: Neutrophils below the limit delay cycle 2 by a week
      Given the example patient "p01-bclc-c-pvtt"
      And a patient with:
        | field                          | value        |
        | labs[0].date                   | "2027-01-24" |
        | labs[0].anc_10e9_l             | 1.2          |
        | labs[0].platelets_10e9_l       | 150.0        |
        | labs[0].total_bilirubin_umol_l | 14.0         |
        | labs[0].albumin_g_l            | 39.0         |
      When the calendar is planned on "haic-lenvatinib-pd1" from 2027-01-04 for 4 cycles
      Then HAIC is given on 2027-01-04, 2027-02-01, 2027-02-22, 2027-03-15
      And a delay is shown on 2027-01-25
      And the pre-cycle check on 2027-01-31 is due

    @rule:schedule.haic_cycle @rule:schedule.haic_infusion @rule:schedule.imaging @rule:schedule.lenvatinib_daily
    @rule:schedule.pd1_each_cycle @rule:schedule.precycle_labs @rule:schedule.systemic_start
    @option:schedule.precycle_labs.days_before_haic @option:schedule.precycle_labs.enabled
    @option:schedule.precycle_labs.from_cycle
    Scenario: A check with no recorded result is due, not passed
      Given the example patient "p01-bclc-c-pvtt"
      When the calendar is planned on "haic-lenvatinib-pd1" from 2027-01-04 for 2 cycles
      Then the pre-cycle check on 2027-01-24 is due
      And HAIC is given on 2027-01-04, 2027-01-25

  Rule: When HAIC is discontinued, lenvatinib and the PD-1 inhibitor continue to the planned end

    @rule:schedule.haic_cycle @rule:schedule.haic_discontinued @rule:schedule.haic_infusion @rule:schedule.imaging
    @rule:schedule.precycle_delay @rule:schedule.precycle_labs @rule:schedule.systemic_after_haic_stop
    @rule:schedule.systemic_start
    @option:schedule.max_delay_days
    Scenario: Platelets stay low at five weekly checks
      # Cycle 2 is due 2027-01-25; failed checks on 24 Jan, 31 Jan, 7 Feb and 14 Feb delay it 28 days;
      # the check of 21 Feb fails again and a further 7 days would exceed 30: HAIC is discontinued on
      # 2027-02-22. Four planned cycles would have ended on 2027-01-04 + 4 x 21 - 1 = 2027-03-28.
      # Camrelizumab: 2027-01-07; it waited for the delayed HAIC, so next 2027-02-22 + 3 = 2027-02-25,
      # then 2027-02-25 + 21 = 2027-03-18 (2027-04-08 is after the end).
      Given the example patient "p01-bclc-c-pvtt"
      And a patient with:
        | field                    | value        |
        | labs[0].date             | "2027-01-24" |
        | labs[0].platelets_10e9_l | 50.0         |
        | labs[1].date             | "2027-01-31" |
        | labs[1].platelets_10e9_l | 50.0         |
        | labs[2].date             | "2027-02-07" |
        | labs[2].platelets_10e9_l | 50.0         |
        | labs[3].date             | "2027-02-14" |
        | labs[3].platelets_10e9_l | 50.0         |
        | labs[4].date             | "2027-02-21" |
        | labs[4].platelets_10e9_l | 50.0         |
      When the calendar is planned on "haic-lenvatinib-pd1" from 2027-01-04 for 4 cycles
      Then HAIC is given on 2027-01-04
      And HAIC is discontinued on 2027-02-22
      And lenvatinib is taken at 12 mg from 2027-01-07 to 2027-03-28
      And the camrelizumab infusions are on 2027-01-07, 2027-02-25, 2027-03-18
      And the calendar ends on 2027-03-28
      And a warning says systemic therapy continues to 2027-03-28 pending clinical review

  Rule: The site calendar moves an infusion forward without counting a delay

    @rule:schedule.haic_cycle @rule:schedule.haic_infusion @rule:schedule.imaging @rule:schedule.lenvatinib_daily
    @rule:schedule.pd1_each_cycle @rule:schedule.precycle_labs @rule:schedule.site_shift @rule:schedule.systemic_start
    Scenario: A holiday on the day of cycle 2
      Given the example patient "p01-bclc-c-pvtt"
      And the site is closed on 2027-01-25
      When the calendar is planned on "haic-lenvatinib-pd1" from 2027-01-04 for 4 cycles
      Then HAIC is given on 2027-01-04, 2027-01-26, 2027-02-16, 2027-03-09
      And no delay is shown
      And the HAIC of 2027-01-26 says it was moved from 2027-01-25

  Rule: Imaging every 6 weeks from the first HAIC

    @rule:schedule.haic_cycle @rule:schedule.haic_infusion @rule:schedule.imaging @rule:schedule.lenvatinib_daily
    @rule:schedule.pd1_each_cycle @rule:schedule.precycle_labs @rule:schedule.systemic_start
    @option:schedule.imaging_interval_days
    Scenario: Imaging cadence over six cycles
      # 2027-01-04 + 42 = 2027-02-15; + 84 = 2027-03-29; + 126 = 2027-05-10 is after the end (2027-05-09)
      Given the example patient "p01-bclc-c-pvtt"
      When the calendar is planned on "haic-lenvatinib-pd1" from 2027-01-04 for 6 cycles
      Then imaging is scheduled on 2027-02-15, 2027-03-29
      And the calendar ends on 2027-05-09

  Rule: Every-other-day lenvatinib is shown as such in every export

    @rule:lenvatinib.label.grade3 @rule:lenvatinib.resume @rule:schedule.haic_cycle @rule:schedule.haic_infusion
    @rule:schedule.imaging @rule:schedule.lenvatinib_daily @rule:schedule.pd1_each_cycle @rule:schedule.precycle_labs
    @rule:schedule.systemic_start
    @option:modification.lenvatinib_policy
    Scenario: After the second reduction lenvatinib is marked only on its dosing days
      Lenvima SmPC, HCC dose reductions (JGH 2021 Table 1), for a patient < 60 kg: "8 mg once daily ->
      4 mg once daily -> 4 mg every other day"; the label policy steps one level down at each grade 3
      occurrence, and the drug resumes at the lower level when the event resolves to grade <= 1.
      # 55 kg -> 8 mg (< 60 kg), from cycle day 4 (2027-01-07). Hypertension grade 3 on 2027-01-10 resolved
      # 2027-01-13 -> 4 mg once daily; again 2027-01-20 resolved 2027-01-23 -> 4 mg every other day from
      # 2027-01-23: doses on 23, 25, 27, 29, 31 January, 2, 4, ... 14 February (the last day of cycle 2,
      # HAIC 2027-01-25 + 21 - 1). The HAIC of 2027-01-25 splits the period; the rhythm is unchanged.
      Given today is 2027-03-01
      And the protocol option "modification.lenvatinib_policy" is "label"
      And a patient with:
        | field              | value          |
        | weight_kg          | 55.0           |
        | baseline_weight_kg | 55.0           |
        | height_cm          | 160.0          |
        | pd1_agent          | "camrelizumab" |
        | treatment_start    | "2027-01-04"   |
      And adverse events recorded as:
        | onset      | term         | grade | attributed to | immune related | resolved   |
        | 2027-01-10 | Hypertension | 3     | lenvatinib    | false          | 2027-01-13 |
        | 2027-01-20 | Hypertension | 3     | lenvatinib    | false          | 2027-01-23 |
      When the calendar is planned on "haic-lenvatinib-pd1" from 2027-01-04 for 2 cycles, allowing a past start
      Then lenvatinib reads "4 mg every other day" from 2027-01-23 to 2027-02-14 in JSON, CSV and iCalendar
      And the month grid marks "Lenvatinib 4 mg every other day" on 2027-01-23, 2027-01-25, 2027-01-27, 2027-01-29, 2027-01-31, 2027-02-02, 2027-02-04, 2027-02-06, 2027-02-08, 2027-02-10, 2027-02-12, 2027-02-14 only
      And the month grid marks "Lenvatinib 4 mg once daily" on every day from 2027-01-13 to 2027-01-19

  Rule: Pre-cycle blood is never drawn on a closed day

    @rule:schedule.haic_cycle @rule:schedule.haic_infusion @rule:schedule.imaging @rule:schedule.lenvatinib_daily
    @rule:schedule.pd1_each_cycle @rule:schedule.precycle_labs @rule:schedule.site_shift @rule:schedule.systemic_start
    @option:schedule.precycle_labs.result_max_age_days
    Scenario: When every day before the HAIC is closed the blood is drawn on the HAIC morning
      Protocol option schedule.precycle_labs: a result drawn 1 to 3 days before the HAIC, or on its morning,
      answers the check (result_max_age_days 3); haic_morning_fallback true draws it that morning, before
      admission, when the site is closed on every earlier day of the window.
      # HAIC cycle 2 on Monday 2027-01-25; the site is closed on Friday 22, Saturday 23 and Sunday 24 January
      Given the example patient "p01-bclc-c-pvtt"
      And the site is closed on 2027-01-22, 2027-01-23, 2027-01-24
      When the calendar is planned on "haic-lenvatinib-pd1" from 2027-01-04 for 3 cycles
      Then HAIC is given on 2027-01-04, 2027-01-25, 2027-02-15
      And the pre-cycle blood for cycle 2 is drawn on 2027-01-25, the morning of the HAIC
      And the pre-cycle blood for cycle 3 is drawn on 2027-02-14

    @option:schedule.precycle_labs.haic_morning_fallback
    Scenario: Without the option such a site calendar is refused
      Given the example patient "p01-bclc-c-pvtt"
      And the site is closed on 2027-01-22, 2027-01-23, 2027-01-24
      And the protocol option "schedule.precycle_labs.haic_morning_fallback" is false
      When the calendar is planned on "haic-lenvatinib-pd1" from 2027-01-04 for 3 cycles
      Then the plan is refused with "haic_morning_fallback"

  Rule: The paper's PD-1 reading: every 4 weeks from its first dose, independent of HAIC

    @rule:schedule.pd1_interval @option:dosing.pd1_schedule
    Scenario: Camrelizumab every 28 days with the option q4w_paper
      # Lin 2023: "200 mg for 3 weeks and then stopped for 1 week. Every 4 weeks comprises a treatment cycle".
      # First dose on cycle day 4 (2027-01-07), then + 28 = 2027-02-04, + 56 = 2027-03-04; three 21-day cycles end
      # on 2027-01-04 + 63 - 1 = 2027-03-07.
      Given the example patient "p01-bclc-c-pvtt"
      And the protocol option "dosing.pd1_schedule" is "q4w_paper"
      When the calendar is planned on "haic-lenvatinib-pd1" from 2027-01-04 for 3 cycles
      Then the camrelizumab infusions are on 2027-01-07, 2027-02-04, 2027-03-04
      And HAIC is given on 2027-01-04, 2027-01-25, 2027-02-15

  Rule: A site may pause lenvatinib around each later HAIC (the paper is silent)

    @rule:schedule.lenvatinib_hold_around_haic @option:schedule.lenvatinib_around_haic.hold
    @option:schedule.lenvatinib_around_haic.days_before @option:schedule.lenvatinib_around_haic.days_after
    Scenario Outline: Lenvatinib held from <before> days before to <after> days after the HAIC of cycle 2
      # Cycle 2 HAIC on 2027-01-25; the first HAIC (2027-01-04) is before lenvatinib starts (cycle day 4).
      Given the example patient "p01-bclc-c-pvtt"
      And the protocol option "schedule.lenvatinib_around_haic.hold" is true
      And the protocol option "schedule.lenvatinib_around_haic.days_before" is <before>
      And the protocol option "schedule.lenvatinib_around_haic.days_after" is <after>
      When the calendar is planned on "haic-lenvatinib-pd1" from 2027-01-04 for 2 cycles
      Then lenvatinib is on hold from <first> to <last>

      Examples:
        | before | after | first      | last       |
        | 1      | 2     | 2027-01-24 | 2027-01-27 |
        | 2      | 0     | 2027-01-23 | 2027-01-25 |

  Rule: A HAIC drug held by the course on the HAIC day delays the cycle

    @rule:schedule.course_hold_delay @rule:folfox.gastrointestinal @option:schedule.delay_step_days
    Scenario: Grade 3 diarrhoea from oxaliplatin still ongoing on the day of cycle 2
      # Oxaliplatin label: hold FOLFOX until recovery from grade 3 GI toxicity. Cycle 2 is due 2027-01-25, the
      # diarrhoea resolves on 2027-01-28: cycle 2 moves by the delay step (7 days) to 2027-02-01.
      Given the example patient "p01-bclc-c-pvtt"
      And adverse events recorded as:
        | onset      | term     | grade | attributed to | immune related | resolved   |
        | 2027-01-20 | Diarrhea | 3     | oxaliplatin   | false          | 2027-01-28 |
      When the calendar is planned on "haic-lenvatinib-pd1" from 2027-01-04 for 2 cycles
      Then HAIC is given on 2027-01-04, 2027-02-01
      And a delay is shown on 2027-01-25

  Rule: Without oxaliplatin and 5-FU there is no HAIC; leucovorin is never infused alone

    @rule:schedule.haic_stopped_by_course @rule:folfox.hypersensitivity @rule:schedule.systemic_after_haic_stop
    Scenario: Anaphylaxis to oxaliplatin and 5-FU ends HAIC after cycle 1
      # Oxaliplatin boxed warning: permanently discontinue for anaphylaxis (any grade, modification
      # folfox_hypersensitivity any_grade). Camrelizumab continues every 21 days from its last dose:
      # 2027-01-07, 2027-01-28, 2027-02-18 (2027-03-11 is after the end of three cycles, 2027-03-07).
      Given the example patient "p01-bclc-c-pvtt"
      And adverse events recorded as:
        | onset      | term        | grade | attributed to             | immune related | resolved   |
        | 2027-01-10 | Anaphylaxis | 3     | oxaliplatin, fluorouracil | false          | 2027-01-11 |
      When the calendar is planned on "haic-lenvatinib-pd1" from 2027-01-04 for 3 cycles
      Then HAIC is given on 2027-01-04
      And the leucovorin infusions are on 2027-01-04
      And the camrelizumab infusions are on 2027-01-07, 2027-01-28, 2027-02-18

    @rule:folfox.hypersensitivity @rule:folfox.leucovorin-with-fluorouracil
    Scenario: Anaphylaxis to 5-FU alone: HAIC continues with oxaliplatin only
      Given the example patient "p01-bclc-c-pvtt"
      And adverse events recorded as:
        | onset      | term        | grade | attributed to | immune related | resolved   |
        | 2027-01-10 | Anaphylaxis | 3     | fluorouracil  | false          | 2027-01-11 |
      When the calendar is planned on "haic-lenvatinib-pd1" from 2027-01-04 for 2 cycles
      Then HAIC is given on 2027-01-04, 2027-01-25
      And the oxaliplatin infusions are on 2027-01-04, 2027-01-25
      And the leucovorin infusions are on 2027-01-04
      And the fluorouracil infusions are on 2027-01-04

    @rule:schedule.leucovorin_with_fluorouracil
    Scenario: The calendar itself never infuses leucovorin without 5-FU
      # The course replay discontinues leucovorin with 5-FU (folfox.leucovorin-with-fluorouracil); a course source
      # that reports only the 5-FU stop still gets no leucovorin infusion: the calendar's own rule leaves it out.
      Given the example patient "p01-bclc-c-pvtt"
      And the course source reports, without rule ids:
        | date       | agent        | action      |
        | 2027-01-10 | fluorouracil | discontinue |
      When the calendar is planned on "haic-lenvatinib-pd1" from 2027-01-04 for 2 cycles
      Then the oxaliplatin infusions are on 2027-01-04, 2027-01-25
      And the leucovorin infusions are on 2027-01-04
      And the decision trail names the rule "schedule.leucovorin_with_fluorouracil" on 2027-01-25

  Rule: How many cycles are planned

    @option:schedule.default_cycles @option:schedule.cycle_length_days
    Scenario: Without a number of cycles the protocol's default of 4 is planned
      # 4 cycles of 21 days from 2027-01-04: HAIC on 4, 25 January, 15 February, 8 March; end 2027-03-28.
      Given the example patient "p01-bclc-c-pvtt"
      When the calendar is planned on "haic-lenvatinib-pd1" from 2027-01-04 with the protocol's default number of cycles
      Then HAIC is given on 2027-01-04, 2027-01-25, 2027-02-15, 2027-03-08
      And the calendar ends on 2027-03-28

    @option:schedule.max_cycles_without_force
    Scenario: 8 cycles, the paper's maximum, are planned; 9 need --force
      # The paper's range of HAIC courses is 2-8. 8 cycles end on 2027-01-04 + 168 - 1 = 2027-06-20.
      Given the example patient "p01-bclc-c-pvtt"
      When the calendar is planned on "haic-lenvatinib-pd1" from 2027-01-04 for 8 cycles
      Then the calendar ends on 2027-06-20
      When the calendar is planned on "haic-lenvatinib-pd1" from 2027-01-04 for 9 cycles
      Then the plan is refused with "9 cycles is more than the protocol's 8"

  Rule: The site calendar may push an activity forward by at most 14 days

    @rule:schedule.site_shift @option:schedule.site_shift_max_days
    Scenario Outline: Cycle 2 (due 2027-01-25) with the site closed until <closed until>
      Given the example patient "p01-bclc-c-pvtt"
      And the site is closed on <closed>
      When the calendar is planned on "haic-lenvatinib-pd1" from 2027-01-04 for 2 cycles
      Then <outcome>

      Examples:
        | closed until | closed                                                                                                                                                                  | outcome                                                       |
        | 2027-02-07   | 2027-01-25, 2027-01-26, 2027-01-27, 2027-01-28, 2027-01-29, 2027-01-30, 2027-01-31, 2027-02-01, 2027-02-02, 2027-02-03, 2027-02-04, 2027-02-05, 2027-02-06, 2027-02-07 | HAIC is given on 2027-01-04, 2027-02-08                       |
        | 2027-02-08   | 2027-01-25, 2027-01-26, 2027-01-27, 2027-01-28, 2027-01-29, 2027-01-30, 2027-01-31, 2027-02-01, 2027-02-02, 2027-02-03, 2027-02-04, 2027-02-05, 2027-02-06, 2027-02-07, 2027-02-08 | the plan is refused with "raise schedule.site_shift_max_days" |

  Rule: Times are in the site's zone; a library caller that names none gets the protocol's UTC

    @option:schedule.timezone @option:schedule.admission_time
    Scenario: No time zone given: admission at 08:00 UTC
      Given the example patient "p01-bclc-c-pvtt"
      When the calendar is planned on "haic-lenvatinib-pd1" from 2027-01-04 for 1 cycles
      Then the calendar's times are in "UTC"
      And HAIC is given on 2027-01-04

  Rule: A change from a course source that names no rule is shown under the calendar's own rule id

    @rule:schedule.course_change
    Scenario: A course change without a rule id still names a rule
      # The real course replay always names its transition; another course source (a library caller's
      # provider) may not. The calendar row is never left without a rule: it names schedule.course_change.
      Given the example patient "p01-bclc-c-pvtt"
      And the course source reports, without rule ids:
        | date       | agent      | action    |
        | 2027-01-20 | lenvatinib | interrupt |
      When the calendar is planned on "haic-lenvatinib-pd1" from 2027-01-04 for 2 cycles
      Then the lenvatinib hold row of 2027-01-20 names the rule "schedule.course_change"
