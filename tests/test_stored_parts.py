"""Stored parts (pages.stored_parts): the same bytes, stored at publish, never stale by any door."""

import datetime
import json

from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from wagtail.models import PageViewRestriction

import pytest

from pages import stored_parts
from pages.fragments import bump_now
from pages.models import TalkPage
from pages.stored_parts import StoredParts
from tests.factories import DayFactory, TalkFactory
from tests.test_fragments import article, edits, html_of, make_tree, pager

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def parts_on(settings):
    """Stored parts as in production; the fragments cache stays off, so every view below reads
    or renders the parts themselves."""
    settings.STORED_PARTS = True


@pytest.fixture
def tree(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return make_tree()


def stored(page) -> dict:
    row = StoredParts.objects.filter(page_id=page.pk).first()
    return json.loads(row.parts) if row else {}


def writes(ctx) -> list[str]:
    return [
        q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith("INSERT")
    ]


def test_the_same_bytes_stored_or_not(client, tree, settings):
    for talk in tree["talks"]:
        html_of(client, talk.url)  # renditions are created on the first view
        StoredParts.objects.all().delete()
        settings.STORED_PARTS = False
        plain = html_of(client, talk.url)
        settings.STORED_PARTS = True
        with CaptureQueriesContext(connection) as miss:
            first = html_of(client, talk.url)
        with CaptureQueriesContext(connection) as hit:
            second = html_of(client, talk.url)
        assert first == plain and second == plain
        assert len(writes(miss)) == 1 and writes(hit) == []
        assert set(stored(talk)) == {"talk-head", "talk-notes", "speaker_credits", "tag_names"}
        assert "Paragraph 1 with <b>bold</b> text." in stored(talk)["talk-notes"]
        assert len(hit.captured_queries) < len(miss.captured_queries)


def test_a_stored_page_does_not_query_its_speakers_tags_or_body(client, tree):
    talk = tree["talks"][0]
    html_of(client, talk.url)
    with CaptureQueriesContext(connection) as ctx:
        html_of(client, talk.url)
    tables = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "pages_talkspeaker" not in tables
    assert "taggit_tag" not in tables
    assert "wagtailimages_rendition" not in tables


def test_publishing_stores_the_parts_after_the_commit(
    client, tree, django_capture_on_commit_callbacks
):
    talk = tree["talks"][0]
    talk.title = "Published and stored"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        talk.save_revision().publish()
    assert stored(talk) == {}  # nothing before the commit (the save deleted the old row)
    for callback in callbacks:
        callback()
    parts = stored(talk)
    assert "Published and stored" in parts["talk-head"]
    with CaptureQueriesContext(connection) as ctx:
        html = html_of(client, talk.url)
    assert writes(ctx) == []  # the first visitor renders nothing of it
    assert "<h1>Published and stored</h1>" in html


def test_an_import_sized_publish_stores_only_the_first_pages(
    tree, settings, django_capture_on_commit_callbacks
):
    settings.STORED_PARTS_RENDER_ON_PUBLISH = 2
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for talk in tree["talks"]:
            talk.save_revision().publish()
    assert [bool(stored(talk)) for talk in tree["talks"]] == [True, True, False]


@pytest.mark.parametrize("edit", edits(), ids=lambda f: f.__name__)
def test_an_edit_shows_at_once(client, tree, edit, django_capture_on_commit_callbacks):
    url = tree["talks"][0].url
    before = html_of(client, url)
    assert html_of(client, url) == before and stored(tree["talks"][0])
    with django_capture_on_commit_callbacks(execute=True):
        expected = edit(tree)
    assert expected not in before
    assert expected in html_of(client, tree["talks"][0].url)


def test_a_save_without_a_revision_is_not_hidden(client, tree, django_capture_on_commit_callbacks):
    """The shell's ``page.save()`` (no revision, no new publication date) deletes the row."""
    talk = tree["talks"][0]
    html_of(client, talk.url)
    talk = TalkPage.objects.get(pk=talk.pk)
    talk.summary = "Changed in the shell"
    with django_capture_on_commit_callbacks(execute=True):
        talk.save()
    assert '<p class="lead">Changed in the shell</p>' in article(html_of(client, talk.url))


def test_a_save_as_a_plain_page_is_not_hidden(client, tree, django_capture_on_commit_callbacks):
    from wagtail.models import Page

    talk = tree["talks"][0]
    html_of(client, talk.url)
    page = Page.objects.get(pk=talk.pk)  # not the specific class
    page.title = "Renamed as a plain page"
    with django_capture_on_commit_callbacks(execute=True):
        page.save()
    assert "<h1>Renamed as a plain page</h1>" in html_of(client, talk.url)


def test_an_update_behind_the_signals_shows_after_the_next_site_wide_change(client, tree):
    talk = tree["talks"][0]
    before = article(html_of(client, talk.url))
    TalkPage.objects.filter(pk=talk.pk).update(room="Room behind the signals")
    assert article(html_of(client, talk.url)) == before  # documented: like the fragments cache
    bump_now()
    assert "Room behind the signals" in article(html_of(client, talk.url))


def test_scheduled_publishing_stores_the_new_revision(
    client, tree, django_capture_on_commit_callbacks
):
    talk = tree["talks"][0]
    html_of(client, talk.url)
    talk.title = "Published on schedule"
    revision = talk.save_revision(
        approved_go_live_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    assert revision.approved_go_live_at
    with django_capture_on_commit_callbacks(execute=True):
        call_command("publish_scheduled", verbosity=0)
    assert "Published on schedule" in stored(talk)["talk-head"]
    assert "<h1>Published on schedule</h1>" in html_of(client, talk.url)


def test_reverting_to_an_older_revision(client, tree, django_capture_on_commit_callbacks):
    talk = tree["talks"][0]
    with django_capture_on_commit_callbacks(execute=True):
        first = talk.save_revision()
        first.publish()
        talk.title = "Second version"
        talk.save_revision().publish()
    assert "Second version" in html_of(client, talk.url)
    with django_capture_on_commit_callbacks(execute=True):
        first.publish()
    html = html_of(client, talk.url)
    assert "Second version" not in html and "<h1>Talk 0</h1>" in html


def test_a_copy_and_a_move(client, tree, django_capture_on_commit_callbacks):
    talk = tree["talks"][0]
    html_of(client, talk.url)
    other_day = DayFactory(parent=tree["conference"], title="Day 2", day_number=2)
    with django_capture_on_commit_callbacks(execute=True):
        copy = talk.copy(to=other_day, update_attrs={"slug": "talk-zero-copy"})
    assert (
        "/day-2/talk-zero-copy/" in stored(copy)["talk-notes"]
    )  # its own parts, not the original's
    copied = html_of(client, copy.url)
    assert "/day-2/talk-zero-copy/" in copied and "Day 2" in copied
    with django_capture_on_commit_callbacks(execute=True):
        talk.move(other_day, pos="last-child")
    moved = TalkPage.objects.get(pk=talk.pk)
    html = html_of(client, moved.url)
    assert moved.url.endswith("/day-2/talk-0/") and moved.url in html  # the print link


def test_a_deploy_makes_every_row_stale(client, tree, monkeypatch):
    talk = tree["talks"][0]
    html_of(client, talk.url)
    row = StoredParts.objects.get(page_id=talk.pk)
    monkeypatch.setattr(stored_parts, "code_version", lambda: "the next release")
    html_of(client, talk.url)
    assert StoredParts.objects.get(page_id=talk.pk).key != row.key


def test_the_code_version_follows_the_templates(tmp_path, monkeypatch):
    (tmp_path / "templates").mkdir()
    (tmp_path / "pages").mkdir()
    template = tmp_path / "templates" / "talk.html"
    template.write_text("<h1>{{ page.title }}</h1>")
    monkeypatch.setattr(stored_parts, "ROOT", tmp_path)
    before = stored_parts.code_version.__wrapped__()
    template.write_text("<h1 class='new'>{{ page.title }}</h1>")
    assert stored_parts.code_version.__wrapped__() != before


def test_the_code_version_follows_settings_that_show_in_html(settings):
    before = stored_parts.code_version.__wrapped__()
    settings.MEDIA_URL = "https://media.example.org/"  # media moved to S3, say
    assert stored_parts.code_version.__wrapped__() != before


def test_previews_never_read_or_write_parts(client, tree):
    talk = tree["talks"][0]
    public = html_of(client, talk.url)
    row = StoredParts.objects.get(page_id=talk.pk)
    talk.title = "Draft title only"
    draft = talk.save_revision().as_object()
    response = draft.make_preview_request(None, draft.default_preview_mode)
    assert "Draft title only" in response.content.decode()
    assert StoredParts.objects.get(page_id=talk.pk).parts == row.parts
    assert html_of(client, talk.url) == public


def test_a_private_page_stays_private(client, tree):
    talk = tree["talks"][0]
    html_of(client, talk.url)
    PageViewRestriction.objects.create(
        page=talk, restriction_type=PageViewRestriction.PASSWORD, password="secret"
    )
    response = client.get(talk.url)
    assert "Paragraph 1 with" not in response.content.decode()


def test_a_failing_write_costs_speed_not_the_page(client, tree, monkeypatch, caplog):
    talk = tree["talks"][0]

    def refuse(*args, **kwargs):
        raise DatabaseError("read-only replica")

    monkeypatch.setattr(StoredParts.objects, "bulk_create", refuse)
    html = html_of(client, talk.url)
    assert "<h1>Talk 0</h1>" in html and stored(talk) == {}
    assert "Could not store the parts" in caplog.text


def test_pager_privacy_and_order_from_the_outline(client, tree, django_capture_on_commit_callbacks):
    """The pager (pages.outline) skips unpublished and private talks and private days."""
    first, second, third = tree["talks"]
    late_day = DayFactory(parent=tree["conference"], title="Day 2", day_number=2)
    fourth = TalkFactory(parent=late_day, title="Talk 3", start_time=datetime.time(9))
    assert pager(html_of(client, third.url)) == ["Talk 1", "Talk 3"]
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(
            page=late_day, restriction_type=PageViewRestriction.PASSWORD, password="x"
        )
    assert pager(html_of(client, third.url)) == ["Talk 1"]
    with django_capture_on_commit_callbacks(execute=True):
        second.unpublish()
    assert pager(html_of(client, third.url)) == ["Talk 0"]
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(
            page=tree["conference"], restriction_type=PageViewRestriction.PASSWORD, password="y"
        )
    talk = TalkPage.objects.get(pk=first.pk)
    assert talk.previous_next == (None, None)
    assert (talk.day.title, talk.conference.title) == ("Day 1", "Cacheconf 2026")
    assert fourth.previous_next == (None, None)


def test_a_stored_talk_costs_the_same_queries_in_a_bigger_conference(
    client, tree, django_capture_on_commit_callbacks
):
    talk = tree["talks"][1]

    def queries_after_a_publish() -> int:
        with django_capture_on_commit_callbacks(execute=True):
            TalkPage.objects.get(pk=talk.pk).save_revision().publish()
        with CaptureQueriesContext(connection) as ctx:
            html_of(client, talk.url)
        assert writes(ctx) == []  # publishing stored the parts
        with CaptureQueriesContext(connection) as ctx:  # (the first request also finds the site)
            html_of(client, talk.url)
        return len(ctx.captured_queries)

    few = queries_after_a_publish()
    for n in range(8):
        TalkFactory(parent=tree["day"], title=f"More {n}", start_time=datetime.time(14, n))
    assert queries_after_a_publish() == few


def test_previews_of_a_new_conference_and_its_programme(tree):
    """A new conference previewed before it is saved: an empty programme, no error; a saved
    one's preview shows its days from the outline."""
    from wagtail.models import Page

    from pages.models import ConferenceIndex

    home = tree["conference"].get_parent()
    new = ConferenceIndex(
        title="Newconf 2027", slug="newconf-2027", start_date=datetime.date(2027, 1, 5)
    )
    new.depth = home.depth + 1
    new.path = Page._get_children_path_interval(home.path)[1]
    new.set_url_path(home)
    response = new.make_preview_request()
    assert (
        response.status_code == 200
        and "No days have been published yet." in response.content.decode()
    )
    saved = tree["conference"].specific
    html = saved.make_preview_request().content.decode()
    assert "Day 1" in html and "Talk 2" in html
