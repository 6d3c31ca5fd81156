"""Common words' postings (pages/search/postings.py, PostgreSQL): a search ranked from them gives
exactly the order of ranking every match, and every door that writes the search index keeps
them exact (the trigger on Wagtail's index table)."""

import re

from django.core.management import call_command
from django.db import connection

from wagtail.models import Page

import pytest

from pages.models import DayPage, TalkPage
from pages.search import postings, ranking
from pages.search.query import parse_query
from tests.factories import ConferenceFactory, DayFactory, TalkFactory
from tests.test_search import para

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="word postings are PostgreSQL's (a trigger)"
    ),
]

QUERIES = [
    "queues",
    "caching",
    "queues caching",
    "queues OR caching",
    "queues OR caching OR retries",
    "queues -caching",
    "caching -retries",
    "queues OR retries -caching",
    "retries",
]


@pytest.fixture(autouse=True)
def few_entries_make_a_common_word(monkeypatch):
    monkeypatch.setattr(postings, "MIN_ENTRIES", 3)
    yield
    # A transactional test's flush empties the models' tables (the trigger then empties the
    # postings), not the list of words, which is no model's.
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM confnotes_search_word")


@pytest.fixture
def talks():
    """Talks whose words recur 0-3 times in their titles and bodies: many distinct ranks, and
    ties (the same counts in different talks)."""
    day = DayFactory(parent=ConferenceFactory(title="Postconf 2026"), title="Day 1")
    made = []
    for n in range(24):
        title = ["Notes", "Queues in practice", "Caching notes", "Retries and queues"][n % 4]
        words = " ".join(
            ["queues"] * (n % 3) + ["caching"] * (n % 4 == 1) + ["retries"] * (n % 5 == 0)
        )
        made.append(
            TalkFactory(parent=day, title=f"{title} {n}", body=[para(f"About {words} today.")])
        )
    return day, made


def pages():
    return Page.objects.live().public().type(TalkPage, DayPage)


def both(query: str, limit: int = 1000, by_pk: bool = False):
    """(from postings or None, ranking every match)."""
    results = pages().search(parse_query(query).query, operator="and")
    listed = postings.ranked_ids(results, limit, pages(), by_pk)
    full = ranking._run(ranking._postgres_statement, results, limit, pages(), by_pk, False)
    return listed, full


def make_postings(*queries: str) -> None:
    for query in queries:
        results = pages().search(parse_query(query).query, operator="and")
        postings.keep_postings_for(results)


def assert_same_order_everywhere():
    for query in QUERIES:
        listed, full = both(query)
        assert listed is not None, query
        assert listed == full, query
        assert both(query, limit=5)[0] == full[:5], query
        assert both(query, by_pk=True)[0] == both(query, by_pk=True)[1], query


def test_postings_rank_exactly_as_every_match_is_ranked(talks):
    assert all(both(q)[0] is None for q in QUERIES)  # no postings yet: ranked as before
    make_postings("queues OR caching OR retries")
    assert_same_order_everywhere()
    _listed, full = both("queues")
    assert len(full) >= 10 and len(set(full)) == len(full)
    # Ties exist (same counts of the word), and break as the backend breaks them.
    assert len({rank for (_id, rank, _all) in rows_for("queues")}) < 16


def rows_for(query: str):
    results = pages().search(parse_query(query).query, operator="and")
    return postings._rows(postings.ranked_statement(results, 1000, pages(), False))


def test_a_one_word_search_reads_the_stored_word_rank_which_is_the_backends_rank(talks):
    """A one-word search is ranked by the posting's ``word_rank`` (migration 0021), read in
    index order: the very values (bits) the backend's ranking of every match computes."""
    make_postings("queues OR caching OR retries")
    for word in ("queues", "caching", "retries"):
        results = pages().search(parse_query(word).query, operator="and")
        sql, params, _using = postings.ranked_statement(results, 1000, pages(), False)
        assert "word_rank" in sql
        stored = [(int(pk), rank) for pk, rank, _all in postings._rows((sql, params, "default"))]
        full_sql, full_params, _ = ranking._postgres_statement(results, 1000, pages(), False, False)
        with connection.cursor() as cursor:
            cursor.execute(full_sql, full_params)
            computed = [(int(pk), rank) for pk, rank, *_ in cursor.fetchall()]
        assert stored == computed and len(stored) >= 5, word


def test_a_word_without_postings_or_a_phrase_is_ranked_as_before(talks):
    make_postings("queues")
    assert both("queues")[0] is not None
    assert both("queues caching")[0] is None  # "caching" has none yet
    assert both('"queues in"')[0] is None  # a phrase
    assert both("queues caching")[1]  # and the full ranking finds it


