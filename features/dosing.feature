Feature: Doses for the next cycle
  A pharmacist verifies every dose by hand. FOLFOX-HAIC per Lin 2023: oxaliplatin 85 mg/m2 (hours 0-2),
  leucovorin 400 mg/m2 (hours 2-3), 5-FU 2400 mg/m2 over 46 h (option: 23 h), no bolus. BSA by Mosteller
  (sqrt(height_cm x weight_kg / 3600), 4 decimals), doses rounded half-up to 1 mg, no BSA cap (ASCO).
  Lenvatinib by weight at treatment start: >= 60 kg 12 mg, < 60 kg 8 mg, never re-tiered (label).
  PD-1 200 mg fixed: camrelizumab 1 x 200 mg vial, sintilimab 2 x 100 mg vials, never reduced.

  Eligibility comes first: doses are refused, exactly as the calendar is, for a patient who is not eligible
  or whose eligibility is undetermined (Lin 2023, Patients), unless --force. The background patient is the
  bundled example P01 (BCLC C with portal vein tumour thrombosis, Child-Pugh A5, TACE-refractory, a man of
  56, eligible for both arms). Cycle 1 is checked against the baseline work-up dated within 3 days before
  the first HAIC (schedule.precycle_labs.result_max_age_days), whose creatinine also gives the creatinine
  clearance for the oxaliplatin renal start.

  Background:
    Given the example patient "p01-bclc-c-pvtt"
    And a patient with:
      | field           | value          |
      | weight_kg       | 68.0           |
      | height_cm       | 172.0          |
      | pd1_agent       | "camrelizumab" |
    And laboratory results:
      | date       | anc_10e9_l | platelets_10e9_l | total_bilirubin_umol_l | albumin_g_l | creatinine_umol_l |
      | 2026-08-24 | 2.0        | 150              | 15                     | 40          | 80                |
      | 2026-08-31 | 2.0        | 150              | 15                     | 40          | 80                |

  Rule: Lenvatinib starts by weight tier; exactly 60 kg belongs to the 12 mg tier

    Scenario Outline: Weight either side of 60 kg before treatment starts
      Given a patient with:
        | field     | value    |
        | weight_kg | <weight> |
      When the doses for 2026-08-25 are calculated
      Then the lenvatinib dose is <mg> mg once daily as <capsules> capsules

      Examples:
        | weight | mg | capsules |
        | 59.9   | 8  | 2        |
        | 60.0   | 12 | 3        |

    Scenario Outline: The baseline weight fixes the tier after a weight change
      Given a patient with:
        | field              | value        |
        | treatment_start    | "2026-09-01" |
        | baseline_weight_kg | <baseline>   |
        | weight_kg          | <now>        |
      When the doses for 2026-10-01 are calculated
      Then the lenvatinib dose is <mg> mg once daily as <capsules> capsules

      Examples:
        | baseline | now  | mg | capsules |
        | 60.0     | 59.9 | 12 | 3        |
        | 59.9     | 60.0 | 8  | 2        |

    Scenario: Without a baseline weight after the start no lenvatinib dose is given
      Given a patient with:
        | field           | value        |
        | treatment_start | "2026-09-01" |
      When the doses for 2026-10-01 are calculated
      Then the doses are refused naming "baseline_weight_kg"

  Rule: FOLFOX-HAIC is dosed by BSA with the arithmetic shown

    @option:dosing.bsa_formula @option:dosing.fluorouracil_infusion_hours @option:dosing.per_m2_rounding_mg
    Scenario: 68 kg, 172 cm (BSA 1.8025 m2)
      When the doses for 2026-08-25 are calculated
      Then the BSA used is 1.8025 m2
      And the oxaliplatin dose is 153 mg from "85 mg/m2 x 1.8025 m2" (153.2125 mg unrounded)
      And the leucovorin dose is 721 mg from "400 mg/m2 x 1.8025 m2" (721 mg unrounded)
      And the fluorouracil dose is 4326 mg from "2400 mg/m2 x 1.8025 m2" (4326 mg unrounded)
      And the fluorouracil runs over 46 h at 94.04 mg/h on days "1-3"
      And the oxaliplatin runs over 2 h at 76.5 mg/h on days "1"

    @option:dosing.fluorouracil_infusion_hours
    Scenario: 5-FU over 23 h when the site chooses it
      Given the protocol option "dosing.fluorouracil_infusion_hours" is 23
      When the doses for 2026-08-25 are calculated
      Then the fluorouracil runs over 23 h at 188.09 mg/h on days "1-2"
      And the option "fluorouracil_infusion_hours" is shown as 23

    @option:dosing.allowed_deviation_pct
    Scenario: The pharmacy's dose-banding tolerance is printed with every dose, never applied silently
      The engine rounds to dosing.per_m2_rounding_mg only; a prepared dose may differ from the calculated one by
      at most dosing.allowed_deviation_pct (5 %, the usual cytotoxic banding tolerance), which pharmacy applies.
      When the doses for 2026-08-25 are calculated
      Then the option "allowed_deviation_pct" is shown as 5
      And the oxaliplatin dose is 153 mg from "85 mg/m2 x 1.8025 m2" (153.2125 mg unrounded)

    @option:dosing.per_m2_rounding_mg
    Scenario: Half a milligram rounds up
      Given a patient with:
        | field     | value |
        | weight_kg | 61.2  |
        | height_cm | 170.0 |
      When the doses for 2026-08-25 are calculated
      Then the oxaliplatin dose is 145 mg from "85 mg/m2 x 1.7000 m2" (144.5 mg unrounded)

    @option:dosing.bsa_cap_m2
    Scenario Outline: Obese patients get full actual-weight BSA unless the site caps it
      Given a patient with:
        | field     | value |
        | weight_kg | 112.0 |
        | height_cm | 178.0 |
      And the protocol option "dosing.bsa_cap_m2" is <cap>
      When the doses for 2026-08-25 are calculated
      Then the BSA used is <bsa> m2
      And the oxaliplatin dose is <mg> mg

      Examples:
        | cap  | bsa    | mg  |
        | null | 2.3532 | 200 |
        | 2.0  | 2.0    | 170 |

    Scenario: Without a height there is no BSA and no FOLFOX dose
      Given a patient with:
        | field     | value  |
        | height_cm | absent |
      When the doses for 2026-08-25 are calculated
      Then the oxaliplatin gets no dose and the warning names "height_cm"
      And the oxaliplatin status is "pending_input" and its basis names "height_cm"
      And the lenvatinib dose is 12 mg once daily as 3 capsules

  Rule: The PD-1 inhibitor is a fixed 200 mg and is never reduced

    Scenario Outline: Vials per product
      Given a patient with:
        | field     | value     |
        | pd1_agent | <product> |
      When the doses for 2026-08-25 are calculated
      Then the <agent> dose is 200 mg in <vials> vials

      Examples:
        | product        | agent        | vials |
        | "camrelizumab" | camrelizumab | 1     |
        | "sintilimab"   | sintilimab   | 2     |

    Scenario: No PD-1 agent recorded: the generic inhibitor and an open choice
      Given a patient with:
        | field     | value  |
        | pd1_agent | absent |
      When the doses for 2026-08-25 are calculated
      Then the pd1 dose is 200 mg
      And a warning says "the choice is open"

    Scenario: A PD-1 agent on the HAIC + lenvatinib arm is an error
      Given the protocol "haic-lenvatinib"
      When the doses for 2026-08-25 are calculated
      Then the doses are refused naming "gives no PD-1 inhibitor"

    @option:dosing.pd1_schedule
    Scenario: PD-1 every 4 weeks is the paper's alternative reading
      Given the protocol option "dosing.pd1_schedule" is "q4w_paper"
      When the doses for 2026-08-25 are calculated
      Then the camrelizumab frequency mentions "every 4 weeks"
      And the camrelizumab dose is 200 mg in 1 vials

    @rule:pd1.irae.grade2-3 @rule:pd1.resume
    Scenario: Immune-related events of every grade never reduce the PD-1 dose
      Given a patient with:
        | field              | value        |
        | treatment_start    | "2026-09-01" |
        | baseline_weight_kg | 68.0         |
      And adverse events:
        | onset      | term        | grade | attributed to | immune related | resolved   |
        | 2026-09-10 | Colitis     | 2     | camrelizumab  | true           | 2026-09-20 |
        | 2026-10-01 | Pneumonitis | 3     | camrelizumab  | true           | 2026-10-12 |
        | 2026-11-01 | Rash maculo-papular | 3 | camrelizumab | true        | 2026-11-09 |
      When the course is replayed
      Then every camrelizumab level in the course is "200mg"
      And camrelizumab is "active" at level "200mg" at the end

  Rule: No dose for a patient who must not get it (issue 9 item 1)
    Lin 2023, Patients, exclusion (8): "contraindications for HAIC, lenvatinib, PD-1 inhibitors". A recorded
    contraindication (contraindications.haic covers oxaliplatin, leucovorin and fluorouracil) gives that drug
    the status "contraindicated" and no dose, with or without --force. The patient is then not eligible for
    the arm, so the doses are refused exactly as the calendar is ("no doses: ... use --force") unless --force,
    which marks every line.

    Scenario Outline: A recorded contraindication stops that drug, and only that drug
      Given a patient with:
        | field                       | value |
        | contraindications.<field>   | true  |
      When the doses for 2026-08-25 are calculated with --force
      Then the <drug> status is "contraindicated" and its basis names "contraindications.<field>"
      And the <drug> gets no dose
      And the <other> status is "active"
      And every dose line is marked "FORCED: not eligible"

      Examples:
        | field      | drug         | other        |
        | pd1        | camrelizumab | lenvatinib   |
        | lenvatinib | lenvatinib   | camrelizumab |
        | haic       | oxaliplatin  | lenvatinib   |
        | haic       | leucovorin   | camrelizumab |
        | haic       | fluorouracil | lenvatinib   |

    Scenario: Without a contraindication every drug is dosed and nothing is marked
      Given a patient with:
        | field                 | value |
        | contraindications.pd1 | false |
      When the doses for 2026-08-25 are calculated
      Then the camrelizumab status is "active"
      And no dose line is marked "FORCED"

    Scenario: A contraindicated patient is refused the doses without --force, as the calendar is
      Given a patient with:
        | field                 | value |
        | contraindications.pd1 | true  |
      When the doses for 2026-08-25 are calculated
      Then the doses are refused by the clinical gate naming "not eligible for haic-lenvatinib-pd1"

    Scenario: Undetermined eligibility is refused, as the calendar is
      Given a patient with:
        | field | value  |
        | ecog  | absent |
      When the doses for 2026-08-25 are calculated
      Then the doses are refused by the clinical gate naming "eligibility undetermined"

    Scenario: With --force undetermined eligibility is marked on every line
      Given a patient with:
        | field | value  |
        | ecog  | absent |
      When the doses for 2026-08-25 are calculated with --force
      Then every dose line is marked "FORCED: eligibility undetermined"
      And a warning says "the doses were produced with --force, not a treatment decision"

    Scenario: The course never shows a contraindicated drug dosed
      Given a patient with:
        | field                 | value        |
        | contraindications.pd1 | true         |
        | treatment_start       | "2026-09-01" |
        | baseline_weight_kg    | 68.0         |
      When the course is replayed up to 2026-10-01
      Then camrelizumab is "contraindicated" at level "-" at the end
      And the course has no camrelizumab event

  Rule: Cycle 1 is checked against the baseline work-up (issue 9 item 2)
    Oxaliplatin US PI: "Delay the next dose until neutrophils >= 1.5 x 10^9/L and platelets >= 75 x 10^9/L";
    SYSUCC HAIC protocol (He 2017): suspend if total bilirubin > 30 umol/L or albumin < 3.0 g/dL (30 g/L).
    Before the first HAIC the results dated within 3 days (schedule.precycle_labs.result_max_age_days) are
    checked against those limits, and the Child-Pugh class against Lin 2023 inclusion (5), "Child-Pugh class A
    or B". Failing: "delayed"; missing: "pending_precycle_check". The mg stays visible for the pharmacist.

    Scenario Outline: Baseline neutrophils either side of 1.5 x 10^9/L
      Given laboratory results:
        | date       | anc_10e9_l | platelets_10e9_l | total_bilirubin_umol_l | albumin_g_l | creatinine_umol_l |
        | 2026-08-25 | <anc>      | 150              | 15                     | 40          | 80                |
      When the doses for 2026-08-25 are calculated
      Then the oxaliplatin status is "<status>"
      And the oxaliplatin dose is 153 mg

      Examples:
        | anc  | status  |
        | 1.49 | delayed |
        | 1.5  | active  |

    Scenario Outline: Baseline platelets either side of 75 x 10^9/L
      Given laboratory results:
        | date       | anc_10e9_l | platelets_10e9_l | total_bilirubin_umol_l | albumin_g_l | creatinine_umol_l |
        | 2026-08-25 | 2.0        | <platelets>      | 15                     | 40          | 80                |
      When the doses for 2026-08-25 are calculated
      Then the fluorouracil status is "<status>"

      Examples:
        | platelets | status  |
        | 74        | delayed |
        | 75        | active  |

    @option:schedule.precycle_labs.result_max_age_days
    Scenario: No baseline result within 3 days before the first HAIC leaves it pending
      # the background results are of 24 and 31 August; on 28 August the latest (24 August) is 4 days old
      # (oxaliplatin is pending_input: its creatinine clearance is unknown for want of a recent creatinine)
      When the doses for 2026-08-28 are calculated
      Then the leucovorin status is "pending_precycle_check"
      And the fluorouracil status is "pending_precycle_check"
      And the oxaliplatin status is "pending_input" and its basis names "creatinine_umol_l"
      And a warning says "pre-cycle check for cycle 1 (baseline work-up) unknown"

    @option:schedule.precycle_labs.baseline_child_pugh_classes
    Scenario Outline: Child-Pugh C delays the first HAIC; A and B do not
      # Child-Pugh points: bilirubin <34.2 / 34.2-51.3 / >51.3 umol/L; albumin >35 / 28-35 / <28 g/L;
      # INR <1.7 / 1.7-2.3 / >2.3; ascites none / mild / moderate-severe; encephalopathy none / 1-2 / 3-4
      Given a patient with:
        | field                        | value          |
        | liver.total_bilirubin_umol_l | <bilirubin>    |
        | liver.albumin_g_l            | <albumin>      |
        | liver.inr                    | <inr>          |
        | liver.ascites                | "<ascites>"    |
        | liver.encephalopathy         | "none"         |
      When the doses for 2026-08-25 are calculated with --force
      Then the oxaliplatin status is "<status>"

      Examples:
        | bilirubin | albumin | inr | ascites         | class | status  |
        | 40        | 30      | 1.8 | mild            | B9    | active  |
        | 60        | 25      | 2.5 | moderate_severe | C13   | delayed |

    Scenario Outline: Oxaliplatin renal start either side of a creatinine clearance of 30 mL/min
      # Oxaliplatin US PI: severe renal impairment (CrCl < 30 mL/min): reduce the starting dose from 85 to
      # 65 mg/m2. Cockcroft-Gault, creatinine in umol/L: (140 - age) x weight x 1.23 (man) / creatinine.
      # 40-year-old man, creatinine 246 umol/L: 59.8 kg -> 100 x 59.8 x 1.23 / 246 = 29.9 mL/min;
      # 60.0 kg -> 30.0 mL/min. BSA sqrt(172 x 59.8 / 3600) = 1.6903 m2, sqrt(172 x 60 / 3600) = 1.6931 m2.
      Given a patient with:
        | field      | value    |
        | age_years  | 40       |
        | weight_kg  | <weight> |
      And laboratory results:
        | date       | anc_10e9_l | platelets_10e9_l | total_bilirubin_umol_l | albumin_g_l | creatinine_umol_l |
        | 2026-08-25 | 2.0        | 150              | 15                     | 40          | 246               |
      When the doses for 2026-08-25 are calculated
      Then the oxaliplatin dose is <mg> mg at level "<level>"

      Examples:
        | weight | crcl | level   | mg  |
        | 59.8   | 29.9 | 65mg/m2 | 110 |
        | 60.0   | 30.0 | 85mg/m2 | 144 |

    Scenario: An unknown creatinine clearance gives no oxaliplatin dose, never a silent full dose
      Given a patient with:
        | field | value  |
        | sex   | absent |
      When the doses for 2026-08-25 are calculated with --force
      Then the oxaliplatin status is "pending_input" and its basis names "sex"
      And the oxaliplatin gets no dose

    @option:agents.oxaliplatin.renal_start.policy
    Scenario: The site may follow the paper (no renal adjustment) instead of the label
      Given a patient with:
        | field      | value |
        | age_years  | 40    |
        | weight_kg  | 59.8  |
      And laboratory results:
        | date       | anc_10e9_l | platelets_10e9_l | total_bilirubin_umol_l | albumin_g_l | creatinine_umol_l |
        | 2026-08-25 | 2.0        | 150              | 15                     | 40          | 246               |
      And the oxaliplatin renal start policy is "none"
      When the doses for 2026-08-25 are calculated
      Then the oxaliplatin dose is 144 mg at level "85mg/m2"

  Rule: The calendar tells the same story as the doses (issue 9 item 12)
    A cycle-1 laboratory failure, a hold or a delay that `dose` reports for a date appears in the calendar
    for the same record on that date: the HAIC is not given that day.

    @rule:schedule.haic_cycle @rule:schedule.haic_infusion @rule:schedule.imaging @rule:schedule.lenvatinib_daily
    @rule:schedule.pd1_each_cycle @rule:schedule.precycle_delay @rule:schedule.precycle_labs
    @rule:schedule.systemic_start
    Scenario Outline: A failing baseline result delays cycle 1 in the doses and in the calendar
      Given laboratory results:
        | date       | anc_10e9_l | platelets_10e9_l | total_bilirubin_umol_l | albumin_g_l | creatinine_umol_l |
        | 2027-01-03 | <anc>      | 150              | 15                     | 40          | 80                |
      When the doses for 2027-01-04 are calculated
      And the calendar is planned from 2027-01-04 for 2 cycles
      Then the oxaliplatin status is "<status>"
      And the first HAIC is on <first>

      Examples:
        | anc  | status  | first      |
        | 1.49 | delayed | 2027-01-11 |
        | 1.5  | active  | 2027-01-04 |
