Feature: Support first: graduated support, stage by stage
  Support gets more intensive one stage at a time: universal support, then an attendance
  support plan agreed with the family (targeted support), then intensive multi-agency support,
  and only then a formal route. Moving up a stage needs a recent review showing the stage
  before was tried, and panelflow says exactly what is missing when it refuses. The plan sets
  out the barriers, who will do what, the targets and the review date, with the pupil's and
  the family's views in their own words. A review rates progress against each target of the
  current plan and decides: step down, carry on, or step up. It keeps the case at its stage
  and starts its review timers again; updating the plan, asking for an EWO consultation or
  raising a safeguarding concern never pushes the next review back.

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
    When Val holds a review on the support-first case on 2 February 2026, deciding "Carry on at this stage", recording:
      | What has changed since the last review? | First-day calls every absence; mum says mornings are hard |
      | Attendance since the last review (%)    | 86                                                         |
    Then the support-first case is still at "Universal support"
    And the review records the decision "Carry on at this stage" and no progress against targets
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
    Given Lee has held a review on the support-first case on 23 February 2026, deciding "Step up to more support", recording:
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

  Scenario: A plan is only agreed with the pupil's and the family's views in their own words
    Given these steps have been taken on the support-first case:
      | on               | by  | step                        |
      | 23 February 2026 | Lee | Review held                 |
      | 2 March 2026     | Lee | Step up to targeted support |
    When Lee agrees this plan on the support-first case on 9 March 2026:
      | part           | who        | what                                          | by            |
      | barrier        | pupil      | anxiety or low mood                           |               |
      | the school     | The school | A quiet start in the library each morning     |               |
      | the family     | The family | Breakfast club, and a weekly call home        |               |
      | target         |            | In school by 8:50 on four days a week         | 20 April 2026 |
      | review         |            |                                               | 20 April 2026 |
      | pupil's views  | The pupil  | I like the library. Mondays are the worst.    |               |
    Then the step is refused with "The family's views: write what the family says, in their own words"
    And nothing is written
    And the support-first case is still at "Agreeing a plan with the family"

  Scenario: Every part of the plan that is missing is named
    Given these steps have been taken on the support-first case:
      | on               | by  | step                        |
      | 23 February 2026 | Lee | Review held                 |
      | 2 March 2026     | Lee | Step up to targeted support |
    When Lee agrees this plan on the support-first case on 9 March 2026:
      | part           | who        | what                                      | by            |
      | the school     | The school | A quiet start in the library each morning |               |
      | target         |            | In school by 8:50 on four days a week     | 20 April 2026 |
      | target         |            | Go to the lunchtime club twice a week     |               |
      | review         |            |                                           | 6 March 2026  |
      | pupil's views  | The pupil  | I like the library                        |               |
      | family's views | The family | Calls on Fridays please                   |               |
    Then the step is refused for these reasons:
      | Barriers: tick at least one barrier, or say in words what is getting in the way |
      | Who will do what: say what the family will do                                  |
      | Target 2: give a date to meet it by                                            |
      | Review date: it must be today or later                                         |
    And nothing is written

  Scenario: The plan is agreed with the family, and targeted support starts
    Given these steps have been taken on the support-first case:
      | on               | by  | step                        |
      | 23 February 2026 | Lee | Review held                 |
      | 2 March 2026     | Lee | Step up to targeted support |
    When Lee agrees this plan on the support-first case on 9 March 2026:
      | part           | who                                       | what                                                   | by            |
      | barrier        | pupil                                     | anxiety or low mood                                    |               |
      | barrier        | family                                    | getting to school on time (work or caring commitments) |               |
      | barrier        | in words                                  | Mornings are hard since Alex's dad moved out           |               |
      | the school     | The school                                | A quiet start in the library each morning              |               |
      | the family     | The family                                | Breakfast club, and an alarm at 7:15                   |               |
      | the pupil      | The pupil                                 | Tell Ms Khan when Monday feels too much                |               |
      | an agency      | LA attendance service (education welfare) | Call home every Friday                                 | 20 March 2026 |
      | target         |                                           | In school by 8:50 on four days a week                  | 20 April 2026 |
      | target         |                                           | Go to the lunchtime club twice a week                  | 27 March 2026 |
      | review         |                                           |                                                        | 20 April 2026 |
      | pupil's views  | The pupil                                 | I like the library. Mondays are the worst.             |               |
      | family's views | The family                                | Calls on Fridays please; mornings are the hard part.   |               |
    Then the support-first case is at "Targeted support"
    And the current plan of the support-first case has these targets:
      | target                                | by            |
      | In school by 8:50 on four days a week | 20 April 2026 |
      | Go to the lunchtime club twice a week | 27 March 2026 |
    And the current plan says who will do what:
      | who                                       | what                                                   | by            |
      | The school                                | A quiet start in the library each morning              |               |
      | The family                                | Breakfast club, and an alarm at 7:15                   |               |
      | The pupil                                 | Tell Ms Khan when Monday feels too much                |               |
      | LA attendance service (education welfare) | Call home every Friday                                 | 20 March 2026 |
    And the current plan records the pupil's views as "I like the library. Mondays are the worst."
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
    When Lee updates the plan on the support-first case on 23 March 2026, adding:
      | part      | who           | what                          | by           |
      | an agency | Youth service | A youth mentor, once a week   | 1 April 2026 |
    Then the support-first case is still at "Targeted support"
    And the current plan says who will do what:
      | who           | what                                      | by           |
      | The school    | A quiet start in the library each morning |              |
      | The family    | An alarm at 7:15 on school days           |              |
      | Youth service | A youth mentor, once a week               | 1 April 2026 |
    And the support-first case's history keeps both versions of the plan
    And the support-first case has these timers running:
      | what           | due           |
      | Review due     | 20 April 2026 |
      | Review overdue | 1 June 2026   |

  # --- Reviews of the plan: progress against each target, and the decision ------------------

  Scenario: A review rates progress against each target of the current plan
    Given Lee has agreed a plan with these targets on the support-first case on 9 March 2026:
      | target                                | by            |
      | In school by 8:50 on four days a week | 20 April 2026 |
      | Go to the lunchtime club twice a week | 27 March 2026 |
    When Lee holds a review on the support-first case on 13 April 2026, deciding "Step up to more support", with this progress:
      | target                                | progress   | notes                              |
      | In school by 8:50 on four days a week | not met    | Two days most weeks; Mondays worst |
      | Go to the lunchtime club twice a week | partly met | Goes on Wednesdays                 |
    Then the support-first case is still at "Targeted support"
    And the review records the decision "Step up to more support" and this progress:
      | target                                | progress   | notes                              |
      | In school by 8:50 on four days a week | Not met    | Two days most weeks; Mondays worst |
      | Go to the lunchtime club twice a week | Partly met | Goes on Wednesdays                 |
    And the audit trail records that Lee took "Review held" on the support-first case as School attendance lead

  Scenario: A review is refused until every target of the plan is rated, and a decision made
    Given Lee has agreed a plan with these targets on the support-first case on 9 March 2026:
      | target                                | by            |
      | In school by 8:50 on four days a week | 20 April 2026 |
      | Go to the lunchtime club twice a week | 27 March 2026 |
    When Lee holds a review on the support-first case on 13 April 2026, deciding "", with this progress:
      | target                                | progress | notes                  |
      | In school by 8:50 on four days a week | met      | Every day but one      |
      | Go to the lunchtime club twice a week |          | Not asked about it yet |
    Then the step is refused for these reasons:
      | Target 2 (Go to the lunchtime club twice a week): say whether it was met, partly met or not met |
      | Decision: choose step down, carry on at this stage, or step up                                  |
    And nothing is written

  Scenario: The decision of a review is followed by the step it decided on
    Given Lee has agreed a plan with these targets on the support-first case on 9 March 2026:
      | target                                | by            |
      | In school by 8:50 on four days a week | 20 April 2026 |
    And Lee has held a review on the support-first case on 30 March 2026, deciding "Step down to less support", with this progress:
      | target                                | progress | notes             |
      | In school by 8:50 on four days a week | met      | Every day but one |
    When Lee takes "Step down to less intensive support" on the support-first case on 31 March 2026, recording:
      | What has improved, so that less support is needed? | In school every day for three weeks |
    Then the support-first case is at "Universal support"
    And the current plan of the support-first case has these targets:
      | target                                | by            |
      | In school by 8:50 on four days a week | 20 April 2026 |

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
