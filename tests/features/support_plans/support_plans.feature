Feature: A case that steps up and down through support first, in the web pages
  An attendance lead opens support first for a pupil straight from the pupil's page, without
  waiting for a panel. Reviews are recorded on the case page; once the stage needs it, an
  attendance support plan is agreed with the family: the barriers, who will do what, the
  targets, the review date, and the pupil's and the family's own words. Each review rates
  progress against every target of the current plan and decides what happens next. The
  plan and the letter after a review can be printed or downloaded as a PDF, from templates
  the local authority edits.

  Background:
    Given the workflows in config/workflows.yaml are published
    And Alex Taylor is a pupil at Birkenhead Park Primary
    And Lee Lead is the school attendance lead at Birkenhead Park Primary
    And Lee is signed in

  Scenario: A case that steps up and down through support first
    When Lee opens support first from Alex's page
    Then Lee sees Alex's support-first case at "Universal support"
    And the case page says "No attendance support plan has been agreed yet"
    When Lee records a review of universal support, deciding "Step up to more support"
    Then the case page says "Decision: Step up to more support"
    When Lee takes "Step up to targeted support", writing "First-day calls and a welcome-back chat did not help"
    Then Lee sees Alex's support-first case at "Agreeing a plan with the family"
    When Lee agrees this plan with Alex's family:
      | part           | who                                       | what                                         | by          |
      | barrier        | pupil                                     | anxiety or low mood                          |             |
      | barrier        | in words                                  | Mornings are hard since dad moved out        |             |
      | commitment     | The school                                | A quiet start in the library each morning    |             |
      | commitment     | The family                                | An alarm at 7:15 on school days              |             |
      | commitment     | LA attendance service (education welfare) | Call home every Friday                       | in 2 weeks  |
      | target         |                                           | In school by 8:50 on four days a week        | in 6 weeks  |
      | target         |                                           | Go to the lunchtime club twice a week        | in 3 weeks  |
      | review         |                                           |                                              | in 6 weeks  |
      | pupil's views  |                                           | I like the library. Mondays are the worst.   |             |
      | family's views |                                           | Please call on Fridays, not Mondays.         |             |
    Then Lee sees Alex's support-first case at "Targeted support"
    And the case page shows the plan:
      | In school by 8:50 on four days a week      |
      | Go to the lunchtime club twice a week      |
      | A quiet start in the library each morning  |
      | I like the library. Mondays are the worst. |
      | Please call on Fridays, not Mondays.       |
      | Not reviewed yet                           |
    And the plan document reads "Alex's attendance support plan" and "Go to the lunchtime club twice a week"
    And the plan document downloads as a PDF
    And the audit trail records that Lee opened and downloaded the plan document
    When 9 weeks pass
    And Lee reviews the plan, deciding "Step up to more support":
      | target                                | progress   | notes                              |
      | In school by 8:50 on four days a week | Not met    | Two days most weeks; Mondays worst |
      | Go to the lunchtime club twice a week | Partly met | Goes on Wednesdays                 |
    Then the case page shows the plan:
      | Not met                            |
      | Two days most weeks; Mondays worst |
      | Partly met                         |
      | Step up to more support            |
    And the review letter reads "How the targets went" and "Two days most weeks; Mondays worst"
    And the review letter downloads as a PDF
    When Lee takes "Step up to intensive multi-agency support", writing "Nine weeks of the plan; still two days a week"
    Then Lee sees Alex's support-first case at "Intensive multi-agency support"
    When Lee reviews the plan, deciding "Step down to less support":
      | target                                | progress | notes                 |
      | In school by 8:50 on four days a week | Met      | Every day but one     |
      | Go to the lunchtime club twice a week | Met      | Twice a week, happily |
    And Lee takes "Step down to less intensive support", writing "In school nearly every day for four weeks"
    Then Lee sees Alex's support-first case at "Targeted support"
    And the history shows 3 reviews and the plan, readably

  Scenario: A mistake in the plan is shown beside its input, and nothing typed is lost
    Given Lee has opened support first for Alex, reviewed it and stepped up to targeted support
    When Lee agrees this plan with Alex's family:
      | part           | who        | what                                      | by         |
      | barrier        | pupil      | anxiety or low mood                       |            |
      | commitment     | The school | A quiet start in the library each morning |            |
      | commitment     | The family | An alarm at 7:15 on school days           |            |
      | target         |            | In school by 8:50 on four days a week     | in 6 weeks |
      | target         |            | Go to the lunchtime club twice a week     |            |
      | review         |            |                                           | in 6 weeks |
      | pupil's views  |            | I like the library.                       |            |
      | family's views |            | Fridays please.                           |            |
    Then Lee sees the problem "Target 2: give a date to meet it by" beside "support_plan-targets-2-by"
    And the form still holds "Go to the lunchtime club twice a week", "A quiet start in the library each morning" and "I like the library."
    And Lee sees Alex's support-first case at "Agreeing a plan with the family"

  Scenario: A pupil has one open support-first case at a time
    Given Lee has opened support first for Alex
    When Lee tries to open support first for Alex again
    Then Lee is told "Alex already has an open support-first case"
    And Alex has 1 support-first case

  Scenario: Only attendance leads and EWOs open support first straight away
    Given Tess Teacher is a school staff member at Birkenhead Park Primary
    And Tess is signed in
    Then Alex's page has no link to open support first
    And opening support first for Alex is forbidden

  Scenario: Documents are for those who may see the case
    Given Lee has opened support first for Alex, reviewed it and stepped up to targeted support
    And Lee has agreed a plan with Alex's family
    And Cara Camhs is a CAMHS practitioner
    And Cara is signed in
    Then the plan document is not found for Cara

  Scenario: A mistake in the local authority's template names the file and the line
    Given Lee has opened support first for Alex, reviewed it and stepped up to targeted support
    And Lee has agreed a plan with Alex's family
    And the plan template has a mistake on line 3
    Then the plan document says "support_plan.html:3" and that it cannot be made
    And no document opening is audited
