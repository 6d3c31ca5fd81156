"""``/sitemap.xml``: every live public page (Wagtail's sitemap), plus speakers and tags.

Wagtail's sitemap gives pages their addresses on the Wagtail site (``Site.root_url``); the other
sections use the same root instead of the request's Host header, so the whole file agrees.

A sitemap file may list at most 50,000 URLs (sitemaps.org). Past ``SITEMAP_MAX_URLS`` (that
limit by default) ``/sitemap.xml`` becomes a sitemap index: one ``/sitemap-<section>.xml`` per
section (pages, listings, speakers, tags), each in pages of at most that many URLs (``?p=2``…).
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap as DjangoSitemap
from django.contrib.sitemaps import views as django_sitemap_views
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse

from wagtail.contrib.sitemaps import Sitemap as PagesSitemap
from wagtail.contrib.sitemaps.views import prepare_sitemaps

from pages.structured_data import site_root_url
from snippets.models import Speaker

from .listings import tags_with_counts


class SiteRootedSitemap(PagesSitemap):
    """A plain Django sitemap (``location`` returns a path) rooted at the Wagtail site.

    It subclasses Wagtail's sitemap only to receive the request from Wagtail's sitemap view.
    """

    _urls = DjangoSitemap._urls

    def _root(self):
        return urlsplit(site_root_url(self.request))

    def get_protocol(self, protocol=None) -> str:
        return self._root().scheme

    def get_domain(self, site=None) -> str:
        return self._root().netloc

    def lastmod(self, item):
        return None


class ListingsSitemap(SiteRootedSitemap):
    """The speaker and tag indexes."""

    def items(self) -> list[str]:
        return ["speaker_index", "tag_index"]

    def location(self, name: str) -> str:
        return reverse(name)


class SpeakersSitemap(SiteRootedSitemap):
    def items(self):
        return Speaker.objects.only("slug").order_by("name", "pk")

    def location(self, speaker) -> str:
        return reverse("speaker_detail", args=[speaker.slug])


class TagsSitemap(SiteRootedSitemap):
    """Tags used on at least one public talk or conference."""

    def items(self):
        return tags_with_counts()

    def location(self, tag) -> str:
        return reverse("tag_detail", args=[tag.slug])


SITEMAPS = {
    "pages": PagesSitemap,
    "listings": ListingsSitemap,
    "speakers": SpeakersSitemap,
    "tags": TagsSitemap,
}


def max_urls() -> int:
    return int(getattr(settings, "SITEMAP_MAX_URLS", 50_000))


def _sections(request) -> dict:
    sections = prepare_sitemaps(request, SITEMAPS)
    for section in sections.values():
        section.limit = max_urls()
    return sections


def sitemap(request):
    """The sitemap, or past ``SITEMAP_MAX_URLS`` URLs the sitemap index of its sections."""
    sections = _sections(request)
    counts = {name: section.paginator.count for name, section in sections.items()}
    if sum(counts.values()) <= max_urls():
        return django_sitemap_views.sitemap(request, sections)
    root = site_root_url(request)
    entries = []
    for name, count in counts.items():
        location = root + reverse("sitemap_section", args=[name])
        pages = -(-count // max_urls())  # none for an empty section
        entries += [
            django_sitemap_views.SitemapIndexItem(
                location + (f"?p={number}" if number > 1 else ""), None
            )
            for number in range(1, pages + 1)
        ]
    return TemplateResponse(
        request,
        "sitemap_index.xml",
        {"sitemaps": entries},
        content_type="application/xml",
        headers={"X-Robots-Tag": "noindex, noodp, noarchive"},
    )


def sitemap_section(request, section: str):
    """One section of the sitemap index, in pages of ``SITEMAP_MAX_URLS`` (``?p=N``)."""
    sections = _sections(request)
    if section not in sections:
        raise Http404("No such sitemap section")
    return django_sitemap_views.sitemap(request, sections, section=section)
