"""The search page and the search box's suggestions (``/search/``, ``/search/suggest/``)."""

import hashlib
import json
import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from itertools import chain
from urllib.parse import quote, urlencode

from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, Subquery, TextField
from django.db.models.functions import Cast, Coalesce, Length, Substr
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from wagtail.contrib.search_promotions.models import Query as SearchQueryRecord
from wagtail.models import Page, PageViewRestriction
from wagtail.search.query import PlainText
from wagtail.search.utils import normalise_query_string

from pages.fragments import current_token, site_version
from pages.lookups import restricted_paths
from pages.models import ConferenceIndex, DayPage, TalkPage, TalkSpeaker
from pages.tree import CONFERENCE_DEPTH, DAY_DEPTH, ancestor_path_expression
from snippets.models import Speaker

from .facets import (
    FACET_ROWS,
    conference_filter,
    facet_counts,
    filter_talk_ids,
    ids_in,
    rows_for_ids,
)
from .hits import record_hit
from .query import all_words, clean_query, excerpt, iter_text, parse_query
from .ranking import ranked_ids as fast_ranked_ids
from .vocabulary import correct
from .vocabulary import current as current_vocabulary

logger = logging.getLogger(__name__)

RESULTS_PER_PAGE = 10
#: Results (and facet counts) cover at most this many best matches.
MAX_MATCHES = 1000
FACETS = ("conference", "tag", "speaker", "lang")
MAX_FILTER_VALUES = 5
#: Words looked at one by one when all of them together find nothing.
MAX_PARTIAL_WORDS = 8


def _filters(request) -> dict[str, list[str]]:
    """Facet filters from the URL: known keys, de-duplicated, capped, sane characters only."""
    filters = {}
    for key in FACETS:
        values = []
        for value in request.GET.getlist(key)[: MAX_FILTER_VALUES * 4]:
            value = value.strip()[:100]
            if value and re.fullmatch(r"[\w+#.-]+", value) and value not in values:
                values.append(value)
        filters[key] = values[:MAX_FILTER_VALUES]
    return filters


def _page_number(request) -> int:
    try:
        return max(1, min(int(request.GET.get("page", "1")[:6]), 10_000))
    except (TypeError, ValueError):
        return 1


@dataclass
class Outcome:
    """What a search found and how: ``exact`` (every word), ``corrected`` (every word after
    correcting misspelt ones) or ``partial`` (the best matches of some of the words)."""

    ids: list[int]
    mode: str = "exact"
    #: the query with misspelt words corrected ("Did you mean …?"), when there were any
    suggestion: str = ""
    #: partial matches: how many of the words each page matches, and how many words there were
    matched: dict = field(default_factory=dict)
    words: int = 0
    #: corrected with the previous content's vocabulary (the current one is being built): not
    #: kept in the result cache
    provisional: bool = False


def _cached_token(request) -> str | None:
    """The site-wide token, for what a search keeps in the process per version; None where
    searches are not cached (the tests' dummy cache, under which a test's uncommitted change
    would not replace the token)."""
    if request is None or isinstance(caches["fragments"], DummyCache):
        return None
    return current_token(request)


