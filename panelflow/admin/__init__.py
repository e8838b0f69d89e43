"""Administering accounts: a local authority's administrators create accounts, grant and
remove roles, disable and enable accounts and set passwords, for their own local authority
only. The views are in ``views.py``; the changes are ``accounts.operations``, each audited.
"""
