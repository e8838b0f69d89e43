Feature: Running a panel meeting, one pupil at a time
  The chair drives meeting mode on a shared screen: who is here, then each pupil in turn:
  the discussion, the barriers, the actions agreed, and the outcome, taken through the
  workflow. Closing the meeting sends each action to its owner and produces the minutes.

  Background:
    Given the workflows in config/workflows.yaml are published
    And Birkenhead Park Primary has a panel meeting next week
    And Priya Shah is a panel chair at Birkenhead Park Primary
    And Nia Evans is a CAMHS practitioner
    And Amara Hughes and Ben Roberts have been nominated at Birkenhead Park Primary

  Scenario: The chair runs the meeting and closes it
    Given Priya is signed in
    When Priya starts the meeting and records Nia Evans, and Sam Lee of the youth service, as present
    Then meeting mode shows Amara Hughes as pupil 1 of 2
    When Priya records the discussion "Anxious about the walk to school." with the barriers "pupil:anxiety or low mood" and "community:transport (cost, distance or no service)"
    And Priya agrees the action "Offer a CAMHS consultation" for "Any CAMHS practitioner"
    And Priya opens the outcome "Discuss at the panel"
    Then the outcome form is drafted with "Pupil: anxiety or low mood" and "1. Offer a CAMHS consultation (CAMHS practitioner"
    When Priya confirms the outcome
    Then Amara's case is "Actions under way"
    And Amara's case timeline shows "Discussed at the panel meeting" with "Anxious about the walk to school."
    And meeting mode shows Ben Roberts as pupil 2 of 2
    When Priya defers Ben saying "His mum could not come today"
    And Priya closes the meeting
    Then the minutes name Nia Evans and Sam Lee as present
    And the minutes show Amara's outcome "Discuss at the panel", her barriers and the action "Offer a CAMHS consultation"
    And the minutes show Ben deferred: "His mum could not come today"
    And Ben's case timeline shows "Deferred to the next panel meeting" with "His mum could not come today"
    And the minutes download as a PDF
    And the action "Offer a CAMHS consultation" is in Nia's inbox
    And an email about "Offer a CAMHS consultation" is queued for Nia, without Amara's name

  Scenario: The chair orders the agenda and adds a pupil before the meeting
    Given Cara Doyle has an open panel case at Birkenhead Park Primary that is not on the agenda
    And Priya is signed in
    When Priya moves Ben Roberts up the agenda
    And Priya adds Cara Doyle to the agenda
    Then the agenda reads Ben Roberts, Amara Hughes, Cara Doyle

  Scenario: An outcome the workflow needs more for is not recorded
    Given Priya is signed in
    And Priya has started the meeting
    When Priya opens the outcome "Discuss at the panel" and clears "What did the panel agree, who will do each action, and by when?"
    Then Priya sees the problem "What did the panel agree, who will do each action, and by when?"
    And Amara's case is "On the panel agenda"

  Scenario: Someone who does not run this panel cannot run its meeting
    Given Owen Hale is a panel chair at Bidston Avenue Primary
    And Owen is signed in
    Then Owen gets "not found" for the meeting's pages
