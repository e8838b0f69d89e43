Feature: Nominating a pupil for the school's panel, without paperwork
  Anyone in school puts a pupil forward with one sentence. There is no referral form and
  there are no eligibility criteria. The pupil lands on the next meeting's agenda, where the
  nominator sees them; a second nomination joins the first instead of making another case.

  Background:
    Given the workflows in config/workflows.yaml are published
    And Birkenhead Park Primary has a panel meeting next week
    And Tom Birch is a school staff member at Birkenhead Park Primary
    And Amara Hughes is a pupil at Birkenhead Park Primary

  Scenario: A teacher nominates a pupil with one sentence
    Given Tom is signed in
    When Tom finds "amara" and nominates her saying "Late most mornings since half-term."
    Then Tom is told Amara Hughes is on the agenda of the next panel meeting
    And the next meeting's agenda shows Amara Hughes as a new nomination with "Late most mornings since half-term."
    And the audit trail records that Tom opened a case for Amara

  Scenario: A second nomination joins the first
    Given Lee Morgan is a school staff member at Birkenhead Park Primary
    And Tom has nominated Amara saying "Late most mornings."
    And Lee is signed in
    When Lee finds "hughes" and nominates her saying "Says she feels sick on Mondays."
    Then Lee is told Amara Hughes already has a panel case
    And Amara has 1 panel case with 2 nominations

  Scenario: A pupil who is not on the roll yet is added with the minimum
    Given Tom is signed in
    When Tom adds "Ben Roberts" born "4/5/2016", year "5", saying "New to the school, missed the first week."
    Then Tom is told Ben Roberts is on the agenda of the next panel meeting

  Scenario: Nothing is saved without the sentence
    Given Tom is signed in
    When Tom finds "amara" and nominates her saying ""
    Then Tom sees the problem "Write a sentence about why you are nominating this pupil"
    And Amara has no panel case

  Scenario: A pupil at another school cannot be nominated
    Given Zoe Quinn is a pupil at Rock Ferry High
    And Tom is signed in
    When Tom finds "zoe"
    Then no pupil is found
    And Tom's nomination page for Zoe answers "page not found"
