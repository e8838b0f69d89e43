Feature: Group programmes: a cohort, its places and the session register
  The local authority offers group programmes (a 6-9 week course such as Inspiring
  Futures). A panel chair starts a cohort for the panel, gives pupils places (paid for by
  a funding decision, or not), and takes the register at each session. A pupil who leaves
  part-way keeps their history but is not expected afterwards; a place given by mistake
  can be removed while its pupil is on no register.

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

  Scenario: A pupil leaves the cohort part-way and is not expected afterwards
    Given Ade is signed in
    And Ade adds the programme "Inspiring Futures" run by "The Hive Youth Zone"
    And Priya is signed in
    And Priya starts the cohort "Spring, Tuesdays" of "Inspiring Futures" with 6 sessions and 8 places
    And Priya gives Amara a place
    And Priya marks Amara "present" at session 1
    When Priya records that Amara left on the day of session 1 because "Moved to another school"
    Then the cohort page shows Amara attended 1 of 1 marked and left
    And the cohort has 6 weekly sessions and 0 of 8 places taken
    And the register of session 2 shows Amara as left, not absent
    And the audit trail says a pupil left the cohort, without the reason

  Scenario: A leaving recorded by mistake is taken back while a place is free
    Given Ben Hughes is a pupil at Birkenhead Park Primary with a panel case
    And Ade is signed in
    And Ade adds the programme "Inspiring Futures" run by "The Hive Youth Zone"
    And Priya is signed in
    And Priya starts the cohort "Spring, Tuesdays" of "Inspiring Futures" with 6 sessions and 1 places
    And Priya gives Amara a place
    And Priya marks Amara "present" at session 1
    And Priya records that Amara left on the day of session 1 because "Moved to another school"
    When Priya gives Ben a place
    And Priya undoes Amara's leaving
    Then Priya sees the problem "All 1 places on this cohort are taken"
    When Priya removes Ben's place
    And Priya undoes Amara's leaving
    Then the cohort has 6 weekly sessions and 1 of 1 places taken
    And the audit trail says the leaving was taken back

  Scenario: A leaving date that makes no sense is refused beside its field
    Given Ade is signed in
    And Ade adds the programme "Inspiring Futures" run by "The Hive Youth Zone"
    And Priya is signed in
    And Priya starts the cohort "Spring, Tuesdays" of "Inspiring Futures" with 6 sessions and 8 places
    And Priya gives Amara a place
    When Priya records that Amara left on "1/9/2020" because "Moved"
    Then Priya sees the problem "The leaving date cannot be before the cohort started, on"
    When Priya records that Amara left on the day of session 1 because " "
    Then Priya sees the problem "Say in a few words why they left"

  Scenario: A place given to the wrong pupil is removed before any register
    Given Ade is signed in
    And Ade adds the programme "Inspiring Futures" run by "The Hive Youth Zone"
    And Priya is signed in
    And Priya starts the cohort "Spring, Tuesdays" of "Inspiring Futures" with 6 sessions and 8 places
    And Priya gives Amara a place
    When Priya removes Amara's place
    Then the cohort has 6 weekly sessions and 0 of 8 places taken
    And Amara can be given a place again
