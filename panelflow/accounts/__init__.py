"""People: accounts, sign-in (local and single sign-on), sessions and role assignments."""
