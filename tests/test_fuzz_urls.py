"""Property-based fuzzing of every public URL: hostile path and query values never get a 5xx.

Issue 18. The URL patterns come from the resolver, so a new public URL is fuzzed without
touching this file. Every pattern outside ``/admin/`` is walked (the admin needs a login and is
covered by the permission sweep, ``tests/test_permissions.py``): visitor pages, feeds,
calendars, search, the sitemap, documents, Wagtail's page serving and password forms, and
every API v2 endpoint with its documented query parameters.

For each pattern Hypothesis draws ``FUZZ_EXAMPLES`` requests (profile ``fuzz-urls`` in
``tests/conftest.py``: a fixed number per pattern, ``derandomize=True`` so CI is reproducible,
no deadline). Each request fills the pattern's parameters with either a realistic value (a
slug or id of the demo-like content built from the factories) or a hostile one: NUL and other
control characters, integers far beyond 64 bits, unicode oddities (surrogate-free but
right-to-left marks, combining marks, BOMs, non-ASCII digits), very long strings; and it adds
query parameters (the endpoint's own plus a few any view might read), some repeated as arrays.
Methods include ones the views do not serve. The property: the answer is never a 5xx.

Runs in ``make test`` on SQLite, and on PostgreSQL with ``DATABASE_URL``. More examples:
``FUZZ_EXAMPLES=200 .venv/bin/python -m pytest tests/test_fuzz_urls.py``.
"""

import re
from urllib.parse import quote, urlencode

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from wagtail.models import PageViewRestriction

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.factories import ConferenceFactory, DayFactory, SpeakerFactory, TalkFactory

pytestmark = pytest.mark.django_db

#: Left out: the admin (logins; the permission sweep requests every admin URL instead).
EXCLUDED_PREFIXES = ("admin/",)

#: Query parameters any view might read (listings, search and its facets, formats).
COMMON_PARAMS = ["page", "q", "conference", "tag", "speaker", "lang", "format", "p"]

HOSTILE = [
    "\x00",
    "a\x00b",
    "\x01\x1f\x7f",
    "-1",
    "0",
    str(2**31),
    str(2**63 - 1),
    str(2**63),
    "9" * 20,
    "9" * 400,
    "-" + "9" * 20,
    "1e309",
    "NaN",
    "1.5",
    " 7 ",
    "٣",  # a digit, not ASCII
    "²",
    "\u202e",  # right-to-left override
    "e\u0301",  # combining accent
    "\ufeff",
    "\uffff",
    "🐍",
    "İ",
    "ß" * 300,
    "a" * 5000,
    "../../etc/passwd",
    "' OR 1=1 --",
    '"><script>alert(1)</script>',
    "%",
    "%00",
    "&",
    "=",
    "#",
    "?",
    "/",
    "\\",
    "*",
    "[]",
    "true",
    "null",
    "pages.TalkPage",
    "wagtailcore.Page",
    "-title",
    "random",
    "*,-title",
    "_",
]

hostile_values = st.one_of(
    st.sampled_from(HOSTILE),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=40),
)

METHODS = ["GET", "GET", "GET", "GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"]

#: Wagtail's page serving pattern (``wagtail.urls``).
SERVE_PATTERN = r"((?:[\w\-]+/)*)"


def public_patterns() -> list[tuple[str, object]]:
    """Every URL pattern outside the excluded prefixes: (full route text, callback)."""

    def walk(patterns, prefix=""):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                yield route, pattern.callback

    found = {}
    for route, callback in walk(get_resolver().url_patterns):
        if not route.startswith(EXCLUDED_PREFIXES):
            found.setdefault(route, callback)
    return sorted(found.items())


def query_params(callback) -> list[str]:
    """The parameters a view documents (API v2: Wagtail's known ones and its filter fields)."""
    view = getattr(callback, "cls", None)
    params = list(COMMON_PARAMS)
    if view is not None and hasattr(view, "known_query_parameters"):
        params += sorted(view.known_query_parameters | view.find_query_parameters)
        params += [f for f in view.body_fields + view.meta_fields if isinstance(f, str)]
    return params


