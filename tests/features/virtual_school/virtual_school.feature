Feature: The virtual school: looked-after pupils appearing for the virtual school head
  A school records that a pupil is looked after, with the date it started. The local
  authority's virtual school head then sees the pupil on their virtual school page, across the
  authority's schools, with their latest attendance, their open cases and the attendance target
  of their personal education plan, and is emailed when the pupil is nominated, escalated or
  referred. A pupil at another authority never appears, and a flag that has ended takes the
  pupil out of the list.

  Background:
    Given the workflows in config/workflows.yaml are published
    And Birkenhead Park Primary is a school of Wirral Council, where Lena Hart is the attendance lead and panel chair
    And Vera Stone is the virtual school head of Wirral Council
    And Amara Hughes is a pupil at Birkenhead Park Primary
    And Dylan Price is a looked-after pupil at Southport Academy, a school of Sefton Council

  Scenario: A looked-after pupil appearing for the virtual school head
    When Lena records on Amara's page that she is looked after from 1 9 2025
    Then Amara's page shows she is looked after from 1 September 2025, recorded by Lena Hart
    When Lena nominates Amara for the panel saying "Missing most Mondays since her move"
    And the panel discusses Amara and she is back on the agenda for review
    And Lena escalates Amara to support first, recording attendance of 82%
    And Vera records on Amara's page a personal education plan target of 95% agreed on 2 3 2026
    Then Vera's virtual school page lists Amara at Birkenhead Park Primary
    And it shows Amara looked after since 1 September 2025
    And it shows Amara's attendance of 82% below her target of 95%
    And it shows Amara's open case "Support first" at "Universal support"
    And it shows "Review: escalate to support first" among Amara's recent steps
    And it does not list Dylan
    And Vera cannot open Dylan's page

  Scenario: A flag that ended drops the pupil out
    Given Lena has recorded that Amara is looked after from 1 9 2025
    Then Vera's virtual school page lists Amara at Birkenhead Park Primary
    When Lena records the end of Amara's looked-after flag today
    Then Vera's virtual school page does not list Amara
    And Vera cannot open Amara's page

  Scenario: Nomination, escalation and referral tell the virtual school head
    Given Lena has recorded that Amara is looked after from 1 9 2025
    When Lena nominates Amara for the panel saying "Missing most Mondays since her move"
    Then the outbox holds 1 email to Vera, "A pupil you support: Nominate for the next panel (School attendance panel)"
    When Lena raises a safeguarding concern on Amara's panel case
    And Lena refers Amara to children's social care on the linked formal case
    Then the outbox holds 3 emails to Vera
    And one of them is "A pupil you support: Refer to children's social care (Statutory referral)"
    And no email names Amara
    And it shows "Refer to children's social care" among Amara's recent steps

  Scenario: A pupil the virtual school does not follow is nominated without telling anyone
    When Lena nominates Amara for the panel saying "Late most days"
    Then the outbox holds 0 emails to Vera
    And Vera's virtual school page does not list Amara

  Scenario: A start date before the pupil was born is refused, with the reason
    When Lena records on Amara's page that she is looked after from 1 9 2001
    Then she is told "The start date must be on or after the pupil's date of birth (4 May 2015)"
    And Vera's virtual school page does not list Amara
