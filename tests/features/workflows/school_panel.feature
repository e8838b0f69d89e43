Feature: School attendance panel: nomination without paperwork
  Any member of school staff can put a pupil forward for their school's monthly attendance
  panel with a name and one sentence: there is no referral form and there are no eligibility
  criteria. At the meeting the panel chair records what is getting in the way and the actions
  agreed, and the pupil comes back for review four school weeks later, when the panel closes
  the case (attendance improved), continues for another month, or escalates into support first.

  Background:
    Given the workflows in config/workflows.yaml are published
    And Alex Taylor is a pupil at Birkenhead Park Primary
    And these people work with Alex:
      | name  | role                            |
      | Tess  | School staff member             |
      | Priya | Panel chair                     |
      | Lee   | School attendance lead          |
      | Ed    | Education welfare officer (EWO) |
      | Cara  | CAMHS practitioner              |
      | Sam   | Social worker                   |

  # --- Nominating ----------------------------------------------------------------------------

  Scenario: Any member of staff nominates a pupil with a name and one sentence, and nothing else
    When Tess nominates Alex for the panel on 2 March 2026 because "Late most days since Christmas"
    Then the step is taken
    And the panel case is at "On the panel agenda"
    And what was recorded is:
      | Why are you nominating this pupil? | Late most days since Christmas |
    And no action is created
    And the audit trail records that Tess took "Nominate for the next panel" on the panel case as School staff member
    And the panel case has these timers running:
      | what                                                                     | due           |
      | On the agenda for 6 school weeks without a decision; check the panel met | 13 April 2026 |

  Scenario Outline: Everyone in school may nominate; other agencies may not
    Given Tess has started a nomination for Alex on 2 March 2026
    When <person> takes "Nominate for the next panel" on the panel case on 2 March 2026, recording:
      | Why are you nominating this pupil? | Often tired and upset in the mornings |
    Then the outcome is "<outcome>"

    Examples:
      | person | outcome                                                                                                                                                   |
      | Tess   | taken                                                                                                                                                     |
      | Lee    | taken                                                                                                                                                     |
      | Priya  | taken                                                                                                                                                     |
      | Ed     | refused: 'Nominate for the next panel' can only be taken by School staff member, School attendance lead or Panel chair, and you do not hold that role |
      | Cara   | refused: 'Nominate for the next panel' can only be taken by School staff member, School attendance lead or Panel chair, and you do not hold that role |

  Scenario: A nomination needs its one sentence
    Given Tess has started a nomination for Alex on 2 March 2026
    When Tess takes "Nominate for the next panel" on the panel case on 2 March 2026
    Then the step is refused with "record 'Why are you nominating this pupil?' to take this step"
    And nothing is written
    And the panel case is still at "Nominated"

  # --- The first discussion ------------------------------------------------------------------

  Scenario: The panel discusses the pupil, records the barriers and agrees actions
    Given Tess has nominated Alex for the panel on 2 March 2026 because "Late most days since Christmas"
    When Priya takes "Discuss at the panel" on the panel case on 9 March 2026, recording:
      | What is getting in the way of this pupil attending?            | Anxiety on the school bus (pupil); mum starts work at 7 (family)     |
      | What did the panel agree, who will do each action, and by when? | Bus pass from the panel budget; breakfast club place; Lee calls mum |
      | Did the panel agree to fund anything?                          | agreed                                                                |
    Then the panel case is at "Actions under way"
    And these actions are created:
      | for                    | action                                                     | due           |
      | School attendance lead | Tell the family what the panel agreed and who will do what | 16 March 2026 |
    And the panel case has these timers running:
      | what                              | due          |
      | Put back on the agenda for review | 6 April 2026 |
    And the audit trail records that Priya took "Discuss at the panel" on the panel case as Panel chair

  Scenario: The panel does not have to make a funding decision
    Given Tess has nominated Alex for the panel on 2 March 2026 because "Late most days since Christmas"
    When Priya takes "Discuss at the panel" on the panel case on 9 March 2026, recording:
      | What is getting in the way of this pupil attending?            | Friendship problems since moving class |
      | What did the panel agree, who will do each action, and by when? | Lunchtime club; check-in with tutor   |
    Then the panel case is at "Actions under way"
    And what was recorded is:
      | What is getting in the way of this pupil attending?            | Friendship problems since moving class |
      | What did the panel agree, who will do each action, and by when? | Lunchtime club; check-in with tutor   |

  Scenario: A missing required field is refused, naming the field's label
    Given Tess has nominated Alex for the panel on 2 March 2026 because "Late most days since Christmas"
    When Priya takes "Discuss at the panel" on the panel case on 9 March 2026, recording:
      | What is getting in the way of this pupil attending? | Anxiety on the school bus |
    Then the step is refused with "record 'What did the panel agree, who will do each action, and by when?' to take this step"
    And nothing is written
    And the panel case is still at "On the panel agenda"

  Scenario Outline: Only the panel chair records the panel's discussion
    Given Tess has nominated Alex for the panel on 2 March 2026 because "Late most days since Christmas"
    When <person> takes "Discuss at the panel" on the panel case on 9 March 2026, filling in what it asks for
    Then the outcome is "<outcome>"

    Examples:
      | person | outcome                                                                                    |
      | Priya  | taken                                                                                      |
      | Lee    | refused: 'Discuss at the panel' can only be taken by Panel chair, and you do not hold that role |
      | Tess   | refused: 'Discuss at the panel' can only be taken by Panel chair, and you do not hold that role |
      | Ed     | refused: 'Discuss at the panel' can only be taken by Panel chair, and you do not hold that role |

  Scenario: A pupil can only be discussed once; later meetings are reviews
    Given Tess has nominated Alex for the panel on 2 March 2026 because "Late most days since Christmas"
    And Priya has taken "Discuss at the panel" on the panel case on 9 March 2026
    And panelflow's timers have run on 6 April 2026
    When Priya takes "Discuss at the panel" on the panel case on 13 April 2026, filling in what it asks for
    Then the step is refused with "not while 'Discuss at the panel' has already happened"
    And nothing is written

  # --- Asking agencies for help --------------------------------------------------------------

  Scenario: Asking CAMHS between meetings does not push back the review
    Given Tess has nominated Alex for the panel on 2 March 2026 because "Low mood, missing Mondays"
    And Priya has taken "Discuss at the panel" on the panel case on 9 March 2026
    And Lee has recorded consent to share Alex's case with CAMHS on 16 March 2026
    When Lee takes "Ask CAMHS for a consultation" on the panel case on 23 March 2026, recording:
      | What are you asking them to do? | A consultation about Alex's low mood; mum is happy for CAMHS to call her |
    Then the panel case is still at "Actions under way"
    And these actions are created:
      | for                | action                                      | due          |
      | CAMHS practitioner | Offer a CAMHS consultation about this pupil | 6 April 2026 |
    And the panel case has these timers running:
      | what                              | due          |
      | Put back on the agenda for review | 6 April 2026 |
    And the audit trail records that Lee took "Ask CAMHS for a consultation" on the panel case as School attendance lead

  Scenario: CAMHS cannot be asked until consent to share with them is recorded
    Given Tess has nominated Alex for the panel on 2 March 2026 because "Low mood, missing Mondays"
    When Priya takes "Ask CAMHS for a consultation" on the panel case on 9 March 2026, recording:
      | What are you asking them to do? | A consultation about Alex's low mood |
    Then the step is refused with "consent or a lawful basis to share with CAMHS (child and adolescent mental health services) is not recorded"
    And nothing is written

  Scenario: The virtual school head is asked only about pupils the virtual school supports
    Given Tess has nominated Alex for the panel on 2 March 2026 because "Late most days since Christmas"
    When Priya takes "Ask the virtual school head" on the panel case on 9 March 2026, filling in what it asks for
    Then the step is refused with "none of these is the case: the pupil is not recorded as looked after; the pupil is not recorded as previously looked after; the pupil is not recorded as having a social worker"
    And nothing is written

  Scenario: The virtual school head is asked about a pupil with a social worker
    Given Alex is recorded as having a social worker
    And Tess has nominated Alex for the panel on 2 March 2026 because "Late most days since Christmas"
    When Priya takes "Ask the virtual school head" on the panel case on 9 March 2026, filling in what it asks for
    Then the panel case is still at "On the panel agenda"
    And these actions are created:
      | for                 | action                                                                                                | due           |
      | Virtual school head | Check that the pupil's support (and personal education plan, if they have one) addresses their attendance | 23 March 2026 |

  # --- Reviews -------------------------------------------------------------------------------

  Scenario: Four school weeks after the meeting the pupil is back on the agenda by itself
    Given Tess has nominated Alex for the panel on 2 March 2026 because "Late most days since Christmas"
    And Priya has taken "Discuss at the panel" on the panel case on 9 March 2026
    When panelflow's timers run on 6 April 2026
    Then the panel case is at "On the panel agenda"
    And the audit trail records that panelflow's timer took "Put back on the agenda for review" on the panel case

  Scenario: Review: close, attendance has improved
    Given Tess has nominated Alex for the panel on 2 March 2026 because "Late most days since Christmas"
    And Priya has taken "Discuss at the panel" on the panel case on 9 March 2026
    And panelflow's timers have run on 6 April 2026
    When Priya takes "Review: close, attendance has improved" on the panel case on 13 April 2026, recording:
      | What has changed since the last review? | Uses the bus pass every day; on time all month |
      | Attendance since the last review (%)    | 97                                             |
    Then the panel case is at "Closed: attendance improved"
    And the panel case has no timers running
    And the audit trail records that Priya took "Review: close, attendance has improved" on the panel case as Panel chair

  Scenario: Review: continue for another month
    Given Tess has nominated Alex for the panel on 2 March 2026 because "Late most days since Christmas"
    And Priya has taken "Discuss at the panel" on the panel case on 9 March 2026
    And panelflow's timers have run on 6 April 2026
    When Priya takes "Review: continue for another month" on the panel case on 13 April 2026, recording:
      | What has changed since the last review?                         | Better, but still late twice a week |
      | What did the panel agree, who will do each action, and by when? | Keep the breakfast club; add a mentor |
    Then the panel case is at "Actions under way"
    And no action is created
    And the panel case has these timers running:
      | what                              | due         |
      | Put back on the agenda for review | 11 May 2026 |

  Scenario: Review: escalate into support first
    Given Tess has nominated Alex for the panel on 2 March 2026 because "Late most days since Christmas"
    And Priya has taken "Discuss at the panel" on the panel case on 9 March 2026
    And panelflow's timers have run on 6 April 2026
    When Priya takes "Review: escalate to support first" on the panel case on 13 April 2026, recording:
      | What has changed since the last review?                | Bus pass used, but attendance has fallen |
      | Why does this pupil need support-first escalation?    | Panel actions have not been enough       |
      | Attendance since the last review (%)                   | 71                                       |
    Then the panel case is at "Escalated to support first"
    And a support-first case is opened for Alex, linked to the panel case, at "Universal support"
    And these actions are created:
      | for                    | action                                                              | due           |
      | School attendance lead | Start support first: record a first review of what the panel tried | 27 April 2026 |
    And the support-first case has these timers running:
      | what           | due         |
      | Review due     | 25 May 2026 |
      | Review overdue | 6 July 2026 |

  Scenario: A review outcome needs the pupil to have been discussed first
    Given Tess has nominated Alex for the panel on 2 March 2026 because "Late most days since Christmas"
    When Priya takes "Review: continue for another month" on the panel case on 9 March 2026, filling in what it asks for
    Then the step is refused with "'Discuss at the panel' has not happened yet"
    And nothing is written

  # --- At any time ---------------------------------------------------------------------------

  Scenario: A safeguarding concern is never held back, and the panel's support carries on
    Given Tess has nominated Alex for the panel on 2 March 2026 because "Late most days since Christmas"
    And Priya has taken "Discuss at the panel" on the panel case on 9 March 2026
    When Tess takes "Raise a safeguarding concern" on the panel case on 16 March 2026, recording:
      | What is the safeguarding concern? | Alex said there is no food at home and mum has not been back for two days |
    Then the panel case is still at "Actions under way"
    And a formal case is opened for Alex, linked to the panel case, at "Formal route being considered"
    And these actions are created:
      | for                    | action                                                                       | due           |
      | School attendance lead | Make the referral to children's social care on the linked formal case today | 17 March 2026 |
    And the panel case has these timers running:
      | what                              | due          |
      | Put back on the agenda for review | 6 April 2026 |

  Scenario: The panel closes a nomination when the pupil leaves the school
    Given Tess has nominated Alex for the panel on 2 March 2026 because "Late most days since Christmas"
    When Lee takes "Close the nomination" on the panel case on 9 March 2026, recording:
      | Why is this case being closed? | Moved to a school in Chester |
    Then the panel case is at "Closed"
    And the panel case has no timers running
