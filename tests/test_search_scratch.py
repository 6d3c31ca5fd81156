"""A search from scratch (result cache missed, as after a publish) runs a fixed number of
queries whatever the number of matches, and shows what it always showed (pages.search.views)."""

from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from tests.conftest import in_memory_caches
from tests.factories import ConferenceFactory, DayFactory, SpeakerFactory, TalkFactory
from tests.test_search import code, para

pytestmark = pytest.mark.django_db

#: content version, ranking, results (pages with their texts and conference and day titles;
#: their speakers), speakers (ranking, rows), search-terms record, today's hit (savepoint,
#: update, release), facets (no promotions query: none exist, known from the site-wide version);
#: on PostgreSQL one more, the ranking from the word's top list (pages.search.top_lists)
FROM_SCRATCH_QUERIES = 11 + (connection.vendor == "postgresql")


@pytest.fixture(autouse=True)
def caches_as_in_production(settings):
    """The result cache and the look-ups cache in memory, as in production."""
    in_memory_caches(settings, "default", "fragments")
    yield
    for name in ("default", "fragments"):
        caches[name].clear()


def add_talks(day, speakers, first: int, count: int) -> None:
    for n in range(first, first + count):
        talk = TalkFactory(
            parent=day,
            title=f"Queues in practice, part {n}",
            speakers=speakers[n % 2 :][:2],
            body=[
                {"type": "heading", "value": {"text": f"Part {n}", "level": "h2"}},
                para(f"Celery and queues, the {n}th time. Retries and back-pressure."),
                code("app.send_task('x')\n", "python" if n % 2 else "sql"),
            ],
        )
        talk.tags.add("queues", f"part-{n % 3}")
        talk.save()


def search_from_scratch(client, q: str) -> tuple[int, str]:
    caches["fragments"].clear()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/search/", {"q": q})
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def test_a_search_from_scratch_runs_the_same_queries_at_3_and_30_matches(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        conference = ConferenceFactory(title="Scratchconf 2026")
        day = DayFactory(parent=conference, title="Day 1")
        speakers = [SpeakerFactory(name="Quinn Queue"), SpeakerFactory(name="Rae Retry")]
        add_talks(day, speakers, 0, 3)
    search_from_scratch(client, "queues")  # the search-terms record and today's row exist
    small, small_html = search_from_scratch(client, "queues")
    with django_capture_on_commit_callbacks(execute=True):
        add_talks(day, speakers, 3, 27)  # their tags are a site-wide change
    search_from_scratch(client, "queues")  # what a site-wide change empties is read again
    large, large_html = search_from_scratch(client, "queues")
    # the talks and the speaker "Quinn Queue" (stemmed: queue)
    assert "4 results for" in small_html and "31 results for" in large_html
    assert small == large == FROM_SCRATCH_QUERIES, (small, large)


@pytest.mark.parametrize("words", [["queues"], ["caching", "cdn"], ["absent"], [], ["c++"]])
@pytest.mark.parametrize("width", [40, 220])
def test_an_excerpt_read_as_far_as_needed_is_the_excerpt_of_the_whole_text(words, width):
    from pages.search.query import excerpt

    texts = [
        "",
        "A summary without the word.",
        " ".join(f"filler{n}" for n in range(60)),
        "Here queues appear, and caching, behind a CDN with c++ glue.",
        "More text after the match " * 20,
        "queues again at the end",
    ]
    for cut in range(1, len(texts) + 1):
        pieces = texts[:cut]
        whole = " · ".join(t for t in pieces if t)
        assert str(excerpt(iter(pieces), words, width)) == str(excerpt([whole], words, width))


QUERIES = [
    "queues",
    "celery",
    "queues retries",
    "retries queues",
    '"back-pressure"',
    "queues OR absentword",
    "celery OR retries",
    "queues -python",
    "part 7",
    "absentword",
    "queue",
]


def test_a_ranking_statement_is_compiled_once_per_structure_and_gives_the_same_ids(
    client, django_capture_on_commit_callbacks
):
    """The SQLite ranking statement is reused for every query of the same structure (only the
    MATCH text changes), and ranks exactly as one compiled for the query."""
    from django.test import RequestFactory

    from pages.search import ranking, views
    from pages.search.query import parse_query

    # SQLite keeps one statement per query structure; PostgreSQL one per query
    statements = (
        ranking._sqlite_statements
        if connection.vendor == "sqlite"
        else ranking._postgres_statements
    )
    with django_capture_on_commit_callbacks(execute=True):
        conference = ConferenceFactory(title="Shapeconf 2026")
        day = DayFactory(parent=conference, title="Day 1")
        speakers = [SpeakerFactory(name="Quinn Queue"), SpeakerFactory(name="Rae Retry")]
        add_talks(day, speakers, 0, 12)
    request = RequestFactory().get("/search/")
    statements.clear()
    for q in QUERIES:
        parsed = parse_query(q)
        for filters in ({}, {"conference": ["shapeconf-2026"]}, {"tag": ["part-1"]}):
            cached = views._search_pages(parsed, filters, request).ids
            again = views._search_pages(parsed, filters, request).ids  # from the kept statement
            fresh = views._search_pages(parsed, filters, None).ids  # compiled for this query
            assert cached == again == fresh, (q, filters)
            if q != "absentword":
                assert fresh, (q, filters)
    assert statements
    if connection.vendor == "sqlite":
        structures = {key[1] for key in statements}
        assert len(structures) < len(QUERIES)  # "queues" and "celery" share one, and so on
    assert "12 results for" in search_from_scratch(client, "celery")[1]
    kept = dict(statements)
    with django_capture_on_commit_callbacks(execute=True):  # a publish: the statement stays
        add_talks(day, speakers, 12, 1)
    assert "13 results for" in search_from_scratch(client, "celery")[1]
    assert statements == kept
