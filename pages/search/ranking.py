"""Fast ranking for the database search backends: the one module that uses private internals of
Wagtail's search package (``modelsearch``).

Wagtail's own ranked queries are slow at 10,000 talks (SQLite runs the FTS match once per
matching row; PostgreSQL joins every page to its index entry through a text cast). The
statements built here give exactly the backend's matches and order, faster. To build them they
use what ``modelsearch`` does not promise to keep: its query compilers' helpers
(``_build_rank_expression``, ``FTS_TABLE_FIELDS``, ``build_tsquery``, ``build_tsrank``, …) and
its FTS/index-entry models; :data:`PRIVATE_API` lists them.

Everything private happens while a statement is *built* (``_sqlite_statement``,
``_postgres_statement``). If that fails after an upgrade (a renamed attribute, a changed
signature, different SQL), :func:`ranked_ids` logs a warning and returns ``None``: the search
view then ranks with Wagtail's public search API (same results, slower), never a 500.
``tests/test_search.py::test_search_private_api_*`` fail loudly when that happens, so the
upgrade that broke it is the one that fixes it.
"""

import logging

from django.core.exceptions import EmptyResultSet
from django.db import connection, connections
from django.db.models import Exists, F, Func, IntegerField, OuterRef
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast

from . import postings
from .facets import compiled_sql

logger = logging.getLogger(__name__)

_SQLITE = "modelsearch.backends.database.sqlite.sqlite"
_POSTGRES = "modelsearch.backends.database.postgres.postgres"
#: Every private name this module relies on, by database vendor: (module, attribute path).
#: A backend's module only imports on its own database. Checked by a test.
PRIVATE_API = {
    "sqlite": [
        (_SQLITE, "SQLiteSearchQueryCompiler"),
        (_SQLITE, "SQLiteSearchQueryCompiler.FTS_TABLE_FIELDS"),
        (_SQLITE, "SQLiteSearchQueryCompiler.get_config"),
        (_SQLITE, "SQLiteSearchQueryCompiler.build_search_query"),
        (_SQLITE, "SQLiteSearchQueryCompiler.get_search_vectors"),
        (_SQLITE, "SQLiteSearchQueryCompiler._build_rank_expression"),
        (_SQLITE, "normalize"),
        (_SQLITE, "MatchExpression"),
        (_SQLITE, "SQLiteFTSIndexEntry"),
    ],
    "postgresql": [
        (_POSTGRES, "PostgresSearchQueryCompiler"),
        (_POSTGRES, "PostgresSearchQueryCompiler.get_config"),
        (_POSTGRES, "PostgresSearchQueryCompiler.build_tsquery"),
        (_POSTGRES, "PostgresSearchQueryCompiler.build_tsrank"),
        ("modelsearch.conf", "get_app_config"),
        # word postings (postings.py) rebuild build_tsrank's expression with these
        ("modelsearch.utils", "ADD"),
        ("modelsearch.utils", "MUL"),
    ],
    "any": [
        ("modelsearch.query", "MatchAll"),
        ("modelsearch.query", "Not"),
        ("modelsearch.query", "Fuzzy"),
        ("modelsearch.utils", "get_descendants_content_types_pks"),
    ],
}


def ranked_ids(
    results, limit: int, pages=None, by_pk: bool = False, few: bool = False, shape=None
) -> list[int] | None:
    """Object ids of ``results`` (a database-backend search) in rank order, at most ``limit``,
    only objects in ``pages`` (default: the searched queryset); None when the fast path does
    not apply (another database or backend, a query it does not handle) or is broken.

    ``by_pk``: equal ranks in descending primary key order, exactly as the backend orders them
    (``-pk``); without it, as the pages' ranking always has (the index entry's object id as
    text on PostgreSQL, unordered on SQLite).

    ``few``: the model has few index entries among many (speakers among 100,000 talks): on
    PostgreSQL its entries are matched one by one, not through the full-text index, whose
    matches for a common word are nearly all pages (120 ms for "django" at 100,000 talks).

    ``shape``: a hashable key that says everything about ``pages`` (the SQLite statement is
    then compiled once per shape and query structure, and only its words change; see
    :func:`_sqlite_statement`; PostgreSQL's statements once per shape and query); None to
    compile it every time."""
    if connection.vendor == "sqlite":
        return sqlite_ranked_ids(results, limit, pages, by_pk, shape)
    if connection.vendor == "postgresql":
        return postgres_ranked_ids(results, limit, pages, by_pk, few, shape)
    return None


