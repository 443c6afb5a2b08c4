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

    @rule:lenvatinib.paper.grade3 @rule:lenvatinib.resume
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

    @rule:lenvatinib.paper.grade3 @rule:lenvatinib.paper.grade3-after-reduction @rule:lenvatinib.resume
    Scenario: Another grade 3 TRAE after the reduction discontinues
      Given adverse events:
        | onset      | term         | grade | attributed to | immune related | resolved   |
        | 2026-09-20 | Hypertension | 3     | lenvatinib    | false          | 2026-09-27 |
        | 2026-10-15 | Diarrhea     | 3     | lenvatinib    | false          | 2026-10-20 |
      When the course is replayed
      Then lenvatinib is "discontinued" at level "-" at the end

    @rule:lenvatinib.paper.grade3 @rule:lenvatinib.persisting @rule:lenvatinib.resume
    @option:modification.lenvatinib_persistence_days @rule:lenvatinib.persist.toxicity
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

    @rule:lenvatinib.grade4 @rule:lenvatinib.paper.grade3 @rule:lenvatinib.resume
    Scenario Outline: Grade 4 and a non-life-threatening laboratory grade 4
      Lenvima SmPC (JGH 2021 Table 1): grade 4 -> discontinue, except "laboratory abnormalities judged to be
      non-life-threatening, which should be managed as grade 3". Issue 9: only the named counts and chemistry
      values, never QTc prolongation or ejection fraction decreased, and only when the record says
      life_threatening is false (missing: the grade 4 rule applies).
      Given adverse events recorded as:
        | onset      | term   | grade | attributed to | immune related | life threatening | resolved   |
        | 2026-09-20 | <term> | 4     | lenvatinib    | false          | <judged>         | 2026-09-27 |
      When the course is replayed
      Then lenvatinib is "<status>" at level "<level>" at the end

      Examples:
        | term                                              | judged | status       | level |
        | Hypertension                                      | false  | discontinued | -     |
        | Platelet count decreased                          | false  | active       | 8mg   |
        | Platelet count decreased                          | -      | discontinued | -     |
        | Neutrophil count decreased                        | false  | active       | 8mg   |
        | Alanine aminotransferase increased                | false  | active       | 8mg   |
        | Electrocardiogram QT corrected interval prolonged | false  | discontinued | -     |
        | Ejection fraction decreased                       | false  | discontinued | -     |

    @rule:lenvatinib.grade4
    @option:modification.lenvatinib_lab_grade4
    Scenario: A laboratory grade 4 discontinues when the site manages it as grade 4
      Given the protocol option "modification.lenvatinib_lab_grade4" is "discontinue"
      And adverse events recorded as:
        | onset      | term                     | grade | attributed to | immune related | life threatening | resolved   |
        | 2026-09-20 | Platelet count decreased | 4     | lenvatinib    | false          | false            | 2026-09-27 |
      When the course is replayed
      Then lenvatinib is "discontinued" at level "-" at the end

    @rule:lenvatinib.paper.grade3 @rule:lenvatinib.paper.restore @rule:lenvatinib.resume
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

    @rule:lenvatinib.proteinuria.resume @rule:lenvatinib.proteinuria.withhold
    @option:modification.lenvatinib_proteinuria_resume @rule:lenvatinib.lab.urine-protein
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

    @rule:lenvatinib.paper.grade3 @rule:lenvatinib.persisting
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

    @rule:lenvatinib.label.grade3 @rule:lenvatinib.label.ladder-exhausted @rule:lenvatinib.resume
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

    @rule:lenvatinib.label.first-haematological @rule:lenvatinib.label.first-proteinuria @rule:lenvatinib.label.grade3
    @rule:lenvatinib.resume
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

    @rule:folfox.gastrointestinal @rule:folfox.leucovorin-with-regimen @rule:folfox.myelosuppression
    @rule:folfox.resume
    @option:modification.folfox_policy
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

    @rule:folfox.leucovorin-with-regimen @rule:folfox.other-haematological @rule:folfox.resume
    Scenario: Grade 3 neutropenia delays the HAIC without a reduction
      Given adverse events:
        | onset      | term                       | grade | attributed to | immune related | resolved   |
        | 2026-09-05 | Neutrophil count decreased | 3     | fluorouracil  | false          | 2026-09-12 |
      When the course is replayed
      Then the oxaliplatin course is:
        | date       | action | level   |
        | 2026-09-05 | hold   | -       |
        | 2026-09-12 | resume | 85mg/m2 |

    @rule:folfox.neuropathy.grade2-persistent @rule:folfox.neuropathy.grade3 @rule:folfox.neuropathy.grade4
    @rule:folfox.resume @rule:folfox.persist.neuropathy
    @option:modification.neuropathy_persistent_days
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

    @rule:folfox.hypersensitivity @rule:folfox.hypersensitivity.hold-regimen @rule:folfox.resume
    Scenario: Anaphylaxis stops oxaliplatin permanently
      Given adverse events:
        | onset      | term        | grade | attributed to | immune related | resolved   |
        | 2026-09-01 | Anaphylaxis | 3     | oxaliplatin   | false          | 2026-09-02 |
      When the course is replayed
      Then oxaliplatin is "discontinued" at level "-" at the end

    @rule:folfox.procedure @rule:folfox.resume
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

    @rule:precycle.limit
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

    @rule:folfox.hypersensitivity @rule:folfox.hypersensitivity.hold-regimen
    @rule:folfox.hypersensitivity.rechallenge-hold @rule:folfox.resume
    @option:modification.folfox_hypersensitivity
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

    @rule:folfox.clinician.discontinue @rule:folfox.leucovorin-with-fluorouracil
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

    @rule:pd1.grade4 @rule:pd1.irae.grade2-3 @rule:pd1.irae.grade4-endocrinopathy @rule:pd1.resume
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

    @rule:pd1.irae.grade2-3 @rule:pd1.paper.recurrent @rule:pd1.resume
    @option:modification.pd1_policy
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

  Rule: Lenvatinib permanent stops cover every CTCAE v5.0 term of the label's classes (issue 9 item 3)

    @rule:lenvatinib.permanent-event
    Scenario Outline: Arterial thromboembolic events and GI perforation stop lenvatinib at any grade
      Lenvima US PI Table 1: "Arterial thromboembolic event: Any grade: Permanently discontinue"; "GI perforation:
      Any grade: Permanently discontinue". The lists are built from ctcae-v5.json by term pattern and SOC
      (rules/ctcae-term-classes.yaml); a venous thromboembolism is not an arterial event.
      Given adverse events:
        | onset      | term   | grade   | attributed to | immune related | resolved   |
        | 2026-09-20 | <term> | <grade> | lenvatinib    | false          | 2026-09-25 |
      When the course is replayed
      Then lenvatinib is "<status>" at level "<level>" at the end

      Examples:
        | term                       | grade | status       | level |
        | Arterial thromboembolism   | 3     | discontinued | -     |
        | Ischemia cerebrovascular   | 1     | discontinued | -     |
        | Transient ischemic attacks | 1     | discontinued | -     |
        | Peripheral ischemia        | 2     | discontinued | -     |
        | Visceral arterial ischemia | 2     | discontinued | -     |
        | Myocardial infarction      | 2     | discontinued | -     |
        | Gastric perforation        | 2     | discontinued | -     |
        | Perforation bile duct      | 3     | discontinued | -     |
        | Thromboembolic event       | 2     | active       | 12mg  |

    @rule:lenvatinib.fistula-grade3
    Scenario Outline: Every fistula stops lenvatinib at grade 3, not at grade 2
      Lenvima US PI Table 1: "Fistula formation: Grade 3 or 4: Permanently discontinue" (every CTCAE fistula term).
      Given adverse events:
        | onset      | term   | grade   | attributed to | immune related | resolved   |
        | 2026-09-20 | <term> | <grade> | lenvatinib    | false          | 2026-09-25 |
      When the course is replayed
      Then lenvatinib is "<status>" at level "<level>" at the end

      Examples:
        | term              | grade | status       | level |
        | Bronchial fistula | 3     | discontinued | -     |
        | Urinary fistula   | 3     | discontinued | -     |
        | Gastric fistula   | 2     | active       | 12mg  |

    @rule:lenvatinib.resume @rule:lenvatinib.rpls.discontinue @rule:lenvatinib.rpls.withhold
    @option:modification.lenvatinib_rpls
    Scenario Outline: RPLS discontinues by default; the label's withhold-then-reduce is a site option
      Lenvima US PI Table 1: "RPLS/PRES: Any grade: Withhold until fully resolved; resume at a reduced dose or
      discontinue" (modification.lenvatinib_rpls, default discontinue).
      Given the protocol option "modification.lenvatinib_rpls" is "<option>"
      And adverse events:
        | onset      | term                                              | grade | attributed to | immune related | resolved   |
        | 2026-09-20 | Reversible posterior leukoencephalopathy syndrome | 2     | lenvatinib    | false          | 2026-10-01 |
      When the course is replayed
      Then lenvatinib is "<status>" at level "<level>" at the end

      Examples:
        | option               | status       | level |
        | discontinue          | discontinued | -     |
        | withhold_then_reduce | active       | 8mg   |

  Rule: Anaphylaxis and infusion-related reactions (issue 9 item 5)

    @rule:lenvatinib.hypersensitivity @rule:pd1.anaphylaxis-infusion-reaction
    @rule:pd1.infusion-reaction.grade2-interrupt
    Scenario Outline: Anaphylaxis or a grade >= 3 infusion reaction stops the PD-1 and an attributed lenvatinib
      PD-1 labels: infusion-related reactions "Grade 3 or 4: Permanently discontinue"; CTCAE v5.0 grade 2:
      "Therapy or infusion interruption indicated but responds promptly to symptomatic treatment".
      Given adverse events:
        | onset      | term   | grade   | attributed to            | immune related | resolved   |
        | 2026-09-25 | <term> | <grade> | camrelizumab, lenvatinib | false          | 2026-09-25 |
      When the course is replayed
      Then camrelizumab is "<pd1>" at level "<pd1 level>" at the end
      And lenvatinib is "<lenvatinib>" at level "<lenvatinib level>" at the end

      Examples:
        | term                      | grade | pd1          | pd1 level | lenvatinib   | lenvatinib level |
        | Anaphylaxis               | 3     | discontinued | -         | discontinued | -                |
        | Infusion related reaction | 3     | discontinued | -         | discontinued | -                |
        | Infusion related reaction | 2     | active       | 200mg     | active       | 12mg             |

    @rule:pd1.infusion-reaction.grade2-interrupt
    Scenario: A grade 2 infusion reaction interrupts that infusion; premedication before the next ones
      Option modification.pd1_infusion_reaction = interrupt_and_premedicate (default).
      Given adverse events:
        | onset      | term                      | grade | attributed to | immune related | resolved   |
        | 2026-09-25 | Infusion related reaction | 2     | camrelizumab  | false          | 2026-09-25 |
      When the course is replayed
      Then the camrelizumab course is:
        | date       | action    | level |
        | 2026-09-25 | interrupt | -     |
        | 2026-09-25 | resume    | 200mg |
      And the course warns "premedicate before every later PD-1 infusion"

    @rule:pd1.infusion-reaction.grade2-hold @rule:pd1.resume
    @option:modification.pd1_infusion_reaction
    Scenario: The site option holds the PD-1 until a grade 2 infusion reaction resolves
      Given the protocol option "modification.pd1_infusion_reaction" is "hold_until_resolved"
      And adverse events:
        | onset      | term                      | grade | attributed to | immune related | resolved   |
        | 2026-09-25 | Infusion related reaction | 2     | camrelizumab  | false          | 2026-10-02 |
      When the course is replayed
      Then the camrelizumab course is:
        | date       | action | level |
        | 2026-09-25 | hold   | -     |
        | 2026-10-02 | resume | 200mg |

  Rule: Haematological toxicity seen only in dated lab results (issue 9 item 6)

    @rule:folfox.leucovorin-with-regimen @rule:folfox.myelosuppression @rule:folfox.resume
    @rule:labs.folfox.neutropenia @rule:lenvatinib.grade4 @rule:lenvatinib.paper.grade3 @rule:lenvatinib.resume
    Scenario Outline: Grade 4 neutropenia in labs reduces oxaliplatin and 5-FU after recovery
      CTCAE v5.0 Neutrophil count decreased grade 4: "<0.5 x 10e9 /L". Oxaliplatin US PI: grade 4 neutropenia ->
      "Delay the next dose until neutrophils >= 1.5 x 10^9/L", then oxaliplatin 85 -> 65 mg/m2 and 5-FU -20 %.
      Given laboratory results:
        | date       | anc_10e9_l |
        | 2026-09-10 | <anc>      |
        | 2026-09-20 | 2.0        |
      When the course is replayed
      Then oxaliplatin is at level "<oxaliplatin>" after recovery
      And fluorouracil is at level "<fluorouracil>" after recovery

      Examples:
        | anc  | oxaliplatin | fluorouracil |
        | 0.49 | 65mg/m2     | 1920mg/m2    |
        | 0.5  | 85mg/m2     | 2400mg/m2    |

    @rule:folfox.leucovorin-with-regimen @rule:folfox.myelosuppression @rule:folfox.resume
    @rule:labs.folfox.thrombocytopenia @rule:lenvatinib.paper.grade3 @rule:lenvatinib.resume
    Scenario Outline: Grade 3 thrombocytopenia in labs reduces oxaliplatin after recovery
      CTCAE v5.0 Platelet count decreased grade 3: "<50.0 - 25.0 x 10e9 /L"; oxaliplatin label: grade 3-4
      thrombocytopenia -> delay until platelets >= 75 x 10^9/L, then reduce.
      Given laboratory results:
        | date       | platelets_10e9_l |
        | 2026-09-10 | <platelets>      |
        | 2026-09-20 | 80               |
      When the course is replayed
      Then oxaliplatin is at level "<oxaliplatin>" after recovery

      Examples:
        | platelets | oxaliplatin |
        | 49.9      | 65mg/m2     |
        | 50        | 85mg/m2     |

    @rule:folfox.leucovorin-with-regimen @rule:folfox.myelosuppression @rule:labs.lenvatinib.thrombocytopenia
    @rule:lenvatinib.label.first-haematological @rule:lenvatinib.resume
    @option:modification.lenvatinib_policy
    Scenario Outline: Lenvatinib restarts when platelets are back to grade 2, at the same dose the first time
      Lenvima SmPC: "No dose adjustment required for first occurrence of hematological toxicity"; "For hematologic
      toxicity, dosing can restart when resolved to grade 2" (platelets >= 50 x 10^9/L).
      Given the protocol option "modification.lenvatinib_policy" is "label"
      And laboratory results:
        | date       | platelets_10e9_l |
        | 2026-09-10 | 40               |
        | 2026-09-17 | <later>          |
      When the course is replayed up to 2026-09-18
      Then lenvatinib is "<status>" at level "12mg" at the end

      Examples:
        | later | status      |
        | 49.9  | interrupted |
        | 50    | active      |

  Rule: An event resolved on the day it began (issue 9 item 7)

    @rule:lenvatinib.paper.grade3 @rule:lenvatinib.resume
    Scenario Outline: Onset is replayed before a same-day resolution; the drug resumes one level lower that day
      Given adverse events:
        | onset      | term         | grade | attributed to | immune related | resolved   |
        | 2026-09-20 | Hypertension | 3     | lenvatinib    | false          | <resolved> |
      When the course is replayed
      Then the lenvatinib course is:
        | date       | action    | level |
        | 2026-09-20 | interrupt | -     |
        | <resolved> | resume    | 8mg   |

      Examples:
        | resolved   |
        | 2026-09-20 |
        | 2026-09-21 |

    @rule:pd1.irae.grade2-3 @rule:pd1.resume
    Scenario Outline: An immune-related grade 2 event resolved on its onset day withholds that day's PD-1 dose
      ASCO 2021 irAE: grade 2 -> hold until grade <= 1. The record does not say the resolution came before the
      infusion, so the administration of the onset day is withheld; the resumed status applies from the next day.
      Given adverse events:
        | onset      | term    | grade | attributed to | immune related | resolved   |
        | 2026-09-20 | Colitis | 2     | camrelizumab  | true           | <resolved> |
      When the course is replayed up to <day>
      Then camrelizumab is "<status>" at level "200mg" at the end

      Examples:
        | resolved   | day        | status |
        | 2026-09-20 | 2026-09-20 | held   |
        | 2026-09-20 | 2026-09-21 | active |
        | 2026-09-22 | 2026-09-21 | held   |
        | 2026-09-22 | 2026-09-22 | active |

  Rule: Reduction history survives a restore (issue 9 item 8)

    @rule:lenvatinib.paper.grade3 @rule:lenvatinib.paper.grade3-after-reduction @rule:lenvatinib.paper.restore
    @rule:lenvatinib.resume
    Scenario: After a restore, a recurrence is the next occurrence (paper: discontinue)
      Lin 2023: "After adjustment ... lenvatinib and PD-1 inhibitors were discontinued when grade 3 or 4 TRAEs
      continued"; the restore (investigator's discretion) does not erase the adjustment.
      Given adverse events:
        | onset      | term         | grade | attributed to | immune related | resolved   |
        | 2026-09-20 | Hypertension | 3     | lenvatinib    | false          | 2026-09-27 |
        | 2026-10-20 | Hypertension | 3     | lenvatinib    | false          | 2026-10-25 |
      And dose changes:
        | date       | agent      | action  |
        | 2026-10-10 | lenvatinib | restore |
      When the course is replayed
      Then the lenvatinib course is:
        | date       | action      | level |
        | 2026-09-20 | interrupt   | -     |
        | 2026-09-27 | resume      | 8mg   |
        | 2026-10-10 | restore     | 12mg  |
        | 2026-10-20 | discontinue | -     |

    @rule:lenvatinib.paper.grade3 @rule:lenvatinib.paper.restore @rule:lenvatinib.resume
    Scenario Outline: A restore is refused on the day the reduced dose resumes
      Given adverse events:
        | onset      | term         | grade | attributed to | immune related | resolved   |
        | 2026-09-20 | Hypertension | 3     | lenvatinib    | false          | 2026-09-27 |
      And dose changes:
        | date    | agent      | action  |
        | <day>   | lenvatinib | restore |
      When the course is replayed
      Then lenvatinib is restored: <restored>

      Examples:
        | day        | restored |
        | 2026-09-27 | refused  |
        | 2026-09-28 | 12mg     |

  Rule: Proteinuria before the first dose, and a recorded grade 2 proteinuria (issue 9 item 10)

    @rule:lenvatinib.proteinuria.before-first-dose
    Scenario Outline: Urine protein >= 2 g/24 h before lenvatinib starts withholds it
      Lenvima US PI Table 1: "Proteinuria >= 2 g/24 h: Withhold"; clinical-references 1.5: monitor urine protein
      before starting. Withheld from its start (status held), not reduced; it starts at 12 mg once below 2 g/24 h.
      Given laboratory results:
        | date       | urine_protein_g_24h |
        | 2026-08-28 | <protein>           |
      When the course is replayed
      Then lenvatinib is "<status>" at level "12mg" at the end

      Examples:
        | protein | status |
        | 2.0     | held   |
        | 1.99    | active |

    @rule:lenvatinib.proteinuria.grade2 @rule:lenvatinib.resume
    @option:modification.lenvatinib_proteinuria_event
    Scenario Outline: A recorded grade 2 proteinuria withholds lenvatinib, then one level lower
      CTCAE v5.0 proteinuria grade 2: "urinary protein 1.0 - <3.5 g/24 hrs" (may be >= 2 g/24 h); US PI:
      "Withhold until <= 2 g/24 h; resume at reduced dose" (modification.lenvatinib_proteinuria_event).
      Given the protocol option "modification.lenvatinib_proteinuria_event" is "<option>"
      And adverse events:
        | onset      | term        | grade | attributed to | immune related | resolved   |
        | 2026-09-20 | Proteinuria | 2     | lenvatinib    | false          | 2026-09-27 |
      When the course is replayed
      Then lenvatinib is "active" at level "<level>" at the end

      Examples:
        | option           | level |
        | grade2_withholds | 8mg   |
        | labs_decide      | 12mg  |

  Rule: PD-1 organ-specific immune-related events (issue 9 item 11)

    @rule:pd1.irae.encephalitis.grade1-2 @rule:pd1.irae.encephalitis.grade3-4 @rule:pd1.irae.grade2-3
    @rule:pd1.irae.guillain-barre @rule:pd1.irae.hepatitis.bilirubin @rule:pd1.irae.myasthenia.grade1-2
    @rule:pd1.irae.myasthenia.grade3-4 @rule:pd1.irae.myocarditis @rule:pd1.resume
    Scenario Outline: Discontinue or hold per ASCO 2021 and the nivolumab hepatitis rule
      ASCO 2021: myocarditis "Hold ICPi and discontinue for >=G2"; Guillain-Barre "Discontinue ICPi"; myasthenia
      gravis G3-4 "Permanently discontinue ICPi", G2 "Hold ICPi and may resume ... only if symptoms resolve";
      encephalitis G1 "Hold ICPi and discuss resumption ... only after taking into account the risks and
      benefits"; nivolumab label: "Permanently discontinue if ... total bilirubin >3x ULN" (CTCAE grade 3 is
      >3.0 - 10.0 x ULN).
      Given adverse events:
        | onset      | term   | grade   | attributed to | immune related | resolved   |
        | 2026-09-25 | <term> | <grade> | camrelizumab  | true           | 2026-10-05 |
      When the course is replayed
      Then camrelizumab is "<status>" at level "<level>" at the end

      Examples:
        | term                      | grade | status       | level |
        | Myocarditis               | 2     | discontinued | -     |
        | Guillain-Barre syndrome   | 1     | discontinued | -     |
        | Myasthenia gravis         | 3     | discontinued | -     |
        | Myasthenia gravis         | 2     | held         | 200mg |
        | Encephalopathy            | 3     | discontinued | -     |
        | Encephalopathy            | 2     | held         | 200mg |
        | Blood bilirubin increased | 3     | discontinued | -     |
        | Blood bilirubin increased | 2     | active       | 200mg |

    @rule:pd1.clinician.resume @rule:pd1.irae.myasthenia.grade1-2
    Scenario: A held myasthenia resumes only when the clinician records it
      Given adverse events:
        | onset      | term              | grade | attributed to | immune related | resolved   |
        | 2026-09-25 | Myasthenia gravis | 2     | camrelizumab  | true           | 2026-10-05 |
      And dose changes:
        | date       | agent        | action |
        | 2026-10-06 | camrelizumab | resume |
      When the course is replayed
      Then camrelizumab is "active" at level "200mg" at the end

  Rule: A death (CTCAE grade 5) discontinues every drug, whatever the attribution

    @rule:lenvatinib.death @rule:folfox.death @rule:pd1.death
    Scenario: A grade 5 adverse event ends the whole course
      CTCAE v5.0: grade 5 is "Death" (Hypertension grade 5: "Death"). No drug continues after it.
      Given adverse events:
        | onset      | term         | grade | attributed to | immune related | resolved |
        | 2026-09-20 | Hypertension | 5     | lenvatinib    | false          | -        |
      When the course is replayed
      Then lenvatinib is "discontinued" at level "-" at the end
      And oxaliplatin is "discontinued" at level "-" at the end
      And camrelizumab is "discontinued" at level "-" at the end

  Rule: A clinician's decision recorded in dose changes is applied on its date

    @rule:lenvatinib.clinician.hold @rule:lenvatinib.clinician.resume @rule:folfox.clinician.hold
    @rule:folfox.clinician.resume @rule:pd1.clinician.hold @rule:pd1.clinician.resume
    Scenario Outline: A clinician's hold lasts until the clinician's resume, at the same dose
      Lenvatinib 12 mg (68 kg >= 60 kg), oxaliplatin 85 mg/m2, camrelizumab 200 mg: a hold by the clinician is not a
      dose reduction, so the drug resumes at the level it was held at.
      Given dose changes:
        | date       | agent   | action |
        | 2026-09-20 | <agent> | hold   |
        | 2026-10-01 | <agent> | resume |
      When the course is replayed
      Then the <agent> course is:
        | date       | action | level   |
        | 2026-09-20 | hold   | -       |
        | 2026-10-01 | resume | <level> |

      Examples:
        | agent        | level   |
        | lenvatinib   | 12mg    |
        | oxaliplatin  | 85mg/m2 |
        | camrelizumab | 200mg   |

    @rule:lenvatinib.clinician.discontinue @rule:pd1.clinician.discontinue
    Scenario Outline: A clinician's discontinuation is permanent
      Given dose changes:
        | date       | agent   | action      |
        | 2026-09-20 | <agent> | discontinue |
      When the course is replayed
      Then <agent> is "discontinued" at level "-" at the end

      Examples:
        | agent        |
        | lenvatinib   |
        | camrelizumab |

  Rule: Under the label ladder the first proteinuria withholds lenvatinib without a reduction

    @rule:lenvatinib.proteinuria.label-first @rule:lenvatinib.proteinuria.resume
    @option:modification.lenvatinib_policy
    Scenario: Urine protein >= 2 g/24 h, the first proteinuria: withheld, then the same 12 mg
      Lenvima SmPC (JGH 2021 Table 1): "No dose adjustment required for first occurrence of ... proteinuria";
      withhold at >= 2 g/24 h, resume when it is below 2 g/24 h (modification.lenvatinib_proteinuria_resume).
      Given the protocol option "modification.lenvatinib_policy" is "label"
      And laboratory results:
        | date       | urine_protein_g_24h |
        | 2026-09-20 | 2.5                 |
        | 2026-10-01 | 1.0                 |
      When the course is replayed
      Then the lenvatinib course is:
        | date       | action    | level |
        | 2026-09-20 | interrupt | -     |
        | 2026-10-01 | resume    | 12mg  |

    @rule:lenvatinib.proteinuria.grade2-label-first @rule:lenvatinib.resume
    @option:modification.lenvatinib_policy @option:modification.lenvatinib_proteinuria_event
    Scenario: A recorded grade 2 proteinuria, the first proteinuria: withheld until resolved, then the same 12 mg
      Given the protocol option "modification.lenvatinib_policy" is "label"
      And the protocol option "modification.lenvatinib_proteinuria_event" is "grade2_withholds"
      And adverse events:
        | onset      | term        | grade | attributed to | immune related | resolved   |
        | 2026-09-20 | Proteinuria | 2     | lenvatinib    | false          | 2026-09-27 |
      When the course is replayed
      Then lenvatinib is "active" at level "12mg" at the end

  Rule: More FOLFOX rules from the oxaliplatin label

    @rule:folfox.rpls
    Scenario: Reversible posterior leukoencephalopathy syndrome stops oxaliplatin permanently
      Oxaliplatin US PI: "Discontinue ... for RPLS" (clinical-references.md 2.1).
      Given adverse events:
        | onset      | term                                              | grade | attributed to | immune related | resolved   |
        | 2026-09-20 | Reversible posterior leukoencephalopathy syndrome | 2     | oxaliplatin   | false          | 2026-10-01 |
      When the course is replayed
      Then oxaliplatin is "discontinued" at level "-" at the end

    @rule:folfox.other-non-haematological @rule:folfox.resume
    Scenario: Another grade 3 non-haematological toxicity holds the HAIC, then oxaliplatin and 5-FU one level lower
      Oxaliplatin US PI Table 2: after recovery from a grade 3-4 toxicity, oxaliplatin 85 -> 65 mg/m2 and 5-FU -20 %
      (2400 x 0.8 = 1920 mg/m2).
      Given adverse events:
        | onset      | term    | grade | attributed to | immune related | resolved   |
        | 2026-09-10 | Fatigue | 3     | oxaliplatin   | false          | 2026-09-17 |
      When the course is replayed
      Then oxaliplatin is at level "65mg/m2" after recovery
      And fluorouracil is at level "1920mg/m2" after recovery

    @rule:folfox.neuropathy.attributed-other-drug @rule:folfox.resume
    Scenario: A grade 3 neuropathy attributed to 5-FU, not oxaliplatin, holds 5-FU without a reduction
      The oxaliplatin neuropathy rows (reduce, stop) apply to oxaliplatin only; another FOLFOX drug the clinician
      holds responsible is held until grade <= 1 and resumes at the same dose.
      Given adverse events:
        | onset      | term                          | grade | attributed to | immune related | resolved   |
        | 2026-09-10 | Peripheral sensory neuropathy | 3     | fluorouracil  | false          | 2026-09-17 |
      When the course is replayed
      Then fluorouracil is at level "2400mg/m2" after recovery

    @rule:folfox.gastrointestinal @rule:folfox.persisting @rule:folfox.resume @rule:folfox.persist.toxicity
    @option:modification.folfox_persistence_days
    Scenario Outline: A FOLFOX hold not resolved within 30 days discontinues oxaliplatin
      SYSUCC HAIC protocol (He 2017): "The study treatment was stopped if no recovery occurred after a 30-day delay"
      (modification.folfox_persistence_days 30): 10 September + 30 days = 10 October.
      Given adverse events:
        | onset      | term     | grade | attributed to | immune related | resolved   |
        | 2026-09-10 | Diarrhea | 3     | oxaliplatin   | false          | <resolved> |
      When the course is replayed
      Then oxaliplatin is "<status>" at level "<level>" at the end

      Examples:
        | resolved   | status       | level   |
        | 2026-10-10 | active       | 65mg/m2 |
        | 2026-10-11 | discontinued | -       |

  Rule: More PD-1 rules (ASCO 2021 irAE guideline)

    @rule:pd1.irae.troponin
    Scenario: An immune-related troponin rise holds the PD-1 after it resolves, until the clinician decides
      ASCO 2021 myocarditis G1 (abnormal cardiac biomarkers): hold and work up; resumption is a clinician's decision.
      Given adverse events:
        | onset      | term                         | grade | attributed to | immune related | resolved   |
        | 2026-09-25 | Cardiac troponin I increased | 1     | camrelizumab  | true           | 2026-10-05 |
      When the course is replayed
      Then camrelizumab is "held" at level "200mg" at the end

    @rule:pd1.irae.troponin @rule:pd1.clinician.resume
    Scenario: The clinician resumes the PD-1 after the troponin rise resolved
      Given adverse events:
        | onset      | term                         | grade | attributed to | immune related | resolved   |
        | 2026-09-25 | Cardiac troponin I increased | 1     | camrelizumab  | true           | 2026-10-05 |
      And dose changes:
        | date       | agent        | action |
        | 2026-10-10 | camrelizumab | resume |
      When the course is replayed
      Then camrelizumab is "active" at level "200mg" at the end

    @rule:pd1.irae.hepatic-failure
    Scenario: Hepatic failure under the PD-1 inhibitor discontinues it
      Given adverse events:
        | onset      | term            | grade | attributed to | immune related | resolved   |
        | 2026-09-25 | Hepatic failure | 3     | camrelizumab  | true           | 2026-10-05 |
      When the course is replayed
      Then camrelizumab is "discontinued" at level "-" at the end

    @rule:pd1.irae.hepatitis.transaminases-grade3 @rule:pd1.irae.grade2-3 @rule:pd1.resume
    @option:modification.pd1_hepatitis_transaminases
    Scenario Outline: Immune-related ALT grade 3 (5-20 x ULN) discontinues by default; a site may hold instead
      ASCO 2021 immune hepatitis G3: "Consider permanently discontinuing ICPi if asymptomatic; permanently
      discontinue if symptomatic" (modification.pd1_hepatitis_transaminases).
      Given the protocol option "modification.pd1_hepatitis_transaminases" is "<option>"
      And adverse events:
        | onset      | term                               | grade | attributed to | immune related | resolved   |
        | 2026-09-25 | Alanine aminotransferase increased | 3     | camrelizumab  | true           | 2026-10-05 |
      When the course is replayed
      Then camrelizumab is "<status>" at level "<level>" at the end

      Examples:
        | option      | status       | level |
        | discontinue | discontinued | -     |
        | hold        | active       | 200mg |

    @rule:pd1.grade3 @rule:pd1.resume
    Scenario: A grade 3 adverse event that is not immune-related holds the PD-1, then the same 200 mg
      Given adverse events:
        | onset      | term    | grade | attributed to | immune related | resolved   |
        | 2026-09-25 | Fatigue | 3     | camrelizumab  | false          | 2026-10-05 |
      When the course is replayed
      Then the camrelizumab course is:
        | date       | action | level |
        | 2026-09-25 | hold   | -     |
        | 2026-10-05 | resume | 200mg |

    @rule:pd1.irae.grade2-3 @rule:pd1.persisting @rule:pd1.resume @rule:pd1.persist.toxicity
    @option:modification.pd1_persistence_days
    Scenario Outline: A PD-1 hold not resolved within 12 weeks discontinues it
      ASCO / nivolumab label: "permanently discontinue if no resolution within 12 weeks" (pd1_persistence_days 84):
      5 September + 84 days = 28 November.
      Given adverse events:
        | onset      | term    | grade | attributed to | immune related | resolved   |
        | 2026-09-05 | Colitis | 3     | camrelizumab  | true           | <resolved> |
      When the course is replayed
      Then camrelizumab is "<status>" at level "<level>" at the end

      Examples:
        | resolved   | status       | level |
        | 2026-11-28 | active       | 200mg |
        | 2026-11-29 | discontinued | -     |

  Rule: Neutropenia seen only in dated lab results interrupts lenvatinib (label policy)

    @rule:labs.lenvatinib.neutropenia @rule:lenvatinib.label.first-haematological @rule:lenvatinib.resume
    @option:modification.lenvatinib_policy
    Scenario Outline: Lenvatinib restarts when neutrophils are back to grade 2, at the same dose the first time
      CTCAE v5.0 Neutrophil count decreased: grade 3 "<1.0 - 0.5 x 10e9 /L", grade 2 "<1.5 - 1.0 x 10e9 /L".
      Lenvima SmPC: haematological toxicity grade 3 -> interrupt; restart "when resolved to grade 2"; no dose
      adjustment for the first occurrence.
      Given the protocol option "modification.lenvatinib_policy" is "label"
      And laboratory results:
        | date       | anc_10e9_l |
        | 2026-09-10 | 0.8        |
        | 2026-09-17 | <later>    |
      When the course is replayed up to 2026-09-18
      Then lenvatinib is "<status>" at level "12mg" at the end

      Examples:
        | later | status      |
        | 0.99  | interrupted |
        | 1.0   | active      |
