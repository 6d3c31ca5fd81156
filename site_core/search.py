"""Site search: query parsing, facets, excerpts. Never raises on what a visitor types.

The query language is small: words are ANDed, ``"a phrase"`` matches words in order,
``OR`` (in capitals) separates alternatives and ``-word`` / ``-"a phrase"`` excludes.
"""

import json
import re
import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import EmptyResultSet
from django.db import connection, connections, transaction
from django.db.models import Count, Exists, F, IntegerField, Lookup, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Substr
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from wagtail.models import Page
from wagtail.search.query import And, Fuzzy, Not, Or, Phrase, PlainText

MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 20
_TOKEN = re.compile(r'(-?)"([^"]*)"|(\S+)')
_WORD_CHARS = re.compile(r"[^\w'+#.-]+", re.UNICODE)


@dataclass
class ParsedQuery:
    text: str = ""
    query: object = None
    words: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: only plain words (no phrase, OR or exclusion): typo-forgiving search may be tried
    plain: bool = True

    @property
    def is_empty(self) -> bool:
        return self.query is None


def clean_query(raw: str) -> tuple[str, list[str]]:
    """Drop control characters, fold white space and cap the length; say what was cut."""
    notes = []
    text = "".join(
        " " if unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"} else ch
        for ch in (raw or "")[: MAX_QUERY_CHARS * 10]
    )
    text = " ".join(text.split())
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS].rsplit(" ", 1)[0] or text[:MAX_QUERY_CHARS]
        notes.append(f"Your search was shortened to its first {MAX_QUERY_CHARS} characters.")
    words = text.split(" ")
    if len(words) > MAX_QUERY_WORDS:
        text = " ".join(words[:MAX_QUERY_WORDS])
        notes.append(f"Only the first {MAX_QUERY_WORDS} words were used.")
    return text, notes


def _words(text: str) -> list[str]:
    return [w.strip(".'-") for w in _WORD_CHARS.sub(" ", text).split() if w.strip(".'-")]


def parse_query(raw: str) -> ParsedQuery:
    text, notes = clean_query(raw)
    groups: list[list] = [[]]
    positive_words: list[str] = []
    plain = True
    # An unbalanced quote is just punctuation.
    text_for_tokens = text.replace('"', " ") if text.count('"') % 2 else text
    for match in _TOKEN.finditer(text_for_tokens):
        negate, phrase, bare = match.groups()
        if bare is not None:
            if bare == "OR":
                groups.append([])
                plain = False
                continue
            negate = "-" if bare.startswith("-") and len(bare) > 1 else ""
            words = _words(bare[1:] if negate else bare)
            plain = plain and not negate
            for word in words:
                term = PlainText(word)
                groups[-1].append(Not(term) if negate else term)
                if not negate:
                    positive_words.append(word)
        else:
            words = _words(phrase)
            if not words:
                continue
            term = Phrase(" ".join(words)) if len(words) > 1 else PlainText(words[0])
            plain = False
            groups[-1].append(Not(term) if negate else term)
            if not negate:
                positive_words.extend(words)
    alternatives = []
    for group in groups:
        if not any(not isinstance(term, Not) for term in group):
            if group:
                notes.append("Exclusions need at least one word to search for.")
            continue
        alternatives.append(group[0] if len(group) == 1 else And(group))
    query = None
    if alternatives:
        query = alternatives[0] if len(alternatives) == 1 else Or(alternatives)
    return ParsedQuery(text=text, query=query, words=positive_words, notes=notes, plain=plain)


def fuzzy_query(parsed: ParsedQuery):
    """A typo-forgiving query (PostgreSQL with pg_trgm only), or None."""
    if connection.vendor != "postgresql" or not parsed.words or not parsed.plain:
        return None
    return Fuzzy(" ".join(parsed.words))


# --- excerpts ---------------------------------------------------------------------------------

_SKIP_KEYS = {
    "level",
    "language",
    "highlight_lines",
    "line_numbers",
    "done",
    "decorative",
    "image",
    "speaker",
    "source_url",
    "url",
    "type",
    "id",
}


def raw_text(data) -> list[str]:
    """Readable strings of StreamField raw data (no database access), block choices left out."""
    out: list[str] = []
    if isinstance(data, dict):
        if "type" in data and "value" in data:
            out += raw_text(data["value"])
        else:
            for key, value in data.items():
                if key not in _SKIP_KEYS:
                    out += raw_text(value)
    elif isinstance(data, list):
        for item in data:
            out += raw_text(item)
    elif isinstance(data, str):
        text = re.sub(r"<[^>]+>", " ", data)
        text = " ".join(text.split())
        if text:
            out.append(text)
    return out


