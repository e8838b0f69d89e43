Feature: Timers that follow the school calendar
  Reviews and follow-ups are counted in school weeks on the local authority's term dates, so
  they skip half terms and training days. panelflow tick, run every few minutes, raises the
  flag or takes the step when it is due, never before and never twice, also after days when
  it did not run. What comes due is listed on the dashboard of the people who can move the
  case on, and they get one email the next morning, which never names the pupil.

  Background:
    Given the workflows in config/workflows.yaml are published
    And Northshire County Council has loaded its term dates from config/term-dates.yaml, with the February half term from 16 to 20 February 2026 and the October half term from 26 to 30 October 2026
    And Oakfield Primary is a school in Northshire County Council
    And Alex Taylor is a pupil at Oakfield Primary
    And these people have accounts:
      | name       | role                            |
      | Lee Lane   | School attendance lead          |
      | Tom Tran   | School staff member             |
      | Ed Evans   | Education welfare officer (EWO) |
      | Eva Ellis  | Educational psychologist        |

  Scenario: A review due 6 school weeks on comes due after the February half term, on the day and not before
    Given Lee opened a support-first case for Alex at 9:00am on Monday 26 January 2026
    Then the case's "Review due" is due at 9:00am on Monday 16 March 2026
    And Lee sees "Review due" for Alex Taylor coming up on 16 March 2026 when opening the inbox at 9:00am on Tuesday 3 March 2026
    When panelflow tick runs at 9:05am on Monday 9 March 2026
    And panelflow tick runs at 4:00pm on Friday 13 March 2026
    And panelflow tick runs at 8:55am on Monday 16 March 2026
    Then the case has no flags
    And Lee sees nothing due now on the inbox
    When panelflow tick runs at 9:05am on Monday 16 March 2026
    Then it says "timers: 0 fired, 1 flagged, 0 could not fire, 0 no longer relevant"
    And the case is flagged "Review due" once
    And Lee sees "Review due" for Alex Taylor due now since 16 March 2026 on the inbox
    And Tom sees nothing due now on the inbox
    When panelflow tick runs at 9:10am on Monday 16 March 2026
    Then the case is flagged "Review due" once
    And nobody has been emailed about cases that came due
    When panelflow tick runs at 7:05am on Tuesday 17 March 2026
    Then it says "came due on cases: 2 digests queued"
    When panelflow tick runs at 7:10am on Tuesday 17 March 2026
    Then Lee has been emailed once, "Cases that need you: 1 item due", with "Review due (due 16 March 2026)" and a link to the case
    And Ed has been emailed once, "Cases that need you: 1 item due", with "Review due (due 16 March 2026)" and a link to the case
    And Tom has not been emailed about cases that came due
    And Eva has not been emailed about cases that came due
    And no email names Alex

  Scenario: After weeks without a tick, each flag is raised once and emailed once
    Given Lee opened a support-first case for Alex at 9:00am on Monday 26 January 2026
    When panelflow tick runs at 8:00am on Friday 13 March 2026
    And panelflow tick runs at 10:00am on Wednesday 20 May 2026
    Then it says "timers: 0 fired, 2 flagged, 0 could not fire, 0 no longer relevant"
    And the case is flagged "Review due" once
    And the case is flagged "Review overdue" once
    And Lee sees "Review due" for Alex Taylor due now since 16 March 2026 on the inbox
    When panelflow tick runs at 10:00am on Wednesday 20 May 2026
    Then it says "timers: 0 fired, 0 flagged, 0 could not fire, 0 no longer relevant"
    When panelflow tick runs at 7:30am on Thursday 21 May 2026
    And panelflow tick runs at 7:35am on Thursday 21 May 2026
    And panelflow tick runs at 7:30am on Friday 22 May 2026
    Then Lee has been emailed once, "Cases that need you: 2 items due", with "Review due (due 16 March 2026)" and "Review overdue (due 12 May 2026)"
    And no email names Alex

  Scenario: A review held before the morning email is not emailed
    Given Lee opened a support-first case for Alex at 9:00am on Monday 26 January 2026
    When panelflow tick runs at 9:05am on Monday 16 March 2026
    And Lee takes "Review held" on the case at 3:00pm on Monday 16 March 2026
    And panelflow tick runs at 7:05am on Tuesday 17 March 2026
    Then the case has no flags
    And Lee sees nothing due now on the inbox
    And nobody has been emailed about cases that came due

  Scenario: A consultation's follow-up comes due by itself across the October half term and the clock change
    Given Ed requested a consultation for Alex at 10:00am on Monday 21 September 2026
    And Eva took "Book the consultation" on the consultation at 10:00am on Wednesday 23 September 2026
    And Eva took "Record the consultation" on the consultation at 4:00pm on Thursday 15 October 2026
    And Eva agreed an action for the LA attendance service on the consultation: "Visit the family at home"
    Then the case's "Follow-up is due" is due at 4:00pm on Friday 4 December 2026
    When panelflow tick runs at 3:55pm on Friday 4 December 2026
    Then the consultation is at "Action plan under way"
    When panelflow tick runs at 4:05pm on Friday 4 December 2026
    Then it says "timers: 1 fired, 0 flagged, 0 could not fire, 0 no longer relevant"
    And the consultation is at "Follow-up due", moved by the panelflow timer
    And Ed sees "Follow-up is due" for Alex Taylor due now since 4 December 2026 on the inbox
    And Lee sees nothing due now on the inbox
    When panelflow tick runs at 4:10pm on Friday 4 December 2026
    Then the consultation is at "Follow-up due", moved by the panelflow timer
    When panelflow tick runs at 7:05am on Saturday 5 December 2026
    And panelflow tick runs at 7:05am on Sunday 6 December 2026
    Then Ed has been emailed once, "Cases that need you: 1 item due", with "Follow-up is due (due 4 December 2026)" and a link to the case
    And no email names Alex
