"""Facet counts (conference, tag, speaker, code language) and facet filters over matched pages.

Only the public ORM and SQL compiler API is used here; the private-API ranking is in
``pages.search.ranking``.
"""

import json

from django.db import connections
from django.db.models import Count, F, Lookup, Q

from taggit.models import Tag
from wagtail.models import Page

from pages.models import ConferenceIndex, TalkPage, TalkSpeaker, TalkTag
from pages.tree import CONFERENCE_DEPTH, ancestor_path_expression
from snippets.models import Speaker

#: values a facet lists: its largest (tags and speakers are counted only this far in SQL), and
#: any value the visitor chose. A common word among 100,000 talks matches 200 conferences.
FACET_ROWS = 15

# --- id lists ---------------------------------------------------------------------------------


class IdsParameter:
    """Stands for the list of ids while a statement is compiled once, to be run many times with
    other lists (:func:`facet_counts`): :func:`bind_ids` puts the real list in its place."""


def encode_ids(ids, vendor: str) -> str:
    """The single parameter :class:`InIds` passes for ``ids`` on PostgreSQL and SQLite."""
    ids = [int(pk) for pk in ids]
    if vendor == "postgresql":
        # An array literal as text: the driver's list adapter costs ~15 µs per thousand ids.
        return "{" + ",".join(map(str, ids)) + "}"
    return json.dumps(ids)


def bind_ids(params: tuple, ids, vendor: str) -> tuple:
    encoded = encode_ids(ids, vendor)
    return tuple(encoded if isinstance(p, IdsParameter) else p for p in params)


class InIds(Lookup):
    """``field IN (ids)`` with the whole list as one parameter: ``= ANY(%s)`` on PostgreSQL,
    ``IN (SELECT value FROM json_each(%s))`` on SQLite. With an :class:`IdsParameter` for the
    list, the statement can be compiled once and run with any list (:func:`bind_ids`).

    ``pk__in=[…4,000 ids…]`` costs more than the query it builds: Django prepares every value
    and the driver parses a statement with thousands of placeholders, a new one for every
    length (about 40% of a search's time at 10,000 talks). Use as ``qs.filter(InIds(F("pk"), ids))``.
    """

    lookup_name = "in_ids"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if isinstance(self.rhs, IdsParameter):
            if connection.vendor not in ("postgresql", "sqlite"):
                raise ValueError("IdsParameter: PostgreSQL and SQLite only")
            param = self.rhs
        else:
            param = encode_ids(self.rhs, connection.vendor)
        if connection.vendor == "postgresql":
            # The column's own type: PostgreSQL hashes ``int = ANY(int[])`` but not int = bigint.
            db_type = self.lhs.output_field.cast_db_type(connection)
            return f"{lhs} = ANY(%s::{db_type}[])", (*lhs_params, param)
        if connection.vendor == "sqlite":
            return f"{lhs} IN (SELECT value FROM json_each(%s))", (*lhs_params, param)
        ids = [int(pk) for pk in self.rhs]
        if not ids:
            return "1 = 0", tuple(lhs_params)
        return f"{lhs} IN ({', '.join(['%s'] * len(ids))})", (*lhs_params, *ids)


def ids_in(field: str, ids) -> InIds:
    return InIds(F(field), ids if isinstance(ids, IdsParameter) else list(ids))


#: (name, database alias, vendor) -> a statement compiled once (:func:`rows_for_ids`)
_compiled: dict[tuple[str, str, str], tuple[str, tuple]] = {}


def rows_for_ids(name: str, model, build, ids) -> list[tuple]:
    """The rows of ``build(ids)`` (a ``values_list`` queryset of ``model`` filtered with
    :func:`ids_in`).

    On PostgreSQL and SQLite the statement is built and compiled once per process (under
    ``name``) and run with each list: building and compiling cost more than running it. The
    rows come from the cursor as they are (no field converters): for integer and text columns.
    """
    using = model._default_manager.db
    vendor = connections[using].vendor
    if vendor not in ("postgresql", "sqlite"):
        return list(build(list(ids)))
    key = (name, using, vendor)
    if key not in _compiled:
        _compiled[key] = compiled_sql(build(IdsParameter()))
    sql, params = _compiled[key]
    with connections[using].cursor() as cursor:
        cursor.execute(sql, bind_ids(params, ids, vendor))
        return cursor.fetchall()


