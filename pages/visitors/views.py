"""Visitor pages outside the page tree: speakers, tags, robots.txt.

Each listing runs a fixed number of queries whatever it shows (tests/test_visitor_speakers_tags.py
compares 2 and 10 items).
"""

import datetime

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.text import Truncator
from django.views.decorators.http import require_safe

from taggit.models import Tag

from pages.blocks.rendering import prefetch_image_renditions
from pages.models import ConferenceIndex, TalkPage
from pages.structured_data import absolute_url
from snippets.models import Speaker

from .feeds import feed_links
from .listings import (
    attach_programme,
    speaker_talks,
    speakers_with_counts,
    tag_conferences,
    tag_talks,
    tags_with_counts,
    with_day_date,
    with_talk_details,
)

SPEAKERS_PER_PAGE = 50
TAGS_PER_PAGE = 100
TAGGED_PER_PAGE = 20
OG_IMAGE_SPEC = "fill-400x400"


def _paginate(request, items, per_page: int):
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def _canonical(request, path: str, page_obj=None) -> str:
    if page_obj is not None and page_obj.number > 1:
        path = f"{path}?page={page_obj.number}"
    return absolute_url(request, path)


def _crumbs(*crumbs) -> list[dict]:
    """Breadcrumbs after "Home": (title, url) pairs; the last one is the current page."""
    return [{"title": "Home", "url": "/"}] + [{"title": t, "url": u} for t, u in crumbs]


@require_safe
def speaker_index(request):
    """``/speakers/``: every speaker, alphabetically, with how many public talks they gave."""
    page_obj = _paginate(request, speakers_with_counts().order_by("name", "pk"), SPEAKERS_PER_PAGE)
    return render(
        request,
        "speakers/index.html",
        {
            "page_obj": page_obj,
            "meta_title": "Speakers",
            "meta_description": "Everyone whose talks have notes here, with their talks.",
            "canonical_url": _canonical(request, reverse("speaker_index"), page_obj),
            "crumbs": _crumbs(("Speakers", reverse("speaker_index"))),
        },
    )


@require_safe
def speaker_detail(request, slug: str):
    """``/speakers/<slug>/``: bio, photo, links and every public talk, newest first."""
    speaker = get_object_or_404(Speaker.objects.select_related("photo"), slug=slug)
    talks = attach_programme(speaker_talks(speaker))
    og_image = ""
    if speaker.photo:
        prefetch_image_renditions([speaker.photo])
        og_image = speaker.photo.get_rendition(OG_IMAGE_SPEC).url
        if og_image.startswith("/"):
            og_image = absolute_url(request, og_image)
    url = reverse("speaker_detail", args=[speaker.slug])
    description = speaker.bio or f"Notes from talks by {speaker.name}."
    return render(
        request,
        "speakers/detail.html",
        {
            "speaker": speaker,
            "talks": talks,
            "feed": feed_links("feed_speaker", [speaker.slug], f"Talks by {speaker.name}"),
            "meta_title": speaker.name,
            "meta_description": Truncator(description).chars(300),
            "canonical_url": _canonical(request, url),
            "og_type": "profile",
            "og_image": og_image,
            "crumbs": _crumbs(("Speakers", reverse("speaker_index")), (speaker.name, url)),
        },
    )


@require_safe
def tag_index(request):
    """``/tags/``: every tag used on a public talk or conference, with counts."""
    page_obj = _paginate(request, tags_with_counts(), TAGS_PER_PAGE)
    return render(
        request,
        "tags/index.html",
        {
            "page_obj": page_obj,
            "meta_title": "Tags",
            "meta_description": "Every topic of the talk notes, with how many notes each has.",
            "canonical_url": _canonical(request, reverse("tag_index"), page_obj),
            "crumbs": _crumbs(("Tags", reverse("tag_index"))),
        },
    )


def _newest_first(talk_rows, conference_rows) -> list[tuple]:
    """(kind, pk) of everything tagged: latest date first; a conference before its talks."""
    oldest = datetime.date.min
    keyed = [
        ((day or oldest, time or datetime.time.min, path), ("talk", pk))
        for pk, day, time, path in talk_rows
    ]
    keyed += [
        ((start or oldest, datetime.time.max, path), ("conference", pk))
        for pk, start, path in conference_rows
    ]
    keyed.sort(key=lambda row: row[0], reverse=True)
    return [item for _key, item in keyed]


@require_safe
def tag_detail(request, slug: str):
    """``/tags/<slug>/``: every public talk and conference with the tag, newest first, paginated."""
    tag = get_object_or_404(Tag, slug=slug)
    talk_rows = list(
        with_day_date(tag_talks(tag)).values_list("pk", "day_date", "start_time", "path")
    )
    conference_rows = list(tag_conferences(tag).values_list("pk", "start_date", "path"))
    page_obj = _paginate(request, _newest_first(talk_rows, conference_rows), TAGGED_PER_PAGE)

    # Load only what this page shows: a fixed number of queries for any page size.
    talk_ids = [pk for kind, pk in page_obj.object_list if kind == "talk"]
    conference_ids = [pk for kind, pk in page_obj.object_list if kind == "conference"]
    talks = (
        attach_programme(
            with_talk_details(TalkPage.objects.filter(pk__in=talk_ids).defer_streamfields())
        )
        if talk_ids
        else []
    )
    conferences = (
        ConferenceIndex.objects.filter(pk__in=conference_ids).defer_streamfields()
        if conference_ids
        else []
    )
    by_key = {("talk", t.pk): t for t in talks} | {("conference", c.pk): c for c in conferences}
    page_obj.object_list = [
        {"kind": kind, "item": by_key[kind, pk]}
        for kind, pk in page_obj.object_list
        if (kind, pk) in by_key
    ]
    url = reverse("tag_detail", args=[tag.slug])
    return render(
        request,
        "tags/detail.html",
        {
            "tag": tag,
            "page_obj": page_obj,
            "talk_count": len(talk_rows),
            "conference_count": len(conference_rows),
            "feed": feed_links("feed_tag", [tag.slug], f"Notes tagged “{tag.name}”"),
            "meta_title": f"Tagged “{tag.name}”",
            "meta_description": (
                f"{len(talk_rows)} talk note{'s' if len(talk_rows) != 1 else ''} and "
                f"{len(conference_rows)} conference{'s' if len(conference_rows) != 1 else ''} "
                f"tagged “{tag.name}”."
            ),
            "canonical_url": _canonical(request, url, page_obj),
            "crumbs": _crumbs(("Tags", reverse("tag_index")), (tag.name, url)),
        },
    )


@require_safe
def robots_txt(request):
    """``/robots.txt``: crawl everything public except the admin, search results and the API."""
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /search/",
        "Disallow: /api/",
        "",
        f"Sitemap: {absolute_url(request, reverse('sitemap'))}",
    ]
    response = HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "public, max-age=3600"
    return response
