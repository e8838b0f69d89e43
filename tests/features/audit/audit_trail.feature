Feature: The auditor's view of the audit trail
  Auditors search the audit trail by person, pupil, case, action and date, check that no
  record has been altered since it was written, and download what they found. Only auditors
  see the trail, and every look at it is itself written to the trail.

  Background:
    Given the workflows in config/workflows.yaml are published
    And these people have accounts:
      | name       | role                   |
      | Ada Lovell | auditor                |
      | Priya Shah | panel chair            |
      | Tess Brook | school staff member    |
    And Alex Taylor and Jordan Lee are pupils at Birkenhead Park Primary
    And Priya signed in on 3 March 2025
    And Tess signed in on 15 April 2025
    And Priya signed in on 2 June 2025
    And Priya has opened a panel case for Alex
    And Tess has opened a panel case for Jordan
    And Priya has added a note to Alex's case
    And Tess has added a note to Jordan's case

  Scenario: Searching by person
    Given Ada is signed in
    When Ada searches the audit trail for Priya's account number
    Then she sees these records, newest first:
      | action          | who        | pupil |
      | case.note       | Priya Shah | Alex  |
      | case.open       | Priya Shah | Alex  |
      | account.sign_in | Priya Shah |       |
      | account.sign_in | Priya Shah |       |
    And the audit trail records that Ada searched it by person

  Scenario: Searching by pupil
    Given Ada is signed in
    When Ada searches the audit trail for Alex's pupil id
    Then she sees these records, newest first:
      | action    | who        | pupil |
      | case.note | Priya Shah | Alex  |
      | case.open | Priya Shah | Alex  |
    And the audit trail records that Ada searched it by pupil

  Scenario: Searching by case
    Given Ada is signed in
    When Ada searches the audit trail for Jordan's case number
    Then she sees these records, newest first:
      | action    | who        | pupil  |
      | case.note | Tess Brook | Jordan |
      | case.open | Tess Brook | Jordan |
    And the audit trail records that Ada searched it by case

  Scenario: Searching by date
    Given Ada is signed in
    When Ada searches the audit trail from "1 4 2025" to "31 5 2025"
    Then she sees these records, newest first:
      | action          | who        | pupil |
      | account.sign_in | Tess Brook |       |
    And the audit trail records that Ada searched it from 1 April 2025 to 31 May 2025

  Scenario: Searching by action
    Given Ada is signed in
    When Ada searches the audit trail for the action "case.open"
    Then she sees these records, newest first:
      | action    | who        | pupil  |
      | case.open | Tess Brook | Jordan |
      | case.open | Priya Shah | Alex   |
    And the audit trail records that Ada searched it by action

  Scenario: A panel chair cannot see the audit trail
    Given Priya is signed in
    When Priya opens the audit trail
    Then she is told "You cannot view this page"
    And the audit trail records that Priya was refused the audit trail

  Scenario: Someone not signed in is sent to sign in
    When someone who is not signed in opens the audit trail
    Then they are sent to sign in

  Scenario: Checking an intact trail
    Given Ada is signed in
    When Ada checks the audit trail from its page
    Then she is told "The audit trail is intact" with the number of records checked
    And the audit trail records that Ada checked it and found it intact

  Scenario: A record altered in the database is found
    Given Ada is signed in
    And someone has changed the summary of Tess's sign-in on 15 April 2025 in the database
    When Ada checks the audit trail from its page
    Then she is told "The audit trail has been altered"
    And she is given a link to Tess's sign-in on 15 April 2025, the first record altered
    And the audit trail records that Ada checked it and found it broken at that record

  Scenario: Downloading the records about a pupil
    Given Ada is signed in
    When Ada downloads the records about Alex
    Then the download holds exactly the 2 records about Alex, oldest first
    And the audit trail records that Ada downloaded 2 records about Alex

  Scenario Outline: Dates that cannot be searched are explained in words
    Given Ada is signed in
    When Ada searches the audit trail from "<from>" to "<to>"
    Then she is told "<message>" next to the date
    And no records are shown

    Examples:
      | from         | to        | message                                        |
      | 31 2 2025    |           | Date from must be a real date                  |
      | 1 April 2025 |           | Date from must be a real date                  |
      | 1 4 25       |           | The year in date from must include 4 numbers   |
      | 1  2025      |           | Date from must include a month                 |
      |              | 29 2 2025 | Date to must be a real date                    |
      | 1 5 2025     | 1 4 2025  | Date to must be the same as or after date from |

  Scenario: A pupil id that is not a number is explained in words
    Given Ada is signed in
    When Ada searches the audit trail for the pupil id "Alex"
    Then she is told "Pupil ID must be a number, like 1234" next to the pupil id
    And no records are shown
