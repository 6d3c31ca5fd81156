"""``/sitemap.xml``: every live public page (Wagtail's sitemap), plus speakers and tags.

Wagtail's sitemap gives pages their addresses on the Wagtail site (``Site.root_url``); the other
sections use the same root instead of the request's Host header, so the whole file agrees.
"""

from urllib.parse import urlsplit

from django.contrib.sitemaps import Sitemap as DjangoSitemap
from django.urls import reverse

from wagtail.contrib.sitemaps import Sitemap as PagesSitemap

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
