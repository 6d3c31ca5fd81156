"""What every page request looks up, cached per site-wide content version: site, route, privacy.

Serving a page costs Wagtail four to six queries before the page's own: the ``Site`` for the
host (a query with a ``CASE`` per request), the site's root page and its specific class, the
path walked to the page, then the page's ancestors and their view restrictions. None of these
change when a page's *content* is published: a site, a restriction, an alias, a slug or a move
replaces the site-wide token of ``pages.fragments``, a publish only its scopes. So they are kept
in the ``default`` cache (per process in production), keyed by the site-wide token that the
request reads once anyway (``content_versions``: one primary-key query), and a page request costs
that token, the page itself and its fragment scope.

The caches are bypassed while the current transaction has changed content not yet committed
(its bump is still due): the same request must see its own changes. With a dummy ``default``
cache (the test settings) everything is looked up as before, without reading the token.
"""

import functools
import hashlib

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections

from wagtail.models import Page, PageViewRestriction, Site

from .fragments import PendingBump, current_token
from .tree import ancestor_paths

TIMEOUT = 60 * 60


def changes_pending(using: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether this connection's transaction changed public content it has not committed."""
    conn = connections[using]
    return conn.in_atomic_block and any(
        isinstance(func, PendingBump) and not func.done for _sids, func, _ in conn.run_on_commit
    )


def _token(request=None) -> str | None:
    """The site-wide token to key the lookups by, or None not to cache them now (changes are
    pending, or there is no cache to keep them in: then the token would be a query for nothing)."""
    if isinstance(caches["default"], DummyCache) or changes_pending():
        return None
    return current_token(request)


def site_for_request(request) -> Site | None:
    """``Site.find_for_request``, with the site's specific root page, cached per version, set
    on the request for Wagtail; None (and nothing set) when it cannot be cached now."""
    if hasattr(request, "_wagtail_site"):
        return request._wagtail_site
    try:
        token = _token(request)
    except DatabaseError:  # the view says so (/healthz: 503), not this look-up
        return None
    if token is None:  # nothing to cache: Wagtail finds it when it needs it
        return None
    key = f"lookups:site:{token}:{request._get_raw_host()}:{request.get_port()}"
    cache = caches["default"]
    found = cache.get(key)
    if found is None:
        site = Site._find_for_request(request)
        if site is not None:
            site.root_page = site.root_page.specific
        cache.set(key, (site,), TIMEOUT)
    else:
        (site,) = found
    request._wagtail_site = site
    return site


def page_at(url_path: str, request=None):
    """The specific live-or-not page whose ``url_path`` is ``url_path``, or None: one query for
    the page when its id and class are cached (and two, once, when not)."""
    token = _token(request)
    digest = hashlib.blake2b(url_path.encode(), digest_size=16).hexdigest()  # any length
    key = f"lookups:route:{token}:{digest}"
    cache = caches["default"]
    found = cache.get(key) if token else None
    if found is None:
        row = Page.objects.filter(url_path=url_path).values_list("id", "content_type_id").first()
        if row is None:
            return None
        found = row
        if token:
            cache.set(key, found, TIMEOUT)
    page_id, content_type_id = found
    from django.contrib.contenttypes.models import ContentType

    model = ContentType.objects.get_for_id(content_type_id).model_class()
    if model is None:
        return Page.objects.filter(id=page_id).first()
    defer = bool(getattr(model, "stores_parts", False) and settings.STORED_PARTS)
    sql = _page_sql(model, connection.vendor, defer)
    page = next(iter(model.objects.raw(sql, [page_id])), None)
    if page is None and token:  # deleted since: look again
        cache.delete(key)
        return page_at(url_path)
    if page is not None:
        page._lookups_token = token  # the version its privacy can be checked against
    return page


@functools.cache
def _page_sql(model, vendor: str, defer_body: bool) -> str:
    """The SQL of ``model.objects.filter(id=…)``, compiled once per model: building and
    compiling it was a quarter of a talk page's render from scratch (3-4 M instructions); the
    ORM still reads the row (``raw()``: same columns, same conversions). With ``defer_body``
    (pages whose body is in their stored parts, ``pages.stored_parts``) the StreamFields are
    left out: read only when the parts must be rendered (one more query then)."""
    queryset = model.objects.defer_streamfields() if defer_body else model.objects.all()
    sql, params = queryset.filter(id=0).query.get_compiler(connection=connection).as_sql()
    if list(params) != [0]:  # the id must be the only parameter
        raise ImproperlyConfigured(f"Unexpected query for {model}: {sql} {params}")
    return sql


def restricted_paths(token: str | None) -> tuple[frozenset, frozenset] | None:
    """(paths of pages with a view restriction, paths of alias pages), cached per version;
    None when they cannot be cached now."""
    if token is None or changes_pending():
        return None
    key = f"lookups:privacy:{token}"
    cache = caches["default"]
    found = cache.get(key)
    if found is None:
        restricted = PageViewRestriction.objects.values_list("page__path", flat=True)
        aliases = Page.objects.filter(alias_of__isnull=False).values_list("path", flat=True)
        found = (frozenset(restricted), frozenset(aliases))
        cache.set(key, found, TIMEOUT)
    return found


def has_no_view_restrictions(page) -> bool:
    """True when no view restriction can apply to ``page`` (known without a query): for a page
    found by :func:`page_at` in this request, from the version it was found under."""
    paths = restricted_paths(getattr(page, "_lookups_token", None))
    if paths is None or not page.path:
        return False
    restricted, aliases = paths
    lineage = [*ancestor_paths(page.path), page.path]
    return not any(path in restricted or path in aliases for path in lineage)
