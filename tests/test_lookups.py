"""Site, route and privacy look-ups cached per site-wide content version (pages.lookups)."""

from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wagtail.models import PageViewRestriction, Site

import pytest

from tests.factories import ConferenceFactory, DayFactory, TalkFactory

pytestmark = pytest.mark.django_db

LOCMEM = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}


@pytest.fixture
def lookup_caches(settings):
    """Production's per-process caches for the look-ups and the fragments."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {**LOCMEM, "LOCATION": "test-lookups"},
        "fragments": {**LOCMEM, "LOCATION": "test-lookups-fragments"},
    }
    for name in ("default", "fragments"):
        caches[name].clear()
    yield
    for name in ("default", "fragments"):
        caches[name].clear()


@pytest.fixture
def talk(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        conference = ConferenceFactory(title="Lookupconf")
        day = DayFactory(parent=conference, title="Day 1")
        return TalkFactory(parent=day, title="A cached route")


def get(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return response, len(ctx.captured_queries)


def test_a_cached_page_costs_three_queries_and_the_same_bytes(client, talk, settings):
    uncached_lookups, before = get(client, talk.url)
    client.get(talk.url)
    assert get(client, talk.url)[1] == before  # test settings: no cache, nothing changes
    settings.CACHES = {
        **settings.CACHES,
        "default": {**LOCMEM, "LOCATION": "test-lookups-2"},
        "fragments": {**LOCMEM, "LOCATION": "test-lookups-fragments-2"},
    }
    client.get(talk.url)
    response, cached = get(client, talk.url)
    assert response.content == uncached_lookups.content
    # the site-wide token, the page, and its scope's token (for the fragments)
    assert cached == 3, cached
    caches["default"].clear()
    caches["fragments"].clear()


def test_a_new_restriction_is_enforced_at_once(
    client, talk, lookup_caches, django_capture_on_commit_callbacks
):
    assert b"<h1>A cached route</h1>" in client.get(talk.url).content
    conference = talk.get_parent().get_parent()
    # Inside the transaction that adds it (its bump not yet run)...
    restriction = PageViewRestriction.objects.create(
        page=conference, restriction_type=PageViewRestriction.PASSWORD, password="x"
    )
    response = client.get(talk.url)
    assert b'name="password"' in response.content
    assert b"<h1>A cached route</h1>" not in response.content
    restriction.delete()
    # ...and after the commit, from the cache of the new version.
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(
            page=talk, restriction_type=PageViewRestriction.PASSWORD, password="y"
        )
    response = client.get(talk.url)
    assert b'name="password"' in response.content
    assert b"<h1>A cached route</h1>" not in response.content


def test_a_moved_or_renamed_page_is_found_at_its_new_url(
    client, talk, lookup_caches, django_capture_on_commit_callbacks
):
    old_url = talk.url
    assert client.get(old_url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        talk.slug = "renamed-route"
        talk.save_revision().publish()
    talk.refresh_from_db()
    assert client.get(talk.url).status_code == 200
    response = client.get(old_url)  # not the cached route: Wagtail's redirect to the new URL
    assert (response.status_code, response.url) == (301, talk.url)


def test_a_deleted_page_is_gone_at_once(
    client, talk, lookup_caches, django_capture_on_commit_callbacks
):
    url = talk.url
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        talk.delete()
    assert client.get(url).status_code == 404


def test_a_changed_site_is_seen_at_once(
    client, talk, lookup_caches, django_capture_on_commit_callbacks
):
    assert client.get(talk.url).status_code == 200
    site = Site.objects.get(is_default_site=True)
    with django_capture_on_commit_callbacks(execute=True):
        site.is_default_site = False
        site.hostname = "elsewhere.example"
        site.save()
    assert client.get(talk.url).status_code == 404
