"""Subject access: everything panelflow holds about one pupil, as one audited download.

``gather`` reads the records (and declares which tables it covers), ``render`` writes the
zip (a readable PDF and machine-readable JSON), ``operations`` checks who may export and
audits each export, and ``views`` is the page. ``docs/subject-access.md`` is the guide for
the people who answer requests.
"""
