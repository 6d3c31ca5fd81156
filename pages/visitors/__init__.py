"""What readers arriving from a feed, a search engine, a shared link or a calendar get.

``views`` (speaker and tag pages, robots.txt), ``feeds`` (RSS/Atom), ``calendars`` (iCalendar),
``sitemaps``, ``api`` (Wagtail API v2, read-only) and ``listings`` (the fixed-query helpers
they share). ``site_core.urls`` routes them. Meta descriptions and JSON-LD are in
``pages.structured_data`` (the page classes' ``describe()`` and ``json_ld()`` use it too).
"""