def test_every_door_that_writes_the_index_keeps_postings_exact(talks):
    day, made = talks
    make_postings("queues OR caching OR retries")
    # publish a new talk, and a new revision of an old one
    TalkFactory(parent=day, title="Queues, caching and retries", body=[para("queues queues")])
    revision = made[3].save_revision()
    made[3].body = [para("Nothing about that any more.")]
    revision = made[3].save_revision()
    revision.publish()
    assert_same_order_everywhere()
    # unpublish, move to a private section, delete
    made[4].unpublish()
    made[5].delete()
    assert_same_order_everywhere()
    # update_index (clears and rebuilds the index entries, recomputing title norms)
    call_command("update_index", verbosity=0)
    assert_same_order_everywhere()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_truncated_index_empties_the_postings_and_a_rebuild_brings_them_back(talks):
    from wagtail.search.models import IndexEntry

    make_postings("queues OR caching OR retries")
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {IndexEntry._meta.db_table}")
        cursor.execute("SELECT count(*) FROM confnotes_search_posting")
        assert cursor.fetchone() == (0,)
    assert both("queues") == (None, [])
    call_command("update_index", verbosity=0)
    assert_same_order_everywhere()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_new_postings_are_read_from_the_primary_key_alone(talks):
    """Made outside a transaction (as a search makes them), postings are vacuumed: a ranking
    reads them by an index-only scan of the covering key (migration 0020), no heap page."""
    from django.db import transaction

    make_postings("queues caching")
    results = pages().search(parse_query("queues caching").query, operator="and")
    sql, params, _using = postings.ranked_statement(results, 1000, pages(), False)
    with transaction.atomic(), connection.cursor() as cursor:
        # A table of a few rows is read whole; ask for the index to see how it is read.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    scans = [line for line in plan.splitlines() if "confnotes_search_posting" in line]
    assert scans and all("Index Only Scan" in line for line in scans), plan
    fetches = re.findall(r"Heap Fetches: (\d+)", plan)
    assert len(fetches) == len(scans) and set(fetches) == {"0"}, plan


def test_postings_made_with_other_weights_are_not_used_and_are_made_again(talks):
    make_postings("queues")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE confnotes_search_word SET weights = '{0.1,0.2,0.4,1.0}'")
    assert both("queues")[0] is None
    make_postings("queues")
    assert both("queues")[0] == both("queues")[1]


def test_a_rare_word_gets_no_postings(talks, monkeypatch):
    monkeypatch.setattr(postings, "MIN_ENTRIES", 1000)
    make_postings("queues")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM confnotes_search_word")
        assert cursor.fetchone() == (0,)


def test_the_search_page_makes_postings_for_a_common_word_and_then_uses_them(
    talks, client, monkeypatch
):
    monkeypatch.setattr(ranking, "POSTINGS_FROM_LIMIT", 5)
    monkeypatch.setattr("pages.search.views.MAX_MATCHES", 5)
    first = client.get("/search/", {"q": "queues"}).content
    with connection.cursor() as cursor:
        cursor.execute("SELECT term FROM confnotes_search_word")
        assert cursor.fetchall() == [("'queue'",)]
    used = []
    monkeypatch.setattr(
        postings, "_rows", lambda s, _rows=postings._rows: used.append(1) or _rows(s)
    )
    assert client.get("/search/", {"q": "queues"}).content == first
    assert used


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_while_the_index_is_being_written_a_search_does_not_wait_to_make_postings(
    talks, client, monkeypatch, caplog
):
    """An import holds the index table (an open transaction that wrote to it): the search
    answers at once, ranked as before, and makes the word's postings on a later search."""
    from wagtail.search.models import IndexEntry

    import psycopg

    monkeypatch.setattr(ranking, "POSTINGS_FROM_LIMIT", 5)
    monkeypatch.setattr("pages.search.views.MAX_MATCHES", 5)
    settings = connection.settings_dict
    other = psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
    )
    try:
        other.execute(f"UPDATE {IndexEntry._meta.db_table} SET title_norm = title_norm")
        response = client.get("/search/", {"q": "queues"})  # would block without NOWAIT
        assert response.status_code == 200 and "5 results" in response.content.decode()
        assert "Could not make word postings" in caplog.text
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM confnotes_search_word")
            assert cursor.fetchone() == (0,)
    finally:
        other.rollback()
        other.close()
    client.get("/search/", {"q": "queues"})
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM confnotes_search_word")
        assert cursor.fetchone() == (1,)
