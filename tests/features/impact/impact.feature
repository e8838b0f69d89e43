Feature: Impact of funded help, and barrier themes
  Panel chairs and attendance leads see what funded help did to their own pupils'
  attendance; the local authority sees every school, school by school. Attendance is compared
  over the school weeks before the week an intervention started and after the week it
  ended. Groups of fewer than 5 pupils are withheld, and so is the next smallest group of
  the same table, so that no child can be picked out. No page names a pupil.

  Background:
    Given the workflows in config/workflows.yaml are published
    And Birkenhead Park Primary ran "Inspiring Futures" for the 23 pupils of the known cohort
    And Priya Shah is the panel chair at Birkenhead Park Primary

  Scenario: The report reproduces the known table
    Given Priya is signed in
    When Priya opens the impact report for interventions starting from "1/1/2025" to "31/7/2025"
    Then the "By intervention" row "Inspiring Futures (group programme)" reads "23, 19, +16.0, +20.0, 70.0%, 86.0%, 0, £9,200.00, £484.21"
    And the page says "19 of 23 pupils measured improved their attendance, by +16.0 percentage points on average"
    And no pupil is named on the page

  Scenario: Small groups are withheld, and the next smallest with them
    Given Priya is signed in
    When Priya opens the impact report for interventions starting from "1/1/2025" to "31/7/2025"
    Then the "By looked-after status" row "Looked after" reads "fewer than 5"
    And the "By looked-after status" row "Not looked after" reads "fewer than 5"
    And the "By free school meals" row "Eligible for free school meals" reads "fewer than 5"
    And the "By free school meals" row "Not eligible for free school meals" reads "fewer than 5"
    And the "By special educational needs (SEND)" row "With SEND" reads "8, 8, +20.0"
    And the "By year group" row "Year 10" reads "5, 1, +2.0"

  Scenario: A small kind of help is withheld with the next smallest
    Given 4 more pupils at Birkenhead Park Primary had a bus pass and improved
    And Priya is signed in
    When Priya opens the impact report for interventions starting from "1/1/2025" to "31/7/2025"
    Then the "By intervention" row "Transport (a bus pass, a taxi, fuel)" reads "fewer than 5"
    And the "By intervention" row "Inspiring Futures (group programme)" reads "fewer than 5"
    And the page says "23 of 27 pupils measured improved their attendance"

  Scenario: Help whose windows hold no attendance is counted apart, never as 0
    Given 6 more pupils at Birkenhead Park Primary had a bus pass with no attendance imported
    And Priya is signed in
    When Priya opens the impact report for interventions starting from "1/1/2025" to "31/7/2025"
    Then the page says "6 (no attendance recorded in a window)"
    And the page says "19 of 23 pupils measured improved their attendance"

  Scenario: The LA view covers every school, school by school
    Given Rock Ferry High ran "Inspiring Futures" for the 23 pupils of the known cohort
    And Ade Okafor is an LA administrator
    And Tom Reed is a teacher at Birkenhead Park Primary
    And Ade is signed in
    When Ade opens the impact report for interventions starting from "1/1/2025" to "31/7/2025"
    Then the "By school" row "Birkenhead Park Primary" reads "23, 19, +16.0"
    And the "By school" row "Rock Ferry High" reads "23, 19, +16.0"
    And the page says "38 of 46 pupils measured improved their attendance"
    When Priya is signed in
    And Priya opens the impact report for interventions starting from "1/1/2025" to "31/7/2025"
    Then the page says "19 of 23 pupils measured improved their attendance"
    And there is no "By school" table
    When Tom is signed in
    Then Tom is refused the impact report and the barrier themes

  Scenario: Filters that make no sense are explained, never an error page
    Given Priya is signed in
    When Priya opens "/impact?date_from=31&date_from=2&date_from=2025"
    Then Priya sees the problem "Date from must be a real date"
    When Priya opens "/impact?before_weeks=six&after_weeks=99"
    Then Priya sees the problem "School weeks before must be a whole number of school weeks from 1 to 26, like 6"
    And Priya sees the problem "School weeks after must be a whole number of school weeks from 1 to 26, like 6"
    When Priya opens "/impact/barriers?date_from=1&date_from=6&date_from=2025&date_to=1&date_to=1&date_to=2025"
    Then Priya sees the problem "Date to must be the same as or after date from"
    When Priya opens "/impact?date_to=1&date_to=1&date_to=0001"
    Then Priya sees the problem "Date to must be in a year from 1990 to 2099"
    When Priya opens "/impact/export/types.xlsx?date_from=1&date_from=13&date_from=2025"
    Then Priya sees the problem "Date from must be a real date"

  Scenario: Every table downloads as CSV and XLSX, withheld as on the page, and audited
    Given Priya is signed in
    When Priya downloads the "types" table as CSV for interventions starting from "1/1/2025" to "31/7/2025"
    Then the CSV row "Inspiring Futures (group programme)" reads "23,19,16.0,20.0,70.0,86.0,0,9200.0,484.21"
    When Priya downloads the "looked_after" table as XLSX for interventions starting from "1/1/2025" to "31/7/2025"
    Then the XLSX row "Looked after" reads "fewer than 5, withheld"
    And the audit trail records 2 downloads of impact tables, with their filters and no names

  Scenario: A name that looks like a formula is exported as text
    Given Rock Ferry High ran "=HYPERLINK(""http://x.example"")" for the 23 pupils of the known cohort
    And Ade Okafor is an LA administrator
    And Ade is signed in
    When Ade downloads the "types" table as CSV for interventions starting from "1/1/2025" to "31/7/2025"
    Then the CSV's first cell of the programme's row starts with an apostrophe
    When Ade downloads the "types" table as XLSX for interventions starting from "1/1/2025" to "31/7/2025"
    Then the XLSX holds the programme's name as text, not a formula

  Scenario: Barrier themes count pupils, by month, withholding small counts
    Given the panel recorded "anxiety or low mood" for 6 pupils, "bullying" for 2 pupils and "poverty or debt" for 3 pupils in March 2025
    And Priya is signed in
    When Priya opens the barrier themes from "1/1/2025" to "31/7/2025"
    Then the "Barriers recorded most" row "anxiety or low mood" reads "Pupil, 6"
    And the "Barriers recorded most" row "bullying" reads "School, fewer than 5"
    And the "Barriers recorded most" row "poverty or debt" reads "Family, fewer than 5"
    And the "Barriers month by month" row "March 2025" reads "6, fewer than 5, fewer than 5"
    And both charts are SVG images with the figures' tables beside them
