"""Word lists (PostgreSQL): a search of common words ranked without reading the index entries.

Ranking a common word reads every entry that contains it: among 100,000 talks, "django" is in
26,000 entries, 150 ms of heap reads and ``ts_rank`` calls, whatever the index. For a common
word this keeps, in ``confnotes_search_posting`` (migration ``0018_search_postings``), every
entry that contains it with the word's rank in the entry's title and in its body (``ts_rank``
with the backend's weights, the very values a search computes) and the entry's title norm: the
entry's *posting* for the word. Postings of one word sit together in one B-tree, so ranking a
query of such words reads a few hundred pages instead of 26,000 rows.

**Exact.** The backend ranks a query by combining per-word ``ts_rank`` values: ``(1 + a) ×
(1 + b) − 1`` for AND, the mean for OR, the title's rank times the title norm plus the body's
(``PostgresSearchQueryCompiler.build_tsrank``). :func:`_rank` builds the same expression with
the same operators in the same order, each ``ts_rank(vector, word)`` replaced by the stored
value (``ts_rank`` of an excluded word is that word's: it reads the operands only), so the
ranks, their order and their ties are the backend's to the bit. A query applies when it is made
of single words with AND, OR and NOT (a phrase, a prefix or a word that is several lexemes is
ranked as before), and only when every one of its words has postings: the statement itself
checks that in the same snapshot, else the search ranks every match as before.

**Kept exact on every write.** The trigger ``confnotes_search_posting_sync`` on Wagtail's index
table rewrites an entry's postings whenever the entry is written (publish, unpublish, delete,
``update_index``, the title-norm refresh, a raw DELETE or TRUNCATE), in the same transaction.

**Which words.** After a search ranks every match and finds ``limit`` results, each of its words
that has :data:`MIN_ENTRIES` or more matches gets postings (:func:`build`, under a lock that
holds writes of the index back, about 0.4 s for a word in 26,000 of 100,000 entries). Postings made with other
weights (the search fields' boosts changed) are not used, and are made again.
"""

import logging

from django.db import connections, transaction
from django.db.models import FloatField, Value
from django.db.models.expressions import RawSQL

logger = logging.getLogger(__name__)

#: a word gets postings when it is in at least this many index entries
MIN_ENTRIES = 2000


class Unsupported(Exception):
    """The query has a part that postings cannot rank (a phrase, a prefix, …)."""


def _walk(query, words: list[str]) -> None:
    """Collect the query's words (first-seen order); raise Unsupported for any other part."""
    from modelsearch.query import And, Boost, Not, Or, PlainText

    if isinstance(query, PlainText):
        if len(query.query_string.split()) != 1 or "-" in query.query_string:
            raise Unsupported
        if query.query_string not in words:
            words.append(query.query_string)
    elif (
        isinstance(query, Boost) or isinstance(query, Not) and isinstance(query.subquery, PlainText)
    ):
        _walk(query.subquery, words)
    elif isinstance(query, (And, Or)) and query.subqueries:
        for sub in query.subqueries:
            _walk(sub, words)
    else:
        raise Unsupported


def _required(query) -> list[str]:
    """Words every match contains (the plain words of a top-level AND, or the one word)."""
    from modelsearch.query import And, Boost, PlainText

    while isinstance(query, Boost):
        query = query.subquery
    if isinstance(query, PlainText):
        return [query.query_string]
    if isinstance(query, And):
        return [sub.query_string for sub in query.subqueries if isinstance(sub, PlainText)]
    return []


def _matches(query, alias) -> str:
    """SQL true when the joined postings say the entry matches ``query``."""
    from modelsearch.query import And, Boost, Not, PlainText

    if isinstance(query, PlainText):
        return f"{alias[query.query_string]}.entry_id IS NOT NULL"
    if isinstance(query, Boost):
        return _matches(query.subquery, alias)
    if isinstance(query, Not):
        return f"NOT ({_matches(query.subquery, alias)})"
    joiner = " AND " if isinstance(query, And) else " OR "
    return "(" + joiner.join(_matches(sub, alias) for sub in query.subqueries) + ")"


