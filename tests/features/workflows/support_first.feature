Feature: Support first: graduated support, stage by stage
  Support gets more intensive one stage at a time: universal support, then an attendance
  support plan agreed with the family (targeted support), then intensive multi-agency support,
  and only then a formal route. Moving up a stage needs a recent review showing the stage
  before was tried, and panelflow says exactly what is missing when it refuses. A review keeps
  the case at its stage and starts its review timers again; updating the plan, asking for an
  EWO consultation or raising a safeguarding concern never pushes the next review back.

  Background:
    Given the workflows in config/workflows.yaml are published
    And Alex Taylor is a pupil at Birkenhead Park Primary
    And these people work with Alex:
      | name  | role                            |
      | Lee   | School attendance lead          |
      | Ed    | Education welfare officer (EWO) |
      | Val   | Virtual school head             |
      | Tess  | School staff member             |
      | Priya | Panel chair                     |
      | Cara  | CAMHS practitioner              |
      | Sam   | Social worker                   |
    And Lee has opened a support-first case for Alex on 5 January 2026

  # --- Universal support and reviews ---------------------------------------------------------

  Scenario: A review keeps the case at its stage and starts its review timers again
    When Val takes "Review held" on the support-first case on 2 February 2026, recording:
      | What has changed since the last review? | First-day calls every absence; mum says mornings are hard |
      | Attendance since the last review (%)    | 86                                                         |
    Then the support-first case is still at "Universal support"
    And the support-first case has these timers running:
      | what           | due           |
      | Review due     | 16 March 2026 |
      | Review overdue | 27 April 2026 |
    And the audit trail records that Val took "Review held" on the support-first case as Virtual school head

  Scenario: Stepping up to targeted support is refused until a review shows universal support was tried
    When Lee takes "Step up to targeted support" on the support-first case on 2 March 2026, recording:
      | Why is more support needed, and what was tried at this stage? | First-day calls since January; no change |
    Then the step is refused with "no 'Review held' in the last 4 school weeks (since 2 February 2026)"
    And nothing is written
    And the support-first case is still at "Universal support"

  Scenario Outline: Only a review in the last 4 school weeks counts
    Given Lee has taken "Review held" on the support-first case on <reviewed>
    When Lee takes "Step up to targeted support" on the support-first case on 2 March 2026, filling in what it asks for
    Then the outcome is "<outcome>"

    Examples:
      | reviewed         | outcome                                                                       |
      | 30 January 2026  | refused: no 'Review held' in the last 4 school weeks (since 2 February 2026) |
      | 2 February 2026  | taken                                                                         |
      | 27 February 2026 | taken                                                                         |

  Scenario: After a review, the case steps up to agreeing a plan with the family
    Given Lee has taken "Review held" on the support-first case on 23 February 2026, recording:
      | What has changed since the last review? | Universal support tried for 7 weeks; still late most days |
      | Attendance since the last review (%)    | 84                                                         |
    When Lee takes "Step up to targeted support" on the support-first case on 2 March 2026, recording:
      | Why is more support needed, and what was tried at this stage? | First-day calls and a welcome-back chat did not help |
    Then the support-first case is at "Agreeing a plan with the family"
    And these actions are created:
      | for                    | action                                              | due           |
      | School attendance lead | Meet the family to agree an attendance support plan | 16 March 2026 |
    And the support-first case has these timers running:
      | what                                                                 | due           |
      | Plan not yet agreed with the family; think about an EWO consultation | 16 March 2026 |
    And the audit trail records that Lee took "Step up to targeted support" on the support-first case as School attendance lead

  # --- Targeted support: a plan agreed with the family ---------------------------------------

  Scenario: A plan is only agreed with the family's views recorded
    Given these steps have been taken on the support-first case:
      | on               | by  | step                        |
      | 23 February 2026 | Lee | Review held                 |
      | 2 March 2026     | Lee | Step up to targeted support |
    When Lee takes "Attendance support plan agreed" on the support-first case on 9 March 2026, recording:
      | What is in the attendance support plan? | Breakfast club; a quiet start in the library; weekly call home |
    Then the step is refused with "record 'What do the pupil and the family say about the plan?' to take this step"
    And nothing is written
    And the support-first case is still at "Agreeing a plan with the family"

  Scenario: The plan is agreed with the family, and targeted support starts
    Given these steps have been taken on the support-first case:
      | on               | by  | step                        |
      | 23 February 2026 | Lee | Review held                 |
      | 2 March 2026     | Lee | Step up to targeted support |
    When Lee takes "Attendance support plan agreed" on the support-first case on 9 March 2026, recording:
      | What is in the attendance support plan?             | Breakfast club; a quiet start in the library; weekly call home |
      | What do the pupil and the family say about the plan? | Alex likes the library start; mum wants the calls on Fridays   |
    Then the support-first case is at "Targeted support"
    And what was recorded is:
      | What is in the attendance support plan?             | Breakfast club; a quiet start in the library; weekly call home |
      | What do the pupil and the family say about the plan? | Alex likes the library start; mum wants the calls on Fridays   |
    And these actions are created:
      | for                    | action                                   | due           |
      | School attendance lead | Give the family a copy of the agreed plan | 12 March 2026 |
    And the support-first case has these timers running:
      | what           | due           |
      | Review due     | 20 April 2026 |
      | Review overdue | 1 June 2026   |

  Scenario: Updating the plan between reviews does not move the next review
    Given these steps have been taken on the support-first case:
      | on               | by  | step                           |
      | 23 February 2026 | Lee | Review held                    |
      | 2 March 2026     | Lee | Step up to targeted support    |
      | 9 March 2026     | Lee | Attendance support plan agreed |
    When Lee takes "Update the attendance support plan" on the support-first case on 23 March 2026, recording:
      | What is in the attendance support plan? | Breakfast club; library start; a youth mentor from April |
    Then the support-first case is still at "Targeted support"
    And the support-first case has these timers running:
      | what           | due           |
      | Review due     | 20 April 2026 |
      | Review overdue | 1 June 2026   |

  # --- Intensive support ---------------------------------------------------------------------

  Scenario Outline: Stepping up to intensive support waits until the plan has had 6 school weeks
    Given these steps have been taken on the support-first case:
      | on               | by  | step                           |
      | 23 February 2026 | Lee | Review held                    |
      | 2 March 2026     | Lee | Step up to targeted support    |
      | 9 March 2026     | Lee | Attendance support plan agreed |
      | 13 April 2026    | Lee | Review held                    |
    When Ed takes "Step up to intensive multi-agency support" on the support-first case on <on>, filling in what it asks for
    Then the outcome is "<outcome>"

    Examples:
      | on            | outcome                                                                                 |
      | 20 April 2026 | refused: not while 'Attendance support plan agreed' happened in the last 6 school weeks |
      | 21 April 2026 | taken                                                                                   |

  Scenario: Stepping up to intensive support brings the agencies in
    Given these steps have been taken on the support-first case:
      | on               | by  | step                           |
      | 23 February 2026 | Lee | Review held                    |
      | 2 March 2026     | Lee | Step up to targeted support    |
      | 9 March 2026     | Lee | Attendance support plan agreed |
      | 13 April 2026    | Lee | Review held                    |
    When Ed takes "Step up to intensive multi-agency support" on the support-first case on 21 April 2026, recording:
      | Why is more support needed, and what was tried at this stage? | Six weeks of the plan; attendance down to 68% |
    Then the support-first case is at "Intensive multi-agency support"
    And these actions are created:
      | for                             | action                                                                       | due        |
      | School attendance lead          | Invite the family and the agencies around the pupil to a multi-agency meeting | 5 May 2026 |
      | Education welfare officer (EWO) | Join the multi-agency support around this pupil                              | 5 May 2026 |

  # --- Stepping down -------------------------------------------------------------------------

  Scenario: After a review, the case steps down to less intensive support
    Given these steps have been taken on the support-first case:
      | on               | by  | step                           |
      | 23 February 2026 | Lee | Review held                    |
      | 2 March 2026     | Lee | Step up to targeted support    |
      | 9 March 2026     | Lee | Attendance support plan agreed |
      | 30 March 2026    | Lee | Review held                    |
    When Lee takes "Step down to less intensive support" on the support-first case on 31 March 2026, recording:
      | What has improved, so that less support is needed? | In school every day for three weeks |
    Then the support-first case is at "Universal support"

  Scenario: Stepping down from a plan in place needs a recent review
    Given these steps have been taken on the support-first case:
      | on               | by  | step                           |
      | 23 February 2026 | Lee | Review held                    |
      | 2 March 2026     | Lee | Step up to targeted support    |
      | 9 March 2026     | Lee | Attendance support plan agreed |
    When Lee takes "Step down to less intensive support" on the support-first case on 20 April 2026, recording:
      | What has improved, so that less support is needed? | Better since Easter |
    Then the step is refused with "no 'Review held' in the last 4 school weeks (since 23 March 2026)"
    And nothing is written

  Scenario: After a recent review the case closes because attendance has improved
    Given these steps have been taken on the support-first case:
      | on               | by  | step                           |
      | 23 February 2026 | Lee | Review held                    |
      | 2 March 2026     | Lee | Step up to targeted support    |
      | 9 March 2026     | Lee | Attendance support plan agreed |
      | 30 March 2026    | Lee | Review held                    |
    When Lee takes "Close: attendance has improved" on the support-first case on 31 March 2026
    Then the support-first case is at "Closed: attendance improved"
    And the support-first case has no timers running

  # --- A stuck plan, and safeguarding --------------------------------------------------------

  Scenario: An EWO consultation is refused until consent to share with educational psychology is recorded
    Given these steps have been taken on the support-first case:
      | on               | by  | step                           |
      | 23 February 2026 | Lee | Review held                    |
      | 2 March 2026     | Lee | Step up to targeted support    |
      | 9 March 2026     | Lee | Attendance support plan agreed |
    When Ed takes "Ask for an EWO consultation" on the support-first case on 16 March 2026, recording:
      | What makes this case feel stuck? | The plan is followed but Alex still will not come in on Mondays |
    Then the step is refused with "consent or a lawful basis to share with Educational psychology is not recorded"
    And nothing is written

  Scenario: With consent recorded, the EWO consultation opens and the support carries on where it was
    Given these steps have been taken on the support-first case:
      | on               | by  | step                           |
      | 23 February 2026 | Lee | Review held                    |
      | 2 March 2026     | Lee | Step up to targeted support    |
      | 9 March 2026     | Lee | Attendance support plan agreed |
    And Ed has recorded consent to share Alex's case with educational psychology on 12 March 2026
    When Ed takes "Ask for an EWO consultation" on the support-first case on 16 March 2026, recording:
      | What makes this case feel stuck? | The plan is followed but Alex still will not come in on Mondays |
    Then the support-first case is still at "Targeted support"
    And a consultation is opened for Alex, linked to the support-first case, at "Consultation requested"
    And no action is created
    And the support-first case has these timers running:
      | what           | due           |
      | Review due     | 20 April 2026 |
      | Review overdue | 1 June 2026   |
    And the audit trail records that Ed took "Ask for an EWO consultation" on the support-first case as Education welfare officer (EWO)

  Scenario: A safeguarding concern opens a formal case without restarting the review timers
    Given these steps have been taken on the support-first case:
      | on               | by  | step                           |
      | 23 February 2026 | Lee | Review held                    |
      | 2 March 2026     | Lee | Step up to targeted support    |
      | 9 March 2026     | Lee | Attendance support plan agreed |
    When Tess takes "Raise a safeguarding concern" on the support-first case on 23 March 2026, recording:
      | What is the safeguarding concern? | Alex has a new injury and will not say how it happened |
    Then the support-first case is still at "Targeted support"
    And a formal case is opened for Alex, linked to the support-first case, at "Formal route being considered"
    And these actions are created:
      | for                    | action                                                                       | due           |
      | School attendance lead | Make the referral to children's social care on the linked formal case today | 24 March 2026 |
    And the support-first case has these timers running:
      | what           | due           |
      | Review due     | 20 April 2026 |
      | Review overdue | 1 June 2026   |

  # --- Who may do what -----------------------------------------------------------------------

  Scenario Outline: Who may take which step while targeted support is in place
    Given these steps have been taken on the support-first case:
      | on               | by  | step                           |
      | 23 February 2026 | Lee | Review held                    |
      | 2 March 2026     | Lee | Step up to targeted support    |
      | 9 March 2026     | Lee | Attendance support plan agreed |
      | 30 March 2026    | Lee | Review held                    |
    And Ed has recorded consent to share Alex's case with educational psychology on 12 March 2026
    When <person> takes "<step>" on the support-first case on 31 March 2026, filling in what it asks for
    Then the outcome is "<outcome>"

    Examples:
      | person | step                                | outcome                                                                                                                                                     |
      | Lee    | Review held                         | taken                                                                                                                                                       |
      | Ed     | Review held                         | taken                                                                                                                                                       |
      | Val    | Review held                         | taken                                                                                                                                                       |
      | Tess   | Review held                         | refused: 'Review held' can only be taken by School attendance lead, Education welfare officer (EWO) or Virtual school head, and you do not hold that role |
      | Lee    | Step down to less intensive support | taken                                                                                                                                                       |
      | Val    | Step down to less intensive support | refused: 'Step down to less intensive support' can only be taken by School attendance lead or Education welfare officer (EWO), and you do not hold that role |
      | Ed     | Ask for an EWO consultation         | taken                                                                                                                                                       |
      | Lee    | Ask for an EWO consultation         | refused: 'Ask for an EWO consultation' can only be taken by Education welfare officer (EWO), and you do not hold that role                                  |
      | Tess   | Raise a safeguarding concern        | taken                                                                                                                                                       |
      | Priya  | Raise a safeguarding concern        | taken                                                                                                                                                       |
      | Cara   | Raise a safeguarding concern        | taken                                                                                                                                                       |
      | Sam    | Update the attendance support plan  | refused: 'Update the attendance support plan' can only be taken by School attendance lead or Education welfare officer (EWO), and you do not hold that role  |
