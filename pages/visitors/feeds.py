"""RSS 2.0 and Atom 1.0 feeds of talk notes: the whole site, a conference, a tag, a speaker.

Built on ``django.contrib.syndication``. Items are talks, most recently published first, at most
``TalkFeed.limit`` of them. An item carries the talk's summary (never its body), speakers as
authors, tags as categories, and its conference and day. A feed costs a fixed number of queries
whatever its length (see ``pages.visitors.listings``).

Titles (of the feed and of each item), the feed's description and RSS categories are HTML-escaped,
as Django's feed framework does for item titles by default: readers render RSS titles as HTML, so a
talk titled ``"><img onerror=…>`` would otherwise run in them. ``get_feed`` escapes them in one
place, so a subclass cannot forget it. The Atom feed says so (``type="html"`` on its titles and
subtitle, ``HtmlTitlesAtom1Feed``): a reader that follows RFC 4287 decodes them back to the text,
one that renders them as HTML shows the same text. Atom categories are ``term`` attributes, plain
text by definition, and stay as they are.
"""

import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import F
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape, format_html

from taggit.models import Tag

from pages.structured_data import absolute_url
from snippets.models import Speaker

from .listings import attach_programme, public_conferences, public_talks, with_talk_details


class _HtmlTypedTitles:
    """A feed writer's XML handler that marks ``<title>`` and ``<subtitle>`` as HTML."""

    HTML_ELEMENTS = ("title", "subtitle")

    def __init__(self, handler):
        self.handler = handler

    def addQuickElement(self, name, contents=None, attrs=None):  # noqa: N802 (Django's name)
        if name in self.HTML_ELEMENTS:
            attrs = {**(attrs or {}), "type": "html"}
        self.handler.addQuickElement(name, contents, attrs)

    def __getattr__(self, name):
        return getattr(self.handler, name)


class HtmlTitlesAtom1Feed(Atom1Feed):
    """Atom 1.0 whose (escaped) titles and subtitle are declared ``type="html"``."""

    def add_root_elements(self, handler):
        super().add_root_elements(_HtmlTypedTitles(handler))

    def add_item_elements(self, handler, item):
        super().add_item_elements(_HtmlTypedTitles(handler), item)


FEED_TYPES = {"rss": Rss201rev2Feed, "atom": HtmlTitlesAtom1Feed}


