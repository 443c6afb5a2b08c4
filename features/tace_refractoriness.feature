Feature: TACE failure/refractoriness by JSH-LCSGJ 2014, as applied by Lin et al. 2023
  Any one criterion suffices. Insufficient response: viable tumour > 50 % of the treated lesions on
  CT/MRI 1-3 months (28-92 days, inclusive) after adequately performed selective TACE, in two or more
  consecutive sessions. Progression: more intrahepatic tumours at imaging than before that TACE, in two
  or more consecutive sessions. Refractoriness presupposes TACE.

  Background: a BCLC C patient without vascular invasion or spread, so only the TACE series decides
    Given a patient with:
      | field                      | value |
      | ecog                       | 1     |
      | tumour.count               | 3     |
      | tumour.largest_diameter_cm | 8.5   |
      | tumour.vascular_invasion   | false |
      | tumour.extrahepatic_spread | false |

  Scenario Outline: The response imaging must fall 28 to 92 days after the session
    Given these TACE sessions:
      | date       | selective | days to imaging | viable tumour % |
      | 2026-01-05 | yes       | 35              | 70              |
      | 2026-05-04 | yes       | <days>          | 65              |
    When eligibility is assessed for the "haic-lenvatinib-pd1" arm
    Then JSH criterion "jsh2014.insufficient_response" is <status>
    And session 2 is <counted> for "jsh2014.insufficient_response"

    Examples:
      | days | status  | counted     |
      | 27   | not met | not counted |
      | 28   | met     | counted     |
      | 92   | met     | counted     |
      | 93   | not met | not counted |

  Scenario Outline: Insufficient response means more than 50 % viable tumour
    Given these TACE sessions:
      | date       | selective | days to imaging | viable tumour % |
      | 2026-01-05 | yes       | 35              | <viable>        |
      | 2026-03-02 | yes       | 35              | <viable>        |
    When eligibility is assessed for the "haic-lenvatinib-pd1" arm
    Then JSH criterion "jsh2014.insufficient_response" is <status>
    And TACE failure/refractoriness by JSH-LCSGJ 2014 is <status>

    Examples:
      | viable | status  |
      | 50     | not met |
      | 51     | met     |

  Scenario: Two consecutive progressions in the liver
    Given these TACE sessions:
      | date       | selective | days to imaging | viable tumour % | tumours before | tumours after |
      | 2026-01-05 | yes       | 40              | 30              | 3              | 4             |
      | 2026-03-02 | yes       | 40              | 30              | 4              | 6             |
    When eligibility is assessed for the "haic-lenvatinib-pd1" arm
    Then JSH criterion "jsh2014.intrahepatic_progression" is met
    And JSH criterion "jsh2014.insufficient_response" is not met

  Scenario Outline: A non-selective session between two insufficient responses
    Given the protocol option "non_counting_session_breaks_run" is <breaks>
    And these TACE sessions:
      | date       | selective | days to imaging | viable tumour % |
      | 2026-01-05 | yes       | 35              | 70              |
      | 2026-03-02 | no        | 35              | 70              |
      | 2026-05-04 | yes       | 35              | 70              |
    When eligibility is assessed for the "haic-lenvatinib-pd1" arm
    Then JSH criterion "jsh2014.insufficient_response" is <status>

    Examples:
      | breaks | status  |
      | true   | not met |
      | false  | met     |

  Scenario: An unrecorded viable tumour percentage leaves the run open
    Given these TACE sessions:
      | date       | selective | days to imaging | viable tumour % |
      | 2026-01-05 | yes       | 35              | 70              |
      | 2026-03-02 | yes       | 35              | absent          |
      | 2026-05-04 | yes       | 35              | 70              |
    When eligibility is assessed for the "haic-lenvatinib-pd1" arm
    Then JSH criterion "jsh2014.insufficient_response" is unknown
    And TACE failure/refractoriness by JSH-LCSGJ 2014 is unknown

  Scenario Outline: Tumour markers rising right after TACE
    Given the protocol option "tumour_markers_sessions_required" is <required>
    And these TACE sessions:
      | date       | selective | days to imaging | viable tumour % | markers rising |
      | 2026-01-05 | yes       | 35              | 20              | yes            |
      | 2026-03-02 | yes       | 35              | 20              | no             |
    When eligibility is assessed for the "haic-lenvatinib-pd1" arm
    Then JSH criterion "jsh2014.tumour_markers" is <status>

    Examples:
      | required | status  |
      | 1        | met     |
      | 2        | not met |

  Scenario Outline: Presence (the paper) or appearance (JSH) of vascular invasion
    Given the patient also has:
      | field                    | value |
      | tumour.vascular_invasion | true  |
    And the protocol option "invasion_spread_reading" is "<reading>"
    And these TACE sessions:
      | date       | selective | days to imaging | viable tumour % |
      | 2026-01-05 | yes       | 35              | 20              |
    When eligibility is assessed for the "haic-lenvatinib-pd1" arm
    Then JSH criterion "jsh2014.vascular_invasion" is <status>

    Examples:
      | reading    | status  |
      | presence   | met     |
      | appearance | not met |

  Scenario Outline: Without adequate TACE there is no refractoriness, whatever the invasion
    Given the patient also has:
      | field                    | value     |
      | tumour.vascular_invasion | true      |
      | tace_history             | <history> |
    When eligibility is assessed for the "haic-lenvatinib-pd1" arm
    Then TACE failure/refractoriness by JSH-LCSGJ 2014 is <status>

    Examples:
      | history | status  |
      | []      | not met |
      | absent  | unknown |

  Scenario Outline: Known non-counting sessions break the run; sessions with missing data leave it open
    A session known not to count (non-selective, or imaged outside 28-92 days) breaks the run by default.
    A session whose data are missing may or may not count: the answer is unknown, never a definite exclusion.
    Given these TACE sessions:
      | date       | selective    | days to imaging | viable tumour % |
      | 2026-01-05 | yes          | 35              | 70              |
      | 2026-03-02 | <selective>  | <days>          | 70              |
      | 2026-06-08 | yes          | 35              | 70              |
    When eligibility is assessed for the "haic-lenvatinib-pd1" arm
    Then JSH criterion "jsh2014.insufficient_response" is <status>
    And the patient is <decision>

    Examples:
      | selective | days   | status  | decision     |
      | no        | 35     | not met | not eligible |
      | yes       | 93     | not met | not eligible |
      | yes       | 27     | not met | not eligible |
      | absent    | 35     | unknown | undetermined |
      | yes       | absent | unknown | undetermined |

  Scenario Outline: Changed agents, when required, qualify progressions as they do insufficient responses
    Given the protocol option "agents_changed_required" is <required>
    And these TACE sessions:
      | date       | selective | days to imaging | viable tumour % | tumours before | tumours after | agents changed |
      | 2026-01-05 | yes       | 40              | 30              | 3              | 4             | no             |
      | 2026-03-02 | yes       | 40              | 30              | 4              | 6             | <changed>      |
    When eligibility is assessed for the "haic-lenvatinib-pd1" arm
    Then JSH criterion "jsh2014.intrahepatic_progression" is <status>

    Examples:
      | required | changed | status  |
      | false    | no      | met     |
      | true     | no      | not met |
      | true     | yes     | met     |
      | true     | absent  | unknown |

  Scenario Outline: Under JSH's "appearance" reading, new vascular invasion counts only after selective TACE
    Given the patient also has:
      | field                    | value |
      | tumour.vascular_invasion | true  |
    And the protocol option "invasion_spread_reading" is "appearance"
    And these TACE sessions:
      | date       | selective   | days to imaging | viable tumour % | new vascular invasion |
      | 2026-01-05 | <selective> | 35              | 20              | yes                   |
      | 2026-03-02 | yes         | 35              | 20              | no                    |
    When eligibility is assessed for the "haic-lenvatinib-pd1" arm
    Then JSH criterion "jsh2014.vascular_invasion" is <status>

    Examples:
      | selective | status  |
      | yes       | met     |
      | no        | not met |

  Scenario Outline: New vascular invasion that the tumour record denies is a contradiction, not an answer
    Given the protocol option "invasion_spread_reading" is "<reading>"
    And these TACE sessions:
      | date       | selective | days to imaging | viable tumour % | new vascular invasion |
      | 2026-01-05 | yes       | 35              | 20              | yes                   |
    When eligibility is assessed for the "haic-lenvatinib-pd1" arm
    Then JSH criterion "jsh2014.vascular_invasion" is unknown
    And the assessment warns that "tumour.vascular_invasion = false; tace_history[0].new_vascular_invasion = true"

    Examples:
      | reading    |
      | presence   |
      | appearance |
