Feature: Statutory referrals: support first is enforced, safeguarding is never held back
  Parental responsibility measures (attendance and parenting contracts, penalty notices,
  education supervision orders, prosecution) can only be taken when the record shows the
  support that was offered and reviewed: an attendance support plan agreed with the family and
  reviewed in the last 12 school weeks, and for penalty notices and beyond, intensive
  multi-agency support. When panelflow refuses, it says what is missing. A referral to
  children's social care is never held back by any of this.

  Background:
    Given the workflows in config/workflows.yaml are published
    And Alex Taylor is a pupil at Birkenhead Park Primary
    And these people work with Alex:
      | name  | role                            |
      | Lee   | School attendance lead          |
      | Ed    | Education welfare officer (EWO) |
      | Sam   | Social worker                   |
      | Tess  | School staff member             |
      | Priya | Panel chair                     |
      | Cara  | CAMHS practitioner              |
      | Yusuf | Youth worker                    |
      | Eva   | Educational psychologist        |
      | Ian   | Inclusion facilitator           |
      | Val   | Virtual school head             |
    And Lee has opened a support-first case for Alex on 5 January 2026

  # --- Support first, enforced ---------------------------------------------------------------

  Scenario: A penalty notice cannot be issued before a support plan has been agreed and reviewed
    Given Ed has opened a formal case for Alex, linked to the support-first case, on 2 March 2026
    When Ed takes "Issue a penalty notice" on the formal case on 2 March 2026, recording:
      | Why is this formal step needed now?                              | Attendance 62% this term      |
      | What support has been offered, and how has the family responded? | First-day calls since January |
    Then the step is refused for these reasons:
      | 'Attendance support plan agreed' has not happened yet                  |
      | no 'Review held' in the last 12 school weeks (since 8 December 2025) |
      | the case has never been at 'Intensive multi-agency support'           |
    And nothing is written
    And the formal case is still at "Formal route being considered"

  Scenario: A plan agreed but not reviewed since is not enough for a penalty notice
    Given these steps have been taken on the support-first case:
      | on               | by  | step                           |
      | 12 January 2026  | Lee | Review held                    |
      | 13 January 2026  | Lee | Step up to targeted support    |
      | 19 January 2026  | Lee | Attendance support plan agreed |
    And Ed has opened a formal case for Alex, linked to the support-first case, on 20 April 2026
    When Ed takes "Issue a penalty notice" on the formal case on 20 April 2026, filling in what it asks for
    Then the step is refused for these reasons:
      | no 'Review held' in the last 12 school weeks (since 26 January 2026) |
      | the case has never been at 'Intensive multi-agency support'         |
    And nothing is written

  Scenario Outline: A contract needs a reviewed plan; a penalty notice also needs intensive support
    Given these steps have been taken on the support-first case:
      | on              | by  | step                           |
      | 12 January 2026 | Lee | Review held                    |
      | 13 January 2026 | Lee | Step up to targeted support    |
      | 19 January 2026 | Lee | Attendance support plan agreed |
      | 2 March 2026    | Lee | Review held                    |
    And Ed has opened a formal case for Alex, linked to the support-first case, on 2 March 2026
    When Lee takes "<step>" on the formal case on 9 March 2026, filling in what it asks for
    Then the outcome is "<outcome>"

    Examples:
      | step                         | outcome                                                              |
      | Offer an attendance contract | taken                                                                |
      | Offer a parenting contract   | taken                                                                |
      | Issue a penalty notice       | refused: the case has never been at 'Intensive multi-agency support' |

  Scenario: A penalty notice is issued once the linked support-first case shows the plan, intensive support and a recent review
    Given these steps have been taken on the support-first case:
      | on              | by  | step                                      |
      | 12 January 2026 | Lee | Review held                               |
      | 13 January 2026 | Lee | Step up to targeted support               |
      | 19 January 2026 | Lee | Attendance support plan agreed            |
      | 2 March 2026    | Lee | Review held                               |
      | 3 March 2026    | Ed  | Step up to intensive multi-agency support |
      | 20 April 2026   | Ed  | Review held                               |
      | 20 April 2026   | Ed  | Open a formal route (support continues)   |
    When Ed takes "Issue a penalty notice" on the formal case on 27 April 2026, recording:
      | Why is this formal step needed now?                              | Attendance 58% despite intensive support              |
      | What support has been offered, and how has the family responded? | Plan since January, multi-agency support since March |
    Then the formal case is at "Penalty notice issued"
    And no action is created
    And the formal case has these timers running:
      | what                                                    | due         |
      | 28 days have passed; record whether the notice was paid | 25 May 2026 |
    And the audit trail records that Ed took "Issue a penalty notice" on the formal case as Education welfare officer (EWO)
    And the support-first case is still at "Formal route opened, support continues"

  Scenario: No more than two penalty notices for the same pupil
    Given these steps have been taken on the support-first case:
      | on              | by  | step                                      |
      | 12 January 2026 | Lee | Review held                               |
      | 13 January 2026 | Lee | Step up to targeted support               |
      | 19 January 2026 | Lee | Attendance support plan agreed            |
      | 2 March 2026    | Lee | Review held                               |
      | 3 March 2026    | Ed  | Step up to intensive multi-agency support |
      | 20 April 2026   | Ed  | Review held                               |
      | 20 April 2026   | Ed  | Open a formal route (support continues)   |
    And these steps have been taken on the formal case:
      | on            | by | step                           |
      | 27 April 2026 | Ed | Issue a penalty notice         |
      | 26 May 2026   | Ed | Record how this measure ended  |
      | 1 June 2026   | Ed | Issue a penalty notice         |
      | 29 June 2026  | Ed | Record how this measure ended  |
    When Ed takes "Issue a penalty notice" on the formal case on 6 July 2026, filling in what it asks for
    Then the step is refused with "not while 'Issue a penalty notice' has happened 2 times"
    And nothing is written

  # --- Looked-after children -----------------------------------------------------------------

  Scenario: A looked-after child cannot be issued a penalty notice
    Given Alex is recorded as looked after
    And these steps have been taken on the support-first case:
      | on              | by  | step                                      |
      | 12 January 2026 | Lee | Review held                               |
      | 13 January 2026 | Lee | Step up to targeted support               |
      | 19 January 2026 | Lee | Attendance support plan agreed            |
      | 2 March 2026    | Lee | Review held                               |
      | 3 March 2026    | Ed  | Step up to intensive multi-agency support |
      | 20 April 2026   | Ed  | Review held                               |
      | 20 April 2026   | Ed  | Open a formal route (support continues)   |
    When Ed takes "Issue a penalty notice" on the formal case on 27 April 2026, filling in what it asks for
    Then the step is refused with "not while the pupil is recorded as looked after"
    And nothing is written

  Scenario: For a looked-after child the virtual school head is asked instead, and the case stays where it is
    Given Alex is recorded as looked after
    And Ed has opened a formal case for Alex, linked to the support-first case, on 2 March 2026
    When Ed takes "Ask the virtual school head" on the formal case on 2 March 2026, recording:
      | What are you asking them to do? | Alex is looked after; please advise before any formal step |
    Then the formal case is still at "Formal route being considered"
    And these actions are created:
      | for                 | action                                                                         | due           |
      | Virtual school head | Advise the school and the EWO on this pupil's attendance before any formal step | 9 March 2026 |
    And the formal case has these timers running:
      | what                                   | due           |
      | No formal decision for 4 school weeks | 30 March 2026 |

  # --- Prosecution ---------------------------------------------------------------------------

  Scenario: Prosecution is refused unless an earlier measure was tried
    Given these steps have been taken on the support-first case:
      | on              | by  | step                                      |
      | 12 January 2026 | Lee | Review held                               |
      | 13 January 2026 | Lee | Step up to targeted support               |
      | 19 January 2026 | Lee | Attendance support plan agreed            |
      | 2 March 2026    | Lee | Review held                               |
      | 3 March 2026    | Ed  | Step up to intensive multi-agency support |
      | 20 April 2026   | Ed  | Review held                               |
      | 20 April 2026   | Ed  | Open a formal route (support continues)   |
    When Ed takes "Start a prosecution" on the formal case on 1 June 2026, filling in what it asks for
    Then the step is refused with "none of these is the case: the case has never been at 'Attendance contract in place'; the case has never been at 'Parenting contract in place'; the case has never been at 'Penalty notice issued'; the case has never been at 'Education supervision order'"
    And nothing is written
    And the formal case is still at "Formal route being considered"

  Scenario Outline: After a penalty notice, prosecution waits 4 school weeks, covering the 28 days to pay
    Given these steps have been taken on the support-first case:
      | on              | by  | step                                      |
      | 12 January 2026 | Lee | Review held                               |
      | 13 January 2026 | Lee | Step up to targeted support               |
      | 19 January 2026 | Lee | Attendance support plan agreed            |
      | 2 March 2026    | Lee | Review held                               |
      | 3 March 2026    | Ed  | Step up to intensive multi-agency support |
      | 20 April 2026   | Ed  | Review held                               |
      | 20 April 2026   | Ed  | Open a formal route (support continues)   |
    And Ed has taken "Issue a penalty notice" on the formal case on 27 April 2026
    When Ed takes "Start a prosecution" on the formal case on <on>, filling in what it asks for
    Then the outcome is "<outcome>"

    Examples:
      | on          | outcome                                                                                                                          |
      | 22 May 2026 | refused: the case reached its current stage on 27 April 2026; it must stay there at least 4 school weeks (until 25 May 2026) |
      | 25 May 2026 | taken                                                                                                                            |

  Scenario: Prosecution after an attendance contract that was broken
    Given these steps have been taken on the support-first case:
      | on              | by  | step                                      |
      | 12 January 2026 | Lee | Review held                               |
      | 13 January 2026 | Lee | Step up to targeted support               |
      | 19 January 2026 | Lee | Attendance support plan agreed            |
      | 2 March 2026    | Lee | Review held                               |
      | 3 March 2026    | Ed  | Step up to intensive multi-agency support |
      | 20 April 2026   | Ed  | Review held                               |
      | 20 April 2026   | Ed  | Open a formal route (support continues)   |
    And Ed has taken "Offer an attendance contract" on the formal case on 27 April 2026
    And Ed has taken "Record how this measure ended" on the formal case on 1 June 2026, recording:
      | How did this measure end? | The contract was broken: no contact from the family since May |
    When Ed takes "Start a prosecution" on the formal case on 29 June 2026, recording:
      | Why is this formal step needed now?                              | Contract broken; attendance 41%                     |
      | What support has been offered, and how has the family responded? | Plan, multi-agency support and a contract, declined |
    Then the formal case is at "Prosecution under way"
    And the audit trail records that Ed took "Start a prosecution" on the formal case as Education welfare officer (EWO)

  Scenario: An education supervision order needs a lawful basis to share with children's social care
    Given these steps have been taken on the support-first case:
      | on              | by  | step                                      |
      | 12 January 2026 | Lee | Review held                               |
      | 13 January 2026 | Lee | Step up to targeted support               |
      | 19 January 2026 | Lee | Attendance support plan agreed            |
      | 2 March 2026    | Lee | Review held                               |
      | 3 March 2026    | Ed  | Step up to intensive multi-agency support |
      | 20 April 2026   | Ed  | Review held                               |
      | 20 April 2026   | Ed  | Open a formal route (support continues)   |
    When Ed takes "Apply for an education supervision order" on the formal case on 27 April 2026, filling in what it asks for
    Then the step is refused with "consent or a lawful basis to share with Children's social care is not recorded"
    And nothing is written

  Scenario: An education supervision order is applied for once the lawful basis is recorded
    Given these steps have been taken on the support-first case:
      | on              | by  | step                                      |
      | 12 January 2026 | Lee | Review held                               |
      | 13 January 2026 | Lee | Step up to targeted support               |
      | 19 January 2026 | Lee | Attendance support plan agreed            |
      | 2 March 2026    | Lee | Review held                               |
      | 3 March 2026    | Ed  | Step up to intensive multi-agency support |
      | 20 April 2026   | Ed  | Review held                               |
      | 20 April 2026   | Ed  | Open a formal route (support continues)   |
    And Ed has recorded a lawful basis to share Alex's case with children's social care on 21 April 2026
    When Ed takes "Apply for an education supervision order" on the formal case on 27 April 2026, filling in what it asks for
    Then the formal case is at "Education supervision order"

  # --- Children's social care: never held back -----------------------------------------------

  Scenario Outline: Anyone working with the pupil can refer to children's social care at any time, with no support history
    Given Tess has opened a formal case for Alex on 2 March 2026
    When <person> takes "Refer to children's social care" on the formal case on 2 March 2026, recording:
      | What is the safeguarding concern? | Alex has said an adult at home hurts them |
    Then the formal case is at "Referred to children's social care"
    And these actions are created:
      | for           | action                                                              | due          |
      | Social worker | Decide what happens next with this referral (within one working day) | 3 March 2026 |
    And the audit trail records that <person> took "Refer to children's social care" on the formal case as <role>

    Examples:
      | person | role                            |
      | Tess   | School staff member             |
      | Priya  | Panel chair                     |
      | Lee    | School attendance lead          |
      | Ed     | Education welfare officer (EWO) |
      | Cara   | CAMHS practitioner              |
      | Yusuf  | Youth worker                    |
      | Eva    | Educational psychologist        |
      | Ian    | Inclusion facilitator           |
      | Val    | Virtual school head             |

  Scenario: A referral to children's social care can be made while a penalty notice is in place
    Given these steps have been taken on the support-first case:
      | on              | by  | step                                      |
      | 12 January 2026 | Lee | Review held                               |
      | 13 January 2026 | Lee | Step up to targeted support               |
      | 19 January 2026 | Lee | Attendance support plan agreed            |
      | 2 March 2026    | Lee | Review held                               |
      | 3 March 2026    | Ed  | Step up to intensive multi-agency support |
      | 20 April 2026   | Ed  | Review held                               |
      | 20 April 2026   | Ed  | Open a formal route (support continues)   |
    And Ed has taken "Issue a penalty notice" on the formal case on 27 April 2026
    When Cara takes "Refer to children's social care" on the formal case on 28 April 2026, recording:
      | What is the safeguarding concern? | Alex disclosed self-harm at a CAMHS appointment |
    Then the formal case is at "Referred to children's social care"

  Scenario: Children's social care decide, and the formal route is chosen again
    Given Tess has opened a formal case for Alex on 2 March 2026
    And Tess has taken "Refer to children's social care" on the formal case on 2 March 2026
    When Sam takes "Record children's social care's decision" on the formal case on 3 March 2026, recording:
      | What did children's social care decide? | child in need plan |
    Then the formal case is at "Formal route being considered"
    And the audit trail records that Sam took "Record children's social care's decision" on the formal case as Social worker

  Scenario Outline: Only a social worker records children's social care's decision
    Given Tess has opened a formal case for Alex on 2 March 2026
    And Tess has taken "Refer to children's social care" on the formal case on 2 March 2026
    When <person> takes "Record children's social care's decision" on the formal case on 3 March 2026, recording:
      | What did children's social care decide? | <decision> |
    Then the outcome is "<outcome>"

    Examples:
      | person | decision           | outcome                                                                                                                                                    |
      | Sam    | early help         | taken                                                                                                                                                      |
      | Lee    | early help         | refused: 'Record children's social care's decision' can only be taken by Social worker, and you do not hold that role                                     |
      | Sam    | nothing to worry   | refused: 'What did children's social care decide?' must be one of: assessment under way, child in need plan, child protection plan, early help, no further action |
