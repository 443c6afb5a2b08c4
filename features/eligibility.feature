Feature: Eligibility for HAIC + lenvatinib (+ PD-1 inhibitor) after TACE failure (Lin et al. 2023)
  Each of the paper's criteria is met, not met or unknown, with the inputs it read and its source.
  A patient is not eligible as soon as one criterion definitively excludes them, undetermined while
  any criterion is unknown, and eligible only when every criterion is decided and satisfied.
  Never eligible on incomplete data.

  Background: a TACE-refractory BCLC C candidate with complete data
    Given a patient with:
      | field                                       | value        |
      | ecog                                        | 1            |
      | diagnosis.hcc_confirmed                     | true         |
      | diagnosis.resectable                        | false        |
      | tumour.count                                | 3            |
      | tumour.largest_diameter_cm                  | 8.5          |
      | tumour.vascular_invasion                    | true         |
      | tumour.extrahepatic_spread                  | false        |
      | liver.total_bilirubin_umol_l                | 18           |
      | liver.albumin_g_l                           | 38           |
      | liver.inr                                   | 1.1          |
      | liver.ascites                               | "none"       |
      | liver.encephalopathy                        | "none"       |
      | history.severe_autoimmune_disease           | false        |
      | history.prior_systemic_therapy              | false        |
      | history.prior_immunotherapy                 | false        |
      | history.other_tki                           | false        |
      | history.refuses_treatment                   | false        |
      | history.other_subsequent_treatment          | false        |
      | contraindications.haic                      | false        |
      | contraindications.lenvatinib                | false        |
      | contraindications.pd1                       | false        |
    And these TACE sessions:
      | date       | selective | days to imaging | viable tumour % | tumours before | tumours after | markers rising |
      | 2026-01-05 | yes       | 35              | 70              | 3              | 3             | no             |
      | 2026-03-02 | yes       | 35              | 65              | 3              | 3             | no             |

  Scenario Outline: A complete candidate is eligible for either arm
    When eligibility is assessed for the "<arm>" arm
    Then the patient is eligible
    And TACE failure/refractoriness by JSH-LCSGJ 2014 is met
    And criterion "inclusion.tace_refractory" is met

    Examples:
      | arm                 |
      | haic-lenvatinib-pd1 |
      | haic-lenvatinib     |

  Scenario: Eligible on every criterion, with a warning for what dosing and the calendar still need
    The decision is the criteria's; fields that no criterion reads are listed beside it.
    When eligibility is assessed for the "haic-lenvatinib-pd1" arm
    Then the patient is eligible
    And the assessment warns "eligible on every criterion; 5 fields are missing that no criterion reads (needed for dosing or the calendar): sex, age_years, weight_kg, height_cm, tumour.afp_ng_ml"

  Scenario: A complete eligible record carries no warning
    Given the patient also has:
      | field            | value  |
      | sex              | "male" |
      | age_years        | 58     |
      | weight_kg        | 70     |
      | height_cm        | 170    |
      | tumour.afp_ng_ml | 900    |
    When eligibility is assessed for the "haic-lenvatinib-pd1" arm
    Then the patient is eligible
    And the assessment has no warning

  Rule: ECOG performance status must be 0 or 1

    Scenario Outline: ECOG either side of 1
      Given the patient also has:
        | field | value  |
        | ecog  | <ecog> |
      When eligibility is assessed for the "haic-lenvatinib-pd1" arm
      Then the patient is <decision>
      And criterion "inclusion.ecog_0_1" is <inclusion>
      And criterion "exclusion.ecog_above_1" is <exclusion>

      Examples:
        | ecog | decision     | inclusion | exclusion |
        | 0    | eligible     | met       | not met   |
        | 1    | eligible     | met       | not met   |
        | 2    | not eligible | not met   | met       |

  Rule: Child-Pugh class A or B (score up to 9) is included; class C (10 or more) is not

    Scenario Outline: Child-Pugh 9 (B) and 10 (C)
      Given the patient also has:
        | field                        | value            |
        | liver.total_bilirubin_umol_l | 40               |
        | liver.albumin_g_l            | 30               |
        | liver.inr                    | 1.8              |
        | liver.ascites                | "mild"           |
        | liver.encephalopathy         | "<encephalopathy>" |
      When eligibility is assessed for the "haic-lenvatinib-pd1" arm
      Then criterion "inclusion.child_pugh_a_or_b" is <status>
      And the patient is <decision>

      Examples:
        | encephalopathy | status  | decision     |
        | none           | met     | eligible     |
        | grade_1_2      | not met | not eligible |

  Rule: Missing data never makes a patient eligible

    Scenario: The only gap is the INR
      Given the patient also has:
        | field     | value  |
        | liver.inr | absent |
      When eligibility is assessed for the "haic-lenvatinib-pd1" arm
      Then the patient is undetermined
      And "liver.inr" is listed as missing
      And criterion "inclusion.child_pugh_a_or_b" is unknown

    Scenario: A missing INR does not hide an ECOG of 2
      Given the patient also has:
        | field     | value  |
        | liver.inr | absent |
        | ecog      | 2      |
      When eligibility is assessed for the "haic-lenvatinib-pd1" arm
      Then the patient is not eligible
      And criterion "inclusion.child_pugh_a_or_b" is unknown

  Rule: A BCLC stage recorded by the team must agree with the derived stage

    Scenario Outline: Recorded stage against the derived stage C
      Given the patient also has:
        | field      | value      |
        | bclc_stage | "<recorded>" |
      When eligibility is assessed for the "haic-lenvatinib-pd1" arm
      Then criterion "inclusion.bclc_b_or_c" is <status>
      And the patient is <decision>

      Examples:
        | recorded | status  | decision     |
        | C        | met     | eligible     |
        | B        | unknown | undetermined |

  Rule: Each exclusion, when present, excludes; when not recorded, the decision is open

    Scenario Outline: Exclusions of the paper
      Given the patient also has:
        | field   | value   |
        | <field> | <value> |
      When eligibility is assessed for the "haic-lenvatinib-pd1" arm
      Then criterion "<criterion>" is <status>
      And the patient is <decision>

      Examples:
        | field                              | value  | criterion                            | status  | decision     |
        | history.severe_autoimmune_disease  | true   | exclusion.severe_autoimmune_disease  | met     | not eligible |
        | history.prior_systemic_therapy     | true   | exclusion.prior_systemic_therapy     | met     | not eligible |
        | history.prior_immunotherapy        | true   | exclusion.prior_immunotherapy        | met     | not eligible |
        | history.other_tki                  | true   | exclusion.other_tki                  | met     | not eligible |
        | history.refuses_treatment          | true   | exclusion.refuses_treatment          | met     | not eligible |
        | history.other_subsequent_treatment | true   | exclusion.other_subsequent_treatment | met     | not eligible |
        | contraindications.haic             | true   | exclusion.contraindication_haic      | met     | not eligible |
        | contraindications.lenvatinib       | true   | exclusion.contraindication_lenvatinib | met    | not eligible |
        | history.prior_immunotherapy        | absent | exclusion.prior_immunotherapy        | unknown | undetermined |
        | diagnosis.resectable               | true   | inclusion.unresectable_hcc           | not met | not eligible |

  Rule: A PD-1 inhibitor contraindication excludes from the triple arm only

    Scenario Outline: PD-1 contraindication by arm
      Given the patient also has:
        | field                 | value |
        | contraindications.pd1 | true  |
      When eligibility is assessed for the "<arm>" arm
      Then criterion "exclusion.contraindication_pd1" is <status>
      And the patient is <decision>

      Examples:
        | arm                 | status  | decision     |
        | haic-lenvatinib-pd1 | met     | not eligible |
        | haic-lenvatinib     | not met | eligible     |
