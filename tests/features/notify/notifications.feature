Feature: Emails about actions: new, declined and overdue
  A professional hears by email of an action addressed to them, their role or their agency;
  the panel chair hears when an action is declined, and why; and an action that passes its
  due date is reminded once (then weekly), not on every run of the timer. No email names the
  pupil: each links to the page to read after signing in.

  Background:
    Given the workflows in config/workflows.yaml are published
    And Birkenhead Park Primary has a panel chaired by Priya Shah
    And Amara Hughes is a pupil at Birkenhead Park Primary with a panel case
    And Chris Doyle is a CAMHS practitioner
    And Kai Brennan is a youth worker

  Scenario: CAMHS hears of a new action, declines it, and the chair is told why
    When Priya agrees an action for CAMHS on Amara's case: "Assess for anxiety support"
    And the outbox is sent
    Then Chris receives "New action for you: Assess for anxiety support" with a link to the action
    And Kai receives no email
    When Chris follows the link and signs in
    Then Chris sees the action "Assess for anxiety support"
    When Chris declines it saying "Not a CAMHS threshold; try the school nurse."
    And the outbox is sent
    Then Priya receives "Action declined: Assess for anxiety support" with a link to the case
    And the email to Priya says "Not a CAMHS threshold; try the school nurse."
    And Chris has received 1 email
    And no email names Amara

  Scenario: An overdue action is reminded once, not on every tick
    Given Priya agreed an action for CAMHS on Amara's case: "Call the family", due 3 days ago
    When panelflow tick runs
    Then it says "overdue actions: 1 reminder queued"
    When panelflow tick runs
    Then it says "overdue actions: 0 reminders queued"
    When the outbox is sent
    Then Chris receives "Action overdue: Call the family" with a link to the action
    And Chris has received 2 emails
    And no email names Amara
