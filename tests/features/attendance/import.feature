Feature: Importing attendance from a school's MIS export
  An attendance officer imports the attendance a school's management information system
  exported, from the command line. Every row is checked and every problem is reported at its
  row and column; nothing is stored until the file is clean, and importing a period again
  replaces its figures rather than adding to them.

  Background:
    Given Birkenhead Park Primary has three pupils on its roll and the October half-term as a holiday

  Scenario: A clean file is imported
    Given a SIMS export "week.csv" of the week commencing 07/09/2026 for the three pupils
    When the officer runs "panelflow attendance import week.csv --school 105001 --by Dana"
    Then the command succeeds
    And it says "imported 3 rows for Birkenhead Park Primary covering 1 period (0 rows stored before were replaced)"
    And 3 attendance records are stored for the week commencing 2026-09-07
    And the audit trail records the import by Dana
    And it showed its progress, checking then importing 3 rows

  Scenario: A broken file is refused, with every problem at its row
    Given an export "broken.csv" with these rows:
      | UPN           | Week Commencing | Possible Sessions | Attended | Authorised Absence | Unauthorised Absence |
      | A100000000001 | 07/09/2026      | 10                | 10       | 0                  | 0                    |
      | B999999999999 | 07/09/2026      | 10                | 10       | 0                  | 0                    |
      | A100000000002 | 07/09/2026      | 10                | 11       | 0                  | 0                    |
      | A100000000003 | 07/09/2026      | 10                | -2       | 12                 | 0                    |
      | A100000000003 | 14/09/2026      | 10                | 8        | 1                  | 0                    |
      | A100000000002 | 31/09/2026      | 10                | 10       | 0                  | 0                    |
      | A100000000002 | 26/10/2026      | 10                | 10       | 0                  | 0                    |
      | A100000000001 | 07/09/2026      | 10                | 9        | 1                  | 0                    |
      | A100000000001 | 21/09/2026      | 10                | 9.5      | 0.5                | 0                    |
      | A100000000001 | 16/09/2026      | 10                | 10       | 0                  | 0                    |
    When the officer runs "panelflow attendance import broken.csv --school 'Birkenhead Park Primary'"
    Then the command fails
    And it reports these problems:
      | where          | says                                                  |
      | broken.csv:3:A | no pupil with that UPN is on the roll                 |
      | broken.csv:4:D | is 11, more than the 10 possible sessions             |
      | broken.csv:5:D | is negative                                           |
      | broken.csv:6:C | the sessions do not add up to it                      |
      | broken.csv:7:B | is not a real date: September 2026 has 30 days        |
      | broken.csv:8:B | out of term: the schools are closed (October half-term) |
      | broken.csv:9:A | repeats row 2                                         |
      | broken.csv:10:D | 9.5 is not a whole number                            |
      | broken.csv:11:B | a week commences on a Monday                         |
    And it says "nothing imported for Birkenhead Park Primary: 10 problems in 10 rows"
    And no attendance records are stored

  Scenario: Only the clean rows are imported, knowingly
    Given an export "broken.csv" with these rows:
      | UPN           | Week Commencing | Possible Sessions | Attended | Authorised Absence | Unauthorised Absence |
      | A100000000001 | 07/09/2026      | 10                | 10       | 0                  | 0                    |
      | A100000000002 | 07/09/2026      | 10                | 11       | 0                  | 0                    |
    When the officer runs "panelflow attendance import broken.csv --school 105001 --clean-rows-only"
    Then the command succeeds
    And it says "imported 1 row for Birkenhead Park Primary covering 1 period (0 rows stored before were replaced); 1 row with problems skipped"

  Scenario: Importing a period again replaces it
    Given a SIMS export "week.csv" of the week commencing 07/09/2026 for the three pupils
    And the officer has run "panelflow attendance import week.csv --school 105001"
    And an export "corrected.csv" with these rows:
      | Pupil Ref     | WC         | Poss | Attended | Authorised Absence | Unauthorised Absence |
      | A100000000002 | 07/09/2026 | 10   | 4        | 6                  | 0                    |
    When the officer runs "panelflow attendance import corrected.csv --school 105001 --map upn='Pupil Ref' --map possible=Poss"
    Then the command succeeds
    And it says "imported 1 row for Birkenhead Park Primary covering 1 period (1 row stored before were replaced)"
    And 3 attendance records are stored for the week commencing 2026-09-07
    And pupil A100000000002 attended 4 of 10 sessions that week

  Scenario: Overlapping periods, too many sessions and codes that do not add up are refused
    Given an export "autumn.csv" with these rows:
      | UPN           | Start Date | End Date   | Possible Sessions | Attended | Authorised Absence | Unauthorised Absence |
      | A100000000003 | 07/09/2026 | 23/10/2026 | 70                | 70       | 0                  | 0                    |
    And the officer has run "panelflow attendance import autumn.csv --school 105001"
    And an export "broken.csv" with these rows:
      | UPN           | Week Commencing | Possible Sessions | Attended | Authorised Absence | Unauthorised Absence | I - Illness | O - Other |
      | A100000000001 | 07/09/2026      | 10                | 8        | 2                  | 0                    | 2           |           |
      | A100000000003 | 14/09/2026      | 10                | 10       | 0                  | 0                    |             |           |
      | A100000000001 | 14/09/2026      | 12                | 12       | 0                  | 0                    |             |           |
      | A100000000002 | 14/09/2026      | 10                | 6        | 3                  | 1                    | 2           | 1         |
      | A100000000002 | 21/09/2026      | 10                | 8        | 0                  | 2                    |             | 1         |
    When the officer runs "panelflow attendance import broken.csv --school 105001"
    Then the command fails
    And it reports these problems:
      | where          | says                                                                 |
      | broken.csv:3:B | overlaps the period already stored for this pupil                    |
      | broken.csv:4:C | more than the school could open                                      |
      | broken.csv:5:E | the authorised absence codes add up to 2 (I 2)                       |
      | broken.csv:6:F | the unauthorised absence codes add up to 1 (O 1)                     |
