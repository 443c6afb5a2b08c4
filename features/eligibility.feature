Feature: Eligibility for HAIC + lenvatinib (+ PD-1 inhibitor) after TACE failure (Lin et al. 2023)
  Each of the paper's criteria is met, not met or unknown, with the inputs it read and its source.
  A patient is not eligible as soon as one criterion definitively excludes them, undetermined while
  any criterion is unknown, and eligible only when every criterion is decided and satisfied. A missing
  value never makes a patient eligible: a criterion is decided without it only when no value it could
  take would change the criterion, and the field is still listed. Every scenario runs on both engines
  (per-patient durable_rules and the cohort engine).

  Background: a TACE-refractory BCLC C candidate with complete data
    Given a patient with:
      | field                              | value  |
      | ecog                               | 1      |
      | diagnosis.hcc_confirmed            | true   |
      | diagnosis.resectable               | false  |
      | tumour.count                       | 3      |
      | tumour.largest_diameter_cm         | 8.5    |
      | tumour.vascular_invasion           | true   |
      | tumour.extrahepatic_spread         | false  |
      | liver.total_bilirubin_umol_l       | 18     |
      | liver.albumin_g_l                  | 38     |
      | liver.inr                          | 1.1    |
      | liver.ascites                      | "none" |
      | liver.encephalopathy               | "none" |
      | history.severe_autoimmune_disease  | false  |
      | history.prior_systemic_therapy     | false  |
      | history.prior_immunotherapy        | false  |
      | history.other_tki                  | false  |
      | history.refuses_treatment          | false  |
      | history.other_subsequent_treatment | false  |
      | contraindications.haic             | false  |
      | contraindications.lenvatinib       | false  |
      | contraindications.pd1              | false  |
    And these TACE sessions:
      | date       | selective | days to imaging | viable tumour % | tumours before | tumours after | markers rising | new vascular invasion | new extrahepatic spread | agents changed | feeding artery reanalysed |
      | 2026-01-05 | yes       | 35              | 70              | 3              | 3             | no             | no                    | no                      | no             | no                        |
      | 2026-03-02 | yes       | 35              | 65              | 3              | 3             | no             | no                    | no                      | yes            | no                        |

  @rule:inclusion.tace_refractory
  @option:eligibility.criteria_rules
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
    When eligibility is assessed for both arms
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
    When eligibility is assessed for both arms
    Then the patient is eligible
    And the assessment has no warning

  Rule: ECOG performance status must be 0 or 1

    @rule:exclusion.ecog_above_1 @rule:inclusion.ecog_0_1
    Scenario Outline: ECOG either side of 1
      Lin 2023 inclusion (4): "ECOG-PS score <= 1"; exclusion (5): "ECOG-PS score > 1".
      Given the patient also has:
        | field | value  |
        | ecog  | <ecog> |
      When eligibility is assessed for both arms
      Then the patient is <decision>
      And criterion "inclusion.ecog_0_1" is <inclusion>
      And criterion "exclusion.ecog_above_1" is <exclusion>

      Examples:
        | ecog | decision     | inclusion | exclusion |
        | 0    | eligible     | met       | not met   |
        | 1    | eligible     | met       | not met   |
        | 2    | not eligible | not met   | met       |

  Rule: Child-Pugh class A or B (score up to 9) is included; class C (10 or more) is not

    @rule:inclusion.child_pugh_a_or_b
    Scenario Outline: Child-Pugh 9 (B) and 10 (C)
      Lin 2023 inclusion (5): "Child-Pugh class A or B". Pugh 1973 (MDCalc cut-offs): bilirubin 40 µmol/L 2,
      albumin 30 g/L 2, INR 1.8 2, mild ascites 2, encephalopathy none 1 / grade 1-2 2.
      Given the patient also has:
        | field                        | value              |
        | liver.total_bilirubin_umol_l | 40                 |
        | liver.albumin_g_l            | 30                 |
        | liver.inr                    | 1.8                |
        | liver.ascites                | "mild"             |
        | liver.encephalopathy         | "<encephalopathy>" |
      When eligibility is assessed for both arms
      Then criterion "inclusion.child_pugh_a_or_b" is <status>
      And the patient is <decision>

      Examples:
        | encephalopathy | status  | decision     |
        | none           | met     | eligible     |
        | grade_1_2      | not met | not eligible |

    @rule:inclusion.child_pugh_a_or_b
    Scenario Outline: A missing INR decides Child-Pugh only when 1-3 points could cross 9/10
      A missing component adds 1 to 3 points. With the other four summing to 6 the score is 7-9 (class B
      whatever the INR); 7 gives 8-10 and 8 gives 9-11 (B or C: unknown); 9 gives 10-12 (class C whatever the
      INR). Points: bilirubin 18 µmol/L 1, 40 2, 60 3; albumin 38 g/L 1, 30 2, 25 3; ascites none 1, mild 2,
      moderate_severe 3; encephalopathy none 1.
      Given the patient also has:
        | field                        | value       |
        | liver.inr                    | absent      |
        | liver.total_bilirubin_umol_l | <bilirubin> |
        | liver.albumin_g_l            | <albumin>   |
        | liver.ascites                | "<ascites>" |
        | liver.encephalopathy         | "none"      |
      When eligibility is assessed for both arms
      Then criterion "inclusion.child_pugh_a_or_b" is <status>
      And the patient is <decision>
      And "liver.inr" is listed as missing

      Examples:
        | bilirubin | albumin | ascites | status  | decision     |
        | 40        | 30      | none    | met     | eligible     |
        | 40        | 30      | mild    | unknown | undetermined |
        | 60        | 30      | mild    | unknown | undetermined |
        | 60        | 25      | mild    | not met | not eligible |

    Scenario: Eligible although the INR is missing, with the missing field named
      Given the patient also has:
        | field     | value  |
        | liver.inr | absent |
      When eligibility is assessed for both arms
      Then the patient is eligible
      And the assessment warns that "read by a criterion is missing but did not change the decision: liver.inr"

  Rule: Missing data never makes a patient eligible

    @rule:inclusion.child_pugh_a_or_b
    Scenario: A missing INR that could decide Child-Pugh B or C leaves the decision open
      Given the patient also has:
        | field                        | value  |
        | liver.inr                    | absent |
        | liver.total_bilirubin_umol_l | 40     |
        | liver.albumin_g_l            | 30     |
        | liver.ascites                | "mild" |
      When eligibility is assessed for both arms
      Then the patient is undetermined
      And "liver.inr" is listed as missing
      And criterion "inclusion.child_pugh_a_or_b" is unknown
      And the derived BCLC stage is unknown

    @rule:inclusion.child_pugh_a_or_b
    Scenario: A missing INR does not hide an ECOG of 2
      Given the patient also has:
        | field                        | value  |
        | liver.inr                    | absent |
        | liver.total_bilirubin_umol_l | 40     |
        | liver.albumin_g_l            | 30     |
        | liver.ascites                | "mild" |
        | ecog                         | 2      |
      When eligibility is assessed for both arms
      Then the patient is not eligible
      And criterion "inclusion.child_pugh_a_or_b" is unknown

  Rule: BCLC stage B or C is included; 0, A and D are not (BCLC 2022)

    @rule:inclusion.bclc_b_or_c
    Scenario Outline: Stages derived from tumour burden, ECOG and Child-Pugh
      Lin 2023 inclusion (3): "BCLC stage B/C". BCLC 2022 (Reig 2022): 0 "single <=2 cm", A "single, or <=3
      nodules each <=3 cm", B "multinodular", C "portal invasion and/or extrahepatic spread" or ECOG 1-2,
      D ECOG 3-4 or end-stage liver function. The latest response imaging's tumour count is staged.
      Given the patient also has:
        | field                      | value    |
        | ecog                       | <ecog>   |
        | tumour.count               | <count>  |
        | tumour.largest_diameter_cm | <size>   |
        | tumour.vascular_invasion   | false    |
        | tumour.extrahepatic_spread | <spread> |
      And these TACE sessions:
        | date       | selective | days to imaging | viable tumour % | tumours before | tumours after | markers rising | new vascular invasion | new extrahepatic spread | agents changed | feeding artery reanalysed |
        | 2026-01-05 | yes       | 35              | 70              | <count>        | <count>       | no             | no                    | no                      | no             | no                        |
        | 2026-03-02 | yes       | 35              | 65              | <count>        | <count>       | no             | no                    | no                      | yes            | no                        |
      When eligibility is assessed for both arms
      Then the derived BCLC stage is <stage>
      And criterion "inclusion.bclc_b_or_c" is <status>
      And the patient is <decision>

      Examples:
        | ecog | count | size | spread | stage | status  | decision     |
        | 0    | 1     | 2.0  | false  | 0     | not met | not eligible |
        | 0    | 1     | 2.1  | false  | A     | not met | not eligible |
        | 0    | 3     | 3.0  | false  | A     | not met | not eligible |
        | 0    | 3     | 3.1  | false  | B     | met     | eligible     |
        | 0    | 1     | 2.0  | true   | C     | met     | eligible     |
        | 1    | 1     | 2.0  | false  | C     | met     | eligible     |
        | 3    | 3     | 8.5  | false  | D     | not met | not eligible |

    @rule:inclusion.bclc_b_or_c
    Scenario Outline: The latest response imaging's tumour count is newer than the tumour record
      The tumour record carries no date; a response imaging is dated and follows a recorded TACE, so its
      intrahepatic tumour count is staged.
      Given the patient also has:
        | field                      | value |
        | ecog                       | 0     |
        | tumour.count               | 1     |
        | tumour.largest_diameter_cm | 2.5   |
        | tumour.vascular_invasion   | false |
        | tumour.extrahepatic_spread | false |
      And these TACE sessions:
        | date       | selective | days to imaging | viable tumour % | tumours before | tumours after | markers rising | new vascular invasion | new extrahepatic spread | agents changed | feeding artery reanalysed |
        | 2026-01-05 | yes       | 35              | 70              | 1              | <first>       | no             | no                    | no                      | no             | no                        |
        | 2026-03-02 | yes       | 35              | 65              | 1              | <after>       | no             | no                    | no                      | yes            | no                        |
      When eligibility is assessed for both arms
      Then the derived BCLC stage is <stage>
      And criterion "inclusion.bclc_b_or_c" is <status>

      Examples:
        | first | after  | stage   | status  |
        | 1     | 1      | A       | not met |
        | 1     | 4      | B       | met     |
        | 4     | absent | unknown | unknown |

    @rule:inclusion.bclc_b_or_c
    Scenario Outline: A contradictory record is never staged A and excluded
      A session records new vascular invasion (or a PVTT type is recorded) while the tumour record says there is
      none: stage unknown, the contradiction named, undetermined rather than excluded.
      Given the patient also has:
        | field                      | value  |
        | ecog                       | 0      |
        | tumour.count               | 1      |
        | tumour.largest_diameter_cm | 2.5    |
        | tumour.vascular_invasion   | false  |
        | tumour.extrahepatic_spread | false  |
        | tumour.pvtt_cheng_type     | <pvtt> |
      And these TACE sessions:
        | date       | selective | days to imaging | viable tumour % | tumours before | tumours after | markers rising | new vascular invasion | new extrahepatic spread | agents changed | feeding artery reanalysed |
        | 2026-01-05 | yes       | 35              | 70              | 1              | 1             | no             | no                    | no                      | no             | no                        |
        | 2026-03-02 | yes       | 35              | 65              | 1              | 1             | no             | <new>                 | no                      | yes            | no                        |
      When eligibility is assessed for both arms
      Then the derived BCLC stage is <stage>
      And criterion "inclusion.bclc_b_or_c" is <status>
      And the patient is <decision>

      Examples:
        | new | pvtt   | stage   | status  | decision     |
        | no  | absent | A       | not met | not eligible |
        | yes | absent | unknown | unknown | undetermined |
        | no  | "I"    | unknown | unknown | undetermined |

    @rule:inclusion.bclc_b_or_c
    Scenario: The contradiction is named in the warnings and in the criterion's why
      Given the patient also has:
        | field                    | value |
        | tumour.vascular_invasion | false |
        | tumour.pvtt_cheng_type   | "II"  |
      When eligibility is assessed for both arms
      Then the derived BCLC stage is unknown
      And the assessment warns that "BCLC stage not derived: the record contradicts itself (tumour.pvtt_cheng_type = "
      And the why of criterion "inclusion.bclc_b_or_c" says "tumour.vascular_invasion = false"

  Rule: A BCLC stage recorded by the team must agree with the derived stage where it matters

    @rule:inclusion.bclc_b_or_c
    Scenario Outline: Recorded stage against the derived stage C
      A conflict between B and C cannot change "BCLC stage B/C"; a conflict across it (A or D against C) can.
      Given the patient also has:
        | field      | value        |
        | bclc_stage | "<recorded>" |
      When eligibility is assessed for both arms
      Then criterion "inclusion.bclc_b_or_c" is <status>
      And the patient is <decision>

      Examples:
        | recorded | status  | decision     |
        | C        | met     | eligible     |
        | B        | met     | eligible     |
        | A        | unknown | undetermined |
        | D        | unknown | undetermined |

    Scenario: A B/C conflict is still reported
      The criterion is decided, but the team's record still disagrees with the derived stage: it is listed.
      Given the patient also has:
        | field      | value |
        | bclc_stage | "B"   |
      When eligibility is assessed for both arms
      Then the assessment warns that "BCLC stage recorded by the team (B) differs from the derived stage (C)"

  Rule: Impossible data is refused, naming the field

    Scenario Outline: Dates after today, no tumour yet viable tumour, imaging before its TACE
      A TACE or its "response-evaluation CT/MRI" cannot be recorded before it happens nor precede the TACE it
      evaluates, and with 0 intrahepatic tumours nothing is viable: the record is refused (exit 2), the field named.
      Given today is 2026-06-30
      And these TACE sessions:
        | date   | selective | imaging date | viable tumour % | tumours before | tumours after | markers rising | new vascular invasion | new extrahepatic spread | agents changed | feeding artery reanalysed |
        | <tace> | yes       | <imaging>    | <viable>        | 3              | <after>       | no             | no                    | no                      | no             | no                        |
      When the record is read
      Then the record is refused naming "<field>"

      Examples:
        | tace       | imaging    | viable | after | field                                     |
        | 2026-07-01 | absent     | absent | 3     | tace_history[0].date                      |
        | 2026-05-04 | 2026-07-01 | 70     | 3     | tace_history[0].imaging_date              |
        | 2026-05-04 | 2026-06-08 | 0.5    | 0     | tace_history[0].intrahepatic_tumour_count |
        | 2026-05-04 | 2026-05-03 | 70     | 3     | imaging_date                              |

    Scenario Outline: The same records one day earlier, or with no viable tumour, are accepted
      The other side of each boundary: dated today, 0 % viable with no tumour, imaging on the day of the TACE.
      Given today is 2026-06-30
      And these TACE sessions:
        | date   | selective | imaging date | viable tumour % | tumours before | tumours after | markers rising | new vascular invasion | new extrahepatic spread | agents changed | feeding artery reanalysed |
        | <tace> | yes       | <imaging>    | <viable>        | 3              | <after>       | no             | no                    | no                      | no             | no                        |
      When the record is read
      Then the record is accepted

      Examples:
        | tace       | imaging    | viable | after |
        | 2026-06-30 | absent     | absent | 3     |
        | 2026-05-04 | 2026-06-30 | 70     | 3     |
        | 2026-05-04 | 2026-06-08 | 0      | 0     |
        | 2026-05-04 | 2026-05-04 | 70     | 3     |

  Rule: Each exclusion, when present, excludes; when not recorded, the decision is open

    @rule:exclusion.contraindication_haic @rule:exclusion.contraindication_lenvatinib
    @rule:exclusion.other_subsequent_treatment @rule:exclusion.other_tki @rule:exclusion.prior_immunotherapy
    @rule:exclusion.prior_systemic_therapy @rule:exclusion.refuses_treatment @rule:exclusion.severe_autoimmune_disease
    @rule:inclusion.unresectable_hcc
    Scenario Outline: Exclusions of the paper
      Given the patient also has:
        | field   | value   |
        | <field> | <value> |
      When eligibility is assessed for both arms
      Then criterion "<criterion>" is <status>
      And the patient is <decision>

      Examples:
        | field                              | value  | criterion                             | status  | decision     |
        | history.severe_autoimmune_disease  | true   | exclusion.severe_autoimmune_disease   | met     | not eligible |
        | history.prior_systemic_therapy     | true   | exclusion.prior_systemic_therapy      | met     | not eligible |
        | history.prior_immunotherapy        | true   | exclusion.prior_immunotherapy         | met     | not eligible |
        | history.other_tki                  | true   | exclusion.other_tki                   | met     | not eligible |
        | history.refuses_treatment          | true   | exclusion.refuses_treatment           | met     | not eligible |
        | history.other_subsequent_treatment | true   | exclusion.other_subsequent_treatment  | met     | not eligible |
        | contraindications.haic             | true   | exclusion.contraindication_haic       | met     | not eligible |
        | contraindications.lenvatinib       | true   | exclusion.contraindication_lenvatinib | met     | not eligible |
        | history.prior_immunotherapy        | absent | exclusion.prior_immunotherapy         | unknown | undetermined |
        | diagnosis.resectable               | true   | inclusion.unresectable_hcc            | not met | not eligible |

  Rule: A PD-1 inhibitor contraindication excludes from the triple arm only

    @rule:exclusion.contraindication_pd1
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
