Feature: Clinical measures derived from the patient record
  Hepatologists check each derived measure by hand. Cut-offs: Child-Pugh (Pugh 1973, MDCalc),
  ALBI (Johnson 2015), BCLC 2022, BSA (Mosteller 1987 and others). A value on a cut-off belongs
  to the class stated in the source; an unknown input never becomes a default.

  Rule: Child-Pugh scores each component from the raw value

    Scenario Outline: Bilirubin either side of 2 and 3 mg/dL (34.2 and 51.3 µmol/L)
      Given a patient with:
        | field                        | value        |
        | liver.total_bilirubin_umol_l | <bilirubin>  |
        | liver.albumin_g_l            | 40           |
        | liver.inr                    | 1.1          |
        | liver.ascites                | "none"       |
        | liver.encephalopathy         | "none"       |
      When the measures are derived
      Then the Child-Pugh score is <score> and the class is "<class>"

      Examples:
        | bilirubin | score | class |
        | 34.1      | 5     | A     |
        | 34.2      | 6     | A     |
        | 51.3      | 6     | A     |
        | 51.4      | 7     | B     |

    Scenario: A decompensated patient is class C
      Given a patient with:
        | field                        | value             |
        | liver.total_bilirubin_umol_l | 60                |
        | liver.albumin_g_l            | 25                |
        | liver.inr                    | 1.8               |
        | liver.ascites                | "moderate_severe" |
        | liver.encephalopathy         | "grade_1_2"       |
      When the measures are derived
      Then the Child-Pugh score is 13 and the class is "C"

    Scenario: A missing INR leaves Child-Pugh unknown
      Given a patient with:
        | field                        | value  |
        | liver.total_bilirubin_umol_l | 20     |
        | liver.albumin_g_l            | 40     |
        | liver.ascites                | "none" |
        | liver.encephalopathy         | "none" |
      When the measures are derived
      Then the Child-Pugh class is unknown
      And "liver.inr" is listed as missing

  Rule: ALBI is graded on the unrounded score

    Scenario Outline: Either side of the grade 1 cut-off (-2.60)
      Given a patient with:
        | field                        | value     |
        | liver.total_bilirubin_umol_l | 10        |
        | liver.albumin_g_l            | <albumin> |
      When the measures are derived
      Then the ALBI grade is <grade>

      Examples: 0.66 x log10(10) - 0.085 x albumin
        | albumin | grade |
        | 38.4    | 1     |
        | 38.3    | 2     |

  Rule: BSA uses actual weight and height, with no cap

    Scenario Outline: Body surface area by formula
      Given a patient with:
        | field     | value    |
        | weight_kg | <weight> |
        | height_cm | <height> |
      When the measures are derived with the "<formula>" formula
      Then the body surface area is <bsa> m2

      Examples: hand-calculated
        | weight | height | formula   | bsa    |
        | 80     | 180    | mosteller | 2.0    |
        | 70     | 170    | mosteller | 1.8181 |
        | 70     | 170    | dubois    | 1.8097 |
        | 112    | 178    | mosteller | 2.3532 |

  Rule: BCLC stage follows tumour burden, performance status and liver function

    Scenario Outline: Stage from the record
      Given the example patient "<example>"
      When the measures are derived
      Then the BCLC stage is "<stage>"

      Examples:
        | example                              | stage |
        | p01-bclc-c-pvtt                      | C     |
        | p02-bclc-b-multinodular              | B     |
        | p03-bclc-c-extrahepatic-under-60kg   | C     |
        | p04-child-pugh-b                     | B     |

    Scenario: A stage recorded by the team that differs from the derived stage is reported
      Given the example patient "p02-bclc-b-multinodular"
      And a patient with:
        | field      | value |
        | bclc_stage | "C"   |
      When the measures are derived
      Then the BCLC stage is "B"
      And a BCLC conflict is reported