# --- facets -----------------------------------------------------------------------------------


def compiled_sql(queryset) -> tuple[str, tuple]:
    sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    return sql, tuple(params)


#: (database alias, vendor) -> the facets' statement, compiled once per process
_facet_statements: dict[tuple[str, str], tuple[str, tuple]] = {}


def facet_counts(ids: list[int]) -> dict:
    """Counts by conference, tag, speaker and code language over the matched page ids.

    One query: the four counts are glued with ``UNION ALL``, so a search pays one round trip for
    its facets instead of five (each about 0.7 ms on top of its SQL). On PostgreSQL they count
    each page's facet row (one probe per page: 4.4 ms for 1,000 pages at 100,000 talks, where
    probing the page, talk, tag and speaker tables took 8.8 ms).
    The statement is the same for every search but its list of ids: on PostgreSQL and SQLite it
    is compiled once per process (building and compiling it cost more than running it).
    """
    using = Page.objects.db
    vendor = connections[using].vendor
    if vendor in ("postgresql", "sqlite"):
        key = (using, vendor)
        if key not in _facet_statements:
            _facet_statements[key] = _facet_statement(IdsParameter(), vendor)
        sql, params = _facet_statements[key]
        params = bind_ids(params, ids, vendor)
    else:
        sql, params = _facet_statement(ids, vendor)
    return read_facets(using, sql, params)


def read_facets(using: str, sql: str, params) -> dict:
    """Run a facets' statement (:func:`_facet_statement`): the counts by facet, largest first."""
    facets: dict[str, list] = {"conference": [], "tag": [], "speaker": [], "lang": []}
    languages_count: dict[str, int] = {}
    with connections[using].cursor() as cursor:
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


def _facet_statement(ids, vendor: str = "") -> tuple[str, tuple]:
    """The facets' SQL and parameters for ``ids`` (a list, or an :class:`IdsParameter`).

    On PostgreSQL the counts read ``confnotes_search_facet`` (migration ``0019_search_facets``:
    one row per page, kept by triggers), one primary-key probe per page; elsewhere the page,
    talk, talk-tag and talk-speaker tables, four probes per page.
    """
    conferences = (
        ConferenceIndex.objects.live()
        .order_by()
        .values(c_path=F("path"), c_slug=F("slug"), c_title=F("title"))
    )
    tag_names = Tag.objects.order_by().values("id", "slug", "name")
    speaker_names = Speaker.objects.order_by().values("id", "slug", "name")
    counts = _counts_from_facet_rows if vendor == "postgresql" else _counts_from_tables
    (prefix_sql, prefix_params), tags, speakers, languages = counts(ids)
    tag_counts_sql, tag_counts_params = tags
    speaker_counts_sql, speaker_counts_params = speakers
    languages_sql, languages_params = languages
    conferences_sql, conferences_params = compiled_sql(conferences)
    tag_names_sql, tag_names_params = compiled_sql(tag_names)
    speaker_names_sql, speaker_names_params = compiled_sql(speaker_names)
    # Within a facet, rows come back as the tag and speaker queries order them (count, then name
    # in the database's collation, then slug); the outer ORDER BY keeps that order through the
    # UNION. Tags and speakers are counted by id and named afterwards (a few dozen rows to join
    # instead of every matched link, integer keys to group); slugs are unique, so the slug after
    # the name makes the order of equal counts and equal names (speakers' names can repeat) the
    # same on every run.
    sql = (
        f"SELECT 'conference', c.c_slug, c.c_title, m.n FROM ({prefix_sql}) m"  # noqa: S608
        f" INNER JOIN ({conferences_sql}) c ON c.c_path = m.prefix"
        " UNION ALL SELECT 'tag', t.* FROM (SELECT tn.slug, tn.name, tc.n"
        f" FROM ({tag_counts_sql}) tc INNER JOIN ({tag_names_sql}) tn ON tn.id = tc.tag_id"
        f" ORDER BY 3 DESC, 2, 1 LIMIT {FACET_ROWS}) t"
        " UNION ALL SELECT 'speaker', s.* FROM (SELECT sn.slug, sn.name, sc.n"
        f" FROM ({speaker_counts_sql}) sc INNER JOIN ({speaker_names_sql}) sn"
        f" ON sn.id = sc.speaker_id ORDER BY 3 DESC, 2, 1 LIMIT {FACET_ROWS}) s"
        f" UNION ALL SELECT 'lang', l.code_languages, l.code_languages, l.n FROM ({languages_sql}) l"
        " ORDER BY 1, 4 DESC, 3, 2"
    )
    params = (
        prefix_params
        + conferences_params
        + tag_counts_params
        + tag_names_params
        + speaker_counts_params
        + speaker_names_params
        + languages_params
    )
    if vendor == "postgresql":  # the pages' facet rows, read once for the four counts
        sql = (
            "WITH f AS MATERIALIZED (SELECT * FROM confnotes_search_facet"
            f" WHERE page_id = ANY(%s::integer[])) {sql}"
        )
        params = (ids if isinstance(ids, IdsParameter) else encode_ids(ids, vendor), *params)
    return sql, params


