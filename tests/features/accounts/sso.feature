Feature: Single sign-on for council staff
  Council staff sign in with the account they use for their other council systems, through
  their council's OpenID Connect provider. panelflow trusts only answers it can verify, and
  links a sign-in only to an account an administrator has already created.

  Background:
    Given Alice has a panelflow account for "alice@council.example"
    And single sign-on is set up with the council's provider

  Scenario: A member of staff signs in with their council account
    When Alice signs in with her council account
    Then she is signed in to panelflow as "alice@council.example"
    And the audit trail records that she signed in with single sign-on

  Scenario: panelflow asks the provider for the code with PKCE
    When someone starts to sign in with their council account
    Then they are sent to the council's sign-in page with an S256 code challenge

  Scenario: Signing in with the council account returns to the page asked for
    When Alice asks for "/workflows/versions", then signs in with her council account
    Then she is on "/workflows/versions"

  Scenario: A council account with no panelflow account is refused with a clear page
    When Carol, whose council account has no panelflow account, signs in with it
    Then she sees "There is no panelflow account for carol@elsewhere.example"
    And nobody is signed in
    And the audit trail records a refused single sign-on

  Scenario: A council account whose email is not verified is refused
    Given Bob has a panelflow account for "bob@council.example"
    When Bob, whose council email is not verified, signs in with his council account
    Then she sees "Your council account's email address is not verified"
    And nobody is signed in

  Scenario Outline: An ID token that cannot be trusted is refused
    Given the answers from the provider are tampered with: <tampering>
    When Alice signs in with her council account
    Then she sees "Sign-in did not complete"
    And nobody is signed in
    And the audit trail records a refused single sign-on

    Examples:
      | tampering      |
      | expired        |
      | forged         |
      | wrong_audience |
      | wrong_nonce    |
      | wrong_issuer   |
