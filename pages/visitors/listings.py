"""Query helpers shared by the visitor views, feeds and calendars.

Every helper here runs a fixed number of queries however many talks it handles: talks come with
their speakers and tags prefetched, and ``attach_programme`` gives each talk its day and
conference from two bulk queries (never one query per talk). Feeds and listings read the talk
summary, never the body: talk querysets here defer StreamFields.
"""

from django.db.models import Count, F, OuterRef, Prefetch, Q, Subquery

from taggit.models import Tag

from pages.models import (
    ConferenceIndex,
    ConferenceTag,
    DayPage,
    TalkPage,
    TalkSpeaker,
    TalkTag,
)
from pages.tree import parent_path, parent_path_expression
from snippets.models import Speaker


def public_talks():
    """Live talks outside private sections, without their bodies."""
    return TalkPage.objects.live().public().defer_streamfields()


def public_conferences():
    return ConferenceIndex.objects.live().public().defer_streamfields()


def with_talk_details(talks):
    """Prefetch credited speakers (in order) and tags: two queries for any number of talks."""
    return talks.prefetch_related(
        Prefetch(
            "talk_speakers",
            queryset=TalkSpeaker.objects.select_related("speaker").order_by("sort_order"),
        ),
        "tags",
    )


def with_day_date(talks):
    """Annotate ``day_date``: the date of the talk's day (its parent page), in the same query."""
    day_path = parent_path_expression(OuterRef("path"))
    return talks.annotate(
        day_date=Subquery(DayPage.objects.filter(path=day_path).values("date")[:1])
    )


def newest_talks_first(talks):
    """Latest conference day first; within a day, later talks first (untimed ones last)."""
    return with_day_date(talks).order_by(
        F("day_date").desc(nulls_last=True),
        F("start_time").desc(nulls_last=True),
        "-path",
    )


def attach_programme(talks) -> list:
    """Give each talk its ``day`` and ``conference`` (specific pages, bodies deferred).

    Two queries for any number of talks; sets the ``TalkPage.day`` / ``TalkPage.conference``
    cached properties so templates and feeds read them for free.
    """
    talks = list(talks)
    day_paths = {parent_path(talk.path) for talk in talks}
    conference_paths = {parent_path(path) for path in day_paths}
    days = (
        {day.path: day for day in DayPage.objects.filter(path__in=day_paths).defer_streamfields()}
        if day_paths
        else {}
    )
    conferences = (
        {
            conference.path: conference
            for conference in ConferenceIndex.objects.filter(
                path__in=conference_paths
            ).defer_streamfields()
        }
        if conference_paths
        else {}
    )
    for talk in talks:
        talk.__dict__["day"] = days.get(parent_path(talk.path))
        talk.__dict__["conference"] = conferences.get(parent_path(talk.path, levels=2))
    return talks


def speaker_talks(speaker):
    """The public talks a speaker gave, newest first."""
    return newest_talks_first(
        with_talk_details(public_talks().filter(talk_speakers__speaker=speaker))
    )


def tag_talks(tag):
    return public_talks().filter(tagged_items__tag=tag)


def tag_conferences(tag):
    return public_conferences().filter(tagged_items__tag=tag)


def speakers_with_counts():
    """Every speaker with ``talk_count``: how many public talks credit them (one query)."""
    visible = public_talks().values("pk")
    return Speaker.objects.select_related("photo").annotate(
        talk_count=Count("talk_links", filter=Q(talk_links__page_id__in=Subquery(visible)))
    )


def tags_with_counts() -> list[Tag]:
    """Tags used on public talks or conferences, by name, each with talk/conference counts.

    Three queries (two counts, one for the tags) plus Wagtail's privacy lookups, whatever the
    number of tags.
    """
    talk_counts = dict(
        TalkTag.objects.filter(content_object__in=Subquery(public_talks().values("pk")))
        .values("tag_id")
        .annotate(n=Count("id"))
        .values_list("tag_id", "n")
    )
    conference_counts = dict(
        ConferenceTag.objects.filter(content_object__in=Subquery(public_conferences().values("pk")))
        .values("tag_id")
        .annotate(n=Count("id"))
        .values_list("tag_id", "n")
    )
    ids = set(talk_counts) | set(conference_counts)
    tags = list(Tag.objects.filter(pk__in=ids).order_by("name")) if ids else []
    for tag in tags:
        tag.talk_count = talk_counts.get(tag.pk, 0)
        tag.conference_count = conference_counts.get(tag.pk, 0)
        tag.item_count = tag.talk_count + tag.conference_count
    return tags
