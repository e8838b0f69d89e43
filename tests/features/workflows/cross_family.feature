Feature: Cases moving between families, and workflow versions
  A panel case escalates into support first; a stuck support plan becomes an EWO consultation;
  a safeguarding concern becomes a referral to children's social care; support first opens a
  formal route. Each move opens a linked case that shares one history with the case it came
  from, so the checks in one family see what was done in another. Every case keeps the
  workflow version it started on until someone migrates it deliberately.

  Background:
    Given the workflows in config/workflows.yaml are published
    And Alex Taylor is a pupil at Birkenhead Park Primary
    And these people work with Alex:
      | name  | role                            |
      | Tess  | School staff member             |
      | Priya | Panel chair                     |
      | Lee   | School attendance lead          |
      | Ed    | Education welfare officer (EWO) |
      | Eva   | Educational psychologist        |
      | Sam   | Social worker                   |
      | Wendy | LA workflow editor              |

  # --- Linked cases --------------------------------------------------------------------------

  Scenario: From a panel nomination to a formal measure, every linked case sees the support history
    Given Tess has nominated Alex for the panel on 5 January 2026 because "Late most days since Christmas"
    And Priya has taken "Discuss at the panel" on the panel case on 12 January 2026
    And panelflow's timers have run on 9 February 2026
    And Priya has taken "Review: escalate to support first" on the panel case on 16 February 2026
    And these steps have been taken on the support-first case:
      | on               | by  | step                                      |
      | 23 February 2026 | Lee | Review held                               |
      | 24 February 2026 | Lee | Step up to targeted support               |
      | 2 March 2026     | Lee | Attendance support plan agreed            |
      | 13 April 2026    | Lee | Review held                               |
      | 14 April 2026    | Ed  | Step up to intensive multi-agency support |
      | 27 May 2026      | Ed  | Review held                               |
      | 27 May 2026      | Ed  | Open a formal route (support continues)   |
    When Ed takes "Offer an attendance contract" on the formal case on 1 June 2026, filling in what it asks for
    Then the formal case is at "Attendance contract in place"
    And Alex has these cases, all sharing one history:
      | case               | at                                     |
      | panel case         | Escalated to support first             |
      | support-first case | Formal route opened, support continues |
      | formal case        | Attendance contract in place           |

  Scenario: Support first starts from a review of what the panel tried
    Given Tess has nominated Alex for the panel on 5 January 2026 because "Late most days since Christmas"
    And Priya has taken "Discuss at the panel" on the panel case on 12 January 2026
    And panelflow's timers have run on 9 February 2026
    And Priya has taken "Review: escalate to support first" on the panel case on 16 February 2026
    When Lee takes "Step up to targeted support" on the support-first case on 17 February 2026, filling in what it asks for
    Then the step is refused with "no 'Review held' in the last 4 school weeks (since 20 January 2026)"
    And nothing is written

  Scenario: A stuck support plan becomes an EWO consultation, whose actions come back to the school
    Given Lee has opened a support-first case for Alex on 5 January 2026
    And these steps have been taken on the support-first case:
      | on               | by  | step                           |
      | 23 February 2026 | Lee | Review held                    |
      | 2 March 2026     | Lee | Step up to targeted support    |
      | 9 March 2026     | Lee | Attendance support plan agreed |
    And Ed has recorded consent to share Alex's case with educational psychology on 12 March 2026
    And Ed has taken "Ask for an EWO consultation" on the support-first case on 16 March 2026
    And Eva has taken "Book the consultation" on the consultation on 18 March 2026
    When Eva takes "Record the consultation" on the consultation on 1 April 2026, filling in what it asks for
    Then these actions are created:
      | for                             | action                                                                                      | due           |
      | Education welfare officer (EWO) | Share the advice and action plan with the family and the school, and start the actions | 8 April 2026  |
      | School attendance lead          | Add the consultation's actions to the pupil's attendance support plan                  | 15 April 2026 |
    And Alex has these cases, all sharing one history:
      | case               | at                    |
      | support-first case | Targeted support      |
      | consultation       | Action plan under way |

  Scenario: A safeguarding concern at the panel becomes a referral to children's social care the same day
    Given Tess has nominated Alex for the panel on 2 March 2026 because "Late most days since Christmas"
    And Priya has taken "Discuss at the panel" on the panel case on 9 March 2026
    And Tess has taken "Raise a safeguarding concern" on the panel case on 16 March 2026
    When Lee takes "Refer to children's social care" on the formal case on 16 March 2026, recording:
      | What is the safeguarding concern? | As raised by Tess at 8.45 this morning |
    Then these actions are created:
      | for           | action                                                              | due           |
      | Social worker | Decide what happens next with this referral (within one working day) | 17 March 2026 |
    And Alex has these cases, all sharing one history:
      | case        | at                                 |
      | panel case  | Actions under way                  |
      | formal case | Referred to children's social care |

  # --- Versions ------------------------------------------------------------------------------

  Scenario: A case keeps the workflow version it started on
    Given Tess has nominated Alex for the panel on 2 March 2026 because "Late most days since Christmas"
    And Wendy has published version 2, in which the panel must record a funding decision when it discusses a pupil
    When Priya takes "Discuss at the panel" on the panel case on 9 March 2026, recording:
      | What is getting in the way of this pupil attending?            | Anxiety on the school bus |
      | What did the panel agree, who will do each action, and by when? | Bus pass; breakfast club  |
    Then the panel case is at "Actions under way"
    And the panel case is on workflow version 1
    And the audit trail records that Priya took "Discuss at the panel" on the panel case as Panel chair

  Scenario: New cases start on the new version and follow its rules
    Given Wendy has published version 2, in which the panel must record a funding decision when it discusses a pupil
    And Jordan Reed is a pupil at Birkenhead Park Primary
    And Tess has nominated Jordan for the panel on 2 March 2026 because "Never in on Fridays"
    When Priya takes "Discuss at the panel" on Jordan's panel case on 9 March 2026, recording:
      | What is getting in the way of this pupil attending?            | Looks after a younger sibling on Fridays |
      | What did the panel agree, who will do each action, and by when? | Young carers group; talk to mum          |
    Then the step is refused with "record 'Did the panel agree to fund anything?' to take this step"
    And nothing is written
    And Jordan's panel case is on workflow version 2

  Scenario: A case moves to a new version only when someone migrates it deliberately
    Given Tess has nominated Alex for the panel on 2 March 2026 because "Late most days since Christmas"
    And Wendy has published version 2, in which the panel must record a funding decision when it discusses a pupil
    When Wendy migrates the open cases to version 2
    Then the panel case is on workflow version 2
    And the panel case is still at "On the panel agenda"
    And the audit trail records that Wendy moved the panel case from version 1 to version 2

  Scenario: A migrated case follows the new version's rules
    Given Tess has nominated Alex for the panel on 2 March 2026 because "Late most days since Christmas"
    And Wendy has published version 2, in which the panel must record a funding decision when it discusses a pupil
    And Wendy has migrated the open cases to version 2
    When Priya takes "Discuss at the panel" on the panel case on 9 March 2026, recording:
      | What is getting in the way of this pupil attending?            | Anxiety on the school bus |
      | What did the panel agree, who will do each action, and by when? | Bus pass; breakfast club  |
    Then the step is refused with "record 'Did the panel agree to fund anything?' to take this step"
    And nothing is written

  Scenario: A linked case opens on the live version, while the case it came from keeps its own
    Given Tess has nominated Alex for the panel on 2 March 2026 because "Late most days since Christmas"
    And Priya has taken "Discuss at the panel" on the panel case on 9 March 2026
    And Wendy has published version 2, in which the panel must record a funding decision when it discusses a pupil
    When Tess takes "Raise a safeguarding concern" on the panel case on 16 March 2026, filling in what it asks for
    Then a formal case is opened for Alex, linked to the panel case, at "Formal route being considered"
    And the panel case is on workflow version 1
    And the formal case is on workflow version 2
