Feature: A panel's monthly meetings, planned around the school calendar
  The chair sets the panel's monthly meetings up once, as a series. A meeting whose day falls
  in a half term, on a training day or a bank holiday moves to the next school day that
  month, and the chair sees why before saving. A meeting can be moved on its own; the
  members are emailed. Anyone who sees the panel can subscribe to its meetings from their
  own calendar, at a private address they can revoke.

  Background:
    Given the local authority's term dates for 2030-31 are loaded, with the Spring half term from 17 to 21 February 2031
    And Priya Shah chairs the Birkenhead Park attendance panel
    And Erin Walsh, an education welfare officer, is a member of the panel

  Scenario: The chair sets up a series over the spring term and sees a date moved for half term
    Given Priya is signed in
    When Priya previews meetings on the third Monday of each month at 4pm from 1/1/2031 to 31/3/2031
    Then the preview shows a new meeting on 24 February 2031 at 4:00pm, "Moved from Monday 17 February (Spring half term)"
    And no meeting is saved yet
    When Priya saves the series
    Then the panel meets on 20 January 2031, 24 February 2031 and 17 March 2031, each at 4pm London time

  Scenario: The chair moves one meeting, and may not move it into half term
    Given Priya has set up meetings on the third Monday of each month at 4pm from 1/1/2031 to 31/3/2031
    And Priya is signed in
    When Priya moves the meeting of 17 March 2031 to 19/2/2031 at "4pm"
    Then Priya sees the problem "Wednesday 19 February 2031 is not a school day (Spring half term); choose a school day"
    When Priya moves the meeting of 17 March 2031 to 18/3/2031 at "10:00"
    Then the meeting page says it moved from 17 March 2031 at 4:00pm to 18 March 2031 at 10:00am
    And Erin is emailed "Panel meeting moved: Birkenhead Park attendance panel"

  Scenario: A member subscribes to the panel's meetings from her calendar
    Given Priya has set up meetings on the third Monday of each month at 4pm from 1/1/2031 to 31/3/2031
    And Erin is signed in
    When Erin makes her calendar address
    Then her calendar program reads 3 meetings called "Birkenhead Park attendance panel meeting", in Europe/London time
    When Erin stops her calendar address working
    Then her calendar program is told "not found"
