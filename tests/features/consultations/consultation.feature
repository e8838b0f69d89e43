Feature: An EWO consultation on a stuck case, through the web pages
  An education welfare officer brings a "stuck" case to a consultation with an educational
  psychologist and an inclusion facilitator. The educational psychology team finds the
  request among their cases and books it. The consultation talks through the six SPIRAL
  principles and ends in advice and an action plan, whose actions go to their owners' inboxes
  at once. The advice shows on the support-first case, and the follow-up comes due by itself
  six school weeks later. The educational psychologist sees the pupil only while the
  consultation is open.

  Background:
    Given the workflows in config/workflows.yaml are published
    And Alex Taylor is a pupil at Birkenhead Park Primary
    And these people have accounts:
      | name | role                            |
      | Lee  | School attendance lead          |
      | Ed   | Education welfare officer (EWO) |
      | Pat  | Educational psychologist        |
      | Ivy  | Inclusion facilitator           |
    And Alex has a support-first case at "Targeted support", run with Ed
    And consent to share Alex's case with educational psychology is recorded

  Scenario: A stuck case goes to a consultation and comes back with advice and actions
    Given Pat cannot open Alex's support-first case
    When Ed takes "Ask for an EWO consultation" on Alex's support-first case, recording:
      | What makes this case feel stuck? | Plan agreed in March; attendance still falling; mum feels blamed |
    Then Alex's support-first case shows a linked "EWO consultation" at "Consultation requested"
    And Pat's cases list Alex's "EWO consultation" at "Consultation requested"
    When Pat takes "Book the consultation" on Alex's consultation, recording:
      | Date of the consultation | in 2 weeks |
    And Ivy takes "Record the consultation" on Alex's consultation, answering every SPIRAL question and recording:
      | Advice from the educational psychologist and inclusion facilitator | Meet mum away from school first; start with two mornings a week |
      | Action plan                                                        | Phased return timetable; a key adult at the gate                 |
    And Pat agrees the action "Draw up a phased return timetable" on Alex's consultation for "Any school attendance lead (School)"
    Then Lee's inbox lists "Draw up a phased return timetable"
    And Ed's inbox lists "Share the advice and action plan with the family and the school, and start the actions"
    And Lee reads on Alex's support-first case "Meet mum away from school first; start with two mornings a week", from the linked EWO consultation
    And Alex's consultation shows "Follow-up is due, by itself" 6 school weeks from today

  Scenario: The educational psychologist's view ends when the consultation closes
    Given Ed has asked for an EWO consultation on Alex's support-first case
    And Pat can open Alex's consultation and support-first case
    When Ed takes "Cancel the consultation" on Alex's consultation, recording:
      | Why is this case being closed? | The family moved to another authority |
    Then Pat cannot open Alex's consultation
    And Pat cannot open Alex's support-first case
    And Pat's cases do not list Alex