def _rank(query, alias, column: str, boost=1.0):
    """The backend's ``build_tsrank(vector, query)``, with each ``ts_rank`` a stored value."""
    from modelsearch.query import And, Boost, Not, Or, PlainText
    from modelsearch.utils import ADD, MUL

    if isinstance(query, (PlainText, Not)):
        # ts_rank(vector, !word) = ts_rank(vector, word): the rank reads the operands only
        # (an entry may contain an excluded word when it matches another part of an OR)
        word = query.query_string if isinstance(query, PlainText) else query.subquery.query_string
        sql = f'COALESCE({alias[word]}."{column}", 0::real)'
        expression = RawSQL(sql, (), output_field=FloatField())
        if boost != 1.0:
            expression *= boost
        return expression
    if isinstance(query, Boost):
        return _rank(query.subquery, alias, column, boost * query.boost)
    if isinstance(query, And):
        return MUL(1 + _rank(sub, alias, column, boost) for sub in query.subqueries) - 1
    if isinstance(query, Or):
        return ADD(_rank(sub, alias, column, boost) for sub in query.subqueries) / (
            len(query.subqueries) or 1
        )
    raise Unsupported


def _tsquery_sql(compiler, config, word: str, query, using: str) -> tuple[str, tuple]:
    """SQL of the backend's tsquery for one word, e.g. ``to_tsquery(%s::regconfig, %s)``."""
    from modelsearch.query import PlainText

    expression = compiler.build_tsquery(PlainText(word), config=config)
    sql, params = query.get_compiler(using=using).compile(expression.resolve_expression(query))
    return f"({sql})", tuple(params)


def _statement_parts(results):
    """(compiler, words, their tsquery SQL, a query for compiling, database alias) or None."""
    from modelsearch.backends.database.postgres import postgres as pg
    from modelsearch.conf import get_app_config

    compiler = getattr(results, "query_compiler", None)
    if not isinstance(compiler, pg.PostgresSearchQueryCompiler) or compiler.fields is not None:
        return None
    words: list[str] = []
    try:
        _walk(compiler.query, words)
    except Unsupported:
        return None
    if not words:
        return None
    using = results.queryset.db if hasattr(results, "queryset") else compiler.queryset.db
    config = compiler.get_config(results.backend)
    query = get_app_config().get_model("IndexEntry").objects.all().query
    terms = {word: _tsquery_sql(compiler, config, word, query, using) for word in words}
    return compiler, words, terms, query, using


def _alone(query) -> bool:
    """``query`` is one word, unboosted: ranked by the posting's ``word_rank``."""
    from modelsearch.query import PlainText

    return isinstance(query, PlainText)


def _positive(query, word: str) -> bool:
    """``word`` appears in ``query`` other than excluded (``-word``)."""
    from modelsearch.query import And, Boost, Not, Or, PlainText

    if isinstance(query, PlainText):
        return query.query_string == word
    if isinstance(query, Boost):
        return _positive(query.subquery, word)
    if isinstance(query, Not):
        return False
    if isinstance(query, (And, Or)):
        return any(_positive(sub, word) for sub in query.subqueries)
    return False


def _covered(query) -> bool:
    """Every entry that matches ``query`` contains one of its non-excluded words."""
    from modelsearch.query import And, Boost, Or, PlainText

    if isinstance(query, PlainText):
        return True
    if isinstance(query, Boost):
        return _covered(query.subquery)
    if isinstance(query, And):
        return any(_covered(sub) for sub in query.subqueries)
    if isinstance(query, Or):
        return all(_covered(sub) for sub in query.subqueries)
    return False


