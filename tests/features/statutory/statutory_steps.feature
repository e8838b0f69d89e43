Feature: Formal steps: what is missing is shown first, a second person signs off, safeguarding is never held back
  On a formal case every step of its stage is listed, with who takes it and, when the record
  does not allow it yet, exactly what is missing. A penalty notice needs a second person's
  sign-off: the person who asks for it cannot sign it off themselves, and the person asked
  can refuse it with a reason. A referral to children's social care is never held back.

  Background:
    Given the workflows in config/workflows.yaml are published
    And Alex Taylor is a pupil at Birkenhead Park Primary, in Wirral Council
    And these people work for Wirral Council:
      | name | full name  | role                            |
      | Lee  | Lee Morgan | School attendance lead          |
      | Ed   | Ed Okoro   | Education welfare officer (EWO) |
      | Erin | Erin Walsh | Education welfare officer (EWO) |
      | Tess | Tess Birch | School staff member             |

  Scenario: Before support has been tried, a penalty notice is shown as unavailable, with what is missing, and refused
    Given Lee has opened a support-first case for Alex and a formal case linked to it
    When Lee opens the formal case
    Then "Issue a penalty notice" is shown as not available yet, because:
      | 'Attendance support plan agreed' has not happened yet        |
      | No 'Review held' in the last 12 school weeks (since           |
      | The case has never been at 'Intensive multi-agency support' |
    And "Start a prosecution" is shown as a step Education welfare officer (EWO) takes, signed off by Education welfare officer (EWO), with "The case has never been at 'Intensive multi-agency support'"
    When Lee asks for "Issue a penalty notice" on the formal case
    Then Lee sees the problem "'Attendance support plan agreed' has not happened yet"
    And nothing is waiting for a sign-off

  Scenario: Once support has been tried and reviewed, a penalty notice is issued with a second person's sign-off
    Given Alex's support-first case shows a plan agreed, intensive support and a recent review, and Ed has opened a formal route
    When Ed asks for "Issue a penalty notice" on the formal case
    Then the formal case is at "Formal route being considered"
    And the formal case shows "Issue a penalty notice" waiting for a second sign-off, asked for by Ed Okoro
    When Ed tries to sign off the request himself
    Then Ed sees the problem "You asked for this step, so you cannot sign it off; someone else must sign it off"
    And the formal case is at "Formal route being considered"
    When Erin opens her actions
    Then Erin sees "Issue a penalty notice" waiting for her sign-off
    When Erin signs off the request
    Then the formal case is at "Penalty notice issued"
    And the step "Issue a penalty notice" was decided by Ed Okoro as ewo and signed off by Erin Walsh
    And the audit trail records that Erin Walsh signed off "Issue a penalty notice"

  Scenario: A second person refuses the sign-off, with a reason
    Given Alex's support-first case shows a plan agreed, intensive support and a recent review, and Ed has opened a formal route
    And Ed has asked for "Issue a penalty notice" on the formal case
    When Erin refuses the request, writing ""
    Then Erin sees the problem "Say why you are refusing to sign it off"
    When Erin refuses the request, writing "Attendance figures for this half-term are missing"
    Then the formal case is at "Formal route being considered"
    And the formal case shows the sign-off refused by Erin Walsh: "Attendance figures for this half-term are missing"

  Scenario Outline: A referral to children's social care is allowed at any time, from any open state, with no conditions
    Given Alex's formal case is at "<state>"
    When Tess refers Alex to children's social care on the formal case, writing "Alex said an adult at home hurts them"
    Then the formal case is at "Referred to children's social care"
    And the audit trail records that Tess Birch took "Refer to children's social care"

    Examples:
      | state                         |
      | Formal route being considered |
      | Attendance contract in place  |
      | Penalty notice issued         |