def sqlite_ranked_ids(
    results, limit: int, pages=None, by_pk: bool = False, shape=None
) -> list[int] | None:
    """Object ids in rank order for SQLite FTS5, in one pass; None when not applicable.

    Wagtail's SQLite backend orders by a correlated subquery that runs the FTS match once per
    matching row (5.6 s for 2,250 matches among 10,000 talks). This builds the same match and
    bm25 score as that backend, but orders the FTS rows directly.
    """
    if connection.vendor != "sqlite":
        return None
    return _run(_sqlite_statement, results, limit, pages, by_pk, shape)


def postgres_ranked_ids(
    results, limit: int, pages=None, by_pk: bool = False, few: bool = False, shape=None
) -> list[int] | None:
    """Object ids in rank order for PostgreSQL full text search, starting from the index.

    Wagtail's PostgreSQL backend joins every page to its index entry through a text cast of the
    page id; ranking from the index entries (GIN-indexed vectors) and then filtering the pages
    by id is several times faster for common words. Same tsquery, same rank expression, same
    order.

    The matched entries are ranked first; then, best first, each one's page is looked up by
    primary key until ``limit`` visible ones are found (``OFFSET 0`` keeps PostgreSQL from
    merging either step into a join whose order it would guess). A common word's 4,000 matches
    among 10,000 talks cost 1,000 look-ups, not 4,000. Left to itself, without table statistics
    (a freshly loaded database, before ANALYZE), the planner joined every live page to every
    match in a nested loop: 4.5 s for "caching".
    """
    if connection.vendor != "postgresql":
        return None
    # Common words' postings pay off for the search page's long rankings (not for speakers).
    use_postings = not few and limit >= POSTINGS_FROM_LIMIT
    key = _statement_key(results, shape, few, limit, by_pk)
    if use_postings:
        try:
            ids = postings.ranked_ids(results, limit, pages, by_pk, key)
        except Exception:  # never a 500: the ranking below gives the same order
            logger.warning("Ranking from word postings failed", exc_info=True)
            ids = None
        if ids is not None:
            return ids
    ids = _run(_kept(_postgres_statement, key), results, limit, pages, by_pk, few)
    if use_postings and ids is not None and len(ids) == limit:  # common words: keep postings
        try:
            postings.keep_postings_for(results)
        except Exception:
            logger.warning("Could not make word postings", exc_info=True)
    return ids


#: rankings this long (the search page's) use common words' postings (pages/search/postings.py)
POSTINGS_FROM_LIMIT = 100

#: (statement builder, shape, query, …) -> a PostgreSQL statement: compiled once per search
#: shape and query (building one costs 1 to 2 ms of Python; a search page runs up to eight)
_postgres_statements: dict[tuple, tuple | None] = {}


def _statement_key(results, shape, few: bool, *options) -> tuple | None:
    """What a PostgreSQL statement depends on: the pages' ``shape`` (``few``, the speakers:
    their model alone), the query (its repr names every word, operator and boost), the
    options; None when unknown (then the statement is compiled each time)."""
    compiler = getattr(results, "query_compiler", None)
    if compiler is None or (shape is None and not few):
        return None
    return (shape, compiler.queryset.model, repr(compiler.query), compiler.fields, few, *options)


def _kept(build, key):
    """``build`` with its statement kept under ``key`` (None: not kept)."""
    if key is None:
        return build

    def kept(*args, **kwargs):
        found_key = (build.__name__, *key, tuple(kwargs.items()))
        if found_key not in _postgres_statements:
            _keep(_postgres_statements, found_key, build(*args, **kwargs))
        return _postgres_statements[found_key]

    return kept


