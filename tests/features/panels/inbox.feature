Feature: The action inbox: accept, decline, progress and complete
  Each professional sees the actions addressed to them, their role or their agency, and only
  those. They accept or decline (with a reason), record progress and complete with an outcome;
  every step is kept on the action's history and in the audit trail.

  Background:
    Given the workflows in config/workflows.yaml are published
    And Amara Hughes is a pupil at Birkenhead Park Primary with a panel case
    And Chris Doyle is a CAMHS practitioner
    And Kai Brennan is a youth worker
    And the panel agreed an action for CAMHS on Amara's case: "Assess for anxiety support"

  Scenario: The CAMHS practitioner accepts and completes the action
    Given Chris is signed in
    Then Chris's inbox shows "Assess for anxiety support" for Amara Hughes, waiting
    When Chris accepts it
    And Chris records progress "First appointment booked."
    And Chris completes it with "Six sessions of CBT agreed with the family."
    Then the action is completed with the outcome "Six sessions of CBT agreed with the family."
    And its history reads created, accepted, progress, completed
    And the audit trail records that Chris completed the action

  Scenario: Declining needs a reason
    Given Chris is signed in
    When Chris declines it saying ""
    Then Chris sees the problem "Say why you are declining this action, so the panel chair can find someone else"
    And the action is still open
    When Chris declines it saying "Not a CAMHS threshold; try the school nurse."
    Then the action is declined with the reason "Not a CAMHS threshold; try the school nurse."

  Scenario: Another agency neither sees nor works on the action
    Given Kai is signed in
    Then Kai's inbox does not show "Assess for anxiety support"
    And Kai accepting it answers "page not found"
    And the action is still open

  Scenario: Once the action is completed, CAMHS no longer sees the pupil
    Given Chris is signed in
    When Chris accepts it
    And Chris completes it with "Discharged: no further need."
    Then Chris cannot open Amara's page
