Feature: TACE failure/refractoriness by JSH-LCSGJ 2014, as applied by Lin et al. 2023
  Any one criterion suffices (JSH-LCSGJ 2014, Kudo M et al. Oncology 2014;87 Suppl 1:22-31):
  1 (i) "Two or more consecutive insufficient responses of the treated tumor (viable lesion >50%) even after
  changing the chemotherapeutic drugs and/or reanalysis of the feeding artery, seen on response-evaluation
  CT/MRI at 1-3 months after adequately performed selective TACE"; 1 (ii) the same for "progressions in the
  liver (tumor number increases compared with the number before the previous TACE)"; 2 "Continuous elevation
  of tumor markers right after TACE, even though a slight transient decrease is observed"; 3 "Appearance of
  vascular invasion"; 4 "Appearance of extrahepatic spread". Refractoriness presupposes TACE.
  Every scenario runs on both engines (per-patient durable_rules and the cohort engine).

  Background: a complete BCLC C record (ECOG 1, Child-Pugh A5) without vascular invasion or spread
    Given a patient with:
      | field                              | value  |
      | sex                                | "male" |
      | age_years                          | 58     |
      | weight_kg                          | 70     |
      | height_cm                          | 170    |
      | tumour.afp_ng_ml                   | 900    |
      | ecog                               | 1      |
      | diagnosis.hcc_confirmed            | true   |
      | diagnosis.resectable               | false  |
      | tumour.count                       | 3      |
      | tumour.largest_diameter_cm         | 8.5    |
      | tumour.vascular_invasion           | false  |
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

  Rule: 1 (i) insufficient responses: viable tumour above 50 %, two sessions in a row

    @rule:adequate_tace @rule:insufficient_response @rule:jsh2014.insufficient_response
    @option:eligibility.refractoriness_rules
    Scenario Outline: 50 % viable tumour is not an insufficient response; 51 % is
      JSH 2014 1 (i): "viable lesion >50%".
      Given these TACE sessions:
        | date       | selective | days to imaging | viable tumour % | tumours before | tumours after | markers rising | new vascular invasion | new extrahepatic spread | agents changed | feeding artery reanalysed |
        | 2026-01-05 | yes       | 35              | <viable>        | 3              | 3             | no             | no                    | no                      | no             | no                        |
        | 2026-03-02 | yes       | 35              | <viable>        | 3              | 3             | no             | no                    | no                      | yes            | no                        |
      When eligibility is assessed for both arms
      Then JSH criterion "jsh2014.insufficient_response" is <status>
      And TACE failure/refractoriness by JSH-LCSGJ 2014 is <status>
      And the patient is <decision>

      Examples:
        | viable | status  | decision     |
        | 50     | not met | not eligible |
        | 51     | met     | eligible     |

    @rule:insufficient_response @rule:jsh2014.insufficient_response
    @option:eligibility.change_before_later_session
    Scenario Outline: The later insufficient response must follow a change of agents or a feeding-artery reanalysis
      JSH 2014 1 (i): "even after changing the chemotherapeutic drugs and/or reanalysis of the feeding artery".
      Default reading (change_before_later_session = agents_or_feeding_artery): the second session extends the
      run only if agents were changed or the feeding artery reanalysed before it; not recorded is unknown.
      The looser reading (not_required) is a named option.
      Given the protocol option "change_before_later_session" is "<option>"
      And these TACE sessions:
        | date       | selective | days to imaging | viable tumour % | tumours before | tumours after | markers rising | new vascular invasion | new extrahepatic spread | agents changed | feeding artery reanalysed |
        | 2026-01-05 | yes       | 35              | 70              | 3              | 3             | no             | no                    | no                      | no             | no                        |
        | 2026-03-02 | yes       | 35              | 65              | 3              | 3             | no             | no                    | no                      | <agents>       | <reanalysed>              |
      When eligibility is assessed for both arms
      Then JSH criterion "jsh2014.insufficient_response" is <status>
      And the why of JSH criterion "jsh2014.insufficient_response" says "change_before_later_session = <option>"

      Examples:
        | option                   | agents | reanalysed | status  |
        | agents_or_feeding_artery | no     | no         | not met |
        | agents_or_feeding_artery | yes    | no         | met     |
        | agents_or_feeding_artery | no     | yes        | met     |
        | agents_or_feeding_artery | absent | no         | unknown |
        | agents_or_feeding_artery | no     | absent     | unknown |
        | not_required             | no     | no         | met     |

    @rule:insufficient_response @rule:jsh2014.insufficient_response
    Scenario: An unrecorded viable tumour percentage leaves the run open
      Missing data may or may not complete the run: unknown, never a definite answer.
      Given these TACE sessions:
        | date       | selective | days to imaging | viable tumour % | tumours before | tumours after | markers rising | new vascular invasion | new extrahepatic spread | agents changed | feeding artery reanalysed |
        | 2026-01-05 | yes       | 35              | 70              | 3              | 3             | no             | no                    | no                      | no             | no                        |
        | 2026-03-02 | yes       | 35              | absent          | 3              | 3             | no             | no                    | no                      | yes            | no                        |
        | 2026-05-04 | yes       | 35              | 70              | 3              | 3             | no             | no                    | no                      | yes            | no                        |
      When eligibility is assessed for both arms
      Then JSH criterion "jsh2014.insufficient_response" is unknown
      And TACE failure/refractoriness by JSH-LCSGJ 2014 is unknown
      And the patient is undetermined

  Rule: "1-3 months" is counted in calendar months from the TACE date, both ends inclusive

    @rule:insufficient_response @rule:jsh2014.insufficient_response
    @option:eligibility.response_window @option:eligibility.response_window_max_months
    @option:eligibility.response_window_min_months
    Scenario Outline: Response imaging on either side of the window's edges
      JSH 2014 1: "response-evaluation CT/MRI at 1-3 months". 1 month after 1 March is 1 April; 3 months after
      1 December is 1 March; a day the month lacks clamps to its last day (1 month after 31 January is
      28 February, or 29 in a leap year).
      Given these TACE sessions:
        | date       | selective | imaging date | viable tumour % | tumours before | tumours after | markers rising | new vascular invasion | new extrahepatic spread | agents changed | feeding artery reanalysed |
        | <tace>     | yes       | <imaging>    | 70              | 3              | 3             | no             | no                    | no                      | no             | no                        |
        | 2026-06-01 | yes       | 2026-07-06   | 65              | 3              | 3             | no             | no                    | no                      | yes            | no                        |
      When eligibility is assessed for both arms
      Then session 1 is <counted> for "jsh2014.insufficient_response"
      And JSH criterion "jsh2014.insufficient_response" is <status>
      And the why of JSH criterion "jsh2014.insufficient_response" says "response_window = calendar_months"

      Examples: one month after the TACE
        | tace       | imaging    | counted     | status  |
        | 2026-03-01 | 2026-03-31 | not counted | not met |
        | 2026-03-01 | 2026-04-01 | counted     | met     |
        | 2026-01-31 | 2026-02-27 | not counted | not met |
        | 2026-01-31 | 2026-02-28 | counted     | met     |
        | 2024-01-31 | 2024-02-28 | not counted | not met |
        | 2024-01-31 | 2024-02-29 | counted     | met     |

      Examples: three months after the TACE
        | tace       | imaging    | counted     | status  |
        | 2025-12-01 | 2026-03-01 | counted     | met     |
        | 2025-12-01 | 2026-03-02 | not counted | not met |
        | 2025-11-30 | 2026-02-28 | counted     | met     |
        | 2025-11-30 | 2026-03-01 | not counted | not met |

    @rule:insufficient_response @rule:jsh2014.insufficient_response
    @option:eligibility.response_window @option:eligibility.response_window_max_days
    @option:eligibility.response_window_min_days
    Scenario Outline: A site may count days instead (named option response_window = days, 28-92 days)
      The former approximation of "1-3 months" (28-92 days, both inclusive) stays available as a named option.
      Given the protocol option "response_window" is "days"
      And these TACE sessions:
        | date       | selective | days to imaging | viable tumour % | tumours before | tumours after | markers rising | new vascular invasion | new extrahepatic spread | agents changed | feeding artery reanalysed |
        | 2026-01-05 | yes       | 35              | 70              | 3              | 3             | no             | no                    | no                      | no             | no                        |
        | 2026-05-04 | yes       | <days>          | 65              | 3              | 3             | no             | no                    | no                      | yes            | no                        |
      When eligibility is assessed for both arms
      Then JSH criterion "jsh2014.insufficient_response" is <status>
      And session 2 is <counted> for "jsh2014.insufficient_response"

      Examples:
        | days | status  | counted     |
        | 27   | not met | not counted |
        | 28   | met     | counted     |
        | 92   | met     | counted     |
        | 93   | not met | not counted |

  Rule: 1 (ii) progressions in the liver, two sessions in a row

    @rule:insufficient_response @rule:intrahepatic_progression @rule:jsh2014.insufficient_response
    @rule:jsh2014.intrahepatic_progression
    Scenario Outline: More tumours than before each of two consecutive TACE sessions
      JSH 2014 1 (ii): "tumor number increases compared with the number before the previous TACE", "even after
      changing the chemotherapeutic drugs and/or reanalysis of the feeding artery".
      Given these TACE sessions:
        | date       | selective | days to imaging | viable tumour % | tumours before | tumours after | markers rising | new vascular invasion | new extrahepatic spread | agents changed | feeding artery reanalysed |
        | 2026-01-05 | yes       | 40              | 30              | 3              | 4             | no             | no                    | no                      | no             | no                        |
        | 2026-03-02 | yes       | 40              | 30              | 4              | <after>       | no             | no                    | no                      | <agents>       | no                        |
      When eligibility is assessed for both arms
      Then JSH criterion "jsh2014.intrahepatic_progression" is <status>
      And JSH criterion "jsh2014.insufficient_response" is not met

      Examples:
        | after | agents | status  |
        | 4     | yes    | not met |
        | 5     | yes    | met     |
        | 5     | no     | not met |
        | 5     | absent | unknown |

  Rule: Sessions known not to count break the run; sessions with missing data leave it open

    @rule:insufficient_response @rule:jsh2014.insufficient_response
    @option:eligibility.non_counting_session_breaks_run
    Scenario Outline: A non-selective session between two insufficient responses
      JSH 2014 1: "after adequately performed selective TACE"; "consecutive" read literally by default.
      Given the protocol option "non_counting_session_breaks_run" is <breaks>
      And these TACE sessions:
        | date       | selective | days to imaging | viable tumour % | tumours before | tumours after | markers rising | new vascular invasion | new extrahepatic spread | agents changed | feeding artery reanalysed |
        | 2026-01-05 | yes       | 35              | 70              | 3              | 3             | no             | no                    | no                      | no             | no                        |
        | 2026-03-02 | no        | 35              | 70              | 3              | 3             | no             | no                    | no                      | yes            | no                        |
        | 2026-05-04 | yes       | 35              | 70              | 3              | 3             | no             | no                    | no                      | yes            | no                        |
      When eligibility is assessed for both arms
      Then JSH criterion "jsh2014.insufficient_response" is <status>

      Examples:
        | breaks | status  |
        | true   | not met |
        | false  | met     |

    @rule:insufficient_response @rule:jsh2014.insufficient_response
    Scenario Outline: Known non-counting sessions break the run; unknown ones leave it open
      JSH 2014 1: "two or more consecutive" responses "after adequately performed selective TACE" at "1-3
      months": a session known not to count (non-selective, or imaged 95 or 27 days later) breaks the run; one
      whose data are missing may or may not count, so the answer is unknown, never a definite exclusion.
      Given these TACE sessions:
        | date       | selective   | days to imaging | viable tumour % | tumours before | tumours after | markers rising | new vascular invasion | new extrahepatic spread | agents changed | feeding artery reanalysed |
        | 2026-01-05 | yes         | 35              | 70              | 3              | 3             | no             | no                    | no                      | no             | no                        |
        | 2026-03-02 | <selective> | <days>          | 70              | 3              | 3             | no             | no                    | no                      | yes            | no                        |
        | 2026-06-08 | yes         | 35              | 70              | 3              | 3             | no             | no                    | no                      | yes            | no                        |
      When eligibility is assessed for both arms
      Then JSH criterion "jsh2014.insufficient_response" is <status>
      And the patient is <decision>

      Examples:
        | selective | days   | status  | decision     |
        | no        | 35     | not met | not eligible |
        | yes       | 95     | not met | not eligible |
        | yes       | 27     | not met | not eligible |
        | absent    | 35     | unknown | undetermined |
        | yes       | absent | unknown | undetermined |

  Rule: 2 tumour markers count after any TACE, selective or not

    @rule:jsh2014.tumour_markers @rule:tumour_markers_rising
    Scenario Outline: Markers rising right after a selective or a non-selective TACE
      JSH 2014 2: "Continuous elevation of tumor markers right after TACE" ("adequately performed selective
      TACE" qualifies criterion 1 only).
      Given these TACE sessions:
        | date       | selective   | days to imaging | viable tumour % | tumours before | tumours after | markers rising | new vascular invasion | new extrahepatic spread | agents changed | feeding artery reanalysed |
        | 2026-01-05 | <selective> | 35              | 20              | 3              | 3             | <rising>       | no                    | no                      | no             | no                        |
      When eligibility is assessed for both arms
      Then JSH criterion "jsh2014.tumour_markers" is <status>
      And the patient is <decision>

      Examples:
        | selective | rising | status  | decision     |
        | no        | yes    | met     | eligible     |
        | no        | no     | not met | not eligible |
        | yes       | yes    | met     | eligible     |

    @rule:jsh2014.tumour_markers @rule:tumour_markers_rising
    @option:eligibility.tumour_markers_sessions_required
    Scenario Outline: The number of sessions with rising markers a site requires
      JSH 2014 2: "continuous elevation of tumor markers right after TACE"; one session by default.
      Given the protocol option "tumour_markers_sessions_required" is <required>
      And these TACE sessions:
        | date       | selective | days to imaging | viable tumour % | tumours before | tumours after | markers rising | new vascular invasion | new extrahepatic spread | agents changed | feeding artery reanalysed |
        | 2026-01-05 | yes       | 35              | 20              | 3              | 3             | yes            | no                    | no                      | no             | no                        |
        | 2026-03-02 | yes       | 35              | 20              | 3              | 3             | no             | no                    | no                      | no             | no                        |
      When eligibility is assessed for both arms
      Then JSH criterion "jsh2014.tumour_markers" is <status>

      Examples:
        | required | status  |
        | 1        | met     |
        | 2        | not met |

  Rule: 3 vascular invasion must appear after TACE (default); its presence is a named option

    @rule:jsh2014.vascular_invasion @rule:new_vascular_invasion @rule:tace_performed
    @option:eligibility.invasion_spread_reading
    Scenario Outline: Vascular invasion present at assessment, new after TACE or already there before
      JSH 2014 3: "Appearance of vascular invasion" (default, invasion_spread_reading = appearance); the paper:
      "presence of vascular invasion" (option presence). Any TACE counts.
      Given the patient also has:
        | field                    | value |
        | tumour.vascular_invasion | true  |
      And the protocol option "invasion_spread_reading" is "<reading>"
      And these TACE sessions:
        | date       | selective   | days to imaging | viable tumour % | tumours before | tumours after | markers rising | new vascular invasion | new extrahepatic spread | agents changed | feeding artery reanalysed |
        | 2026-01-05 | <selective> | 35              | 20              | 3              | 3             | no             | <new>                 | no                      | no             | no                        |
      When eligibility is assessed for both arms
      Then JSH criterion "jsh2014.vascular_invasion" is <status>
      And the why of JSH criterion "jsh2014.vascular_invasion" says "invasion_spread_reading = <reading>"
      And the why of JSH criterion "jsh2014.vascular_invasion" says "<explained>"

      Examples:
        | reading    | selective | new | status  | explained                                  |
        | appearance | yes       | no  | not met | No vascular invasion appeared after TACE   |
        | appearance | yes       | yes | met     | Vascular invasion appeared after a TACE    |
        | appearance | no        | yes | met     | Vascular invasion appeared after a TACE    |
        | presence   | yes       | no  | met     | Vascular invasion is present at assessment |
        | presence   | no        | no  | met     | Vascular invasion is present at assessment |

  Rule: 4 extrahepatic spread must appear after TACE (default); its presence is a named option

    @rule:jsh2014.extrahepatic_spread @rule:new_extrahepatic_spread @rule:tace_performed
    @option:eligibility.invasion_spread_reading
    Scenario Outline: Extrahepatic spread present at assessment, new after TACE or already there before
      JSH 2014 4: "Appearance of extrahepatic spread"; the paper: "presence of extrahepatic spread".
      Given the patient also has:
        | field                      | value     |
        | tumour.extrahepatic_spread | <present> |
      And the protocol option "invasion_spread_reading" is "<reading>"
      And these TACE sessions:
        | date       | selective   | days to imaging | viable tumour % | tumours before | tumours after | markers rising | new vascular invasion | new extrahepatic spread | agents changed | feeding artery reanalysed |
        | 2026-01-05 | <selective> | 35              | 20              | 3              | 3             | no             | no                    | <new>                   | no             | no                        |
      When eligibility is assessed for both arms
      Then JSH criterion "jsh2014.extrahepatic_spread" is <status>
      And the patient is <decision>

      Examples:
        | reading    | present | selective | new | status  | decision     |
        | appearance | true    | yes       | no  | not met | not eligible |
        | appearance | true    | no        | yes | met     | eligible     |
        | appearance | false   | yes       | no  | not met | not eligible |
        | presence   | true    | yes       | no  | met     | eligible     |
        | presence   | false   | yes       | no  | not met | not eligible |

  Rule: A record that contradicts itself is never an answer

    @rule:jsh2014.extrahepatic_spread @rule:jsh2014.vascular_invasion @rule:new_extrahepatic_spread
    @rule:new_vascular_invasion @rule:tace_performed
    @option:eligibility.invasion_spread_reading
    Scenario Outline: A new finding the tumour record denies
      The tumour record says there is no vascular invasion (extrahepatic spread) while a TACE session records it
      as new: either may be wrong, so the criterion is unknown and the record is not staged (BCLC 2022 needs it).
      Given the protocol option "invasion_spread_reading" is "<reading>"
      And these TACE sessions:
        | date       | selective | days to imaging | viable tumour % | tumours before | tumours after | markers rising | new vascular invasion | new extrahepatic spread | agents changed | feeding artery reanalysed |
        | 2026-01-05 | yes       | 35              | 20              | 3              | 3             | no             | <new vi>              | <new ehs>               | no             | no                        |
      When eligibility is assessed for both arms
      Then JSH criterion "<criterion>" is unknown
      And the derived BCLC stage is unknown
      And the patient is undetermined
      And the assessment warns that "<fields>"

      Examples:
        | reading    | new vi | new ehs | criterion                   | fields                                                                             |
        | appearance | yes    | no      | jsh2014.vascular_invasion   | tumour.vascular_invasion = false; tace_history[0].new_vascular_invasion = true     |
        | presence   | yes    | no      | jsh2014.vascular_invasion   | tumour.vascular_invasion = false; tace_history[0].new_vascular_invasion = true     |
        | appearance | no     | yes     | jsh2014.extrahepatic_spread | tumour.extrahepatic_spread = false; tace_history[0].new_extrahepatic_spread = true |

    @rule:jsh2014.vascular_invasion @rule:new_vascular_invasion @rule:tace_performed
    Scenario Outline: A portal vein tumour thrombus type recorded while the tumour record denies vascular invasion
      A Cheng PVTT type (Lin 2023 records "Cheng's portal vein tumor thrombosis classification") is a vascular
      invasion; recorded beside tumour.vascular_invasion = false it contradicts the record (unknown, not staged);
      beside true it is consistent (present, but not new after TACE: "appearance" not met; BCLC C).
      Given the patient also has:
        | field                    | value |
        | tumour.vascular_invasion | <vi>  |
        | tumour.pvtt_cheng_type   | "II"  |
      And these TACE sessions:
        | date       | selective | days to imaging | viable tumour % | tumours before | tumours after | markers rising | new vascular invasion | new extrahepatic spread | agents changed | feeding artery reanalysed |
        | 2026-01-05 | yes       | 35              | 20              | 3              | 3             | no             | no                    | no                      | no             | no                        |
      When eligibility is assessed for both arms
      Then JSH criterion "jsh2014.vascular_invasion" is <status>
      And the derived BCLC stage is <stage>

      Examples:
        | vi    | status  | stage   |
        | false | unknown | unknown |
        | true  | not met | C       |

    Scenario: A consistent record carries no contradiction
      The other side of the contradiction scenarios: nothing recorded new, nothing denied.
      Given these TACE sessions:
        | date       | selective | days to imaging | viable tumour % | tumours before | tumours after | markers rising | new vascular invasion | new extrahepatic spread | agents changed | feeding artery reanalysed |
        | 2026-01-05 | yes       | 35              | 70              | 3              | 3             | no             | no                    | no                      | no             | no                        |
        | 2026-03-02 | yes       | 35              | 65              | 3              | 3             | no             | no                    | no                      | yes            | no                        |
      When eligibility is assessed for both arms
      Then the derived BCLC stage is C
      And the patient is eligible
      And the assessment has no warning

  Rule: Refractoriness presupposes TACE

    Scenario Outline: No TACE, or no TACE history recorded
      "TACE failure/refractoriness" presupposes TACE: an empty history is none (not met); an absent one is not
      recorded (unknown), whatever the vascular invasion.
      Given the patient also has:
        | field                    | value     |
        | tumour.vascular_invasion | true      |
        | tace_history             | <history> |
      When eligibility is assessed for both arms
      Then TACE failure/refractoriness by JSH-LCSGJ 2014 is <status>

      Examples:
        | history | status  |
        | []      | not met |
        | absent  | unknown |
