Feature: Signing in
  panelflow holds information about children, so only people whose local authority gave them
  an account can sign in, guessing passwords is stopped early, and sessions end when they
  should.

  Background:
    Given Priya, a panel chair, has an account

  Scenario: Signing in with the right password
    When Priya signs in with her password
    Then she is signed in and sees the home page
    And the audit trail records that she signed in with a password

  Scenario: A wrong password is refused without saying which part was wrong
    When Priya signs in with the password "not-her-password-at-all"
    Then she is told "Enter a correct email address and password"
    And she is not signed in
    And the audit trail records a failed sign-in

  Scenario: Someone without an account is refused in the same words
    When "stranger@elsewhere.example" signs in with the password "whatever-password-1"
    Then she is told "Enter a correct email address and password"

  Scenario: A disabled account cannot sign in
    Given Priya's account has been disabled
    When Priya signs in with her password
    Then she is told "Enter a correct email address and password"

  Scenario: Five failed attempts lock the account for 15 minutes
    Given 5 failed attempts to sign in as Priya in the last 10 minutes
    When Priya signs in with her password
    Then she is told "This account is locked for 15 minutes after 5 failed attempts to sign in"
    And she is not signed in
    And the audit trail records a locked sign-in

  Scenario: The lock ends after 15 minutes
    Given 5 failed attempts to sign in as Priya 16 minutes ago
    When Priya signs in with her password
    Then she is signed in and sees the home page

  Scenario: Many failed attempts from one network are stopped, whoever they were for
    Given 20 failed attempts to sign in as other people from Priya's network in the last 10 minutes
    When Priya signs in with her password
    Then she is told "There have been too many failed attempts to sign in from your network"

  Scenario: Signing in starts a new session
    Given Priya has opened the sign-in page
    When Priya signs in with her password
    Then the session she had before signing in is not the one she has now

  Scenario: Signing in brings you back to the page you asked for
    When Priya asks for "/workflows/versions" before signing in
    Then she is sent to sign in
    And after signing in she is on "/workflows/versions"

  Scenario: Signing in never sends you to another site
    When Priya signs in with her password and a return address of "//evil.example/steal"
    Then she is signed in and sees the home page

  Scenario: A session left alone for more than 30 minutes ends
    Given Priya is signed in
    When she comes back after 31 minutes without doing anything
    Then she is sent to sign in with the message "You were signed out after 30 minutes without activity"

  Scenario: A session ends 10 hours after signing in, however busy
    Given Priya is signed in
    When she is still working 11 hours after signing in
    Then she is sent to sign in with the message "You were signed out because you signed in more than 10 hours ago"

  Scenario: Signing out
    Given Priya is signed in
    When she signs out
    Then she is sent to sign in with the message "You have signed out"
    And she is not signed in

  Scenario: Signing out everywhere ends her sessions on other devices
    Given Priya is signed in on her laptop and on a shared computer
    When she signs out everywhere from her laptop
    Then the shared computer is no longer signed in
    And the audit trail records that she signed out everywhere

  Scenario: A form sent without its security token is refused
    Given Priya is signed in
    When a form is sent to sign her out without its security token
    Then it is refused with "Your form could not be sent"
    And she is still signed in