def _run(build, results, limit: int, pages, *options) -> list[int] | None:
    try:
        statement = build(results, limit, pages, *options)
    except EmptyResultSet:  # e.g. a filter on a conference that does not exist
        return []
    except Exception:  # the private API changed: Wagtail's public search takes over
        logger.warning(
            "Fast search ranking failed (has Wagtail's search package changed? see "
            "pages/search/ranking.py); using Wagtail's own ranking instead",
            exc_info=True,
        )
        return None
    if statement is None:
        return None
    sql, params, using = statement
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        return [int(row[0]) for row in cursor.fetchall()]


def _among(pages, object_id: str) -> Exists:
    """The index entry's object is one of ``pages`` (a queryset): the visibility filter, in SQL."""
    return Exists(pages.order_by().filter(pk=Cast(OuterRef(object_id), IntegerField())))


def query_shape(query):
    """The structure of a search query without its words: what, besides the words, shapes the
    SQLite statement (its rank expression follows the tree of And/Or/Not); None for a query
    this does not know (then the statement is compiled as usual)."""
    from modelsearch.query import And, Boost, Not, Or, Phrase, PlainText

    kind = type(query)
    if kind is PlainText:
        return ("PlainText", query.operator, query.boost)
    if kind is Phrase:
        return ("Phrase",)
    if kind in (Not, Boost):
        inner = query_shape(query.subquery)
        return None if inner is None else (kind.__name__, getattr(query, "boost", None), inner)
    if kind in (And, Or):
        inner = tuple(query_shape(subquery) for subquery in query.subqueries)
        return None if None in inner else (kind.__name__, inner)
    return None


def _keep(statements: dict, key, statement) -> None:
    """Keep a compiled statement, the oldest going first past :data:`MAX_STATEMENTS`."""
    while len(statements) >= MAX_STATEMENTS:
        statements.pop(next(iter(statements)), None)
    statements[key] = statement


#: (shape, query structure, …) -> (sql, params) of a SQLite ranking statement whose first
#: parameter is the FTS MATCH text: compiled once, then only that parameter changes.
_sqlite_statements: dict[tuple, tuple[str, tuple]] = {}
MAX_STATEMENTS = 256


def _sqlite_statement(
    results, limit: int, pages, by_pk=False, shape=None
) -> tuple[str, tuple, str] | None:
    from modelsearch.backends.database.sqlite import sqlite as fts
    from modelsearch.query import MatchAll, Not
    from modelsearch.utils import get_descendants_content_types_pks

    compiler = getattr(results, "query_compiler", None)
    if not isinstance(compiler, fts.SQLiteSearchQueryCompiler):
        return None
    query = fts.normalize(compiler.query)
    if isinstance(query, (MatchAll, Not)):
        return None
    config = compiler.get_config(results.backend)
    match = fts.MatchExpression(
        compiler.fields or compiler.FTS_TABLE_FIELDS,
        compiler.build_search_query(query, config=config),
    )
    using = results.queryset.db if hasattr(results, "queryset") else compiler.queryset.db
    # The same statement for every query of the same structure and pages: compiling it was a
    # quarter of a search from scratch. Only the MATCH text (its first parameter) differs.
    key = None
    if shape is not None:
        structure = (query_shape(compiler.query), query_shape(query))
        if None not in structure:
            key = (
                shape,
                structure,
                compiler.queryset.model,
                tuple(compiler.fields or ()),
                limit,
                by_pk,
                using,
            )
    if key is not None:
        match_text = match.as_sql(
            fts.SQLiteFTSIndexEntry.objects.none().query.get_compiler(using=using),
            connections[using],
        )[1][0]
        if key in _sqlite_statements:
            sql, params = _sqlite_statements[key]
            return sql, (match_text, *params[1:]), using
    entries = (
        fts.SQLiteFTSIndexEntry.objects.filter(match)
        .filter(
            index_entry__content_type__in=get_descendants_content_types_pks(compiler.queryset.model)
        )
        .filter(_among(compiler.queryset if pages is None else pages, "index_entry__object_id"))
        .annotate(score=compiler._build_rank_expression(compiler.get_search_vectors(), config))
        .order_by(
            "score",
            *([Cast("index_entry__object_id", IntegerField()).desc()] if by_pk else []),
        )
        .values_list("index_entry__object_id", flat=True)[:limit]
    )
    sql, params = compiled_sql(entries)
    if key is not None and params and params[0] == match_text:  # as assumed: keep it
        _keep(_sqlite_statements, key, (sql, params))
    return sql, params, entries.db


