"""The facet rows (``confnotes_search_facet``, PostgreSQL): every door that writes a page, a talk,
its tags or its speakers keeps each page's row equal to what the source tables say, and the
facets counted from the rows equal the facets counted from the tables."""

import importlib

from django.core.management import call_command
from django.db import connection

from taggit.models import Tag
from wagtail.models import Page

import pytest

from pages.models import TalkPage, TalkSpeaker, TalkTag
from pages.search import facets
from tests.factories import ConferenceFactory, DayFactory, SpeakerFactory, TalkFactory
from tests.test_search import code, para

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="facet rows are PostgreSQL's (triggers)"
    ),
]


def rows() -> dict[int, tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT page_id, path, depth, code_languages, tag_ids, speaker_ids"
            " FROM confnotes_search_facet"
        )
        return {row[0]: row[1:] for row in cursor.fetchall()}


def expected() -> dict[int, tuple]:
    """Each page's row as the source tables say it (links in the order they were made)."""
    languages = dict(TalkPage.objects.values_list("pk", "code_languages"))
    tags: dict[int, list] = {}
    for page_id, tag_id in TalkTag.objects.order_by("pk").values_list("content_object_id", "tag"):
        tags.setdefault(page_id, []).append(tag_id)
    speakers: dict[int, list] = {}
    for page_id, speaker_id in TalkSpeaker.objects.order_by("pk").values_list("page", "speaker"):
        speakers.setdefault(page_id, []).append(speaker_id)
    return {
        pk: (path, depth, languages.get(pk, ""), tags.get(pk, []), speakers.get(pk, []))
        for pk, path, depth in Page.objects.values_list("pk", "path", "depth")
    }


def assert_mirrored():
    assert rows() == expected()
    ids = list(Page.objects.values_list("pk", flat=True))
    assert facets.facet_counts(ids) == from_tables(ids)


def from_tables(ids) -> dict:
    """The facets counted from the page, talk and link tables (as on SQLite)."""
    return facets.read_facets(Page.objects.db, *facets._facet_statement(ids))


@pytest.fixture
def conference():
    """Two conferences; talks with tags, speakers and code in two languages."""
    conf = ConferenceFactory(title="Rowconf 2026", slug="rowconf-2026")
    ConferenceFactory(title="Otherrows 2025", slug="otherrows-2025")
    day = DayFactory(parent=conf, title="Day 1")
    ada, bo = SpeakerFactory(name="Ada Rows", slug="ada-rows"), SpeakerFactory(slug="bo-rows")
    first = TalkFactory(
        parent=day,
        title="Queues in practice",
        speakers=[ada, bo],
        body=[para("Queues and retries."), code("SELECT 1;", "sql")],
    )
    first.tags.add("queues", "retries")
    first.save()
    second = TalkFactory(parent=day, title="Caching", speakers=[ada], body=[para("Caches.")])
    second.tags.add("caching")
    second.save()
    return {"conf": conf, "day": day, "first": first, "second": second, "ada": ada, "bo": bo}


def test_new_pages_tags_and_speakers_make_rows(conference):
    first = conference["first"]
    assert rows()[first.pk][2:] == (
        " sql ",
        list(
            TalkTag.objects.filter(content_object=first)
            .order_by("pk")
            .values_list("tag", flat=True)
        ),
        [conference["ada"].pk, conference["bo"].pk],
    )
    assert_mirrored()


def test_a_published_revision_changes_languages_tags_and_speakers(conference):
    talk = TalkPage.objects.get(pk=conference["second"].pk)
    talk.body = [para("Now with code."), code("print(1)", "python"), code("ls", "bash")]
    talk.tags.set(["caching", "python"])
    talk.talk_speakers.clear()
    talk.talk_speakers.add(TalkSpeaker(speaker=conference["bo"]))
    talk.save_revision().publish()
    row = rows()[talk.pk]
    assert row[2] == " bash python " and row[4] == [conference["bo"].pk]
    assert len(row[3]) == 2
    assert_mirrored()


def test_a_draft_changes_nothing_a_search_shows(conference):
    before = rows()
    talk = TalkPage.objects.get(pk=conference["second"].pk)
    talk.tags.add("draft-only")
    talk.body = [code("SELECT 2;", "sql")]
    talk.save_revision()
    assert rows() == before
    assert_mirrored()


