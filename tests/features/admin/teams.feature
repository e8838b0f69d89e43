Feature: Teams
  A local authority organises each agency's people in teams (the education welfare officers
  for the north of the borough, a CAMHS locality team). Administrators create teams and put
  people in them; every change is in the audit trail.

  Background:
    Given an administrator of Wirral Council is signed in
    And Erin, an education welfare officer of Wirral Council, has an account

  Scenario: An administrator creates a team for an agency
    When the administrator creates the team "EWO team North" for the LA attendance service
    Then the teams page lists "EWO team North" with 0 people
    And the audit trail records "account.team_created"

  Scenario: Two teams of one authority cannot share a name
    Given the team "EWO team North" exists for the LA attendance service
    When the administrator creates the team "EWO team North" for the LA attendance service
    Then the page says "There is already a team called EWO team North"

  Scenario: An administrator puts a person in a team of their agency
    Given the team "EWO team North" exists for the LA attendance service
    When the administrator puts Erin in "EWO team North"
    Then Erin's page shows the team "EWO team North"
    And the teams page lists "EWO team North" with 1 people
    And the audit trail records "account.team_set"

  Scenario: A person cannot be put in a team of another agency
    Given the team "CAMHS West" exists for CAMHS
    When the administrator puts Erin in "CAMHS West"
    Then the page says "CAMHS West is not a team of Erin's agency"
    And Erin is in no team