def _postgres_statement(
    results, limit: int, pages, by_pk=False, few=False
) -> tuple[str, tuple, str] | None:
    from django.contrib.postgres.search import SearchVectorField

    from modelsearch.backends.database.postgres import postgres as pg
    from modelsearch.conf import get_app_config
    from modelsearch.query import Fuzzy, MatchAll, Not
    from modelsearch.utils import get_descendants_content_types_pks

    compiler = getattr(results, "query_compiler", None)
    if not isinstance(compiler, pg.PostgresSearchQueryCompiler) or compiler.fields is not None:
        return None
    if isinstance(compiler.query, (MatchAll, Not, Fuzzy)):
        return None
    index_entry = get_app_config().get_model("IndexEntry")
    config = compiler.get_config(results.backend)
    search_query = compiler.build_tsquery(compiler.query, config=config)
    vectors = [(F("title"), F("title_norm")), (F("body"), 1.0)]
    rank = None
    for vector, boost in vectors:
        part = compiler.build_tsrank(vector, compiler.query, config=config) * boost
        rank = part if rank is None else rank + part
    # title || body: the document the backend matches against (the GIN index's expression;
    # with `|| ''`, the same document the planner cannot look up in that index).
    combined = Func(
        F("title"),
        F("body"),
        template="((%(expressions)s) || ''::tsvector)" if few else "(%(expressions)s)",
        arg_joiner=" || ",
        output_field=SearchVectorField(),
    )
    entries = (
        index_entry.objects.annotate(_vector_=combined)
        .filter(
            _vector_=search_query,
            content_type__in=get_descendants_content_types_pks(compiler.queryset.model),
        )
        .annotate(_rank_=rank)
        .order_by(F("_rank_").desc(), "-object_id")
        .values_list("object_id", "_rank_")
    )
    entries_sql, entries_params = compiled_sql(entries)
    sql, params = best_visible(entries_sql, entries_params, compiler, pages, by_pk, limit)
    return sql, params, entries.db


def best_visible(
    entries_sql, entries_params, compiler, pages, by_pk, limit, extra=("", ())
) -> tuple[str, tuple]:
    """The best ``limit`` ranked entries (a SELECT of ``object_id`` and ``_rank_``) whose page
    is one of ``pages``, best first; ``extra``: more columns' SQL (``", …"``) and parameters."""
    visible_sql, visible_params = visibility_sql(compiler, pages)
    tiebreak = 'CAST("ranked"."object_id" AS integer)' if by_pk else '"ranked"."object_id"'
    sql = (
        f'SELECT "ranked"."object_id", "ranked"."_rank_"{extra[0]}'  # noqa: S608
        f' FROM ({entries_sql} OFFSET 0) "ranked" WHERE EXISTS({visible_sql} OFFSET 0)'
        f' ORDER BY "ranked"."_rank_" DESC, {tiebreak} DESC LIMIT %s'
    )
    return sql, (*extra[1], *entries_params, *visible_params, limit)


def visibility_sql(compiler, pages) -> tuple[str, tuple]:
    """SQL of "the page of the ranked row (``"ranked"."object_id"``) is one of ``pages``";
    compiled once per ``pages`` queryset (a search ranks several queries among the same)."""
    memo = getattr(pages, "_visibility_sql", None)
    if memo is not None:
        return memo
    visible = (
        (compiler.queryset if pages is None else pages)
        .order_by()
        .filter(pk=Cast(RawSQL('"ranked"."object_id"', ()), IntegerField()))
        .values("pk")[:1]
    )
    sql, params = compiled_sql(visible)
    if not sql.endswith(" LIMIT 1"):  # [:1] compiles to a final LIMIT 1
        raise ValueError(f"Unexpected SQL for the visibility check: {sql}")
    if pages is not None:
        pages._visibility_sql = (sql, params)
    return sql, params