def test_moving_a_day_moves_its_talks_rows(conference):
    other = Page.objects.get(slug="otherrows-2025")
    day = Page.objects.get(pk=conference["day"].pk)
    day.move(other, pos="last-child")
    first = Page.objects.get(pk=conference["first"].pk)
    assert rows()[first.pk][0] == first.path and first.path.startswith(other.path)
    assert_mirrored()
    counted = facets.facet_counts([conference["first"].pk, conference["second"].pk])
    assert counted["conference"] == [("otherrows-2025", "Otherrows 2025", 2)]


def test_copying_a_day_makes_rows_for_the_copies(conference):
    day = Page.objects.get(pk=conference["day"].pk).specific
    copy = day.copy(recursive=True, update_attrs={"slug": "day-1-copy", "title": "Day 1 copy"})
    copies = TalkPage.objects.child_of(copy)
    assert copies.count() == 2
    for talk in copies:
        assert rows()[talk.pk][3] or rows()[talk.pk][4]  # tags and speakers came along
    assert_mirrored()


def test_deleting_talks_tags_and_speakers(conference):
    Tag.objects.get(name="retries").delete()
    conference["bo"].delete()
    assert rows()[conference["first"].pk][4] == [conference["ada"].pk]
    Page.objects.get(pk=conference["second"].pk).delete()
    assert conference["second"].pk not in rows()
    assert_mirrored()


def test_unpublishing_keeps_the_row_and_the_search_leaves_the_page_out(conference):
    Page.objects.get(pk=conference["second"].pk).specific.unpublish()
    assert conference["second"].pk in rows()
    assert_mirrored()


def test_raw_sql_updates_and_truncates(conference):
    first = conference["first"]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE pages_talkpage SET code_languages = ' go ' WHERE page_ptr_id = %s", [first.pk]
        )
        cursor.execute("UPDATE pages_talktag SET tag_id = %s", [Tag.objects.get(name="caching").pk])
    assert rows()[first.pk][2] == " go "
    assert_mirrored()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks pending: TRUNCATE
        cursor.execute("TRUNCATE pages_talktag, pages_talkspeaker")
    assert all(row[3] == [] and row[4] == [] for row in rows().values())
    assert_mirrored()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE pages_talkpage CASCADE")
    assert all(row[2] == "" for row in rows().values())
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE wagtailcore_page CASCADE")
    assert rows() == {}


def test_bulk_created_links_and_the_import_keep_rows(conference, tmp_path):
    ada, bo = conference["ada"], conference["bo"]
    second = conference["second"]
    TalkSpeaker.objects.bulk_create([TalkSpeaker(page=second, speaker=bo, sort_order=5)])
    assert rows()[second.pk][4] == [ada.pk, bo.pk]
    notes = tmp_path / "rowsconf.md"
    notes.write_text(
        "---\ntitle: Rows Import Conf\ndate: 2026-06-01\n---\n## Day 1\n"
        '### Imported rows\n{time="11:00" tags="imported, queues"}\nSpeaker: Ada Rows\n\n'
        "A short note.\n\n```python\nprint(2)\n```\n",
        encoding="utf-8",
    )
    call_command("import_notes", str(notes), "--publish", verbosity=0)
    imported = TalkPage.objects.get(title="Imported rows")
    assert rows()[imported.pk][2] == " python "
    assert len(rows()[imported.pk][3]) == 2 and len(rows()[imported.pk][4]) == 1
    assert_mirrored()


def test_the_migration_fills_rows_for_pages_already_there(conference):
    migration = importlib.import_module("pages.migrations.0019_search_facets")
    fill = migration.FORWARD.strip().split("\n\n")[-2]
    assert fill.startswith("INSERT INTO confnotes_search_facet")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM confnotes_search_facet")
        cursor.execute(
            fill.replace("{page}", "wagtailcore_page")
            .replace("{talkpage}", "pages_talkpage")
            .replace("{talktag}", "pages_talktag")
            .replace("{talkspeaker}", "pages_talkspeaker")
        )
    assert_mirrored()
