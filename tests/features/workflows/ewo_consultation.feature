Feature: EWO consultation, structured by the SPIRAL principles
  An education welfare officer brings a "stuck" case to a consultation with an educational
  psychologist and an inclusion facilitator (Suffolk EWO Project). The educational psychology
  team books it; the consultation talks through all six SPIRAL principles and ends with advice
  and an action plan, whose actions go to their owners. Six school weeks later the follow-up
  comes due, and the case closes or comes back for another consultation.

  Background:
    Given the workflows in config/workflows.yaml are published
    And Alex Taylor is a pupil at Birkenhead Park Primary
    And these people work with Alex:
      | name | role                            |
      | Ed   | Education welfare officer (EWO) |
      | Eva  | Educational psychologist        |
      | Ian  | Inclusion facilitator           |
      | Lee  | School attendance lead          |
    And Ed has opened a consultation for Alex on 2 March 2026

  # --- Booking -------------------------------------------------------------------------------

  Scenario: The educational psychology team books the consultation
    When Eva takes "Book the consultation" on the consultation on 4 March 2026, recording:
      | Date of the consultation | 2026-03-18 |
    Then the consultation is at "Consultation booked"
    And what was recorded is:
      | Date of the consultation | 2026-03-18 |
    And the consultation has these timers running:
      | what                                                                  | due          |
      | Booked 4 school weeks ago; record the consultation or book a new date | 1 April 2026 |
    And the audit trail records that Eva took "Book the consultation" on the consultation as Educational psychologist

  Scenario Outline: Only the educational psychology team books consultations
    When <person> takes "Book the consultation" on the consultation on 4 March 2026, filling in what it asks for
    Then the outcome is "<outcome>"

    Examples:
      | person | outcome                                                                                                                  |
      | Eva    | taken                                                                                                                    |
      | Ian    | taken                                                                                                                    |
      | Ed     | refused: 'Book the consultation' can only be taken by Educational psychologist or Inclusion facilitator, and you do not hold that role |
      | Lee    | refused: 'Book the consultation' can only be taken by Educational psychologist or Inclusion facilitator, and you do not hold that role |

  Scenario: A consultation that could not go ahead is booked again, and its timer starts again
    Given Eva has taken "Book the consultation" on the consultation on 4 March 2026
    When Ian takes "Could not go ahead: book a new date" on the consultation on 18 March 2026, recording:
      | Date of the consultation | 2026-03-25 |
    Then the consultation is still at "Consultation booked"
    And the consultation has these timers running:
      | what                                                                  | due           |
      | Booked 4 school weeks ago; record the consultation or book a new date | 15 April 2026 |

  # --- The consultation: all six SPIRAL principles -------------------------------------------

  Scenario Outline: The consultation is only recorded once every SPIRAL principle has been talked through
    Given Eva has taken "Book the consultation" on the consultation on 4 March 2026
    When Eva takes "Record the consultation" on the consultation on 18 March 2026, recording all but "<principle>"
    Then the step is refused with "record '<question>' to take this step"
    And nothing is written
    And the consultation is still at "Consultation booked"

    Examples:
      | principle                            | question                                                                                                                                        |
      | Supporting parents and carers        | Supporting parents and carers: how are the parents or carers feeling, and what support would help them without blame?                           |
      | Promoting belonging and safety       | Promoting belonging and safety: where does the pupil feel they belong and feel safe in school, and what would strengthen that?                  |
      | Including and informing parents      | Including and informing parents: how are the parents or carers involved in decisions and kept informed?                                         |
      | Raising awareness of non-attendance  | Raising awareness of non-attendance: what do the school, the family and the pupil understand about the reasons for the absence?                 |
      | Accessing external professionals     | Accessing external professionals: which other services could help (SEND support, CAMHS, early help), and how can the family reach them?        |
      | Lessons learnt from COVID-19         | Lessons learnt from COVID-19: what helped this pupil learn or feel safe during school closures that could help now?                            |

  Scenario: A consultation recorded with nothing written down lists everything that is missing
    Given Eva has taken "Book the consultation" on the consultation on 4 March 2026
    When Eva takes "Record the consultation" on the consultation on 18 March 2026
    Then the step is refused for these reasons:
      | record 'Supporting parents and carers: how are the parents or carers feeling, and what support would help them without blame?' to take this step                   |
      | record 'Promoting belonging and safety: where does the pupil feel they belong and feel safe in school, and what would strengthen that?' to take this step          |
      | record 'Including and informing parents: how are the parents or carers involved in decisions and kept informed?' to take this step                                 |
      | record 'Raising awareness of non-attendance: what do the school, the family and the pupil understand about the reasons for the absence?' to take this step         |
      | record 'Accessing external professionals: which other services could help (SEND support, CAMHS, early help), and how can the family reach them?' to take this step |
      | record 'Lessons learnt from COVID-19: what helped this pupil learn or feel safe during school closures that could help now?' to take this step                    |
      | record 'Advice from the educational psychologist and inclusion facilitator' to take this step                                                                       |
      | record 'Action plan: the next steps, who will do each one, and by when' to take this step                                                                           |
    And nothing is written

  Scenario: The consultation is held, and its actions go to their owners
    Given Eva has taken "Book the consultation" on the consultation on 4 March 2026
    When Eva takes "Record the consultation" on the consultation on 18 March 2026, recording:
      | Supporting parents and carers                                       | Mum feels judged by letters home; a named contact would help    |
      | Promoting belonging and safety                                      | Alex feels safe in the art room and with one teaching assistant |
      | Including and informing parents                                     | Mum was not at the last two meetings; offer a video call        |
      | Raising awareness of non-attendance                                 | Alex says Mondays are worst after weekends at dad's             |
      | Accessing external professionals                                    | Early help assessment; school nurse for sleep                   |
      | Lessons learnt from COVID-19                                        | Alex did well with short, structured online tasks at home       |
      | Advice from the educational psychologist and inclusion facilitator | A gradual, predictable Monday start; keep the art room base     |
      | Action plan                                                         | Ed: video call with mum by Friday; school: Monday timetable     |
    Then the consultation is at "Action plan under way"
    And these actions are created:
      | for                             | action                                                                                      | due           |
      | Education welfare officer (EWO) | Share the advice and action plan with the family and the school, and start the actions | 25 March 2026 |
      | School attendance lead          | Add the consultation's actions to the pupil's attendance support plan                  | 1 April 2026  |
    And the consultation has these timers running:
      | what             | due           |
      | Follow-up is due | 29 April 2026 |
    And the audit trail records that Eva took "Record the consultation" on the consultation as Educational psychologist

  # --- Follow-up -----------------------------------------------------------------------------

  Scenario: Recording progress on the action plan does not move the follow-up
    Given Eva has taken "Book the consultation" on the consultation on 4 March 2026
    And Eva has taken "Record the consultation" on the consultation on 18 March 2026
    When Ed takes "Record progress on the action plan" on the consultation on 1 April 2026, recording:
      | What happened after the consultation? | Video call held with mum; Monday timetable starts next week |
    Then the consultation is still at "Action plan under way"
    And no action is created
    And the consultation has these timers running:
      | what             | due           |
      | Follow-up is due | 29 April 2026 |

  Scenario: Six school weeks after the consultation the follow-up comes due by itself
    Given Eva has taken "Book the consultation" on the consultation on 4 March 2026
    And Eva has taken "Record the consultation" on the consultation on 18 March 2026
    When panelflow's timers run on 29 April 2026
    Then the consultation is at "Follow-up due"
    And the audit trail records that panelflow's timer took "Follow-up is due" on the consultation
    And the consultation has these timers running:
      | what              | due         |
      | Follow-up overdue | 13 May 2026 |

  Scenario: A follow-up cannot be recorded before it is due
    Given Eva has taken "Book the consultation" on the consultation on 4 March 2026
    And Eva has taken "Record the consultation" on the consultation on 18 March 2026
    When Ed takes "Record the follow-up and close" on the consultation on 1 April 2026, filling in what it asks for
    Then the step is refused with "'Record the follow-up and close' cannot be taken while the case is at 'Action plan under way'; it can be taken from 'Follow-up due'"
    And nothing is written

  Scenario: The follow-up is recorded and the consultation closes
    Given Eva has taken "Book the consultation" on the consultation on 4 March 2026
    And Eva has taken "Record the consultation" on the consultation on 18 March 2026
    And panelflow's timers have run on 29 April 2026
    When Ed takes "Record the follow-up and close" on the consultation on 6 May 2026, recording:
      | What happened after the consultation? | In school four Mondays running; mum says the calls help |
    Then the consultation is at "Closed"
    And the consultation has no timers running
    And the audit trail records that Ed took "Record the follow-up and close" on the consultation as Education welfare officer (EWO)

  Scenario: A case still stuck at follow-up comes back for another consultation
    Given Eva has taken "Book the consultation" on the consultation on 4 March 2026
    And Eva has taken "Record the consultation" on the consultation on 18 March 2026
    And panelflow's timers have run on 29 April 2026
    When Ed takes "Still stuck; ask for another consultation" on the consultation on 6 May 2026, recording:
      | What happened after the consultation? | Monday timetable tried; no change             |
      | What makes this case feel stuck?      | Alex now refuses to leave the house some days |
    Then the consultation is at "Consultation requested"
    And the consultation has these timers running:
      | what                        | due         |
      | Consultation not yet booked | 20 May 2026 |
