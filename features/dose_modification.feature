Feature: Dose modification over the course
  Each recorded adverse event (CTCAE v5.0), laboratory result and clinician decision is replayed from the first
  HAIC. Lenvatinib default policy (paper made safe): a grade 3 TRAE interrupts until grade <= 1, then one level
  lower (12 -> 8, 8 -> 4); another grade >= 3 after that, grade 4, or a grade 3 lasting 30 days discontinues.
  Label policy: 12 -> 8 -> 4 -> 4 mg every other day; from 8: 4 -> 4 qod -> discontinue; no reduction for the
  first haematological toxicity or proteinuria. FOLFOX (oxaliplatin label): after grade 3-4 GI toxicity, grade 4
  neutropenia, febrile neutropenia or grade 3-4 thrombocytopenia, oxaliplatin 85 -> 65 mg/m2 and 5-FU -20 %
  (2400 -> 1920 mg/m2) once recovered. PD-1 (ASCO irAE): hold for grade 2-3, discontinue for grade 4.

  Background:
    Given a patient with:
      | field              | value          |
      | weight_kg          | 68.0           |
      | height_cm          | 172.0          |
      | baseline_weight_kg | 68.0           |
      | treatment_start    | "2026-09-01"   |
      | pd1_agent          | "camrelizumab" |

  Rule: Lenvatinib under the default policy (the paper made safe)

    Scenario Outline: A grade 3 TRAE interrupts, then lenvatinib resumes one level lower
      Given a patient with:
        | field              | value    |
        | baseline_weight_kg | <weight> |
      And adverse events:
        | onset      | term         | grade | attributed to | immune related | resolved   |
        | 2026-09-20 | Hypertension | 3     | lenvatinib    | false          | 2026-09-27 |
      When the course is replayed
      Then the lenvatinib course is:
        | date       | action    | level   |
        | 2026-09-20 | interrupt | -       |
        | 2026-09-27 | resume    | <lower> |

      Examples:
        | weight | lower |
        | 68.0   | 8mg   |
        | 55.0   | 4mg   |

    Scenario: Another grade 3 TRAE after the reduction discontinues
      Given adverse events:
        | onset      | term         | grade | attributed to | immune related | resolved   |
        | 2026-09-20 | Hypertension | 3     | lenvatinib    | false          | 2026-09-27 |
        | 2026-10-15 | Diarrhea     | 3     | lenvatinib    | false          | 2026-10-20 |
      When the course is replayed
      Then lenvatinib is "discontinued" at level "-" at the end

    Scenario Outline: A grade 3 lasting the persistence threshold (30 days) discontinues
      Given adverse events:
        | onset      | term         | grade | attributed to | immune related | resolved   |
        | 2026-09-20 | Hypertension | 3     | lenvatinib    | false          | <resolved> |
      When the course is replayed
      Then lenvatinib is "<status>" at level "<level>" at the end

      Examples:
        | resolved   | status       | level |
        | 2026-10-20 | active       | 8mg   |
        | 2026-10-21 | discontinued | -     |

    Scenario Outline: Grade 4 and a non-life-threatening laboratory grade 4
      Given adverse events:
        | onset      | term   | grade | attributed to | immune related | resolved   |
        | 2026-09-20 | <term> | 4     | lenvatinib    | false          | 2026-09-27 |
      When the course is replayed
      Then lenvatinib is "<status>" at level "<level>" at the end

      Examples:
        | term                     | status       | level |
        | Hypertension             | discontinued | -     |
        | Platelet count decreased | active       | 8mg   |

    Scenario: A laboratory grade 4 discontinues when the site manages it as grade 4
      Given the protocol option "modification.lenvatinib_lab_grade4" is "discontinue"
      And adverse events:
        | onset      | term                     | grade | attributed to | immune related | resolved   |
        | 2026-09-20 | Platelet count decreased | 4     | lenvatinib    | false          | 2026-09-27 |
      When the course is replayed
      Then lenvatinib is "discontinued" at level "-" at the end

    Scenario: A restore is applied only when the clinician records it
      Given adverse events:
        | onset      | term         | grade | attributed to | immune related | resolved   |
        | 2026-09-20 | Hypertension | 3     | lenvatinib    | false          | 2026-09-27 |
      When the course is replayed
      Then lenvatinib is "active" at level "8mg" at the end
      And a restore of lenvatinib to "12mg" is permitted
      Given dose changes:
        | date       | agent      | action  |
        | 2026-10-15 | lenvatinib | restore |
      When the course is replayed
      Then lenvatinib is "active" at level "12mg" at the end

    Scenario: A restore above the starting level is refused
      Given dose changes:
        | date       | agent      | action  |
        | 2026-10-15 | lenvatinib | restore |
      When the course is replayed
      Then the record is rejected naming "dose_changes[0]: restore of lenvatinib"

    Scenario Outline: Urine protein >= 2 g/24 h withholds lenvatinib; it resumes one level lower
      Given the protocol option "modification.lenvatinib_proteinuria_resume" is <option>
      And laboratory results:
        | date       | urine_protein_g_24h |
        | 2026-09-15 | <first>             |
        | 2026-09-22 | <second>            |
      When the course is replayed
      Then lenvatinib is "<status>" at level "<level>" at the end

      Examples:
        | option            | first | second | status      | level |
        | "below_2_g"       | 1.99  | 1.99   | active      | 12mg  |
        | "below_2_g"       | 2.0   | 2.0    | interrupted | 12mg  |
        | "below_2_g"       | 2.0   | 1.99   | active      | 8mg   |
        | "at_or_below_2_g" | 2.0   | 2.0    | active      | 8mg   |
        | "at_or_below_2_g" | 2.0   | 2.01   | interrupted | 12mg  |

    Scenario Outline: Nothing is projected past the replay date
      Given adverse events:
        | onset      | term         | grade | attributed to | immune related | resolved |
        | 2026-09-10 | Hypertension | 3     | lenvatinib    | false          | -        |
      When the course is replayed up to <day>
      Then lenvatinib is "<status>" at level "<level>" at the end
      And no event is dated after <day>

      Examples:
        | day        | status       | level |
        | 2026-10-09 | interrupted  | 12mg  |
        | 2026-10-10 | discontinued | -     |

  Rule: Lenvatinib and the PD-1 inhibitor start on cycle day 4 (schedule.systemic_start.default_day)

    Scenario: Start dates of each drug
      When the course is replayed
      Then oxaliplatin starts on 2026-09-01
      And lenvatinib starts on 2026-09-04
      And camrelizumab starts on 2026-09-04

  Rule: Lenvatinib under the label ladder

    Background:
      Given the protocol option "modification.lenvatinib_policy" is "label"

    Scenario Outline: Each grade 3 occurrence steps down the ladder
      Given a patient with:
        | field              | value    |
        | baseline_weight_kg | <weight> |
      And adverse events:
        | onset      | term         | grade | attributed to | immune related | resolved   |
        | 2026-09-10 | Hypertension | 3     | lenvatinib    | false          | 2026-09-15 |
        | 2026-09-20 | Hypertension | 3     | lenvatinib    | false          | 2026-09-25 |
        | 2026-10-01 | Hypertension | 3     | lenvatinib    | false          | 2026-10-05 |
        | 2026-10-10 | Hypertension | 3     | lenvatinib    | false          | 2026-10-15 |
      When the course is replayed
      Then lenvatinib resumed at levels "<levels>"
      And lenvatinib is "discontinued" at level "-" at the end

      Examples:
        | weight | levels             |
        | 68.0   | 8mg, 4mg, 4mg-qod  |
        | 55.0   | 4mg, 4mg-qod       |

    Scenario Outline: The first haematological toxicity or proteinuria is not reduced
      Given adverse events:
        | onset      | term   | grade | attributed to | immune related | resolved   |
        | 2026-09-10 | <term> | 3     | lenvatinib    | false          | 2026-09-15 |
        | 2026-09-20 | <term> | 3     | lenvatinib    | false          | 2026-09-25 |
      When the course is replayed
      Then lenvatinib resumed at levels "12mg, 8mg"

      Examples:
        | term                      |
        | Neutrophil count decreased |
        | Proteinuria               |

    Scenario: The label gives no restore
      Given adverse events:
        | onset      | term         | grade | attributed to | immune related | resolved   |
        | 2026-09-20 | Hypertension | 3     | lenvatinib    | false          | 2026-09-27 |
      And dose changes:
        | date       | agent      | action  |
        | 2026-10-15 | lenvatinib | restore |
      When the course is replayed
      Then the record is rejected naming "not permitted by policy 'label'"

  Rule: FOLFOX-HAIC modifications from the oxaliplatin label

    Scenario Outline: Reduction triggers hold the HAIC and reduce oxaliplatin and 5-FU after recovery
      Given adverse events:
        | onset      | term   | grade   | attributed to | immune related | resolved   |
        | 2026-09-05 | <term> | <grade> | oxaliplatin   | false          | 2026-09-12 |
      When the course is replayed
      Then oxaliplatin is "active" at level "65mg/m2" at the end
      And fluorouracil is "active" at level "1920mg/m2" at the end
      And leucovorin is "active" at level "400mg/m2" at the end
      And the fluorouracil dose after recovery is 3461 mg

      Examples:
        | term                       | grade |
        | Diarrhea                   | 3     |
        | Vomiting                   | 4     |
        | Neutrophil count decreased | 4     |
        | Febrile neutropenia        | 3     |
        | Platelet count decreased   | 3     |

    Scenario: Grade 3 neutropenia delays the HAIC without a reduction
      Given adverse events:
        | onset      | term                       | grade | attributed to | immune related | resolved   |
        | 2026-09-05 | Neutrophil count decreased | 3     | fluorouracil  | false          | 2026-09-12 |
      When the course is replayed
      Then the oxaliplatin course is:
        | date       | action | level   |
        | 2026-09-05 | hold   | -       |
        | 2026-09-12 | resume | 85mg/m2 |

    Scenario Outline: Peripheral sensory neuropathy
      Given adverse events:
        | onset      | term                          | grade   | attributed to | immune related | resolved   |
        | 2026-09-05 | Peripheral sensory neuropathy | <grade> | oxaliplatin   | false          | <resolved> |
      When the course is replayed
      Then oxaliplatin is "<status>" at level "<level>" at the end
      And fluorouracil is "active" at level "2400mg/m2" at the end

      Examples:
        | grade | resolved   | status       | level   |
        | 2     | 2026-09-19 | active       | 85mg/m2 |
        | 2     | 2026-09-20 | active       | 65mg/m2 |
        | 3     | 2026-09-20 | active       | 65mg/m2 |
        | 4     | 2026-09-20 | discontinued | -       |

    Scenario: Anaphylaxis stops oxaliplatin permanently
      Given adverse events:
        | onset      | term        | grade | attributed to | immune related | resolved   |
        | 2026-09-01 | Anaphylaxis | 3     | oxaliplatin   | false          | 2026-09-02 |
      When the course is replayed
      Then oxaliplatin is "discontinued" at level "-" at the end

    Scenario: A complication of the HAIC procedure holds the HAIC, not lenvatinib
      Given adverse events:
        | onset      | term              | grade | attributed to  | immune related | resolved   |
        | 2026-09-03 | Hepatic infection | 3     | haic_procedure | false          | 2026-09-15 |
      When the course is replayed
      Then the oxaliplatin course is:
        | date       | action | level   |
        | 2026-09-03 | hold   | -       |
        | 2026-09-15 | resume | 85mg/m2 |
      And the lenvatinib course is:
        | date | action | level |

    Scenario Outline: Pre-cycle limits: ANC >= 1.5 and platelets >= 75 x10^9/L
      Given laboratory results:
        | date       | anc_10e9_l | platelets_10e9_l | total_bilirubin_umol_l | albumin_g_l |
        | 2026-09-20 | <anc>      | <platelets>      | 15                     | 40          |
      When the course is replayed
      Then oxaliplatin is "<status>" at level "85mg/m2" at the end

      Examples:
        | anc  | platelets | status  |
        | 1.49 | 150       | delayed |
        | 1.5  | 150       | active  |
        | 2.0  | 74.9      | delayed |
        | 2.0  | 75        | active  |

    Scenario Outline: Hypersensitivity stops the drug at any grade unless the site re-challenges grades 1-2
      Given the protocol option "modification.folfox_hypersensitivity" is <option>
      And adverse events:
        | onset      | term   | grade   | attributed to | immune related | resolved   |
        | 2026-09-01 | <term> | <grade> | oxaliplatin   | false          | 2026-09-02 |
      When the course is replayed
      Then oxaliplatin is "<status>" at level "<level>" at the end

      Examples:
        | option                  | term                      | grade | status       | level   |
        | "any_grade"             | Allergic reaction         | 1     | discontinued | -       |
        | "any_grade"             | Allergic reaction         | 2     | discontinued | -       |
        | "any_grade"             | Infusion related reaction | 3     | discontinued | -       |
        | "grade3_or_anaphylaxis" | Allergic reaction         | 2     | active       | 85mg/m2 |
        | "grade3_or_anaphylaxis" | Infusion related reaction | 3     | discontinued | -       |
        | "grade3_or_anaphylaxis" | Anaphylaxis               | 3     | discontinued | -       |

    Scenario Outline: Leucovorin only modulates 5-FU and is discontinued with it
      Given dose changes:
        | date       | agent   | action      |
        | 2026-09-15 | <agent> | discontinue |
      When the course is replayed
      Then leucovorin is "<status>" at level "<level>" at the end

      Examples:
        | agent        | status       | level    |
        | fluorouracil | discontinued | -        |
        | oxaliplatin  | active       | 400mg/m2 |

  Rule: PD-1 inhibitors are held or discontinued, never reduced

    Scenario Outline: Immune-related grades
      Given adverse events:
        | onset      | term   | grade   | attributed to | immune related | resolved   |
        | 2026-09-10 | <term> | <grade> | camrelizumab  | true           | 2026-09-24 |
      When the course is replayed
      Then camrelizumab is "<status>" at level "<level>" at the end

      Examples:
        | term           | grade | status       | level |
        | Colitis        | 2     | active       | 200mg |
        | Colitis        | 3     | active       | 200mg |
        | Colitis        | 4     | discontinued | -     |
        | Hypothyroidism | 4     | active       | 200mg |

    Scenario Outline: The paper's policy discontinues a grade 3 that comes back, and a grade 4 endocrinopathy
      Given the protocol option "modification.pd1_policy" is "<policy>"
      And adverse events:
        | onset      | term        | grade | attributed to | immune related | resolved   |
        | 2026-09-10 | Pneumonitis | 3     | camrelizumab  | true           | 2026-09-20 |
        | 2026-10-10 | Pneumonitis | 3     | camrelizumab  | true           | 2026-10-20 |
      When the course is replayed
      Then camrelizumab is "<status>" at level "<level>" at the end

      Examples:
        | policy                         | status       | level |
        | irae_guideline                 | active       | 200mg |
        | paper_discontinue_if_continued | discontinued | -     |

    Scenario: A PD-1 restore is refused
      Given dose changes:
        | date       | agent        | action  |
        | 2026-09-10 | camrelizumab | restore |
      When the course is replayed
      Then the record is rejected naming "never dose-reduced"

  Rule: Bad records are rejected, naming the entry

    Scenario Outline: Unusable adverse events
      Given adverse events:
        | onset   | term   | grade   | attributed to | immune related | resolved |
        | <onset> | <term> | <grade> | <to>          | false          | -        |
      When the course is replayed
      Then the record is rejected naming "<message>"

      Examples:
        | onset      | term          | grade | to          | message                                   |
        | 2026-09-10 | Liver abscess | 3     | lenvatinib  | did you mean 'Hepatic infection'          |
        | 2026-09-10 | Fatigue       | 4     | lenvatinib  | 'Fatigue' has no grade 4                  |
        | 2026-09-10 | Fatigue       | 3     | sorafenib   | 'sorafenib' is not given by protocol      |
        | 2026-08-31 | Fatigue       | 3     | lenvatinib  | is before the course start 2026-09-01     |
        | 2026-09-10 | Fatigue       | 3     | sintilimab  | pd1_agent is 'camrelizumab'               |
        | 2026-09-03 | Fatigue       | 3     | lenvatinib  | lenvatinib starts on 2026-09-04           |
        | 2026-09-03 | Fatigue       | 3     | camrelizumab | camrelizumab starts on 2026-09-04        |
