"""Writing a schedule into the page tree, inside the importer's transaction.

The conference is matched by its slug under the parent (made from the acronym, else the
title), a day by its date under the conference, a talk by the event's guid stored on it
(``TalkPage.schedule_guid``), wherever it is: a talk moved to another day is moved, a renamed
one gets its new title (its slug, and so its address, stays). Only the fields the schedule
describes are set; bodies (the notes) are never touched, and a page whose fields did not
change gets no revision. New pages are published with ``publish``; an existing page is
published again only when it is live without a draft in progress, so nobody's draft notes go
live by an import.
"""

import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.text import Truncator, slugify

from wagtail.log_actions import log
from wagtail.models import Page

from pages.editors.permissions import user_can
from pages.models import ConferenceIndex, DayPage, HomePage, TalkPage
from snippets.models import Speaker

from .model import Event, ImportReport, PageReport, Schedule

SUMMARY_MAX = TalkPage._meta.get_field("summary").max_length
#: Event types every talk would carry as a tag, so none is made from them.
GENERIC_TYPES = frozenset({"talk", "lecture", "presentation"})
_SLIDES_RE = re.compile(r"(?i)slide|\.(pdf|odp|pptx?|key)$|speakerdeck\.com|slideshare\.net")
_VIDEO_RE = re.compile(
    r"(?i)video|recording|youtube\.com|youtu\.be|vimeo\.com|media\.ccc\.de|peertube"
)


class WriteError(Exception):
    """Stops the import: reported by the importer, everything rolled back."""


