"""Search results cached until the content (and so the index) changes (pages.search.views)."""

from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wagtail.contrib.search_promotions.models import Query, SearchPromotion

import pytest

from tests.conftest import in_memory_caches
from tests.factories import ConferenceFactory, DayFactory, TalkFactory
from tests.test_search import para

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fragment_cache(settings):
    in_memory_caches(settings, "fragments")
    yield
    caches["fragments"].clear()


@pytest.fixture
def day(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        conference = ConferenceFactory(title="Cacheable search 2026")
        day = DayFactory(parent=conference, title="Day 1")
        TalkFactory(parent=day, title="Queues in practice", body=[para("Celery and queues.")])
    return day


def searched(client, q: str) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/search/", {"q": q})
    assert response.status_code == 200
    return response.content.decode(), len(ctx.captured_queries)


def test_the_same_search_again_is_the_same_page_from_the_cache_and_still_counted(client, day):
    first, uncached = searched(client, "queues")
    again, cached = searched(client, "queues")
    assert again == first and "Queues in practice" in again
    # the version, the search-terms record and today's hit (its transaction)
    assert cached <= 6 < uncached, (cached, uncached)
    assert Query.get("queues").hits == 2


def test_a_publish_shows_in_the_next_search(client, day, django_capture_on_commit_callbacks):
    assert "Queues at scale" not in searched(client, "queues")[0]
    with django_capture_on_commit_callbacks(execute=True):
        TalkFactory(parent=day, title="Queues at scale", body=[para("More queues.")])
    assert "Queues at scale" in searched(client, "queues")[0]


def test_a_new_promotion_shows_in_the_next_search(client, day, django_capture_on_commit_callbacks):
    assert "Editors’ picks" not in searched(client, "queues")[0]
    with django_capture_on_commit_callbacks(execute=True):
        SearchPromotion.objects.create(
            query=Query.get("queues"), page=day, sort_order=0, description="Start here"
        )
    assert "Editors’ picks" in searched(client, "queues")[0]


def test_editors_are_not_served_the_cached_page(client, day, admin_user):
    searched(client, "queues")
    client.force_login(admin_user)
    _html, queries = searched(client, "queues")
    assert queries > 6
