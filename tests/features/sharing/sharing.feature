Feature: Consent and information sharing
  Before an agency is involved in a pupil's cases, the family's consent or another lawful
  basis for sharing with that agency is recorded on the pupil's page: who gave it, when, what
  for and until when. Steps that need it check it. Withdrawing it ends the agency's access at
  once, and the audit trail says so. The educational psychology team sees a pupil only while
  an EWO consultation about them is open.

  Background:
    Given the workflows in config/workflows.yaml are published
    And Rock Ferry High is a school of Wirral Council
    And Ben Taylor is a pupil at Rock Ferry High
    And Lee Lead is an attendance lead at Rock Ferry High
    And Cara Jones is a CAMHS practitioner for Wirral Council
    And Erin Price is an educational psychologist for Wirral Council
    And Eve Walsh is an EWO for Wirral Council

  Scenario: Asking CAMHS is refused until consent to share with CAMHS is recorded
    Given Ben's school panel case is on the agenda
    When Lee asks CAMHS for a consultation about Ben
    Then Lee sees the problem "Consent or a lawful basis to share with CAMHS (child and adolescent mental health services) is not recorded"
    When Lee records consent to share Ben's cases with CAMHS, given by "Jo Taylor, mother" today
    Then Ben's page shows the consent to share with CAMHS as current, given by "Jo Taylor, mother"
    And the audit trail records that consent to share Ben's cases with camhs was recorded
    When Lee asks CAMHS for a consultation about Ben
    Then Cara's inbox lists Ben

  Scenario: Recording consent says what is wrong, beside each answer
    When Lee records consent to share Ben's cases with CAMHS, given by "" tomorrow
    Then Lee sees the problem "The date it was given must be today or in the past"
    And Lee sees the problem "Write who gave consent (for example 'Jo Taylor, mother') or who decided the lawful basis applies"
    And no consent is recorded for Ben

  Scenario: Withdrawing consent ends CAMHS's access at once, and the audit trail shows it
    Given consent to share Ben's cases with CAMHS is recorded
    And Ben's school panel case is on the agenda
    And the panel has asked CAMHS for a consultation about Ben
    And Cara has accepted the action
    Then Cara's inbox lists Ben
    And Cara can open Ben's page
    When Lee withdraws consent to share Ben's cases with CAMHS, as "Jo Taylor, mother" told us "by phone to the school office"
    Then Ben's page shows the consent to share with CAMHS as withdrawn
    And Cara's inbox does not list Ben
    And Cara gets page not found for Ben's page and his school panel case
    And CAMHS's action shows it ended because consent to share was withdrawn today
    And the audit trail records that consent to share Ben's cases with camhs was withdrawn, ending 1 action

  Scenario: The EP team sees a requested consultation while it is open, and not after
    Given consent to share Ben's cases with educational psychology is recorded
    And Ben has a support-first case at targeted support, with Eve asked to help
    Then Erin gets page not found for Ben's page
    When Eve asks for an EWO consultation about Ben
    Then Erin's pupils list shows Ben
    And Erin can open the consultation and the support-first case
    When Erin books the consultation
    Then the consultation is booked
    When Erin cancels the consultation
    Then Erin gets page not found for Ben's page, the consultation and the support-first case
    And Erin's pupils list is empty