class ScheduleWriter:
    def __init__(
        self, schedule: Schedule, report: ImportReport, *, parent, publish, user, progress
    ):
        self.schedule = schedule
        self.report = report
        self.diagnostics = report.diagnostics
        self.parent = parent
        self.publish = publish
        self.user = user
        self.progress = progress
        self.speakers: dict[str, Speaker] = {}

    # -- permissions (no user: a management command, which may do anything)
    def can(self, page, action: str) -> bool:
        return user_can(self.user, page, action)

    # -- the whole schedule
    def apply(self) -> None:
        schedule = self.schedule
        talks = []
        for event in schedule.events():
            if event.is_talk():
                talks.append(event)
            else:
                reason = f"type “{event.type}”" if event.type else "no speakers and no abstract"
                self.report.skipped.append(
                    f"{event.label} at {event.start:%Y-%m-%d %H:%M} ({reason})"
                )
        if not talks:
            raise WriteError("The schedule has no talks to import.")
        conference = self.conference(talks)
        days = {}
        for day in schedule.days:
            if any(event.is_talk() for event in day.events):
                days[day.index] = self.day(conference, day)
        known = {
            talk.schedule_guid: talk
            for talk in TalkPage.objects.descendant_of(conference).exclude(schedule_guid="")
        }
        for done, event in enumerate(talks, start=1):
            self.talk(days[event.day_index], event, known.pop(event.guid, None))
            if self.progress is not None:
                self.progress(done, len(talks), event.title)
        for talk in sorted(known.values(), key=lambda page: page.path):
            self.report.removed.append(f"{talk.title} (guid {talk.schedule_guid}, {_url(talk)})")

    def conference(self, talks: list[Event]) -> ConferenceIndex:
        schedule = self.schedule
        parent = self.parent or HomePage.objects.order_by("path").first()
        if parent is None:
            raise WriteError("There is no home page to import under (--parent).")
        parent = parent.specific
        existing = None
        if isinstance(parent, ConferenceIndex):  # --parent names the conference itself
            existing, parent = parent, parent.get_parent().specific
        if not isinstance(parent, tuple(ConferenceIndex.allowed_parent_page_models())):
            raise WriteError(f"“{parent.title}” cannot hold conferences; choose the home page.")
        slug = existing.slug if existing else slugify(schedule.acronym or schedule.title)[:255]
        if existing is None:
            existing = self.child(parent, slug, ConferenceIndex)
        dates = [event.start.date() for event in talks] + [day.date for day in schedule.days]
        start = schedule.start or min(dates)
        end = max(schedule.end or start, max(day.date for day in schedule.days))

        def assign(page):
            page.title = schedule.title
            page.slug = slug
            page.start_date = start
            page.end_date = end
            if schedule.location:
                page.location = schedule.location[:255]
            if schedule.url and _valid_url(schedule.url):
                page.website = schedule.url

        page = self.save(parent, existing, ConferenceIndex(), assign, "conference", schedule.title)
        self.report.conference_id = page.pk
        return page

    def day(self, conference, day) -> DayPage:
        existing = DayPage.objects.child_of(conference).filter(date=day.date).first()
        slug = existing.slug if existing else f"day-{day.index}"
        if existing is None:
            existing = self.child(conference, slug, DayPage)
        title = existing.title if existing else f"Day {day.index}"

        def assign(page):
            page.title = title
            page.slug = slug
            page.date = day.date
            page.day_number = day.index

        return self.save(conference, existing, DayPage(), assign, "day", f"{title} ({day.date})")

    def talk(self, day_page, event: Event, existing) -> TalkPage:
        speakers = [self.speaker(name, event) for name in dict.fromkeys(event.persons)]
        moved = False
        if existing is not None and existing.get_parent().pk != day_page.pk:
            if not self.can(existing, "move"):
                raise WriteError(f"You may not move the talk “{existing.title}” ({event.label}).")
            if Page.objects.child_of(day_page).filter(slug=existing.slug).exists():
                raise WriteError(
                    f"{event.label} moves to {day_page.title}, where another page has the "
                    f"address “{existing.slug}”: rename one of them."
                )
            existing.move(Page.objects.get(pk=day_page.pk), pos="last-child", user=self.user)
            existing = TalkPage.objects.get(pk=existing.pk)
            moved = True
        slug = existing.slug if existing else self.free_slug(day_page, event.slug or event.title)
        slides, video = _links(event.links)
        tags = [event.track] if event.track else []
        if event.type and event.type.casefold() not in GENERIC_TYPES:
            tags.append(event.type)
        tags = list({tag.casefold(): tag for tag in tags}.values())

        def assign(page):
            page.title = event.title
            page.slug = slug
            page.schedule_guid = event.guid
            page.start_time = event.local_time
            page.room = event.room
            page.summary = _summary(event)
            page.slides_url = slides
            page.video_url = video
            page.tags.set(tags)
            page.set_speakers(speakers)

        page = self.save(day_page, existing, TalkPage(), assign, "talk", event.title, event)
        if moved:
            self.report.pages[-1].action = "move"
            self.report.pages[-1].detail = f"to {day_page.title}; " + self.report.pages[-1].detail
        return page

    # -- pages
    def child(self, parent, slug: str, model):
        child = Page.objects.child_of(parent).filter(slug=slug).first()
        if child is None:
            return None
        child = child.specific
        if not isinstance(child, model):
            raise WriteError(
                f"“{slug}” under “{parent.title}” is a {child._meta.verbose_name}, not a "
                f"{model._meta.verbose_name}: rename one of them."
            )
        return child

    def free_slug(self, parent, text: str) -> str:
        base = slugify(text)[:240] or "talk"
        taken = set(
            Page.objects.child_of(parent)
            .filter(slug__startswith=base)
            .values_list("slug", flat=True)
        )
        slug, number = base, 2
        while slug in taken:
            slug, number = f"{base}-{number}", number + 1
        return slug

    def save(self, parent, existing, new_page, assign, kind: str, title: str, event=None):
        where = event.label if event else kind
        entry = PageReport(kind, title)
        self.report.pages.append(entry)
        if existing is not None:
            if not self.can(existing, "edit"):
                raise WriteError(f"You may not edit the {kind} “{existing.title}”.")
            page = existing.get_latest_revision_as_object()
            before = _signature(page)
            assign(page)
            entry.page_id, entry.url = existing.pk, _url(existing)
            if _signature(page) == before:
                entry.action = "unchanged"
                return existing
            publish = self.publish and existing.live and not existing.has_unpublished_changes
            if self.publish and not publish:
                entry.detail = "draft revision (not live, or a draft is in progress)"
            if publish and not self.can(existing, "publish"):
                raise WriteError(f"You may not publish the {kind} “{existing.title}”.")
        else:
            if not self.can(parent, "add"):
                raise WriteError(f"You may not add a {kind} under “{parent.title}”.")
            if self.publish and not self.can(parent, "publish_child"):
                raise WriteError(f"You may not publish pages under “{parent.title}”.")
            page = new_page
            page.live = False
            page.owner = self.user
            assign(page)
            publish = self.publish
        try:
            if existing is None:
                Page.objects.get(pk=parent.pk).add_child(instance=page)
                log(instance=page, action="wagtail.create", user=self.user)
                revision = page.save_revision(user=self.user, log_action=False)
            else:
                revision = page.save_revision(user=self.user, log_action=True)
            if publish:
                revision.publish(user=self.user)
        except ValidationError as error:
            for field_name, messages in _messages(error).items():
                label = "" if field_name in ("", "__all__") else f"{field_name.replace('_', ' ')}: "
                for message in messages:
                    self.diagnostics.error(f"{label}{message}", where)
            raise WriteError(f"The {kind} “{title}” could not be saved.") from error
        saved = type(page).objects.get(pk=page.pk)
        entry.action = "update" if existing is not None else "create"
        entry.page_id, entry.url = saved.pk, _url(saved)
        return saved

    # -- speakers
    def speaker(self, name: str, event: Event) -> Speaker:
        name = name[: Speaker._meta.get_field("name").max_length]
        key = name.casefold()
        if key in self.speakers:
            return self.speakers[key]
        matches = list(Speaker.objects.filter(name__iexact=name).order_by("pk")[:2])
        if len(matches) > 1:
            self.diagnostics.warn(
                f"Several speakers are called “{name}”; the first one is linked.", event.label
            )
        speaker = matches[0] if matches else None
        if speaker is None:
            if self.user is not None and not self.user.has_perm("snippets.add_speaker"):
                raise WriteError(
                    f"“{name}” ({event.label}) is a new speaker and you may not add speakers."
                )
            speaker = Speaker(name=name)
            speaker.save()
            self.report.speakers_created.append(name)
        self.speakers[key] = speaker
        return speaker