class TalkFeed(Feed):
    """All published talks. Subclasses narrow ``talks`` and describe themselves."""

    limit = 50
    language = "en"
    #: The route names of this feed's RSS and Atom versions ("<prefix>_rss", "<prefix>_atom").
    url_name_prefix = "feed_site"

    def __init__(self, kind: str):
        super().__init__()
        self.kind = kind
        self.feed_type = FEED_TYPES[kind]
        self.request = None

    @classmethod
    def view(cls, kind: str):
        """A view function; a new feed object per request (the request is kept on it)."""

        def feed_view(request, *args, **kwargs):
            return cls(kind)(request, *args, **kwargs)

        feed_view.__name__ = f"{cls.__name__}_{kind}"
        return feed_view

    def __call__(self, request, *args, **kwargs):
        self.request = request
        response = super().__call__(request, *args, **kwargs)
        response["Cache-Control"] = "public, max-age=300"
        return response

    def get_feed(self, obj, request):
        """Django's feed, with titles, description and RSS categories escaped (see above)."""
        feed = super().get_feed(obj, request)
        for key in ("title", "description", "subtitle"):
            if feed.feed.get(key):
                feed.feed[key] = escape(feed.feed[key])
        for item in feed.items:
            item["title"] = escape(item["title"])
            if self.kind == "rss":
                item["categories"] = [escape(c) for c in item.get("categories") or ()]
        return feed

    # --- the feed ------------------------------------------------------------------------

    def site_name(self) -> str:
        return settings.WAGTAIL_SITE_NAME

    def title(self, obj) -> str:
        return f"{self.site_name()}: latest notes"

    def description(self, obj) -> str:
        return f"The latest talk notes published on {self.site_name()}."

    def subtitle(self, obj) -> str:
        return self.description(obj)

    def link(self, obj) -> str:
        return absolute_url(self.request, "/")

    def feed_url(self, obj) -> str:
        path = reverse(f"{self.url_name_prefix}_{self.kind}", args=self.url_args(obj))
        return absolute_url(self.request, path)

    def url_args(self, obj) -> list:
        return []

    def author_name(self, obj) -> str:
        return self.site_name()

    def talks(self, obj):
        return public_talks()

    def items(self, obj) -> list:
        talks = with_talk_details(self.talks(obj)).order_by(
            F("first_published_at").desc(nulls_last=True), "-pk"
        )
        return attach_programme(talks[: self.limit])

    # --- each item -----------------------------------------------------------------------

    def item_title(self, talk) -> str:
        return talk.title

    def item_link(self, talk) -> str:
        return talk.get_full_url(self.request)

    def item_guid(self, talk) -> str:
        return talk.get_full_url(self.request)

    def item_description(self, talk) -> str:
        """The summary, then where and by whom, as HTML (every value escaped)."""
        parts = [page.title for page in (talk.conference, talk.day) if page is not None]
        speakers = [link.speaker.name for link in talk.talk_speakers.all()]
        if speakers:
            parts.append("by " + ", ".join(speakers))
        summary = talk.display_summary
        html = format_html("<p>{}</p>", summary) if summary else ""
        if parts:
            html += format_html("<p>{}</p>", " · ".join(parts))
        return html

    def item_author_name(self, talk) -> str | None:
        """The speakers; None without any (Atom entries then fall back to the feed's author)."""
        return ", ".join(link.speaker.name for link in talk.talk_speakers.all()) or None

    def item_categories(self, talk) -> list[str]:
        return sorted(tag.name for tag in talk.tags.all())

    def item_pubdate(self, talk) -> datetime.datetime:
        """First publication; for a page never published through a revision, its day."""
        return (
            talk.first_published_at
            or talk.latest_revision_created_at
            or datetime.datetime.combine(talk.day.date, datetime.time.min, tzinfo=datetime.UTC)
        )

    def item_updateddate(self, talk) -> datetime.datetime:
        return talk.last_published_at or self.item_pubdate(talk)


class ConferenceFeed(TalkFeed):
    url_name_prefix = "feed_conference"

    def get_object(self, request, slug):
        return get_object_or_404(public_conferences(), slug=slug)

    def url_args(self, conference) -> list:
        return [conference.slug]

    def title(self, conference) -> str:
        return f"{conference.title}: notes on {self.site_name()}"

    def description(self, conference) -> str:
        return f"The latest talk notes from {conference.title}."

    def link(self, conference) -> str:
        return conference.get_full_url(self.request)

    def talks(self, conference):
        return public_talks().descendant_of(conference)


class TagFeed(TalkFeed):
    url_name_prefix = "feed_tag"

    def get_object(self, request, slug):
        return get_object_or_404(Tag, slug=slug)

    def url_args(self, tag) -> list:
        return [tag.slug]

    def title(self, tag) -> str:
        return f"Notes tagged “{tag.name}” on {self.site_name()}"

    def description(self, tag) -> str:
        return f"The latest talk notes tagged “{tag.name}”."

    def link(self, tag) -> str:
        return absolute_url(self.request, reverse("tag_detail", args=[tag.slug]))

    def talks(self, tag):
        return public_talks().filter(tagged_items__tag=tag)


class SpeakerFeed(TalkFeed):
    url_name_prefix = "feed_speaker"

    def get_object(self, request, slug):
        return get_object_or_404(Speaker, slug=slug)

    def url_args(self, speaker) -> list:
        return [speaker.slug]

    def title(self, speaker) -> str:
        return f"Talks by {speaker.name} on {self.site_name()}"

    def description(self, speaker) -> str:
        return f"The latest notes from talks by {speaker.name}."

    def link(self, speaker) -> str:
        return absolute_url(self.request, reverse("speaker_detail", args=[speaker.slug]))

    def talks(self, speaker):
        return public_talks().filter(talk_speakers__speaker=speaker)


def feed_links(prefix: str, args: list, label: str) -> dict:
    """What templates need to link to a feed: its label and its RSS and Atom URLs."""
    return {
        "label": label,
        "rss": reverse(f"{prefix}_rss", args=args),
        "atom": reverse(f"{prefix}_atom", args=args),
    }
