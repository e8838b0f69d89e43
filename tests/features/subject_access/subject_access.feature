Feature: Answering a subject access request about a pupil
  When a pupil, or someone acting for them, asks for the information held about them, the
  school's attendance lead downloads everything panelflow holds about the pupil: a document
  to read and the same records as data, for the data protection officer to review. Only
  people who see the whole of the pupil's record may; every export is in the audit trail,
  with the request's reference and no names.

  Background:
    Given the workflows in config/workflows.yaml are published
    And Birkenhead Park Primary has a panel with a budget of "£1,000" for "Autumn term"
    And Lee Morgan is an attendance lead at Birkenhead Park Primary
    And Amara Hughes is a pupil at Birkenhead Park Primary with a panel case
    And Bethany Quill is a pupil at Birkenhead Park Primary with a panel case
    And the panel agreed the action "Home visit about mornings" for the EWO on Amara's case
    And the panel agreed the action "Check in with Bethany" for the EWO on Bethany's case
    And Lee funded "transport" for Amara costing "£45" from "Merseytravel" and paid it
    And the school imported 30 weeks of attendance for Amara and Bethany

  Scenario: The attendance lead exports everything held about a pupil
    Given Lee is signed in
    When Lee opens Amara's page
    Then the page links to the subject access export
    When Lee opens the subject access page for Amara
    Then the page says the data protection officer must review free text before release
    When Lee exports everything held about Amara for the request "SAR-2026-014"
    Then the download is a zip holding a PDF and JSON data
    And the data holds Amara's record, 1 case and 30 weeks of attendance
    And the data holds the action "Home visit about mornings" for the EWO, "open"
    And the data holds the funding "transport" of 4500 pence with 4500 pence spent
    And the data holds nothing about Bethany
    And the audit trail records Lee's export for "SAR-2026-014" with its counts and no names

  Scenario: A missing reference is a plain error
    Given Lee is signed in
    When Lee exports everything held about Amara for the request ""
    Then Lee sees the problem "Enter the reference of the subject access request"
    And nothing was exported

  Scenario: A reference with the pupil's name in it is refused
    Given Lee is signed in
    When Lee exports everything held about Amara for the request "SAR Amara Hughes"
    Then Lee sees the problem "The reference must not include the pupil's name"
    And nothing was exported

  Scenario Outline: People without need-to-know, or without the right role, are refused
    Given <name> is <who>
    And <first> is signed in
    When <first> opens the subject access page for Amara
    Then <first> is refused with <status>
    And the refusal is in the audit trail

    Examples:
      | name        | who                                          | first | status |
      | Nia Jones   | an attendance lead at Seacombe Primary       | Nia   | 404    |
      | Sam Teacher | a school staff member at Birkenhead Park Primary | Sam | 403    |
      | Ada Auditor | an auditor                                   | Ada   | 403    |