def excerpt(texts: list[str], words: list[str], width: int = 220) -> str:
    """An escaped excerpt around the first matched word, matches wrapped in <mark>."""
    text = " · ".join(t for t in texts if t)
    if not text:
        return ""
    patterns = [re.escape(w) for w in sorted(set(words), key=len, reverse=True) if len(w) > 1]
    matcher = re.compile(r"\b(" + "|".join(patterns) + r")\w*", re.IGNORECASE) if patterns else None
    start = 0
    if matcher:
        found = matcher.search(text)
        if found:
            start = max(0, found.start() - width // 3)
    snippet = text[start : start + width]
    prefix = "… " if start > 0 else ""
    suffix = " …" if start + width < len(text) else ""
    if not matcher:
        return escape(prefix + snippet + suffix)
    pieces, last = [], 0
    for m in matcher.finditer(snippet):
        pieces.append(escape(snippet[last : m.start()]))
        pieces.append(f"<mark>{escape(m.group(0))}</mark>")
        last = m.end()
    pieces.append(escape(snippet[last:]))
    return mark_safe(escape(prefix) + "".join(pieces) + escape(suffix))


# --- search-terms statistics -----------------------------------------------------------------


def record_hit(query_record) -> None:
    """Count one search of ``query_record`` (Wagtail's search-terms statistics) for today.

    Statistics may lose the last moment of hits if the database server crashes, so on PostgreSQL
    the commit is asynchronous (as atomic and isolated as ever, only not waited for until it is
    on disk): waiting for that flush was 3-4 ms of every search. Usually one UPDATE; Wagtail's
    ``add_hit`` (a look-up, then an update) makes the day's row on the first search of the day.
    """
    from wagtail.contrib.search_promotions.models import QueryDailyHits

    hits = QueryDailyHits.objects
    conn = connections[hits.db]
    outermost = not conn.in_atomic_block  # inside a transaction, SET LOCAL would outlive us
    with transaction.atomic(using=hits.db):
        if outermost and conn.vendor == "postgresql":
            with conn.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        today = timezone.now().date()
        if not hits.filter(query=query_record, date=today).update(hits=F("hits") + 1):
            query_record.add_hit(today)


# --- id lists ---------------------------------------------------------------------------------


class InIds(Lookup):
    """``field IN (ids)`` with the whole list as one parameter: ``= ANY(%s)`` on PostgreSQL,
    ``IN (SELECT value FROM json_each(%s))`` on SQLite.

    ``pk__in=[…4,000 ids…]`` costs more than the query it builds: Django prepares every value
    and the driver parses a statement with thousands of placeholders, a new one for every
    length (about 40% of a search's time at 10,000 talks). Use as ``qs.filter(InIds(F("pk"), ids))``.
    """

    lookup_name = "in_ids"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        ids = [int(pk) for pk in self.rhs]
        if connection.vendor == "postgresql":
            # The column's own type: PostgreSQL hashes ``int = ANY(int[])`` but not int = bigint.
            db_type = self.lhs.output_field.cast_db_type(connection)
            # An array literal as text: the driver's list adapter costs ~15 µs per thousand ids.
            literal = "{" + ",".join(map(str, ids)) + "}"
            return f"{lhs} = ANY(%s::{db_type}[])", (*lhs_params, literal)
        if connection.vendor == "sqlite":
            return f"{lhs} IN (SELECT value FROM json_each(%s))", (*lhs_params, json.dumps(ids))
        if not ids:
            return "1 = 0", tuple(lhs_params)
        return f"{lhs} IN ({', '.join(['%s'] * len(ids))})", (*lhs_params, *ids)


def ids_in(field: str, ids) -> InIds:
    return InIds(F(field), list(ids))


# --- facets -----------------------------------------------------------------------------------


def _sql(queryset) -> tuple[str, tuple]:
    sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    return sql, tuple(params)


def facet_counts(ids: list[int]) -> dict:
    """Counts by conference, tag, speaker and code language over the matched page ids.

    One query: the four counts (each built with the ORM) are glued with ``UNION ALL``, so a search
    pays one round trip for its facets instead of five (each about 0.7 ms on top of its SQL).
    """
    from pages.models import ConferenceIndex, TalkPage, TalkSpeaker, TalkTag

    prefixes = (
        Page.objects.filter(ids_in("pk", ids), depth__gt=2)
        .annotate(prefix=Substr("path", 1, Page.steplen * 3))
        .values("prefix")
        .annotate(n=Count("id"))
        .order_by()
    )
    conferences = (
        ConferenceIndex.objects.live()
        .order_by()
        .values(c_path=F("path"), c_slug=F("slug"), c_title=F("title"))
    )
    tags = (
        TalkTag.objects.filter(ids_in("content_object_id", ids))
        .values("tag__slug", "tag__name")
        .annotate(n=Count("id"))
        .order_by("-n", "tag__name")[:15]
    )
    speakers = (
        TalkSpeaker.objects.filter(ids_in("page_id", ids))
        .values("speaker__slug", "speaker__name")
        .annotate(n=Count("id"))
        .order_by("-n", "speaker__name")[:15]
    )
    languages = (
        TalkPage.objects.filter(ids_in("pk", ids))
        .exclude(code_languages="")
        .values("code_languages")
        .annotate(n=Count("pk"))
        .order_by()
    )
    prefixes_sql, prefixes_params = _sql(prefixes)
    conferences_sql, conferences_params = _sql(conferences)
    tags_sql, tags_params = _sql(tags)
    speakers_sql, speakers_params = _sql(speakers)
    languages_sql, languages_params = _sql(languages)
    # Within a facet, rows come back as the tag and speaker queries order them (count, then name
    # in the database's collation); the outer ORDER BY keeps that order through the UNION.
    sql = (
        f"SELECT 'conference', c.c_slug, c.c_title, m.n FROM ({prefixes_sql}) m"  # noqa: S608
        f" INNER JOIN ({conferences_sql}) c ON c.c_path = m.prefix"
        f" UNION ALL SELECT 'tag', t.* FROM ({tags_sql}) t"
        f" UNION ALL SELECT 'speaker', s.* FROM ({speakers_sql}) s"
        f" UNION ALL SELECT 'lang', l.code_languages, l.code_languages, l.n FROM ({languages_sql}) l"
        " ORDER BY 1, 4 DESC, 3"
    )
    params = prefixes_params + conferences_params + tags_params + speakers_params + languages_params
    facets: dict[str, list] = {"conference": [], "tag": [], "speaker": [], "lang": []}
    languages_count: dict[str, int] = {}
    with connections[prefixes.db].cursor() as cursor:
        cursor.execute(sql, params)
        for facet, value, label, n in cursor.fetchall():
            if facet == "lang":
                for language in value.split():
                    languages_count[language] = languages_count.get(language, 0) + n
            else:
                facets[facet].append((value, label, n))
    facets["conference"].sort(key=lambda x: (-x[2], x[1]))
    facets["lang"] = sorted(
        ((k, k, n) for k, n in languages_count.items()), key=lambda x: (-x[2], x[1])
    )
    return facets


def filter_talk_ids(filters: dict):
    """Ids of talks that satisfy the facet filters, as a subquery, or None when no filter is set."""
    from pages.models import ConferenceIndex, TalkPage

    if not any(filters.values()):
        return None
    talks = TalkPage.objects.all()
    for slug in filters.get("conference", []):
        conference = ConferenceIndex.objects.filter(slug=slug).first()
        talks = talks.descendant_of(conference) if conference else talks.none()
    for slug in filters.get("tag", []):
        talks = talks.filter(tagged_items__tag__slug=slug)
    for slug in filters.get("speaker", []):
        talks = talks.filter(talk_speakers__speaker__slug=slug)
    for language in filters.get("lang", []):
        talks = talks.filter(code_languages__contains=f" {language} ")
    return talks.values("pk")


def conference_filter(filters: dict) -> Q:
    """Days and conferences match a conference filter by their place in the tree."""
    from pages.models import ConferenceIndex

    q = Q()
    for slug in filters.get("conference", []):
        conference = ConferenceIndex.objects.filter(slug=slug).first()
        q &= Q(path__startswith=conference.path) if conference else Q(pk__in=[])
    return q


def _among(pages, object_id: str) -> Exists:
    """The index entry's object is one of ``pages`` (a queryset): the visibility filter, in SQL."""
    return Exists(pages.order_by().filter(pk=Cast(OuterRef(object_id), IntegerField())))


def sqlite_ranked_ids(results, limit: int, pages=None) -> list[int] | None:
    """Object ids in rank order for SQLite FTS5, in one pass; None when not applicable.

    Wagtail's SQLite backend orders by a correlated subquery that runs the FTS match once per
    matching row (5.6 s for 2,250 matches among 10,000 talks). This builds the same match and
    bm25 score as that backend, but orders the FTS rows directly. Only objects in ``pages``
    (default: the searched queryset) count.
    """
    if connection.vendor != "sqlite":
        return None
    try:
        from modelsearch.backends.database.sqlite import sqlite as fts
        from modelsearch.query import MatchAll, Not
        from modelsearch.utils import get_descendants_content_types_pks
    except (ImportError, LookupError):  # another search package, or no FTS5 tables
        return None
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
    entries = (
        fts.SQLiteFTSIndexEntry.objects.filter(match)
        .filter(
            index_entry__content_type__in=get_descendants_content_types_pks(compiler.queryset.model)
        )
        .filter(_among(compiler.queryset if pages is None else pages, "index_entry__object_id"))
        .annotate(score=compiler._build_rank_expression(compiler.get_search_vectors(), config))
        .order_by("score")
        .values_list("index_entry__object_id", flat=True)[:limit]
    )
    return [int(pk) for pk in entries]


def postgres_ranked_ids(results, limit: int, pages=None) -> list[int] | None:
    """Object ids in rank order for PostgreSQL full text search, starting from the index.

    Wagtail's PostgreSQL backend joins every page to its index entry through a text cast of the
    page id; ranking from the index entries (GIN-indexed vectors) and then filtering the pages
    by id is several times faster for common words. Same tsquery, same rank expression, same
    order. Only objects in ``pages`` (default: the searched queryset) count.

    The matched entries are ranked first; then, best first, each one's page is looked up by
    primary key until ``limit`` visible ones are found (``OFFSET 0`` keeps PostgreSQL from
    merging either step into a join whose order it would guess). A common word's 4,000 matches
    among 10,000 talks cost 1,000 look-ups, not 4,000. Left to itself, without table statistics
    (a freshly loaded database, before ANALYZE), the planner joined every live page to every
    match in a nested loop: 4.5 s for "caching".
    """
    if connection.vendor != "postgresql":
        return None
    try:
        from modelsearch.backends.database.postgres import postgres as pg
        from modelsearch.conf import get_app_config
        from modelsearch.query import Fuzzy, MatchAll, Not
        from modelsearch.utils import get_descendants_content_types_pks
    except (ImportError, LookupError):
        return None
    compiler = getattr(results, "query_compiler", None)
    if not isinstance(compiler, pg.PostgresSearchQueryCompiler) or compiler.fields is not None:
        return None
    if isinstance(compiler.query, (MatchAll, Not, Fuzzy)):
        return None
    from django.db.models import F

    index_entry = get_app_config().get_model("IndexEntry")
    config = compiler.get_config(results.backend)
    search_query = compiler.build_tsquery(compiler.query, config=config)
    vectors = [(F("title"), F("title_norm")), (F("body"), 1.0)]
    rank = None
    for vector, boost in vectors:
        part = compiler.build_tsrank(vector, compiler.query, config=config) * boost
        rank = part if rank is None else rank + part
    combined = F("title")._combine(F("body"), "||", False)
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
    visible = (
        (compiler.queryset if pages is None else pages)
        .order_by()
        .filter(pk=Cast(RawSQL('"ranked"."object_id"', ()), IntegerField()))
        .values("pk")[:1]
    )
    try:
        entries_sql, entries_params = _sql(entries)
        visible_sql, visible_params = _sql(visible)
    except EmptyResultSet:  # e.g. a filter on a conference that does not exist
        return []
    if not visible_sql.endswith(" LIMIT 1"):  # [:1] compiles to a final LIMIT 1
        raise AssertionError(visible_sql)
    sql = (
        f'SELECT "ranked"."object_id" FROM ({entries_sql} OFFSET 0) "ranked"'  # noqa: S608
        f" WHERE EXISTS({visible_sql} OFFSET 0)"
        ' ORDER BY "ranked"."_rank_" DESC, "ranked"."object_id" DESC LIMIT %s'
    )
    with connections[entries.db].cursor() as cursor:
        cursor.execute(sql, (*entries_params, *visible_params, limit))
        return [int(pk) for (pk,) in cursor.fetchall()]
