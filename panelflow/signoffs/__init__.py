"""A second person's sign-off on formal steps (``sign_off:`` in the workflow file)."""
