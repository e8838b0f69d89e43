Feature: Who may need a conversation
  Each school's attendance is imported week by week. panelflow lists the pupils whose
  attendance has just crossed the persistent (10%) or severe (50%) absence threshold with the
  latest week, or is falling fast (10 points or more from one 4 school weeks to the next), each
  with the reason in words. It only suggests: it nominates nobody. Each row links to the pupil,
  and to the nomination page for people who may nominate there. Only pupils the person may
  see are ever listed.

  Background:
    Given the workflows in config/workflows.yaml are published
    And Lena Hart is the attendance lead at Birkenhead Park Primary
    And Sam Steady at Birkenhead Park Primary attended 10 10 10 10 10 10 10 10 of 10 sessions a week

  Scenario: A pupil who has just become persistently absent
    Given Amara Hughes at Birkenhead Park Primary attended 9 9 9 10 9 9 9 8 of 10 sessions a week
    When Lena opens the list of pupils who may need a conversation
    Then it lists Amara because "Became persistently absent with the week of 13 April 2026: 90% attendance this year, 10% of sessions missed (persistent absence is 10% or more missed)"
    And it offers to nominate Amara for the panel
    And it does not list Sam

  Scenario: A pupil who has just become severely absent
    Given Bilal Khan at Birkenhead Park Primary attended 6 5 5 5 5 5 5 4 of 10 sessions a week
    When Lena opens the list of pupils who may need a conversation
    Then it lists Bilal because "Became severely absent with the week of 13 April 2026: 50% attendance this year, 50% of sessions missed (severe absence is 50% or more missed)"
    And it does not say Bilal became persistently absent

  Scenario: A pupil whose attendance is falling fast
    Given Cara Jones at Birkenhead Park Primary attended 10 10 10 10 9 9 8 8 of 10 sessions a week
    When Lena opens the list of pupils who may need a conversation
    Then it lists Cara because "Attendance fell from 100% to 85% over the last 4 school weeks"

  Scenario: A pupil absent all along, and steadily, is not suggested again
    Given Dan Evans at Birkenhead Park Primary attended 8 8 8 8 8 8 8 8 of 10 sessions a week
    When Lena opens the list of pupils who may need a conversation
    Then it lists nobody
    And it says attendance is imported to 17 April 2026

  Scenario: A pupil already on the panel's agenda is listed as such
    Given Amara Hughes at Birkenhead Park Primary attended 9 9 9 10 9 9 9 8 of 10 sessions a week
    And Lena has nominated Amara for the panel
    When Lena opens the list of pupils who may need a conversation
    Then it lists Amara with her open case "School attendance panel" on the panel's agenda
    And it does not offer to nominate Amara

  Scenario: A pupil outside need-to-know is never listed
    Given Dylan Price at Rock Ferry High attended 9 9 9 10 9 9 9 8 of 10 sessions a week
    When Lena opens the list of pupils who may need a conversation
    Then it lists nobody
    And asking for Rock Ferry High's list tells Lena "Choose a school from the list"

  Scenario: The virtual school head picks one of several schools
    Given Vera Stone is the virtual school head
    And Amara Hughes at Birkenhead Park Primary attended 9 9 9 10 9 9 9 8 of 10 sessions a week
    And Amara is looked after
    And Dylan Price at Rock Ferry High attended 9 9 9 10 9 9 9 8 of 10 sessions a week
    And Dylan is looked after
    When Vera opens the list of pupils who may need a conversation
    Then she is asked to choose one of 2 schools
    When Vera chooses Rock Ferry High
    Then it lists Dylan because "Became persistently absent with the week of 13 April 2026: 90% attendance this year, 10% of sessions missed (persistent absence is 10% or more missed)"
    And it does not list Amara
    And it does not offer to nominate Dylan

  Scenario: People who do not see pupils are refused
    Given Wendy Ward is a workflow editor
    When Wendy opens the list of pupils who may need a conversation
    Then she is refused