def ranked_statement(
    results, limit: int, pages, by_pk: bool, inner_limit: int | None = None
) -> tuple[str, tuple, str] | None:
    """The ranking statement from postings (rows: object id, rank, whether every word of the
    query has postings), the visible ``pages`` only, best first, at most ``limit``, looked for
    among the best ``inner_limit`` matches (None: all); None when the query is not made of
    single words."""
    from modelsearch.utils import get_descendants_content_types_pks

    from .ranking import best_visible

    parts = _statement_parts(results)
    if parts is None or not _covered(results.query_compiler.query):
        return None
    compiler, words, terms, query, using = parts
    alias = {word: f"p{n}" for n, word in enumerate(words)}
    required = [word for word in _required(compiler.query) if word in alias]
    positive = [word for word in words if _positive(compiler.query, word)]
    if required:  # every match has a posting for the first required word: start from those
        first = alias[required[0]]
        norm, object_id = f"{first}.title_norm", f"{first}.object_id"
    else:  # an OR: a posting for some word
        norm = "COALESCE(" + ", ".join(f"{a}.title_norm" for a in alias.values()) + ")"
        object_id = "COALESCE(" + ", ".join(f"{a}.object_id" for a in alias.values()) + ")"
    if _alone(compiler.query) and not by_pk:
        # One word: its stored rank, the same expression computed on write (migration 0021),
        # read in order from the index on (term, word_rank, object_id) until enough are found.
        rank_sql, rank_params = f"{alias[words[0]]}.word_rank", ()
    else:
        # the backend's `part = build_tsrank(vector) * boost` for (title, title_norm), (body, 1.0)
        title = _rank(compiler.query, alias, "title_rank")  # _walk accepted every part
        body = _rank(compiler.query, alias, "body_rank")
        rank = title * RawSQL(norm, (), output_field=FloatField()) + body * Value(1.0)
        rank_sql, rank_params = query.get_compiler(using=using).compile(
            rank.resolve_expression(query)
        )
    types = list(get_descendants_content_types_pks(compiler.queryset.model))

    sql: list[str] = []
    params: list = []

    def add(text, *values):
        sql.append(text)
        params.extend(values)

    add(f"SELECT {object_id} AS object_id, {rank_sql} AS _rank_", *rank_params)
    if required:
        add(f" FROM confnotes_search_posting {first}")
        on = f"{first}.entry_id"
    else:  # an OR: the postings of its words side by side, one row per entry
        for n, word in enumerate(positive):
            a = alias[word]
            add(
                f"{' FROM' if n == 0 else ' FULL JOIN'} (SELECT * FROM confnotes_search_posting"
                f" WHERE term = {terms[word][0]}::text) {a}",
                *terms[word][1],
            )
            if n:
                previous = ", ".join(f"{alias[w]}.entry_id" for w in positive[:n])
                add(f" ON {a}.entry_id = COALESCE({previous})")
        on = "COALESCE(" + ", ".join(f"{alias[w]}.entry_id" for w in positive) + ")"
    for word in words:
        if word in (required[:1] if required else positive):  # already in FROM
            continue
        kind = "JOIN" if word in required[1:] else "LEFT JOIN"
        add(
            f" {kind} confnotes_search_posting {alias[word]} ON {alias[word]}.entry_id = {on}"
            f" AND {alias[word]}.term = {terms[word][0]}::text",
            *terms[word][1],
        )
    if required:
        add(
            f" WHERE {first}.term = {terms[required[0]][0]}::text"
            f" AND {first}.content_type_id = ANY(%s)",
            *terms[required[0]][1],
            types,
        )
    else:
        types_of = ", ".join(f"{alias[w]}.content_type_id" for w in positive)
        add(f" WHERE COALESCE({types_of}) = ANY(%s)", types)
    # The inner ranking keeps its best `inner_limit` (a top-N sort, not a sort of every
    # posting), in the outer order; the outer query keeps the visible ones.
    order = f"CAST({object_id} AS integer)" if by_pk else "object_id"
    add(f" AND {_matches(compiler.query, alias)} ORDER BY 2 DESC, {order} DESC")
    if inner_limit is not None:
        add(" LIMIT %s", inner_limit)
    listed = (
        "(SELECT bool_and(w.term IS NOT NULL) FROM unnest(ARRAY["  # noqa: S608
        + ", ".join(f"{terms[word][0]}::text" for word in words)
        + "]) AS u(term) LEFT JOIN confnotes_search_word w"
        " ON w.term = u.term AND w.weights = %s::real[])"
    )
    listed_params = (*(p for word in words for p in terms[word][1]), compiler.sql_weights)
    statement, statement_params = best_visible(
        "".join(sql), params, compiler, pages, by_pk, limit, (f", {listed}", listed_params)
    )
    return statement, statement_params, using


def ranked_ids(results, limit: int, pages, by_pk: bool, key=None) -> list[int] | None:
    """Object ids in the backend's rank order from postings; None when some word of the query
    has none (or the query is not made of single words)."""
    from .ranking import _kept

    statement = _kept(ranked_statement, key)  # compiled once per search shape and query
    rows = _rows(statement(results, limit, pages, by_pk, inner_limit=2 * limit))
    if not rows or not rows[0][2]:  # no match, or a word without postings: rank as before
        return None
    if len(rows) < limit:  # pages not visible among the best matches: look further
        rows = _rows(statement(results, limit, pages, by_pk, inner_limit=None))
    return [int(row[0]) for row in rows]


