Feature: Group programmes: a cohort, its places and the session register
  The local authority offers group programmes (a 6-9 week course such as Inspiring
  Futures). A panel chair starts a cohort for the panel, gives pupils places (paid for by
  a funding decision, or not), and takes the register at each session.

  Background:
    Given the workflows in config/workflows.yaml are published
    And Birkenhead Park Primary has a panel with a budget of "£1,000" for "Autumn term"
    And Ade Okafor is an LA administrator
    And Priya Shah is a panel chair at Birkenhead Park Primary
    And Lee Morgan is an attendance lead at Birkenhead Park Primary
    And Amara Hughes is a pupil at Birkenhead Park Primary with a panel case

  Scenario: The chair runs a cohort and takes the register
    Given Ade is signed in
    And Ade adds the programme "Inspiring Futures" run by "The Hive Youth Zone"
    And Amara's place on a group programme is funded with "£400"
    And Priya is signed in
    When Priya starts the cohort "Spring, Tuesdays" of "Inspiring Futures" with 6 sessions and 8 places
    Then the cohort has 6 weekly sessions and 0 of 8 places taken
    When Priya gives Amara the funded place
    And Priya marks Amara "late" at session 1
    And Priya marks Amara "present" at session 2
    Then the cohort page shows Amara attended 2 of 2 marked
    And the register of session 1 shows Amara as "late"

  Scenario: A register outside the chair's panels is not found
    Given Rhian Evans is a panel chair at Rock Ferry High
    And Ade is signed in
    And Ade adds the programme "Inspiring Futures" run by "The Hive Youth Zone"
    And Priya is signed in
    And Priya starts the cohort "Spring, Tuesdays" of "Inspiring Futures" with 6 sessions and 8 places
    And Rhian is signed in
    Then Rhian's view of the cohort and its first register answers "page not found"