class Content:
    """Demo-like content: real pages, a speaker, a tag, a private section."""

    def __init__(self):
        self.speaker = SpeakerFactory(name="Ada Fuzzwell")
        self.conference = ConferenceFactory(title="Fuzzconf 2026")
        self.day = DayFactory(parent=self.conference, title="Day one")
        self.talk = TalkFactory(parent=self.day, title="Fuzzing talk", speakers=[self.speaker])
        self.talk.tags.add("testing", "!!!")
        self.talk.save()
        self.private_day = DayFactory(parent=self.conference, title="Private day", day_number=2)
        self.restriction = PageViewRestriction.objects.create(
            page=self.private_day, restriction_type=PageViewRestriction.PASSWORD, password="pw"
        )
        self.page_paths = [
            page.url.strip("/") for page in (self.conference, self.day, self.talk, self.private_day)
        ]
        tag = self.talk.tags.get(name="testing")
        #: Realistic values by parameter name (anything else: an id of the talk).
        self.realistic = {
            "slug": [self.conference.slug, tag.slug, self.speaker.slug, "no-such-slug"],
            "pk": [str(self.talk.pk), str(self.day.pk), str(self.speaker.pk)],
            "page_view_restriction_id": [str(self.restriction.pk)],
            "page_id": [str(self.private_day.pk)],
            "path": self.page_paths,
            "section": ["pages", "speakers"],
        }


def fill(route: str, content: Content, draw) -> str:
    """The route with each parameter (``<conv:name>`` or a regex group) replaced by a drawn
    value, percent-encoded; the regex anchors removed."""
    if SERVE_PATTERN in route:  # Wagtail's page serving: real page paths, or hostile segments
        path = draw(st.sampled_from(["", *content.page_paths]))
        extra = draw(st.one_of(st.just(""), hostile_values.map(lambda v: quote(v, safe=""))))
        return "/" + "/".join(part for part in (path, extra) if part) + "/"
    url, index = [], 0
    while index < len(route):
        char = route[index]
        if char == "<":
            end = route.index(">", index)
            name = route[index + 1 : end].split(":")[-1]
        elif char == "(":
            end, depth = index + 1, 1
            while depth:
                depth += {"(": 1, ")": -1}.get(route[end], 0)
                end += 1
            end -= 1
            named = re.match(r"\(\?P<(\w+)>", route[index:])
            name = named.group(1) if named else "group"
        else:
            if char not in "^$\\":
                url.append(char)
            index += 1
            continue
        realistic = content.realistic.get(name, [str(content.talk.pk)])
        url.append(quote(draw(st.one_of(st.sampled_from(realistic), hostile_values)), safe=""))
        index = end + 1
    return "/" + "".join(url)


def request_strategy(route: str, callback, content: Content):
    params = query_params(callback)

    @st.composite
    def draw_request(draw):
        url = fill(route, content, draw)
        names = draw(st.lists(st.sampled_from(params) | hostile_values, max_size=4))
        query = [
            (name, value)
            for name in names
            for value in draw(st.lists(hostile_values, min_size=1, max_size=3))  # arrays too
        ]
        if query:
            url += "?" + urlencode(query)
        return draw(st.sampled_from(METHODS)), url

    return draw_request()


PATTERNS = public_patterns()


def test_the_walk_covers_the_public_site():
    """The resolver's patterns include the site's own, the API's and Wagtail's page serving."""
    routes = [route for route, _ in PATTERNS]
    for expected in (
        "speakers/<str:slug>/",
        "calendars/talks/<int:pk>.ics",
        "feeds/tags/<str:slug>/atom/",
        "search/",
        "sitemap.xml",
        "api/v2/^pages/",
        "api/v2/^pages/find/",
        "api/v2/^images/<int:pk>/",
        "api/v2/^speakers/",
        "documents/^(\\d+)/(.*)$",
        "_util/authenticate_with_password/<int:page_view_restriction_id>/<int:page_id>/",
    ):
        assert expected in routes, expected
    assert any(SERVE_PATTERN in route for route in routes), "Wagtail's page serving"
    assert not any(route.startswith("admin/") for route in routes)
    api_pages = dict(PATTERNS)["api/v2/^pages/"]
    assert {"html_path", "search", "offset", "limit", "type"} <= set(query_params(api_pages))


@pytest.mark.parametrize("route", [route for route, _ in PATTERNS])
def test_hostile_requests_never_get_a_5xx(route):
    content = Content()
    callback = dict(PATTERNS)[route]
    client = Client(raise_request_exception=False)
    failures = []

    @hypothesis_settings(hypothesis_settings.get_profile("fuzz-urls"))
    @given(request=request_strategy(route, callback, content))
    def run(request):
        method, url = request
        response = client.generic(method, url)
        if response.status_code >= 500:
            failures.append(f"{method} {url[:300]} -> {response.status_code}")
        assert response.status_code < 500, f"{method} {url[:300]} -> {response.status_code}"

    run()
    assert not failures
