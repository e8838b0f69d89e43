Feature: Need-to-know: who sees which pupils
  Children's attendance, health and social care records are special-category personal data.
  Each person sees the pupils their work needs, and no more; the rule is applied in the
  database query, so a list can never show more than the person may see.

  Background:
    Given Wirral Council with Birkenhead Park Primary and Rock Ferry High
    And Amara is on the roll at Birkenhead Park Primary
    And Ben is on the roll at Rock Ferry High
    And Chloe, who is looked after, is on the roll at Rock Ferry High
    And Dylan, who is looked after, is on the roll at a school in Sefton

  Scenario Outline: School staff see the pupils on their own school's roll
    Given a <role> at <school>
    Then they see exactly <pupils>

    Examples:
      | role            | school                  | pupils       |
      | panel chair     | Birkenhead Park Primary | Amara        |
      | school staff    | Rock Ferry High         | Ben, Chloe   |
      | attendance lead | Rock Ferry High         | Ben, Chloe   |

  Scenario: CAMHS sees a pupil once the panel asks CAMHS, and only while involved
    Given a CAMHS practitioner
    And consent to share Ben's case with CAMHS is recorded
    Then they see exactly nobody
    When Rock Ferry High's panel asks CAMHS for a consultation about Ben
    Then the CAMHS practitioner sees exactly Ben
    When the CAMHS practitioner completes the action
    Then the CAMHS practitioner sees exactly nobody

  Scenario: Another agency does not see a pupil because CAMHS was asked
    Given a CAMHS practitioner
    And a youth worker
    And consent to share Ben's case with CAMHS is recorded
    When Rock Ferry High's panel asks CAMHS for a consultation about Ben
    Then the youth worker sees exactly nobody

  Scenario: The virtual school head sees looked-after children in their own authority
    Given a virtual school head for Wirral Council
    Then they see exactly Chloe

  Scenario Outline: Local authority roles do not read children's records by virtue of the role
    Given a <role> for Wirral Council
    Then they see exactly nobody

    Examples:
      | role                 |
      | LA workflow editor   |
      | LA administrator     |
      | auditor              |
