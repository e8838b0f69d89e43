"""Impact evidence from panelflow's own records: what funded help did to attendance.

``windows`` places the before and after windows in school weeks; ``measures`` asks the
database for each intervention's attendance in them (one SQL aggregate); ``reports`` groups
the measures into breakdowns and ``suppression`` withholds small groups; ``barriers`` counts
the barriers panels record; ``charts`` and ``exports`` draw and download the same tables;
``operations`` audits each export; ``views`` serves the pages. See ``docs/impact.md``.
"""