def _counts_from_facet_rows(ids) -> tuple:
    """(SQL, parameters) of the four counts over the facet rows ``f`` (PostgreSQL): conference
    path prefixes, tag ids, speaker ids, code languages. ``ids`` are bound once, in the ``WITH``
    that reads ``f`` (:func:`_facet_statement`)."""
    steps = CONFERENCE_DEPTH * Page.steplen
    return (
        (
            f"SELECT SUBSTRING(f.path, 1, {steps}) AS prefix, COUNT(*) AS n FROM f"
            f" WHERE f.depth >= {CONFERENCE_DEPTH} GROUP BY 1",
            (),
        ),
        ("SELECT u.tag_id, COUNT(*) AS n FROM f, unnest(f.tag_ids) AS u(tag_id) GROUP BY 1", ()),
        (
            "SELECT u.speaker_id, COUNT(*) AS n FROM f, unnest(f.speaker_ids) AS u(speaker_id)"
            " GROUP BY 1",
            (),
        ),
        (
            "SELECT f.code_languages, COUNT(*) AS n FROM f WHERE f.code_languages <> '' GROUP BY 1",
            (),
        ),
    )


def _counts_from_tables(ids) -> tuple:
    """(SQL, parameters) of the same four counts, from the page, talk and link tables."""
    prefixes = (
        Page.objects.filter(ids_in("pk", ids), depth__gte=CONFERENCE_DEPTH)
        .annotate(prefix=ancestor_path_expression("path", CONFERENCE_DEPTH))
        .values("prefix")
        .annotate(n=Count("id"))
        .order_by()
    )
    tag_counts = (
        TalkTag.objects.filter(ids_in("content_object_id", ids))
        .values("tag_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    speaker_counts = (
        TalkSpeaker.objects.filter(ids_in("page_id", ids))
        .values("speaker_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    languages = (
        TalkPage.objects.filter(ids_in("pk", ids))
        .exclude(code_languages="")
        .values("code_languages")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return tuple(compiled_sql(q) for q in (prefixes, tag_counts, speaker_counts, languages))


def filter_talk_ids(filters: dict):
    """Ids of talks that satisfy the facet filters, as a subquery, or None when no filter is set."""
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
    q = Q()
    for slug in filters.get("conference", []):
        conference = ConferenceIndex.objects.filter(slug=slug).first()
        q &= Q(path__startswith=conference.path) if conference else Q(pk__in=[])
    return q
