"""Start a conference from its published schedule (pretalx / C3VOC ``schedule.json`` or frab
``schedule.xml``).

- ``source``: reads a file or an http(s) URL (timeout, size cap, no other schemes).
- ``parse_json`` / ``parse_xml``: the two formats, detected from the content by ``parser``, give
  the same neutral :class:`~pages.schedule.model.Schedule` (``model``), checked there for
  duplicate ids, unknown rooms and overlapping talks.
- ``writer``: the conference, one day page per day with talks, one talk page per event, matched
  by the event's guid on a re-import; bodies (the notes) are never touched.
- ``importer``: one transaction around it all, dry runs, the report; ``jobs``: the same as a
  background job for the admin view (``admin_views``); ``manage.py import_schedule``.
"""
