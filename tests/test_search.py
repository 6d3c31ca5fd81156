"""Search: relevance, excerpts, facets, operators, autocomplete, promotions and hostile input."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from wagtail.contrib.search_promotions.models import Query, SearchPromotion

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pages.search.query import MAX_QUERY_CHARS, excerpt, parse_query
from tests.factories import ConferenceFactory, DayFactory, SpeakerFactory, TalkFactory

pytestmark = pytest.mark.django_db


def para(text):
    return {"type": "paragraph", "value": f"<p>{text}</p>"}


def code(text, language="python"):
    return {
        "type": "code",
        "value": {
            "language": language,
            "code": text,
            "filename": "",
            "highlight_lines": "",
            "line_numbers": False,
        },
    }


@pytest.fixture
def site():
    conf = ConferenceFactory(title="Searchconf 2026", slug="searchconf-2026")
    other = ConferenceFactory(title="Otherconf 2025", slug="otherconf-2025")
    day = DayFactory(parent=conf, title="Day 1")
    day2 = DayFactory(parent=other, title="Day 1")
    ada = SpeakerFactory(name="Ada Lovelace-Test", slug="ada")
    bo = SpeakerFactory(name="Bo Pipeline", slug="bo")
    t1 = TalkFactory(
        parent=day,
        title="Database migrations without downtime",
        speakers=[ada],
        summary="Zero-downtime schema changes.",
        body=[
            {"type": "heading", "value": {"text": "Expand and contract", "level": "h2"}},
            para("Run the migration in two steps: add the column, then backfill."),
            code("ALTER TABLE talk ADD COLUMN room text;", "sql"),
        ],
    )
    t1.tags.add("databases")
    t1.save()
    t2 = TalkFactory(
        parent=day,
        title="Testing with factories",
        speakers=[bo],
        body=[
            para("Factories keep fixtures honest. Pipeline caching speeds up CI."),
            code("def test_it():\n    assert True\n"),
        ],
    )
    t2.tags.add("testing")
    t2.save()
    t3 = TalkFactory(
        parent=day2,
        title="Accessible forms",
        speakers=[ada],
        body=[para("Labels belong to inputs; errors are announced.")],
    )
    return {"conf": conf, "other": other, "t1": t1, "t2": t2, "t3": t3, "ada": ada, "bo": bo}


def search(client, **params):
    response = client.get("/search/", params)
    assert response.status_code == 200, params
    return response


def titles(response):
    return [row["page"].title for row in response.context["results"].object_list]


def test_body_and_title_are_searched_title_ranks_higher(client, site):
    response = search(client, q="factories")
    assert titles(response)[0] == "Testing with factories"
    # Body text only (a heading block's text) is found too.
    assert titles(search(client, q="contract")) == ["Database migrations without downtime"]


def test_block_choices_are_not_indexed_as_words(client, site):
    # "h2" (heading level) and "sql" (code language) are block choices, not content.
    body = site["t1"].body
    words = " ".join(body.stream_block.get_searchable_content(body)).lower().split()
    assert "expand" in words and "backfill." in words
    assert "h2" not in words and "sql" not in words
    for query in ("h2", "sql"):
        response = search(client, q=query)
        # No exact match (similar words may still be offered, flagged as such).
        assert response.context["fuzzy"] or titles(response) == []


def test_result_shows_type_conference_day_speakers_and_marked_excerpt(client, site):
    response = search(client, q="backfill")
    html = response.content.decode()
    row = response.context["results"].object_list[0]
    assert row["type"] == "Talk"
    assert row["conference"].title == "Searchconf 2026" and row["day"].title == "Day 1"
    assert [s.name for s in row["speakers"]] == ["Ada Lovelace-Test"]
    assert "<mark>backfill</mark>" in html


def test_excerpt_escapes_html():
    html = excerpt(["<script>alert(1)</script> about caching"], ["caching"])
    assert "<script>" not in html and "&lt;script&gt;" in html and "<mark>caching</mark>" in html


def test_phrase_or_and_exclusion(client, site):
    assert titles(search(client, q='"add the column"')) == ["Database migrations without downtime"]
    assert titles(search(client, q='"column the add"')) == []
    assert set(titles(search(client, q="backfill OR labels"))) == {
        "Database migrations without downtime",
        "Accessible forms",
    }
    assert titles(search(client, q="factories -pipeline")) == []


def test_facets_with_counts_and_combined_filters(client, site):
    response = search(client, q="ada OR factories OR labels OR backfill")
    facets = response.context["facets"]
    assert ("searchconf-2026", "Searchconf 2026", 2) in facets["conference"]
    assert ("ada", "Ada Lovelace-Test", 2) in facets["speaker"]
    assert ("databases", "databases", 1) in facets["tag"]
    assert ("python", "python", 1) in facets["lang"] and ("sql", "sql", 1) in facets["lang"]
    filtered = search(
        client,
        q="ada OR factories OR labels OR backfill",
        conference="searchconf-2026",
        speaker="ada",
    )
    assert titles(filtered) == ["Database migrations without downtime"]
    assert titles(search(client, q="factories OR backfill", lang="python")) == [
        "Testing with factories"
    ]
    assert titles(search(client, q="factories OR backfill", tag="databases")) == [
        "Database migrations without downtime"
    ]
    # The URL keeps the filters: links to remove one keep the others.
    html = filtered.content.decode()
    assert "speaker=ada" in html and "conference=searchconf-2026" in html


def test_speakers_are_results_too(client, site):
    response = search(client, q="Pipeline")
    assert [s.name for s in response.context["speakers"]] == ["Bo Pipeline"]


def test_promotions_first_and_queries_logged(client, site):
    query = Query.get("downtime")
    SearchPromotion.objects.create(
        query=query, page=site["t3"], sort_order=0, description="Editors like it"
    )
    html = search(client, q="downtime").content.decode()
    assert html.index("Editors’ picks") < html.index("Database migrations without downtime")
    assert Query.get("downtime").hits == 1


def test_pagination_and_empty_state(client, site):
    day = DayFactory(parent=site["conf"], title="Day 2")
    for n in range(12):
        TalkFactory(parent=day, title=f"Caching talk {n}", body=[para("caching layers")])
    first = search(client, q="caching")
    assert len(first.context["results"].object_list) == 10
    assert 'rel="next"' in first.content.decode()
    second = search(client, q="caching", page="2")
    assert len(second.context["results"].object_list) == 3  # 12 + the factories talk
    empty = search(client, q="xylophonequartz").content.decode()
    assert "No notes match" in empty and "Check the spelling" in empty


def test_index_follows_publish_unpublish_move_delete(client, site):
    t2 = site["t2"]
    t2.unpublish()
    assert "Testing with factories" not in titles(search(client, q="factories"))
    t2.save_revision().publish()
    assert "Testing with factories" in titles(search(client, q="factories"))
    t2.title = "Testing with fixtures galore"
    t2.save_revision().publish()
    assert titles(search(client, q="galore")) == ["Testing with fixtures galore"]
    new_day = DayFactory(parent=site["other"], title="Day 9")
    t2.move(new_day, pos="last-child")
    row = search(client, q="galore").context["results"].object_list[0]
    assert row["conference"].title == "Otherconf 2025"
    t2.delete()
    assert titles(search(client, q="galore")) == []


def test_update_index_rebuilds(client, site):
    from django.core.management import call_command

    call_command("update_index", verbosity=0)
    assert titles(search(client, q="backfill")) == ["Database migrations without downtime"]


def test_stemming_and_typos_on_every_database(client, site):
    assert "Database migrations without downtime" in titles(search(client, q="migrations"))
    assert "Database migrations without downtime" in titles(search(client, q="migration"))
    typo = search(client, q="migrtions")
    assert typo.context["fuzzy"] is True
    assert "Database migrations without downtime" in titles(typo)


def test_autocomplete_json(client, site):
    data = client.get("/search/suggest/", {"q": "Data"}).json()
    assert data["suggestions"][0]["label"] == "Database migrations without downtime"
    assert data["suggestions"][0]["url"] == site["t1"].url
    assert client.get("/search/suggest/", {"q": "A"}).json()["suggestions"] == []


HOSTILE = [
    "",
    " ",
    "\t\n",
    "x" * 10_000,
    " ".join(["word"] * 300),
    "\x00",
    "a\x00b",
    "\x1b[31m",
    '"',
    '"unbalanced',
    'a "b',
    "OR",
    "OR OR",
    "-",
    "--",
    "- -x",
    "-x",
    '-"x"',
    "AND",
    "NOT",
    "*",
    "()",
    "'; DROP TABLE wagtailcore_page; --",
    "1' OR '1'='1",
    "<script>alert(1)</script>",
    "%",
    "%%",
    "_",
    "\\",
    "\\\\",
    "?",
    ":",
    "^",
    "~",
    "@@",
    "&&",
    "||",
    "!",
    "near/2",
    "a:b",
    "title:x",
    "\u202e",
    "\ud7ff",
    "😀",
    "ｆｕｌｌｗｉｄｔｈ",
    "🏳️‍🌈",
    "ʼ",
    "NULL",
    "None",
    "0",
    "-0",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_never_fail(client, site, query):
    # A NUL character is refused (400) before any view, site-wide (site_core/hostile.py).
    expected = 400 if "\x00" in query else 200
    response = client.get("/search/", {"q": query, "page": "99999999999999999999"})
    assert response.status_code == expected
    assert client.get("/search/suggest/", {"q": query}).status_code == expected


def test_hostile_parameters(client, site):
    for params in [
        {"q": "x", "page": "-1"},
        {"q": "x", "page": "abc"},
        {"q": "x", "page": "1e9"},
        {"q": "x", "conference": ["a"] * 200},
        {"q": "x", "tag": "<b>"},
        {"q": "x", "speaker": "' OR 1=1"},
        {"q": ["a", "b"]},
        {"q": "x", "lang": "c++"},
    ]:
        assert client.get("/search/", params).status_code == 200, params


def test_long_query_is_capped_with_visible_note(client, site):
    html = search(client, q="migration " * 100).content.decode()
    assert f"first {MAX_QUERY_CHARS} characters" in html or "first 20 words" in html


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_parser_handles_any_text(text):
    parsed = parse_query(text)
    assert len(parsed.text) <= MAX_QUERY_CHARS
    assert "\x00" not in parsed.text
    if parsed.query is None:
        assert not parsed.words


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=80))
def test_search_view_handles_any_text(client, text):
    expected = 400 if "\x00" in text else 200  # NUL: refused site-wide (site_core/hostile.py)
    assert client.get("/search/", {"q": text}).status_code == expected


def test_old_query_hits_are_garbage_collected(client, site):
    import datetime

    from django.core.management import call_command

    search(client, q="backfill")
    query = Query.get("backfill")
    query.add_hit(date=datetime.date.today() - datetime.timedelta(days=400))
    assert query.daily_hits.count() == 2
    call_command("searchpromotions_garbage_collect", verbosity=0)
    assert query.daily_hits.count() == 1


def test_production_settings_switch_search_backend(monkeypatch):
    from tests.test_settings import load

    production = load(
        "site_core.settings.production",
        monkeypatch,
        SECRET_KEY="x" * 60,
        OPENSEARCH_URL="http://127.0.0.1:9200",
    )
    assert production.WAGTAILSEARCH_BACKENDS["default"]["BACKEND"].endswith("opensearch2")
    assert production.WAGTAILSEARCH_BACKENDS["default"]["URLS"] == ["http://127.0.0.1:9200"]
    monkeypatch.delenv("OPENSEARCH_URL")
    monkeypatch.setenv("ELASTICSEARCH_URL", "http://127.0.0.1:9201")
    production = load("site_core.settings.production", monkeypatch)
    assert production.WAGTAILSEARCH_BACKENDS["default"]["BACKEND"].endswith("elasticsearch8")


@pytest.mark.parametrize(
    ("vendor", "fast_path"),
    [("sqlite", "sqlite_ranked_ids"), ("postgresql", "postgres_ranked_ids")],
)
def test_fast_ranking_paths_match_the_backend_order(site, vendor, fast_path):
    """Each database's fast path returns exactly Wagtail's order; elsewhere it steps aside."""
    from wagtail.models import Page

    from pages.search import ranking as search_module

    query = parse_query("factories OR backfill OR labels").query
    results = Page.objects.live().search(query, operator="and").annotate_score("_score")
    fast = getattr(search_module, fast_path)(results, 100)
    if connection.vendor != vendor:
        assert fast is None
        return
    assert fast == [page.pk for page in results]
    assert len(fast) == 3


@pytest.mark.django_db
def test_id_lists_go_as_one_parameter_and_select_exactly_those_rows():
    from django.db.models import F

    from wagtail.models import Page

    from pages.search.facets import InIds, ids_in

    pks = list(Page.objects.values_list("pk", flat=True))
    assert pks
    assert list(Page.objects.filter(ids_in("pk", [])).values_list("pk", flat=True)) == []
    many = pks + list(range(10_000_000, 10_005_000))  # 5,000 ids that match nothing
    seen = []

    def record(execute, sql, params, many_, context):
        seen.append(params)
        return execute(sql, params, many_, context)

    with connection.execute_wrapper(record):
        found = set(Page.objects.filter(InIds(F("pk"), many)).values_list("pk", flat=True))
    assert found == set(pks)
    assert len(seen) == 1 and len(seen[0]) == 1  # one bound value, not 5,000 placeholders


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's query planner")
def test_postgres_ranking_looks_up_only_the_best_pages_whatever_the_statistics(site):
    """Matches are ranked, then pages looked up by key, best first, until enough are visible:
    never a join order the planner guesses (without statistics it guessed a nested loop over
    every page x every match)."""
    import re

    from wagtail.models import Page

    from pages.search.ranking import postgres_ranked_ids

    query = parse_query("factories OR backfill OR labels").query
    results = Page.objects.live().search(query, operator="and")
    everything = postgres_ranked_ids(results, 10)
    assert len(everything) == 3
    with CaptureQueriesContext(connection) as queries:
        assert postgres_ranked_ids(results, 2) == everything[:2]
    (ranking,) = queries.captured_queries
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + ranking["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "SubPlan" in plan and "Join" not in plan and "Nested Loop" not in plan, plan
    # Three matches; the pages of the best two were looked up.
    assert re.search(r"loops=2\b", plan[plan.index("SubPlan") :]), plan


def test_facets_in_one_query_count_then_name_order_top_15(site, django_assert_num_queries):
    from pages.search.facets import facet_counts

    t1, t2, t3 = site["t1"], site["t2"], site["t3"]
    for n in range(17):  # 17 more tags, two of them on two talks: only 15 are shown
        t1.tags.add(f"tag-{n:02d}")
        if n in (3, 11):
            t3.tags.add(f"tag-{n:02d}")
    t1.save()
    t3.save()
    ids = [t1.pk, t2.pk, t3.pk, site["conf"].pk]
    with django_assert_num_queries(1):
        facets = facet_counts(ids)
    counts = {"databases": 1, "testing": 1} | {f"tag-{n:02d}": 1 for n in range(17)}
    counts["tag-03"] = counts["tag-11"] = 2
    expected = sorted(((name, name, n) for name, n in counts.items()), key=lambda x: (-x[2], x[0]))
    assert facets["tag"] == expected[:15]
    assert facets["tag"][:3] == [("tag-03", "tag-03", 2), ("tag-11", "tag-11", 2), expected[2]]
    assert facets["conference"] == [
        ("searchconf-2026", "Searchconf 2026", 3),  # the conference page itself and two talks
        ("otherconf-2025", "Otherconf 2025", 1),
    ]
    assert facets["speaker"] == [("ada", "Ada Lovelace-Test", 2), ("bo", "Bo Pipeline", 1)]
    assert facets["lang"] == [("python", "python", 1), ("sql", "sql", 1)]
    assert facet_counts([]) == {"conference": [], "tag": [], "speaker": [], "lang": []}


def test_facet_ties_order_by_count_then_name_then_slug(site):
    """Equal counts go by name (the database's collation), and equal names by slug: speakers'
    names can repeat, and their facet order is the same on every run."""
    from pages.models import TalkSpeaker
    from pages.search.facets import facet_counts

    t1, t2, t3 = site["t1"], site["t2"], site["t3"]
    # Created in the opposite order to their slugs, so insertion order cannot pass for slug order.
    for talk, slug in ((t2, "sam-c"), (t3, "sam-b"), (t1, "sam-a")):
        TalkSpeaker.objects.create(page=talk, speaker=SpeakerFactory(name="Sam Same", slug=slug))
    for talk in (t2, t3):
        talk.tags.add("zeta", "alpha")
        talk.save()
    facets = facet_counts([t1.pk, t2.pk, t3.pk])
    assert facets["speaker"] == [
        ("ada", "Ada Lovelace-Test", 2),
        ("bo", "Bo Pipeline", 1),
        ("sam-a", "Sam Same", 1),
        ("sam-b", "Sam Same", 1),
        ("sam-c", "Sam Same", 1),
    ]
    assert facets["tag"] == [
        ("alpha", "alpha", 2),
        ("zeta", "zeta", 2),
        ("databases", "databases", 1),
        ("testing", "testing", 1),
    ]


def test_search_hits_are_counted_with_one_update_once_the_day_has_a_row(client, site):
    from django.utils import timezone

    from wagtail.contrib.search_promotions.models import QueryDailyHits

    from pages.search.hits import record_hit

    query = Query.get("backfill")
    record_hit(query)  # the first search of the day makes the row
    with CaptureQueriesContext(connection) as queries:
        record_hit(query)
    writes = [q["sql"] for q in queries.captured_queries if "querydailyhits" in q["sql"]]
    assert len(writes) == 1 and writes[0].startswith("UPDATE"), writes
    search(client, q="backfill")
    assert QueryDailyHits.objects.get(query=query, date=timezone.now().date()).hits == 3
    assert Query.get("backfill").hits == 3


def test_restricted_unpublished_and_filtered_talks_stay_out_of_results_and_facets(client, site):
    """The visibility filter (live, public, facet filters) goes into the ranking query with its
    own parameters; each part still applies."""
    from wagtail.models import PageViewRestriction

    day = DayFactory(parent=site["conf"], title="Day 3")
    secret = TalkFactory(parent=day, title="Backfill secrets", body=[para("backfill")])
    PageViewRestriction.objects.create(
        page=secret, restriction_type=PageViewRestriction.PASSWORD, password="x"
    )
    draft = TalkFactory(parent=day, title="Backfill drafts", body=[para("backfill")])
    draft.unpublish()
    response = search(client, q="backfill")
    assert titles(response) == ["Database migrations without downtime"]
    assert response.context["facets"]["conference"] == [("searchconf-2026", "Searchconf 2026", 1)]
    assert titles(search(client, q="backfill", conference="otherconf-2025")) == []
    assert titles(search(client, q="backfill", conference="no-such-conference")) == []
    assert titles(search(client, q="backfill OR labels", speaker="ada", lang="sql")) == [
        "Database migrations without downtime"
    ]


def test_a_search_with_results_runs_a_fixed_number_of_queries(client, site):
    """Ranking 1, facets 1, hit 1 (an UPDATE), results 4, speakers 1, promotions 2, visibility 1,
    site 2 (uncached in tests): 13, whatever the number of matches (18 before facets were one
    query and the hit one UPDATE)."""
    day = DayFactory(parent=site["conf"], title="Day 2")
    for n in range(12):
        TalkFactory(parent=day, title=f"Caching talk {n}", body=[para("caching layers")])
    search(client, q="caching")  # the day's hit row, cached content types
    with CaptureQueriesContext(connection) as queries:
        response = search(client, q="caching")
    assert response.context["result_count"] == 13
    statements = [
        q["sql"] for q in queries.captured_queries if not q["sql"].startswith(TRANSACTION_CONTROL)
    ]
    assert len(statements) <= 13, "\n".join(statements)
    assert len([sql for sql in statements if sql.startswith(("UPDATE", "INSERT", "DELETE"))]) == 1


TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT", "SET LOCAL")


# --- the private search API (pages/search/ranking.py) --------------------------------------------


def test_search_private_api_names_still_exist():
    """Canary: every private name of Wagtail's search package that the fast ranking uses on
    this database is still there. When an upgrade renames one, searches fall back to Wagtail's slower ranking
    (and log a warning); this test fails so the upgrade fixes pages/search/ranking.py."""
    import importlib
    from functools import reduce

    from pages.search.ranking import PRIVATE_API

    missing = []
    for module_name, path in PRIVATE_API["any"] + PRIVATE_API.get(connection.vendor, []):
        try:
            reduce(getattr, path.split("."), importlib.import_module(module_name))
        except (ImportError, AttributeError) as exc:
            missing.append(f"{module_name}.{path}: {exc}")
    assert missing == [], "Wagtail's search internals changed, fix pages/search/ranking.py"


def test_search_private_api_fast_path_works_on_this_database(site, caplog):
    """Canary: on this database the fast ranking builds and runs without falling back."""
    from wagtail.models import Page

    from pages.search import ranking

    query = parse_query("factories OR backfill OR labels").query
    results = Page.objects.live().search(query, operator="and").annotate_score("_score")
    with caplog.at_level("WARNING", logger="pages.search.ranking"):
        fast = ranking.ranked_ids(results, 100)
    assert caplog.records == [], "the fast ranking fell back: fix pages/search/ranking.py"
    # The order is compared with Wagtail's by test_fast_ranking_paths_match_the_backend_order.
    assert fast is not None and sorted(fast) == sorted(page.pk for page in results)


def test_search_private_api_broken_falls_back_with_a_log_line(client, site, monkeypatch, caplog):
    """A private name gone after an upgrade: the search page still answers, ranked by Wagtail's
    own search, and the failure is logged."""
    from pages.search import ranking

    params = {"q": "factories OR backfill OR labels", "conference": "searchconf-2026"}
    expected = titles(search(client, **params))
    assert expected and len(expected) < 3  # ranked, and the conference filter applies

    def renamed(*args):
        raise AttributeError(
            "'SQLiteSearchQueryCompiler' has no attribute '_build_rank_expression'"
        )

    monkeypatch.setattr(ranking, "_sqlite_statement", renamed)
    monkeypatch.setattr(ranking, "_postgres_statement", renamed)
    with caplog.at_level("WARNING", logger="pages.search.ranking"):
        response = search(client, **params)
    assert titles(response) == expected
    assert any("Fast search ranking failed" in r.getMessage() for r in caplog.records)


def test_a_facet_lists_its_15_largest_values_and_any_chosen_one(rf):
    """A common word among many conferences: the conference facet lists the 15 largest (as
    tags and speakers are counted), plus a chosen one further down, still marked as on."""
    from pages.search.views import FACET_ROWS, _facet_links

    conferences = [(f"conf-{n:02}", f"Conf {n:02}", 40 - n) for n in range(30)]
    facets = {"conference": conferences, "tag": [], "speaker": [], "lang": []}
    shown = _facet_links(rf.get("/search/", {"q": "django"}), {}, facets)["conference"]
    assert [row["value"] for row in shown] == [f"conf-{n:02}" for n in range(FACET_ROWS)]
    request = rf.get("/search/", {"q": "django", "conference": "conf-27"})
    shown = _facet_links(request, {"conference": ["conf-27"]}, facets)["conference"]
    assert [row["value"] for row in shown][-2:] == ["conf-14", "conf-27"]
    assert shown[-1]["active"] and "conference=conf-27" not in shown[-1]["url"]
