"""Cached page fragments (pages.fragments): same bytes, fewer queries, never stale, never drafts."""

import datetime
import re

from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from wagtail.models import PageViewRestriction

import pytest

from pages.fragments import ContentVersion, PendingBump, bump_now, current_token
from tests.factories import (
    ConferenceFactory,
    DayFactory,
    ImageFactory,
    SpeakerFactory,
    TalkFactory,
    mixed_body,
)

pytestmark = pytest.mark.django_db

LOCMEM = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}


@pytest.fixture(autouse=True)
def fragment_cache(settings):
    """A real (per-process) fragments cache, as in production; the rest stays dummy."""
    settings.CACHES = {
        **settings.CACHES,
        "fragments": {**LOCMEM, "LOCATION": "test-fragments"},
    }
    caches["fragments"].clear()
    yield caches["fragments"]
    caches["fragments"].clear()


def bumps(callbacks) -> int:
    return sum(isinstance(callback, PendingBump) for callback in callbacks)


@pytest.fixture
def tree(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return make_tree()


def make_tree(name: str = "Cacheconf 2026", speaker_name: str = "Ada Example"):
    conference = ConferenceFactory(title=name)
    day = DayFactory(parent=conference, title="Day 1", date=datetime.date(2026, 5, 4))
    speaker = SpeakerFactory(name=speaker_name)
    image = ImageFactory()
    talks = [
        TalkFactory(
            parent=day,
            title=f"Talk {n}",
            start_time=datetime.time(9 + n),
            body=mixed_body(12, image=image, speaker=speaker),
            speakers=[speaker],
        )
        for n in range(3)
    ]
    return {"conference": conference, "day": day, "talks": talks, "speaker": speaker}


def html_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def queries_of(client, url: str) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as ctx:
        html = html_of(client, url)
    return html, len(ctx.captured_queries)


def pager(html: str) -> list[str]:
    return re.findall(
        r'rel="(?:prev|next)"><span class="pager__label">[^<]*</span> ([^<]*)</a>', html
    )


def test_cached_page_is_the_same_bytes_with_fewer_queries(client, tree, fragment_cache):
    url = tree["talks"][1].url
    html_of(client, url)  # first view: renditions are created
    fragment_cache.clear()
    first, uncached = queries_of(client, url)
    second, cached = queries_of(client, url)
    assert second == first
    assert pager(first) == ["Talk 0", "Talk 2"]
    # Site, routing (3), the view-restriction check (2), the content version, and the sites'
    # root paths (production caches those; test settings have no cache).
    assert cached <= 8 < uncached, (cached, uncached)


@pytest.mark.parametrize("page_type", ["conference", "day"])
def test_listing_pages_are_unchanged_by_the_cache(client, tree, fragment_cache, page_type):
    url = tree[page_type].url
    first = html_of(client, url)
    assert html_of(client, url) == first
    assert "Day 1" in first


def edits():
    """(name, change(tree), what the first talk's page shows afterwards)."""

    def publish_new_title(tree):
        talk = tree["talks"][0]
        talk.title = "Talk zero, revised"
        talk.save_revision().publish()
        return "Talk zero, revised"

    def rename_neighbour(tree):
        talk = tree["talks"][1]
        talk.title = "Renamed neighbour"
        talk.save_revision().publish()
        return "Renamed neighbour"

    def rename_speaker(tree):
        tree["speaker"].name = "Ada Renamed"
        tree["speaker"].save()
        return "Ada Renamed"

    def rename_conference(tree):
        conference = tree["conference"]
        conference.title = "Cacheconf Renamed"
        conference.save_revision().publish()
        return "Cacheconf Renamed"

    def add_talk(tree):
        TalkFactory(parent=tree["day"], title="Brand new talk", start_time=datetime.time(9, 30))
        return "Brand new talk"

    return [publish_new_title, rename_neighbour, rename_speaker, rename_conference, add_talk]


@pytest.mark.parametrize("edit", edits(), ids=lambda f: f.__name__)
def test_an_edit_shows_at_once(client, tree, edit, django_capture_on_commit_callbacks):
    url = tree["talks"][0].url
    before = html_of(client, url)
    assert html_of(client, url) == before  # now served from the cache
    with django_capture_on_commit_callbacks(execute=True):
        expected = edit(tree)
    assert expected not in before
    assert expected in html_of(client, tree["talks"][0].url)


def test_unpublishing_deleting_restricting_and_moving_a_neighbour(
    client, tree, django_capture_on_commit_callbacks
):
    first, second, third = tree["talks"]
    assert pager(html_of(client, second.url)) == ["Talk 0", "Talk 2"]
    with django_capture_on_commit_callbacks(execute=True):
        first.unpublish()
    assert pager(html_of(client, second.url)) == ["Talk 2"]
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(
            page=third, restriction_type=PageViewRestriction.PASSWORD, password="x"
        )
    assert pager(html_of(client, second.url)) == []
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.filter(page=third).delete()
    assert pager(html_of(client, second.url)) == ["Talk 2"]
    other_day = DayFactory(parent=tree["conference"], title="Day 2", day_number=2)
    assert pager(html_of(client, second.url)) == ["Talk 2"]  # cached again
    with django_capture_on_commit_callbacks(execute=True):
        third.move(other_day, pos="last-child")
    html = html_of(client, second.url)
    assert "Next talk · Day 2</span> Talk 2" in html
    with django_capture_on_commit_callbacks(execute=True):
        third.delete()
    assert pager(html_of(client, second.url)) == []


def article(html: str) -> str:
    return re.search(r"<article.*</article>", html, re.S).group(0)


def test_the_token_in_the_database_decides(client, tree):
    """Another app server bumps the version: this process's cached copy is not used again."""
    talk = tree["talks"][0]
    before = article(html_of(client, talk.url))
    # A change no signal sees (as if made by another process before its bump reached us)...
    type(talk).objects.filter(pk=talk.pk).update(summary="Changed behind the cache")
    assert article(html_of(client, talk.url)) == before
    # ...then the other process's bump, straight in the table:
    ContentVersion.objects.filter(pk=1).update(token="from-another-server")
    assert "Changed behind the cache" in article(html_of(client, talk.url))


def test_previews_and_drafts_are_never_cached(client, tree):
    talk = tree["talks"][0]
    public = html_of(client, talk.url)
    talk.title = "Draft title only"
    revision = talk.save_revision()
    draft = revision.as_object()
    response = draft.make_preview_request(None, draft.default_preview_mode)
    assert "Draft title only" in response.content.decode()
    # The preview left nothing in the cache for visitors, and drew nothing from it.
    assert html_of(client, talk.url) == public
    assert "Draft title only" not in public


def test_one_bump_per_transaction(tree, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        for n in range(3):
            SpeakerFactory(name=f"Batch {n}")
        tree["talks"][0].save_revision().publish()
    assert bumps(callbacks) == 1


def test_drafts_and_locks_keep_the_cache(tree, django_capture_on_commit_callbacks):
    talk = tree["talks"][0]
    with django_capture_on_commit_callbacks() as callbacks:
        talk.title = "Only a draft"
        revision = talk.save_revision()
        talk.locked = True
        talk.save(update_fields=["locked"])
    assert bumps(callbacks) == 0
    with django_capture_on_commit_callbacks() as callbacks:
        revision.publish()
    assert bumps(callbacks) == 1


def test_fixture_loads_count_migrations_historical_models_do_not(
    db, django_capture_on_commit_callbacks
):
    from django.apps import apps as registry
    from django.db.migrations.state import ProjectState

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        SpeakerFactory.build(name="From a fixture").save_base(raw=True)
    assert bumps(callbacks) == 1  # and it ran: a later change would register its own
    historical = ProjectState.from_apps(registry).apps.get_model("snippets", "Speaker")
    with django_capture_on_commit_callbacks() as callbacks:
        historical.objects.create(name="From a data migration", slug="from-a-data-migration")
    assert bumps(callbacks) == 0


def test_a_rolled_back_change_does_not_swallow_a_later_one(
    tree, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            SpeakerFactory(name="Rolled back")
            raise RuntimeError
        SpeakerFactory(name="Kept")
    assert bumps(callbacks) == 1


def test_bump_changes_the_token_and_recreates_a_missing_row(db):
    before = current_token()
    bump_now()
    after = current_token()
    assert after and after != before
    ContentVersion.objects.all().delete()
    assert current_token() is None
    bump_now()
    assert current_token()


def test_without_a_token_pages_render_uncached(client, tree, fragment_cache):
    ContentVersion.objects.all().delete()
    talk = tree["talks"][0]
    html_of(client, talk.url)
    _html, first = queries_of(client, talk.url)
    _html, second = queries_of(client, talk.url)
    assert first == second > 8


class BrokenCache(BaseCache):
    """A shared cache that is down."""

    def __init__(self, location, params):
        super().__init__(params)

    def get(self, key, default=None, version=None):
        raise ConnectionError("cache server refused the connection")

    def set(self, key, value, timeout=None, version=None):
        raise ConnectionError("cache server refused the connection")

    def clear(self):
        pass


def test_a_failing_cache_costs_speed_not_the_page(client, tree, settings, caplog):
    talk = tree["talks"][1]
    expected = html_of(client, talk.url)
    settings.CACHES = {**settings.CACHES, "fragments": {"BACKEND": f"{__name__}.BrokenCache"}}
    assert article(html_of(client, talk.url)) == article(expected)
    assert "The fragments cache failed" in caplog.text


def test_a_publish_leaves_other_conferences_cached(
    client, tree, django_capture_on_commit_callbacks
):
    """Invalidation by what changed: a talk of an unrelated conference stays cached, while the
    pages that show the edited talk (itself, its neighbours, day, conference, home) change."""
    with django_capture_on_commit_callbacks(execute=True):
        other = make_tree("Otherconf 2026", "Bo Example")
    other_talk = other["talks"][1]
    edited = tree["talks"][0]
    urls = [edited.url, tree["talks"][1].url, tree["day"].url, tree["conference"].url]
    for url in [*urls, other_talk.url]:
        html_of(client, url)
    other_html, cached = queries_of(client, other_talk.url)
    with django_capture_on_commit_callbacks(execute=True):
        edited.title = "Renamed in one conference"
        edited.save_revision().publish()
    html, after_publish = queries_of(client, other_talk.url)
    assert (html, after_publish) == (other_html, cached)
    for url in urls:
        assert "Renamed in one conference" in html_of(client, url), url
    # A change that is not a page of one conference (a speaker) still reaches every page.
    with django_capture_on_commit_callbacks(execute=True):
        other["speaker"].name = "Renamed speaker"
        other["speaker"].save()
    html, after_speaker = queries_of(client, other_talk.url)
    assert "Renamed speaker" in html and after_speaker > cached


def test_a_publish_bumps_only_its_conference_and_home_scopes(
    tree, django_capture_on_commit_callbacks
):
    from pages.fragments import ContentScope, site_version

    token, edit = current_token(), site_version()
    with django_capture_on_commit_callbacks(execute=True):
        tree["talks"][0].save_revision().publish()
    conference_path = tree["conference"].path
    assert set(ContentScope.objects.values_list("path", flat=True)) == {
        conference_path,
        conference_path[:8],
    }
    assert current_token() == token  # the site-wide token is kept...
    assert site_version() != edit  # ...while the version of everything moves on
    with django_capture_on_commit_callbacks(execute=True):
        tree["talks"][0].move(tree["day"], pos="first-child")
    assert current_token() != token  # a move is site-wide


def test_a_new_slug_is_site_wide(tree, django_capture_on_commit_callbacks):
    token = current_token()
    day = tree["day"]
    with django_capture_on_commit_callbacks(execute=True):
        day.slug = "renamed-day"
        day.save_revision().publish()
    assert current_token() != token
