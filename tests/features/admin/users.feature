Feature: Administering accounts
  A local authority administrator gives people accounts and the roles their jobs need, and
  takes them away again, for their own local authority only. Every change is written to the
  audit trail; so is every refusal to let someone see an account.

  Background:
    Given the shipped workflows are published
    And Alice administers accounts for Wirral Council
    And Wirral Council has a school called "Birkenhead Park Primary"

  Scenario: Creating an account for a CAMHS practitioner, who can then sign in
    Given Alice is signed in
    When she creates an account for "Chris Doyle" at "Chris.Doyle@camhs.example" working for "CAMHS" as "CAMHS practitioner" with an initial password
    Then she sees the account of Chris Doyle with the message "Account created for Chris Doyle"
    And Chris Doyle's account has the email address "chris.doyle@camhs.example", works for "camhs" and holds "camhs_practitioner"
    And the audit trail records "account.create" and "account.role_granted" by Alice
    And Chris Doyle can sign in with that password

  Scenario: An account without an initial password can only use single sign-on
    Given Alice is signed in
    When she creates an account for "Chris Doyle" at "chris.doyle@camhs.example" working for "CAMHS" as "CAMHS practitioner" without a password
    Then she sees the account of Chris Doyle with the message "Account created for Chris Doyle"
    And Chris Doyle cannot sign in with a password

  Scenario: A school account needs a school
    Given Alice is signed in
    When she creates an account for "Sue Park" at "sue.park@school.example" working for "School" as "School staff member" without choosing a school
    Then the form shows the error "Choose the school this person works at"
    And there is no account for "sue.park@school.example"

  Scenario: A school account at one of the local authority's schools
    Given Alice is signed in
    When she creates an account for "Sue Park" at "sue.park@school.example" working for "School" as "School staff member" at "Birkenhead Park Primary"
    Then she sees the account of Sue Park with the message "Account created for Sue Park"
    And the list of users shows "Sue Park" at "Birkenhead Park Primary"

  Scenario: A role of another agency is refused with its reason
    Given Alice is signed in
    When she creates an account for "Chris Doyle" at "chris.doyle@camhs.example" working for "CAMHS" as "Panel chair" with an initial password
    Then the form shows the error "Panel chair is a role of School, but Chris Doyle works for CAMHS"
    And there is no account for "chris.doyle@camhs.example"

  Scenario: An email address can have only one account
    Given Erin, an educational psychologist, has an account with Wirral Council
    And Alice is signed in
    When she creates an account for "Erin Jones" at "Erin.Hughes@ep.example" working for "Educational psychology" as "Inclusion facilitator" with an initial password
    Then the form shows the error "There is already an account for erin.hughes@ep.example"
    And there is no account for "Erin Jones"

  Scenario: A weak initial password is refused with the policy's reason
    Given Alice is signed in
    When she creates an account for "Chris Doyle" at "chris.doyle@camhs.example" working for "CAMHS" as "CAMHS practitioner" with the password "password1234"
    Then the form shows the error "Password is one of the most commonly used passwords"
    And there is no account for "chris.doyle@camhs.example"

  Scenario: The list shows this local authority's accounts, and can be searched
    Given Erin, an educational psychologist, has an account with Wirral Council
    And Oscar administers accounts for Sefton Council
    And Alice is signed in
    When she searches the users for "erin"
    Then the list of users shows "Erin Hughes"
    And the list of users does not show "Alice Admin"
    When she lists the users
    Then the list of users shows "Alice Admin"
    And the list of users shows "Erin Hughes"
    And the list of users does not show "Oscar Admin"

  Scenario: Granting and removing a role
    Given Erin, an educational psychologist, has an account with Wirral Council
    And Alice is signed in
    When she grants Erin the role "inclusion_facilitator"
    Then she sees the message "Inclusion facilitator granted to Erin Hughes"
    And Erin holds the roles "educational_psychologist, inclusion_facilitator"
    And the audit trail records "account.role_granted" for Erin by Alice
    When she removes Erin's role "educational_psychologist"
    Then she sees the message "Educational psychologist removed from Erin Hughes"
    And Erin holds the roles "inclusion_facilitator"
    And the audit trail records "account.role_revoked" for Erin by Alice

  Scenario: A role of another agency cannot be granted
    Given Erin, an educational psychologist, has an account with Wirral Council
    And Alice is signed in
    When she grants Erin the role "panel_chair"
    Then the page shows the error "Panel chair is a role of School, but Erin Hughes works for Educational psychology"
    And Erin holds the roles "educational_psychologist"

  Scenario: Disabling an account signs its person out everywhere
    Given Erin, an educational psychologist, has an account with Wirral Council
    And Erin is signed in on her own computer
    And Alice is signed in
    When she disables Erin's account
    Then she sees the message "The account of Erin Hughes is disabled"
    And Erin's computer is no longer signed in
    And Erin cannot sign in
    And the audit trail records "account.disabled" for Erin by Alice

  Scenario: Enabling a disabled account again
    Given Erin, an educational psychologist, has an account with Wirral Council
    And Erin's account has been disabled
    And Alice is signed in
    When she enables Erin's account
    Then she sees the message "The account of Erin Hughes is enabled"
    And Erin can sign in
    And the audit trail records "account.enabled" for Erin by Alice

  Scenario: Setting a new password signs the person out everywhere
    Given Erin, an educational psychologist, has an account with Wirral Council
    And Erin is signed in on her own computer
    And Alice is signed in
    When she sets Erin's password to "lantern-biscuit-harbour-77"
    Then she sees the message "New password set for Erin Hughes"
    And Erin's computer is no longer signed in
    And Erin can sign in with the password "lantern-biscuit-harbour-77"

  Scenario: An administrator cannot disable their own account
    Given Alice is signed in
    When she disables her own account
    Then the page shows the error "You cannot disable your own account"
    And Alice is still signed in

  Scenario: An administrator cannot remove their own administrator role
    Given Alice is signed in
    When she removes her own role "la_admin"
    Then the page shows the error "You cannot remove your own administrator role"
    And Alice holds the roles "la_admin"

  Scenario: An administrator of another local authority cannot see this one's accounts
    Given Erin, an educational psychologist, has an account with Wirral Council
    And Oscar administers accounts for Sefton Council
    And Oscar is signed in
    When he asks for Erin's account page
    Then the page is not found
    And the audit trail records that Oscar was refused "manage_users" for Erin's account
    When he tries to disable Erin's account
    Then the page is not found
    And Erin's account is still active

  Scenario: A panel chair cannot administer accounts
    Given Priya, a panel chair, is signed in
    When she asks for "/admin/users"
    Then she is refused with "You cannot view this page"
    And the audit trail records that Priya was refused "manage_users"

  Scenario: Someone not signed in is sent to sign in
    When someone who is not signed in asks for "/admin/users"
    Then they are sent to sign in

  Scenario: A form sent without its security token is refused
    Given Alice is signed in
    When a form to create an account is sent without its security token
    Then it is refused with "Your form could not be sent"
    And there is no account for "chris.doyle@camhs.example"
