Feature: Importing attendance in the browser
  An attendance lead uploads the attendance their school's MIS exported. panelflow checks
  every row in the background, with a progress bar, and shows each problem at its row and
  column; nothing is stored until the lead imports the file, or knowingly imports only its
  clean rows. Importing a period again replaces its figures rather than adding to them.

  Background:
    Given Birkenhead Park Primary has three pupils on its roll and the October half-term as a holiday
    And Dana Smith is an attendance lead at Birkenhead Park Primary
    And Dana is signed in

  Scenario: A clean file is checked, then imported
    When Dana uploads "week.csv", a SIMS export of the week commencing 07/09/2026 for the three pupils
    Then the page says "The file has no problems" once the check has finished
    And the page says "3 rows checked, no problems found"
    And no attendance records are stored
    When Dana presses "Import 3 rows"
    Then the page says "Attendance imported" once the import has finished
    And the page says "Rows imported 3"
    And 3 attendance records are stored
    And the audit trail records the import of 3 rows by Dana Smith
    And the school's recent imports list "week.csv" as imported by Dana Smith

  Scenario: A broken file shows every kind of problem at its row
    Given Birkenhead Park Primary has stored the first half-term for pupil A100000000003
    When Dana uploads "broken.csv" with these rows:
      | UPN           | Week Commencing | Possible Sessions | Attended | Authorised Absence | Unauthorised Absence | I - Illness |
      | A100000000001 | 07/09/2026      | 10                | 10       | 0                  | 0                    |             |
      | B999999999999 | 07/09/2026      | 10                | 10       | 0                  | 0                    |             |
      | A100000000002 | 07/09/2026      | 10                | 11       | 0                  | 0                    |             |
      | A100000000002 | 14/09/2026      | 10                | -2       | 12                 | 0                    | 12          |
      | A100000000002 | 21/09/2026      | 10                | 8        | 1                  | 0                    | 1           |
      | A100000000002 | 31/09/2026      | 10                | 10       | 0                  | 0                    |             |
      | A100000000002 | 26/10/2026      | 10                | 10       | 0                  | 0                    |             |
      | A100000000001 | 07/09/2026      | 10                | 9        | 1                  | 0                    | 1           |
      | A100000000001 | 21/09/2026      | 10                | 9.5      | 0.5                | 0                    |             |
      | A100000000001 | 16/09/2026      | 10                | 10       | 0                  | 0                    |             |
      | A100000000001 | 28/09/2026      | 12                | 12       | 0                  | 0                    |             |
      | A100000000001 | 05/10/2026      | 10                | 6        | 4                  | 0                    | 3           |
      | A100000000003 | 14/09/2026      | 10                | 10       | 0                  | 0                    |             |
      | A100000000001 | ten             | 10                | 10       | 0                  | 0                    |             |
    Then the page says "There are problems with the file" once the check has finished
    And the page lists these problems:
      | row | column | says                                                       |
      | 3   | A      | no pupil with that UPN is on the roll                      |
      | 4   | D      | is 11, more than the 10 possible sessions                  |
      | 5   | D      | is negative                                                |
      | 6   | C      | the sessions do not add up to it                           |
      | 7   | B      | is not a real date: September 2026 has 30 days             |
      | 8   | B      | out of term: the schools are closed (October half-term)    |
      | 9   | A      | repeats row 2                                              |
      | 10  | D      | 9.5 is not a whole number                                  |
      | 11  | B      | a week commences on a Monday                               |
      | 12  | C      | more than the school could open                            |
      | 13  | E      | the authorised absence codes add up to 3 (I 3)             |
      | 14  | B      | overlaps the period already stored for this pupil          |
      | 15  | B      | 'ten' is not a date                                        |
    And the page does not offer to import only the clean rows
    And no attendance records are stored but the half-term

  Scenario: Importing only the clean rows needs a confirmation
    When Dana uploads "mixed.csv" with these rows:
      | UPN           | Week Commencing | Possible Sessions | Attended | Authorised Absence | Unauthorised Absence |
      | A100000000001 | 07/09/2026      | 10                | 10       | 0                  | 0                    |
      | A100000000002 | 07/09/2026      | 10                | 11       | 0                  | 0                    |
    Then the page says "There are problems with the file" once the check has finished
    When Dana presses "Import only the 1 clean row" without ticking the box
    Then the page says "Tick the box to confirm that the 1 row with problems will not be imported"
    And no attendance records are stored
    When Dana ticks the box and presses "Import only the 1 clean row"
    Then the page says "Attendance imported" once the import has finished
    And the page says "Rows with problems, skipped 1"
    And 1 attendance record is stored

  Scenario: Importing a period again replaces it
    Given Dana has imported "week.csv", a SIMS export of the week commencing 07/09/2026 for the three pupils
    When Dana uploads "corrected.csv" with these rows:
      | UPN           | Week Commencing | Possible Sessions | Attended | Authorised Absence | Unauthorised Absence |
      | A100000000002 | 07/09/2026      | 10                | 4        | 6                  | 0                    |
    Then the page says "The file has no problems" once the check has finished
    When Dana presses "Import 1 row"
    Then the page says "Attendance imported" once the import has finished
    And the page says "Figures stored before, replaced 1"
    And 3 attendance records are stored
    And pupil A100000000002 attended 4 of 10 sessions that week

  Scenario: Columns that are not recognised are chosen once, and remembered
    When Dana uploads "own.csv" with these rows:
      | Ref           | Monday     | Poss | Attended | Authorised Absence | Unauthorised Absence |
      | A100000000001 | 07/09/2026 | 10   | 10       | 0                  | 0                    |
    Then the page says "Which columns hold which values" once the check has finished
    When Dana chooses "Ref" for the UPN, "Monday" for the week commencing date and "Poss" for the possible sessions
    Then the page says "The file has no problems" once the check has finished
    When Dana uploads "own.csv" again
    Then the page says "The file has no problems" once the check has finished

  Scenario: Another school's imports cannot be seen
    Given Robin Jones is an attendance lead at Rock Ferry High
    And Dana has uploaded "week.csv", a SIMS export of the week commencing 07/09/2026 for the three pupils
    When Robin signs in and opens Dana's upload
    Then Robin gets "404" for the upload's page, its progress and its import
