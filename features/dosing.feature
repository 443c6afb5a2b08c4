Feature: Doses for the next cycle
  A pharmacist verifies every dose by hand. FOLFOX-HAIC per Lin 2023: oxaliplatin 85 mg/m2 (hours 0-2),
  leucovorin 400 mg/m2 (hours 2-3), 5-FU 2400 mg/m2 over 46 h (option: 23 h), no bolus. BSA by Mosteller
  (sqrt(height_cm x weight_kg / 3600), 4 decimals), doses rounded half-up to 1 mg, no BSA cap (ASCO).
  Lenvatinib by weight at treatment start: >= 60 kg 12 mg, < 60 kg 8 mg, never re-tiered (label).
  PD-1 200 mg fixed: camrelizumab 1 x 200 mg vial, sintilimab 2 x 100 mg vials, never reduced.

  Background:
    Given a patient with:
      | field           | value          |
      | weight_kg       | 68.0           |
      | height_cm       | 172.0          |
      | pd1_agent       | "camrelizumab" |

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

    Scenario: 68 kg, 172 cm (BSA 1.8025 m2)
      When the doses for 2026-08-25 are calculated
      Then the BSA used is 1.8025 m2
      And the oxaliplatin dose is 153 mg from "85 mg/m2 x 1.8025 m2" (153.2125 mg unrounded)
      And the leucovorin dose is 721 mg from "400 mg/m2 x 1.8025 m2" (721 mg unrounded)
      And the fluorouracil dose is 4326 mg from "2400 mg/m2 x 1.8025 m2" (4326 mg unrounded)
      And the fluorouracil runs over 46 h at 94.04 mg/h on days "1-3"
      And the oxaliplatin runs over 2 h at 76.5 mg/h on days "1"

    Scenario: 5-FU over 23 h when the site chooses it
      Given the protocol option "dosing.fluorouracil_infusion_hours" is 23
      When the doses for 2026-08-25 are calculated
      Then the fluorouracil runs over 23 h at 188.09 mg/h on days "1-2"
      And the option "fluorouracil_infusion_hours" is shown as 23

    Scenario: Half a milligram rounds up
      Given a patient with:
        | field     | value |
        | weight_kg | 61.2  |
        | height_cm | 170.0 |
      When the doses for 2026-08-25 are calculated
      Then the oxaliplatin dose is 145 mg from "85 mg/m2 x 1.7000 m2" (144.5 mg unrounded)

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

    Scenario: PD-1 every 4 weeks is the paper's alternative reading
      Given the protocol option "dosing.pd1_schedule" is "q4w_paper"
      When the doses for 2026-08-25 are calculated
      Then the camrelizumab frequency mentions "every 4 weeks"
      And the camrelizumab dose is 200 mg in 1 vials

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