def _rows(statement) -> list[tuple]:
    if statement is None:
        return []
    sql, params, using = statement
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def keep_postings_for(results) -> int:
    """Make postings for the query's common words that lack them; how many words got them."""
    parts = _statement_parts(results)
    if parts is None:
        return 0
    compiler, words, terms, _query, using = parts
    table = _index_table(using)
    made = 0
    for word in words:
        term_sql, term_params = terms[word]
        with connections[using].cursor() as cursor:
            # Whether it has postings (with these weights, or others), and whether it is
            # common: a rare word is never locked for (it would be on every such search).
            cursor.execute(
                "SELECT bool_or(w.weights = %s::real[]), count(w.term) > 0,"  # noqa: S608
                f" (SELECT count(*) FROM (SELECT 1 FROM {table} e"
                f" WHERE (e.title || e.body) @@ {term_sql} LIMIT %s) enough) >= %s"
                f" FROM confnotes_search_word w WHERE w.term = {term_sql}::text",
                (compiler.sql_weights, *term_params, MIN_ENTRIES, MIN_ENTRIES, *term_params),
            )
            current, stale, common = cursor.fetchone()
        if not current and (common or stale):  # made, made again, or (stale) dropped
            made += build(term_sql, term_params, compiler.sql_weights, using)
    return made


def _index_table(using: str) -> str:
    from modelsearch.conf import get_app_config

    return connections[using].ops.quote_name(
        get_app_config().get_model("IndexEntry")._meta.db_table
    )


def build(term_sql: str, term_params: tuple, weights: str, using: str = "default") -> int:
    """Make (or make again) one word's postings: 1 if made, 0 if the word is in fewer than
    :data:`MIN_ENTRIES` entries or is not one lexeme."""
    table = _index_table(using)
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        # Writes of the index wait until the postings are made: none can slip between the
        # statements below (the trigger keeps them from then on). NOWAIT: while a write is
        # under way (an import, say), this raises at once and the next search tries again;
        # a visitor never waits for it.
        cursor.execute(f"LOCK TABLE {table} IN SHARE MODE NOWAIT")
        cursor.execute(
            f"DELETE FROM confnotes_search_word WHERE term = {term_sql}::text",  # noqa: S608
            term_params,
        )
        cursor.execute(
            "INSERT INTO confnotes_search_word (term, query, weights)"  # noqa: S608
            f" SELECT p.q::text, p.q, %s::real[] FROM (SELECT {term_sql} AS q) p"
            " WHERE numnode(p.q) = 1 AND (SELECT count(*) FROM (SELECT 1 FROM"
            f" {table} e WHERE (e.title || e.body) @@ p.q LIMIT %s) enough) >= %s",
            (weights, *term_params, MIN_ENTRIES, MIN_ENTRIES),
        )
        if cursor.rowcount != 1:
            return 0
        cursor.execute(
            "INSERT INTO confnotes_search_posting"  # noqa: S608
            " (term, entry_id, content_type_id, object_id, title_rank, body_rank, title_norm)"
            " SELECT w.term, e.id, e.content_type_id, e.object_id,"
            " ts_rank(w.weights, e.title, w.query), ts_rank(w.weights, e.body, w.query),"
            f" e.title_norm FROM confnotes_search_word w JOIN {table} e"
            f" ON (e.title || e.body) @@ w.query WHERE w.term = {term_sql}::text",
            term_params,
        )
        logger.info("Search postings made for one word: %s entries", cursor.rowcount)
    connection = connections[using]
    with connection.cursor() as cursor:
        # The planner's statistics must know the new word (a word it believes rare is joined
        # by scanning it once per row of the other: 70 s for "async views" at 100,000 talks).
        if not connection.in_atomic_block:
            # VACUUM, too: it marks the new rows visible to all (hint bits, which the first
            # searches would otherwise pay for) and their pages all-visible, so that searches
            # read the postings from the primary key alone (an index-only scan: migration
            # 0020). About 75 ms for 16 words' postings at 100,000 talks.
            cursor.execute("VACUUM (ANALYZE) confnotes_search_posting")
            return 1
        # Inside a caller's transaction (a test's), where VACUUM cannot run: the statistics.
        cursor.execute("ANALYZE confnotes_search_posting")
    return 1
