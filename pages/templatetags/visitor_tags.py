"""Template tags for sharing and discovery: meta description, canonical URL, JSON-LD."""

from urllib.parse import urlsplit

from django import template

from wagtail.models import Page

from pages import structured_data
from pages.sharing import cards
from pages.visitors.listings import (
    attach_programme,
    newest_talks_first,
    public_talks,
    tags_with_counts,
    with_talk_details,
)

register = template.Library()


@register.simple_tag(takes_context=True)
def page_meta(context) -> dict:
    """Title, description, canonical URL and OpenGraph type of what is being shown.

    Wagtail pages describe themselves; other views set ``meta_title``, ``meta_description``,
    ``canonical_url`` (absolute) and optionally ``og_type`` / ``og_image`` in their context.
    """
    request = context.get("request")
    page = context.get("page")
    meta = {
        "title": context.get("meta_title", ""),
        "description": context.get("meta_description", ""),
        "url": context.get("canonical_url", ""),
        "type": context.get("og_type", "website"),
        "image": context.get("og_image", ""),
        "published": None,
        "modified": None,
    }
    if isinstance(page, Page):
        meta["title"] = meta["title"] or page.seo_title or page.title
        meta["description"] = meta["description"] or structured_data.describe(page)
        meta["url"] = meta["url"] or page.get_full_url(request)
        meta["type"] = getattr(page, "og_type", meta["type"])
        if meta["type"] == "article":
            meta["published"] = page.first_published_at
            meta["modified"] = page.last_published_at
    return meta


@register.simple_tag(takes_context=True)
def page_json_ld(context, page):
    """The page's JSON-LD script (``page.json_ld()``: a talk's ``Article``, a conference's
    ``Event``), or nothing."""
    data = page.json_ld(context.get("request")) if hasattr(page, "json_ld") else None
    return structured_data.json_ld_script(data) if data else ""


@register.filter
def json_ld(data):
    """``{{ data|json_ld }}``: a dict as a safely escaped JSON-LD script element."""
    return structured_data.json_ld_script(data) if data else ""


@register.simple_tag(takes_context=True)
def speaker_json_ld(context, speaker):
    """The JSON-LD ``Person`` script for a speaker page."""
    return structured_data.json_ld_script(
        structured_data.speaker_person(speaker, context.get("request"))
    )


@register.simple_tag
def share_card(page, canonical_url: str) -> dict | None:
    """The page's share card for ``og:image``: {"url" (absolute, on the canonical URL's
    origin), "width", "height", "alt"}, or None. Costs no query of its own and never touches
    the storage (``pages.sharing``); base.html keeps it in a page fragment anyway, because
    the card's text (speakers, conference) may need what the fragments already cache."""
    card = page.share_card() if isinstance(page, Page) and page.pk else None
    if card is None or not canonical_url:
        return None
    origin = urlsplit(canonical_url)
    return {
        "url": f"{origin.scheme}://{origin.netloc}{cards.card_path(page.pk, card)}",
        "width": cards.WIDTH,
        "height": cards.HEIGHT,
        "alt": card.alt_text(),
    }


@register.simple_tag
def latest_notes(count: int = 6) -> list:
    """The newest talks (latest conference day first) with speakers, tags, day and conference:
    five queries whatever ``count`` is."""
    talks = newest_talks_first(with_talk_details(public_talks()))[:count]
    return attach_programme(talks)


@register.simple_tag
def popular_tags(count: int = 12) -> list:
    """The most used tags (talks and conferences), most used first: three queries."""
    return sorted(tags_with_counts(), key=lambda tag: (-tag.item_count, tag.name))[:count]
