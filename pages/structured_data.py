"""What search engines and link previews read: descriptions, JSON-LD (schema.org) and its escaping.

JSON-LD goes into ``<script type="application/ld+json">``: the JSON is escaped like Django's
``json_script`` (``<``, ``>`` and ``&`` as ``\\u003C``, ``\\u003E``, ``\\u0026``), so no value (a title
such as ``</script><script>…``) can end the script element early.
"""

import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from wagtail.models import Page, Site

from pages.models import page_description
from pages.tree import talk_datetime

_JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def json_ld_script(data: dict) -> SafeString:
    """``data`` as a JSON-LD script element, safe to place in HTML."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


def describe(page) -> str:
    """A one- or two-sentence plain-text description of a page for meta tags and previews:
    the page's own ``describe()``, else its search description."""
    page = page.specific_deferred if type(page) is Page else page
    if hasattr(page, "describe"):
        return page.describe()
    return page_description(page, "")


def site_root_url(request) -> str:
    """The root URL of the Wagtail site serving ``request`` (e.g. ``https://notes.example``).

    Pages get their absolute URLs from the Wagtail site, so other views use it too: canonical
    URLs, feeds, sitemaps and calendars then agree whatever ``Host`` header a request carried.
    """
    site = Site.find_for_request(request) if request is not None else None
    if site is None:
        site = Site.objects.filter(is_default_site=True).first()
    if site is not None:
        return site.root_url
    return request.build_absolute_uri("/").rstrip("/") if request is not None else ""


def absolute_url(request, path: str) -> str:
    """``path`` (starting with "/") made absolute on the Wagtail site of ``request``."""
    return site_root_url(request) + path


def speaker_path(slug: str) -> str:
    return reverse("speaker_detail", args=[slug])


def speaker_url(speaker, request=None) -> str:
    return absolute_url(request, speaker_path(speaker.slug))


def _place(name: str, address: str = "") -> dict:
    place = {"@type": "Place", "name": name}
    if address:
        place["address"] = address
    return place


def conference_event(conference, request) -> dict:
    """schema.org ``Event`` for a conference."""
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": conference.title,
        "url": conference.get_full_url(request),
        "description": conference.describe(),
        "startDate": conference.start_date.isoformat(),
        "endDate": (conference.end_date or conference.start_date).isoformat(),
    }
    if conference.location:
        data["location"] = _place(conference.location, conference.location)
        data["eventAttendanceMode"] = "https://schema.org/OfflineEventAttendanceMode"
    if conference.website:
        data["sameAs"] = conference.website
    tags = [tag.name for tag in conference.sorted_tags]
    if tags:
        data["keywords"] = ", ".join(tags)
    return data


def talk_article(talk, request, site_name: str | None = None) -> dict:
    """schema.org ``Article`` for a talk's notes, ``about`` the talk as an ``Event``."""
    site_name = site_name or settings.WAGTAIL_SITE_NAME
    day, conference = talk.day, talk.conference
    url = talk.get_full_url(request)
    event = {
        "@type": "Event",
        "name": talk.title,
        "startDate": (
            f"{talk_datetime(day.date, talk.start_time):%Y-%m-%dT%H:%M}"
            if talk.start_time
            else day.date.isoformat()
        ),
        "superEvent": {
            "@type": "Event",
            "name": conference.title,
            "url": conference.get_full_url(request),
            "startDate": conference.start_date.isoformat(),
            "endDate": (conference.end_date or conference.start_date).isoformat(),
        },
    }
    where = ", ".join(part for part in (talk.room, conference.location) if part)
    if where:
        event["location"] = _place(where, conference.location)
    speakers = [
        {"@type": "Person", "name": name, "url": absolute_url(request, speaker_path(slug))}
        for name, slug in talk.speaker_credits
    ]
    if speakers:
        event["performer"] = speakers
    data = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": Truncator(talk.title).chars(110),
        "name": talk.title,
        "url": url,
        "mainEntityOfPage": url,
        "description": talk.describe(),
        "isPartOf": {"@type": "WebSite", "name": site_name},
        "publisher": {"@type": "Organization", "name": site_name},
        "about": event,
    }
    if talk.first_published_at:
        data["datePublished"] = talk.first_published_at.isoformat()
    if talk.last_published_at:
        data["dateModified"] = talk.last_published_at.isoformat()
    if speakers:
        data["author"] = speakers
    tags = talk.tag_names
    if tags:
        data["keywords"] = ", ".join(tags)
    return data


def speaker_person(speaker, request) -> dict:
    """schema.org ``Person`` for a speaker page."""
    data = {
        "@context": "https://schema.org",
        "@type": "Person",
        "name": speaker.name,
        "url": speaker_url(speaker, request),
    }
    if speaker.bio:
        data["description"] = speaker.bio
    same_as = [url for url in (speaker.website, speaker.mastodon, speaker.github_url) if url]
    if same_as:
        data["sameAs"] = same_as
    return data