def _public(pages, request):
    """``pages.public()``: without its query when the restricted sections are cached for the
    site-wide content version (``pages.lookups``), which every new restriction replaces."""
    paths = None
    if request is not None and not isinstance(caches["default"], DummyCache):
        paths = restricted_paths(current_token(request))
    if paths is None:
        return pages.public()
    private = Q()
    for path in sorted(paths[0]):  # Wagtail's descendant_of_q(restricted page, inclusive=True)
        private |= Q(path__startswith=path, depth__gte=len(path) // Page.steplen)
    return pages.exclude(private if private else Q(pk__in=[]))


def _search_pages(parsed, filters, request=None) -> Outcome:
    """Matching live pages in rank order (capped): every word, else every word with misspelt
    ones corrected, else the pages matching the most words (the same steps on every database)."""
    base = _public(Page.objects.live(), request).type(TalkPage, DayPage, ConferenceIndex)
    talk_filter = filter_talk_ids({k: v for k, v in filters.items() if k != "conference"})
    if talk_filter is not None:
        base = base.filter(pk__in=talk_filter)
    conference_q = conference_filter(filters)
    # What the SQL of the visible pages depends on, for its reuse (pages.search.ranking): the
    # restricted sections and the tree (the site-wide token: publishing does not replace it,
    # so a search after a publish reuses the statement), the filters and the conference paths
    # they name. Only where searches are cached (not under the tests' dummy cache).
    token = _cached_token(request)
    filtered = tuple((name, tuple(values)) for name, values in sorted(filters.items()))
    shape = ("pages", token, filtered, conference_q) if token else None

    visible = base.filter(conference_q)  # one queryset: its SQL is compiled once per search

    def ranked_ids(query) -> list[int]:
        results = base.search(query, operator="and").annotate_score("_score")
        fast = fast_ranked_ids(results, MAX_MATCHES, visible, shape=shape)
        if fast is not None:  # the backend's order, visibility and page filters applied in SQL
            return fast
        # Wagtail's public search API: other database backends (and the fallback when the fast
        # path is broken) in one ranked SQL query, Elasticsearch/OpenSearch by their ranking.
        if hasattr(results, "get_queryset"):
            matched = results.get_queryset().filter(conference_q)
            return list(matched.values_list("pk", flat=True)[:MAX_MATCHES])
        return [page.pk for page in results[:MAX_MATCHES]]  # Elasticsearch/OpenSearch

    ids = ranked_ids(parsed.query)
    if ids or not parsed.plain or not parsed.words:
        return Outcome(ids)
    words = list(dict.fromkeys(w.lower() for w in parsed.words))[:MAX_PARTIAL_WORDS]
    per_word = {word: ranked_ids(PlainText(word)) for word in words}
    corrections = {}
    vocab, fresh = None, True
    for word in words:
        if not per_word[word]:
            if vocab is None:
                vocab, fresh = current_vocabulary()
            corrected = correct(word, vocab)
            if corrected:
                corrections[word] = corrected
    suggestion = ""
    if corrections:
        fixed = [corrections.get(word, word) for word in words]
        suggestion = " ".join(fixed)
        ids = ranked_ids(all_words(fixed))
        if ids:
            return Outcome(ids, "corrected", suggestion, provisional=not fresh)
        for word, corrected in corrections.items():
            per_word[word] = ranked_ids(PlainText(corrected))
    if len(words) < 2:
        return Outcome([], suggestion=suggestion, provisional=not fresh)
    # Partial matches: most words matched first, then the best rank for any of them.
    counts: Counter = Counter()
    best: dict[int, int] = {}
    for word in words:
        for rank, pk in enumerate(per_word[word]):
            counts[pk] += 1
            best[pk] = min(best.get(pk, rank), rank)
    ordered = sorted(counts, key=lambda pk: (-counts[pk], best[pk], pk))[:MAX_MATCHES]
    return Outcome(ordered, "partial", suggestion, dict(counts), len(words), not fresh)


@dataclass(frozen=True)
class Titled:
    """A result's conference or day: what the template shows of it."""

    title: str


@dataclass(frozen=True)
class Named:
    """A talk's speaker: what the template shows of them."""

    name: str


def _texts_of_result():
    """What an excerpt is made of, read with the result's page: the talk's summary, then the
    body as JSON text (a StreamField column would build a ``StreamValue`` per row and page type)."""
    return {
        "_summary": F("talkpage__summary"),
        "_derived_summary": F("talkpage__derived_summary"),
        "_body": Cast(
            Coalesce("talkpage__body", "daypage__body", "conferenceindex__body"), TextField()
        ),
    }


def _body_blocks(raw: str | None) -> list:
    """A body's blocks as ``StreamField`` reads them: JSON (a legacy non-JSON body is empty),
    blocks of unknown types left out."""
    try:
        data = json.loads(raw) if raw else []
        if isinstance(data, str):  # stored as a JSON string, as StreamField also accepts
            data = json.loads(data) if data else []
    except ValueError:
        return []
    if not isinstance(data, list):
        return []
    known = TalkPage._meta.get_field("body").stream_block.child_blocks
    return [b for b in data if isinstance(b, dict) and b.get("type") in known]


#: What a result's ``Page`` object is read with (the template needs its title and URL).
_PAGE_FIELDS = [
    f.attname
    for f in Page._meta.concrete_fields
    if f.attname in {"id", "title", "path", "depth", "url_path", "content_type_id"}
]


def _result_rows(ids):
    """Each result page's fields, talk summary, body (JSON text) and the titles of its
    conference and day (looked up by path; ignored where the page is not below them)."""
    return (
        Page.objects.filter(ids_in("pk", ids))
        .annotate(
            **_texts_of_result(),
            _conference_title=_title_at(CONFERENCE_DEPTH),
            _day_title=_title_at(DAY_DEPTH),
        )
        .values_list(
            *_PAGE_FIELDS,
            "_summary",
            "_derived_summary",
            "_body",
            "_conference_title",
            "_day_title",
        )
    )


def _title_at(depth: int) -> Subquery:
    ancestor = Page.objects.filter(path=ancestor_path_expression(OuterRef("path"), depth))
    return Subquery(ancestor.values("title")[:1])


def _speaker_rows(ids):
    return (
        TalkSpeaker.objects.filter(ids_in("page_id", ids))
        .order_by("sort_order")
        .values_list("page_id", "speaker__name")
    )


def _decorate(ids: list[int], words: list[str]) -> list[dict]:
    """Type, conference, day, speakers and an excerpt for each result, in two queries, each
    compiled once per process (``rows_for_ids``).

    The results are plain ``Page`` objects (title and URL are all the template needs of them)
    read with their summary, body and ancestors' titles in one query; a page's specific object
    would cost three queries and a model with every field.
    """
    if not ids:
        return []
    using = Page.objects.db
    by_id = {}
    for row in rows_for_ids("search-results", Page, _result_rows, ids):
        page = Page.from_db(using, _PAGE_FIELDS, row[: len(_PAGE_FIELDS)])
        summary, derived, body, conference, day = row[len(_PAGE_FIELDS) :]
        by_id[page.pk] = (page, summary or derived or "", body, conference, day)
    found = [by_id[pk] for pk in ids if pk in by_id]
    speakers: dict[int, list] = {}
    for page_id, name in rows_for_ids(
        "search-speakers", TalkSpeaker, _speaker_rows, [r[0].pk for r in found]
    ):
        speakers.setdefault(page_id, []).append(Named(name))
    rows = []
    for page, summary, body, conference, day in found:
        texts = chain((summary,), iter_text(_body_blocks(body)))
        rows.append(
            {
                "page": page,
                "type": (page.specific_class or Page)._meta.verbose_name.capitalize(),
                "conference": Titled(conference)
                if page.depth > CONFERENCE_DEPTH and conference is not None
                else None,
                "day": Titled(day) if page.depth > DAY_DEPTH and day is not None else None,
                "speakers": speakers.get(page.pk, []),
                "excerpt": excerpt(texts, words),
            }
        )
    return rows


def search(request):
    """Search talks, days, conferences and speakers. Odd input is cleaned, never a 500.

    What anonymous visitors get is kept in the ``fragments`` cache until the content (and so
    the index) changes: the key holds the site's content version (``site_version``: replaced by
    every publish, edit of a speaker, tag or search promotion…) and the query string. The search
    is still counted (search-terms statistics) when the page comes from the cache.
    """
    key = _cache_key(request)
    if key is not None:
        cached = _cache_get(key)
        if cached is not None:
            html, hit_text = cached
            if hit_text:
                record_hit(_search_record(hit_text))
            return HttpResponse(html)
    response = _search(request)
    if key is not None and response.status_code == 200 and not getattr(response, "provisional", 0):
        _cache_set(key, (response.content.decode(), getattr(response, "hit_text", "")))
    return response


def _search_speakers(query, limit: int = 5) -> list:
    """The best ``limit`` speakers for ``query``, in the backend's order (rank, then newest):
    ranked by the fast path when it applies (Wagtail's own search query, built and compiled,
    was a tenth of a from-scratch search), loaded by primary key."""
    results = Speaker.objects.search(query, operator="and")
    ids = fast_ranked_ids(results, limit, by_pk=True, few=True, shape=("speakers",))
    if ids is None:
        return list(results[:limit])
    if not ids:
        return []
    using = Speaker.objects.db
    by_id = {
        row[0]: Speaker.from_db(using, _SPEAKER_FIELDS, row)
        for row in rows_for_ids("search-speaker-cards", Speaker, _speaker_cards, ids)
    }
    return [by_id[pk] for pk in ids if pk in by_id]


#: What the search page shows of a speaker (the rest is deferred).
_SPEAKER_FIELDS = ["id", "name", "slug", "bio"]


def _speaker_cards(ids):
    return Speaker.objects.filter(ids_in("pk", ids)).values_list(*_SPEAKER_FIELDS)


def _search_record(text: str):
    """Wagtail's search-terms record of ``text`` (``Query.get``: found by its normalised text,
    made when new), found with a statement written once."""
    table = SearchQueryRecord._meta.db_table
    normalised = normalise_query_string(text)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {table} WHERE query_string = %s", [normalised])  # noqa: S608
        row = cursor.fetchone()
    if row is None:
        return SearchQueryRecord.get(text)
    return SearchQueryRecord.from_db(connection.alias, ["id", "query_string"], [row[0], normalised])


#: (site-wide token, ids of the search-terms records that have promotions), for the process
_promoted: list = [None, frozenset()]


def _has_promotions(request, query_record) -> bool:
    """Whether ``query_record`` may have editors' picks: known without a query while the
    site-wide token (which every promotion's save or deletion replaces, and publishing does
    not) has not changed."""
    version = _cached_token(request)
    if version is None:
        return True
    if _promoted[0] != version:
        from wagtail.contrib.search_promotions.models import SearchPromotion

        ids = frozenset(SearchPromotion.objects.values_list("query_id", flat=True))
        _promoted[:] = [version, ids]
    return query_record.pk in _promoted[1]


def _cache_key(request) -> str | None:
    if (
        request.method != "GET"
        or request.user.is_authenticated
        or isinstance(caches["fragments"], DummyCache)  # nothing to keep it in: no version read
    ):
        return None
    version = site_version(request)
    if version is None:
        return None
    query = sorted(request.GET.lists())
    digest = hashlib.sha256(repr(query).encode()).hexdigest()
    return f"search:{version}:{digest}"


def _cache_get(key: str):
    try:
        return caches["fragments"].get(key)
    except Exception:
        logger.exception("The fragments cache failed; searching uncached")
        return None


def _cache_set(key: str, value) -> None:
    try:
        caches["fragments"].set(key, value)
    except Exception:
        logger.exception("The fragments cache failed to store a search")


def _search(request):
    raw = request.GET.get("q", "")
    parsed = parse_query(raw)
    filters = _filters(request)
    context = {
        "search_query": parsed.text,
        "notes": parsed.notes,
        "filters": filters,
        "results": None,
    }
    if parsed.is_empty:
        return render(request, "search.html", context)

    outcome = _search_pages(parsed, filters, request)
    ids = outcome.ids
    paginator = Paginator(ids, RESULTS_PER_PAGE)
    page_number = min(_page_number(request), paginator.num_pages or 1)
    results_page = paginator.page(page_number)
    shown_words = outcome.suggestion.split() if outcome.mode == "corrected" else parsed.words
    results_page.object_list = _decorate(list(results_page.object_list), shown_words)
    for row in results_page.object_list:
        row["matched_words"] = outcome.matched.get(row["page"].pk)

    speakers = []
    if page_number == 1 and not any(filters.values()):
        speaker_query = all_words(shown_words) if outcome.mode == "corrected" else parsed.query
        speakers = _search_speakers(speaker_query)
    promotions = []
    hit_text = ""
    if page_number == 1:
        hit_text = parsed.text
        query_record = _search_record(parsed.text)
        record_hit(query_record)
        if _has_promotions(request, query_record):
            promotions = list(
                query_record.editors_picks.filter(page__live=True)
                .exclude(Exists(_restriction_above("page__path")))
                .select_related("page")
                .order_by("sort_order")
            )

    facets = facet_counts(ids) if ids else {}
    context.update(
        {
            "results": results_page,
            # The heading counts what the page lists: pages and speakers.
            "result_count": paginator.count + len(speakers),
            "result_count_capped": paginator.count >= MAX_MATCHES,
            "fuzzy": outcome.mode == "corrected",
            "partial": outcome.mode == "partial",
            "partial_words": outcome.words,
            "suggestion": outcome.suggestion,
            "suggestion_url": _suggestion_url(request, outcome.suggestion),
            "speakers": speakers,
            "promotions": promotions,
            "facets": facets,
            "facet_links": _facet_links(request, filters, facets),
            "page_links": _page_query(request),
        }
    )
    response = render(request, "search.html", context)
    response.hit_text = hit_text  # counted again when the page is served from the cache
    response.provisional = outcome.provisional
    return response


def _restriction_above(path_field: str):
    """View restrictions on the page at ``path_field`` (an outer query's) or an ancestor.

    Promoted pages must be ones anyone may read (not in a password- or login-restricted section);
    this is ``PageQuerySet.public()`` inside the promotions' own query, without the extra query
    ``public()`` makes to list the restrictions.
    """
    outer_prefix = Substr(OuterRef(path_field), 1, Length("page__path"))
    return PageViewRestriction.objects.filter(page__path=outer_prefix)


#: A facet link, as templates/search.html showed it (each row cost ~8 template nodes; a search
#: for a common word lists 70 or more).
FACET_ROW = '<li><a href="{}"{}>{}{} <span class="facet__count">({})</span></a></li>'
ACTIVE_ATTRIBUTES = mark_safe(' aria-current="true" class="is-active"')
REMOVE_PREFIX = mark_safe('<span class="visually-hidden">Remove filter: </span>')


def _facet_links(request, filters, facets) -> dict:
    """For each facet value: its label, count, whether it is on, the URL that toggles it, and
    its list item (``html``)."""
    params = request.GET.copy()  # one copy, each link's change made and undone in turn
    params.pop("page", None)
    base = params.urlencode()
    links = {}
    for key, values in facets.items():
        rows = []
        current = list(filters.get(key, []))
        had_key = key in params
        original = params.getlist(key)
        for n, (value, label, count) in enumerate(values):
            active = value in current
            if n >= FACET_ROWS and not active:  # the largest ones, and any chosen
                continue
            if had_key:
                params.setlist(
                    key, [v for v in current if v != value] if active else current + [value]
                )
                url = "?" + params.urlencode()
            else:  # the key goes last, as setlist() puts it: the rest is encoded once
                url = "?" + "&".join(part for part in (base, urlencode({key: value})) if part)
            rows.append(
                {
                    "value": value,
                    "label": label,
                    "count": count,
                    "active": active,
                    "url": url,
                    "html": format_html(
                        FACET_ROW,
                        url,
                        ACTIVE_ATTRIBUTES if active else "",
                        REMOVE_PREFIX if active else "",
                        label,
                        count,
                    ),
                }
            )
        if had_key:
            params.setlist(key, original)
        links[key] = rows
    return links


def _suggestion_url(request, suggestion: str) -> str:
    if not suggestion:
        return ""
    params = request.GET.copy()
    params.pop("page", None)
    params["q"] = suggestion
    return "?" + params.urlencode()


def _page_query(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def suggest(request):
    """Autocomplete: up to 8 titles and speaker names for what has been typed, as JSON."""
    text, _notes = clean_query(request.GET.get("q", ""))
    text = " ".join(text.replace('"', " ").split())[:60]
    suggestions = []
    if len(text) >= 2:
        pages = (
            Page.objects.live()
            .public()
            .type(TalkPage, DayPage, ConferenceIndex)
            .autocomplete(text)[:6]
        )
        suggestions += [
            {"label": page.title, "url": page.url, "type": page.specific_class._meta.verbose_name}
            for page in pages
        ]
        for speaker in Speaker.objects.autocomplete(text)[:3]:
            suggestions.append(
                {
                    "label": speaker.name,
                    "url": f"/search/?q={quote(speaker.name)}",
                    "type": "speaker",
                }
            )
    response = JsonResponse({"query": text, "suggestions": suggestions[:8]})
    response["Cache-Control"] = "public, max-age=60"
    return response
