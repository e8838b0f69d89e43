"""Each local authority's term dates: the holidays and training days that school days skip.

``dates`` reads the term-dates file LA officers write (``config/term-dates.yaml``), ``ical``
reads the .ics calendars many authorities publish, both into the same checked ``TermDates``;
``operations`` stores them per authority and builds the ``SchoolCalendar`` that timers and
conditions count school days on.
"""
