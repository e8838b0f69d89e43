Feature: Funding small things for a pupil from the panel's budget
  The panel chair proposes what a pupil needs (a bus pass, an alarm clock, a place on a
  group programme) with its cost, provider and dates. Small amounts the chair decides in
  the meeting; above the threshold in the workflow file a second person approves, never
  the one who proposed it. The ledger shows what is committed, spent and left, and an
  overspend needs a reason.

  Background:
    Given the workflows in config/workflows.yaml are published
    And Birkenhead Park Primary has a panel with a budget of "£1,000" for "Autumn term"
    And Priya Shah is a panel chair at Birkenhead Park Primary
    And Lee Morgan is an attendance lead at Birkenhead Park Primary
    And Amara Hughes is a pupil at Birkenhead Park Primary with a panel case

  Scenario: The chair funds a bus pass at once, and a course place with a second approver
    Given Priya is signed in
    When Priya proposes "transport" for Amara costing "£45" from "Merseytravel"
    Then the funding is "Approved"
    When Priya proposes "group_programme" for Amara costing "£400" from "The Hive Youth Zone"
    Then the funding is "Waiting for a second approval"
    And Priya is told "The second approval must come from someone other than the person who proposed it"
    Given Lee is signed in
    When Lee approves the "group_programme" funding
    Then the funding is "Approved"
    When Lee records "£45" spent on the "transport" funding
    Then the ledger for "Autumn term" shows allocated "£1,000.00", committed "£400.00", spent "£45.00" and remaining "£555.00"
    And the audit trail holds 2 approvals of funding by Priya and 1 by Lee

  Scenario: An overspend goes ahead only with a reason
    Given Priya is signed in
    And Priya has already committed "£980" of the budget
    When Priya proposes "equipment" for Amara costing "£25" from "Argos"
    Then Priya sees the problem "This would overspend Autumn term: £20.00 is left and £25.00 is asked for"
    When Priya gives the reason "An alarm clock before the mocks"
    Then the funding is "Approved"
    And the ledger for "Autumn term" shows allocated "£1,000.00", committed "£1,005.00", spent "£0.00" and remaining "-£5.00"

  Scenario: More than any band allows is refused
    Given Priya is signed in
    When Priya proposes "mentoring" for Amara costing "£800" from "Wirral Mentors"
    Then Priya sees the problem "£800.00 is more than a panel can approve (at most £750.00)"
