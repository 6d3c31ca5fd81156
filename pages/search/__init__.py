"""Site search (``/search/``): ``query`` parses what visitors type, ``ranking`` ranks matches
fast on the database backends (the only use of Wagtail's private search API, with a fallback),
``facets`` counts and filters by conference, tag, speaker and language, ``hits`` records the
search-terms statistics, ``views`` are the search page and the suggestions."""
