"""Front cache (Varnish) purging: a page *and every listing it appears on*.

Wagtail's own frontend-cache handlers purge only the published page, and only on publish and
unpublish. A talk also shows up on its day, its conference, the home page, tag and speaker
pages, feeds, calendars and the sitemap; and moving or deleting a page changes those too. The
handlers here purge all of them, after the transaction commits (so a request that arrives
between the purge and the commit cannot put the old version back into the cache):

- ``page_published``: the page, its listings, and the listings it was on before the edit
  (tags or speakers removed by the edit);
- ``page_unpublished`` (Wagtail sends it for a live page that is deleted, too): the page and
  its listings;
- ``pre_page_move``/``post_page_move``: the page and its live descendants at the old and the
  new URLs, and the listings of both places.

Nothing happens unless ``WAGTAILFRONTENDCACHE`` is set (``FRONTEND_CACHE_URL``, see
settings/base.py). Installed as the app ``site_core.frontend_cache.FrontendCachePurgeConfig``.
"""

import logging
import threading
from urllib.error import HTTPError, URLError
from urllib.request import urlopen

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models.signals import pre_save
from django.urls import NoReverseMatch, reverse

from wagtail.contrib.frontend_cache.backends.http import HTTPBackend, PurgeRequest
from wagtail.contrib.frontend_cache.utils import purge_urls_from_cache
from wagtail.signals import page_published, page_unpublished, post_page_move, pre_page_move

# Models are imported inside the functions: settings name this module (the purge backend)
# before the app registry is ready.

logger = logging.getLogger(__name__)

_moving = threading.local()


class TimeoutHTTPBackend(HTTPBackend):
    """Wagtail's HTTP purge backend (Varnish, Squid) with a timeout.

    Wagtail's backend calls ``urlopen`` without one, and purging runs inside the publishing
    request: a hung cache would hang the editor's "Publish". ``TIMEOUT`` in seconds, default 2.
    """

    def __init__(self, params):
        params = dict(params)
        self.timeout = float(params.pop("TIMEOUT", 2))
        super().__init__(params)

    def purge(self, url):
        from urllib.parse import urlsplit, urlunsplit

        from wagtail import __version__

        parts = urlsplit(url)
        host = parts.hostname + (f":{parts.port}" if parts.port else "")
        request = PurgeRequest(
            url=urlunsplit(
                [self.cache_scheme, self.cache_netloc, parts.path, parts.query, parts.fragment]
            ),
            headers={"Host": host, "User-Agent": "Wagtail-frontendcache/" + __version__},
        )
        try:
            urlopen(request, timeout=self.timeout).close()  # noqa: S310 (configured location)
        except HTTPError as exc:
            logger.error("Could not purge %s from the front cache: HTTP %s", url, exc.code)
        except (URLError, OSError) as exc:
            logger.error("Could not purge %s from the front cache: %s", url, exc)


def enabled() -> bool:
    return bool(getattr(settings, "WAGTAILFRONTENDCACHE", None))


def _reverse(root: str, name: str, *args) -> list[str]:
    try:
        return [root + reverse(name, args=args)]
    except NoReverseMatch:  # a route this deployment does not have
        return []


def page_urls(page) -> set[str]:
    """The full URLs of one page, with the extra paths it declares (``get_cached_paths``)."""
    url = page.get_full_url()
    if url is None:
        return set()
    paths = page.specific_deferred.get_cached_paths()
    return {url + path.lstrip("/") for path in paths}


def _site_root(page) -> str | None:
    from wagtail.models import Site

    site = page.get_site() or Site.objects.filter(is_default_site=True).first()
    return site.root_url if site else None


def listing_urls(page) -> set[str]:
    """Every URL that lists or summarises ``page``, the page itself included.

    Each page class says which of its routes to purge: ``own_routes()`` (its feeds and
    calendars, for the page and each ancestor), ``listing_routes()`` (tag and speaker pages and
    feeds) and ``purges_descendants`` (its title appears on every page below it).
    """
    root = _site_root(page)
    if root is None:
        return set()
    urls = page_urls(page)
    lineage = [*page.get_ancestors().filter(depth__gte=2).specific(), page.specific]
    for ancestor in lineage[:-1]:
        if ancestor.live:
            urls |= page_urls(ancestor)
    for name in ("feed_site_rss", "feed_site_atom", "sitemap", "speaker_index", "tag_index"):
        urls.update(_reverse(root, name))
    for section in ("pages", "listings", "speakers", "tags"):  # past SITEMAP_MAX_URLS
        urls.update(_reverse(root, "sitemap_section", section))
    specific = lineage[-1]
    routes = [route for item in lineage for route in _routes(item, "own_routes")]
    routes += _routes(specific, "listing_routes")
    for name, args in routes:
        urls.update(_reverse(root, name, *args))
    if getattr(specific, "purges_descendants", False):
        for descendant in page.get_descendants().live().specific(defer=True):
            urls |= page_urls(descendant)
    return urls


def _routes(page, method: str) -> list[tuple[str, tuple]]:
    """``page.own_routes()`` or ``page.listing_routes()``; none for pages of other apps."""
    routes = getattr(page, method, None)
    return routes() if routes is not None else []


def purge_on_commit(urls: set[str]) -> None:
    urls = {url for url in urls if url}
    if urls:
        transaction.on_commit(lambda: purge_urls_from_cache(sorted(urls)))


# --- signal handlers ------------------------------------------------------------------------


def remember_listings_before_save(sender, instance, update_fields=None, **kwargs):
    """Before a full save of a live page: the listings it is on now (tags/speakers may go)."""
    from wagtail.models import Page

    if not enabled() or instance.pk is None or update_fields is not None:
        return
    try:
        stored = Page.objects.get(pk=instance.pk)
    except Page.DoesNotExist:
        return
    if stored.live:
        instance._listings_before_save = listing_urls(stored)


def purge_published(sender, instance, **kwargs):
    if enabled():
        before = getattr(instance, "_listings_before_save", set())
        purge_on_commit(before | listing_urls(instance))


def purge_unpublished(sender, instance, **kwargs):
    if enabled():
        purge_on_commit(listing_urls(instance))


def _moved_urls(page) -> set[str]:
    urls = listing_urls(page) if page.live else set()
    for descendant in page.get_descendants().live().specific(defer=True):
        urls |= page_urls(descendant)
    return urls


def remember_urls_before_move(sender, instance, **kwargs):
    from wagtail.models import Page

    if enabled():
        if not hasattr(_moving, "urls"):
            _moving.urls = {}
        _moving.urls[instance.pk] = _moved_urls(Page.objects.get(pk=instance.pk))


def purge_moved(sender, instance, **kwargs):
    from wagtail.models import Page

    if enabled():
        before = getattr(_moving, "urls", {}).pop(instance.pk, set())
        purge_on_commit(before | _moved_urls(Page.objects.get(pk=instance.pk)))


def connect_signals() -> None:
    """Connect the purge handlers (called by SiteCoreConfig.ready)."""
    from wagtail.models import Page

    page_models = [model for model in apps.get_models() if issubclass(model, Page)]
    for model in page_models:
        pre_save.connect(remember_listings_before_save, sender=model)
        page_published.connect(purge_published, sender=model)
        page_unpublished.connect(purge_unpublished, sender=model)
    pre_page_move.connect(remember_urls_before_move)
    post_page_move.connect(purge_moved)