def _summary(event: Event) -> str:
    text = event.abstract or event.description or event.subtitle
    text = " ".join(text.split("\n"))  # one paragraph
    return Truncator(text).chars(SUMMARY_MAX)


def _valid_url(url: str) -> bool:
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        return False
    return len(url) <= 200


def _links(links) -> tuple[str, str]:
    """(slides URL, video URL) among an event's links, where they are recognisable."""
    slides = video = ""
    for title, url in links:
        if not _valid_url(url):
            continue
        host_and_path = f"{urlsplit(url).netloc}{urlsplit(url).path}"
        if not video and (_VIDEO_RE.search(title) or _VIDEO_RE.search(host_and_path)):
            video = url
        elif not slides and (_SLIDES_RE.search(title) or _SLIDES_RE.search(host_and_path)):
            slides = url
    return slides, video


def _signature(page) -> dict:
    names = ("title", "slug", "start_date", "end_date", "location", "website", "date",
             "day_number", "start_time", "room", "summary", "slides_url", "video_url",
             "schedule_guid")  # fmt: skip
    signature = {name: getattr(page, name, None) for name in names}
    if isinstance(page, TalkPage):
        signature["tags"] = sorted(tag.name for tag in page.tags.all())
        links = sorted(page.talk_speakers.all(), key=lambda link: link.sort_order or 0)
        signature["speakers"] = [link.speaker_id for link in links]
    return signature


def _messages(error: ValidationError) -> dict:
    return error.message_dict if hasattr(error, "error_dict") else {"": error.messages}


def _url(page) -> str:
    try:
        return page.get_url() or page.url_path
    except Exception:  # a page outside any site
        return page.url_path
