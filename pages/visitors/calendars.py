"""iCalendar files (RFC 5545) for a talk, a day and a conference, written without a library.

Choices, so that every calendar app reads the same thing:

- Times are *floating* local times (``DTSTART:20260504T103000``, no ``Z``, no ``TZID``): the
  content model records a talk's wall-clock time at the venue but no time zone, so "10:30 at the
  conference" stays 10:30 wherever the file is opened. ``DTSTAMP`` and ``LAST-MODIFIED`` are UTC
  as the RFC requires; they are the talk's last publication, so a file only changes when its
  content does.
- ``DTEND`` = ``DTSTART`` + 45 minutes (``TALK_LENGTH``). Talks have no end time in the content
  model, and with parallel rooms "the next talk's start" would often be wrong.
- Talks without a time are left out of day and conference calendars (and have no calendar of
  their own: 404). A day without any timed talk is one all-day event; a conference calendar
  always starts with an all-day event spanning the conference.
- Lines end with CRLF and are folded at 75 octets (never inside a UTF-8 sequence); TEXT values
  escape backslash, ``;``, ``,`` and newlines. UIDs are stable: ``talk-<id>@<host>``, the
  host being the Wagtail site's.
- Every event links back to the notes (``URL`` and the end of ``DESCRIPTION``).
"""

import datetime
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.http import content_disposition_header

from pages.models import ConferenceIndex, DayPage
from pages.structured_data import site_root_url
from pages.tree import day_sort_key, programme_order, talk_datetime, talk_sort_key

from .listings import attach_programme, public_talks, with_talk_details

TALK_LENGTH = datetime.timedelta(minutes=45)
PRODID = "-//Confnotes//Conference notes//EN"
CRLF = "\r\n"
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma and newlines escaped."""
    value = _CONTROL_CHARACTERS.sub("", str(value))
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str, limit: int = 75) -> str:
    """Fold a content line at ``limit`` octets (RFC 5545 §3.1), never splitting a character."""
    parts, current, size = [], "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append(current)
            current, size = " " + char, 1 + width
        else:
            current, size = current + char, size + width
    parts.append(current)
    return CRLF.join(parts)


def format_utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def format_floating(moment: datetime.datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%S")


def format_date(day: datetime.date) -> str:
    return day.strftime("%Y%m%d")


class ICalendar:
    """Collects properties and events, then renders the whole file."""

    def __init__(self, name: str, host: str):
        self.host = host
        self.lines = [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            f"PRODID:{PRODID}",
            "CALSCALE:GREGORIAN",
            f"NAME:{escape_text(name)}",
            f"X-WR-CALNAME:{escape_text(name)}",
        ]

    def uid(self, kind: str, pk: int) -> str:
        return f"{kind}-{pk}@{self.host}"

    def add_event(
        self,
        *,
        uid: str,
        stamp: datetime.datetime | None,
        start: str,
        end: str,
        summary: str,
        url: str,
        description: str = "",
        location: str = "",
        categories: list[str] | None = None,
    ) -> None:
        """Add a VEVENT; ``start`` / ``end`` are complete property lines (DTSTART…, DTEND…)."""
        stamp = stamp or timezone.now()
        self.lines += [
            "BEGIN:VEVENT",
            f"UID:{uid}",
            f"DTSTAMP:{format_utc(stamp)}",
            f"LAST-MODIFIED:{format_utc(stamp)}",
            start,
            end,
            f"SUMMARY:{escape_text(summary)}",
        ]
        notes = f"Notes: {url}"
        text = f"{description}\n\n{notes}" if description else notes
        self.lines.append(f"DESCRIPTION:{escape_text(text)}")
        if location:
            self.lines.append(f"LOCATION:{escape_text(location)}")
        if categories:
            self.lines.append("CATEGORIES:" + ",".join(escape_text(c) for c in categories))
        self.lines += [f"URL:{url}", "END:VEVENT"]

    def add_talk(self, talk, request) -> None:
        """A timed talk; it must know its ``day`` and ``conference`` (see attach_programme)."""
        day, conference = talk.day, talk.conference
        start = talk_datetime(day.date, talk.start_time)
        speakers = [link.speaker.name for link in talk.talk_speakers.all()]
        description = "\n".join(
            part
            for part in (
                talk.display_summary,
                ("Speakers: " + ", ".join(speakers)) if speakers else "",
                f"{conference.title}, {day.title}" if conference else day.title,
            )
            if part
        )
        self.add_event(
            uid=self.uid("talk", talk.pk),
            stamp=talk.last_published_at,
            start=f"DTSTART:{format_floating(start)}",
            end=f"DTEND:{format_floating(start + TALK_LENGTH)}",
            summary=talk.title,
            url=talk.get_full_url(request),
            description=description,
            location=", ".join(p for p in (talk.room, conference and conference.location) if p),
            categories=sorted(tag.name for tag in talk.tags.all()),
        )

    def add_all_day(self, page, first: datetime.date, last: datetime.date, request, **extra):
        self.add_event(
            uid=self.uid(page._meta.model_name, page.pk),
            stamp=page.last_published_at,
            start=f"DTSTART;VALUE=DATE:{format_date(first)}",
            end=f"DTEND;VALUE=DATE:{format_date(last + datetime.timedelta(days=1))}",
            summary=page.title,
            url=page.get_full_url(request),
            **extra,
        )

    def render(self) -> str:
        return "".join(fold(line) + CRLF for line in [*self.lines, "END:VCALENDAR"])


def _response(calendar: ICalendar, filename: str) -> HttpResponse:
    response = HttpResponse(calendar.render(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, f"{filename}.ics")
    response["Cache-Control"] = "public, max-age=300"
    return response


def _timed_talks(talks) -> list:
    talks = with_talk_details(talks.filter(start_time__isnull=False))
    return attach_programme(talks.order_by(*programme_order()))


def _host(request) -> str:
    """The Wagtail site's host name: UIDs stay the same whatever Host header was used."""
    return urlsplit(site_root_url(request)).hostname or request.get_host()


def _site_name() -> str:
    return settings.WAGTAIL_SITE_NAME


def talk_calendar(request, pk: int):
    """``/calendars/talks/<id>.ics``: one talk that has a time."""
    talks = _timed_talks(public_talks().filter(pk=pk))
    if not talks or talks[0].day is None:
        raise Http404("No public talk with a time has this id.")
    talk = talks[0]
    calendar = ICalendar(f"{talk.title} · {_site_name()}", _host(request))
    calendar.add_talk(talk, request)
    return _response(calendar, talk.slug)


def day_calendar(request, pk: int):
    """``/calendars/days/<id>.ics``: the timed talks of a day (or the day, all day)."""
    day = get_object_or_404(DayPage.objects.live().public().defer_streamfields(), pk=pk)
    conference = day.conference
    talks = _timed_talks(public_talks().child_of(day))
    calendar = ICalendar(f"{conference.title}, {day.title} · {_site_name()}", _host(request))
    for talk in talks:
        calendar.add_talk(talk, request)
    if not talks:
        calendar.add_all_day(
            day,
            day.date,
            day.date,
            request,
            location=conference.location,
            description=f"{conference.title}, {day.title}",
        )
    return _response(calendar, f"{conference.slug}-{day.slug}")


def conference_calendar(request, slug: str):
    """``/calendars/conferences/<slug>.ics``: the conference (all days) and its timed talks."""
    conference = get_object_or_404(
        ConferenceIndex.objects.live().public().defer_streamfields(), slug=slug
    )
    talks = _timed_talks(public_talks().descendant_of(conference))
    talks.sort(
        key=lambda talk: talk_sort_key(
            day_sort_key(talk.day.day_number, talk.day.date, talk.day.path),
            talk.start_time,
            talk.path,
        )
    )
    calendar = ICalendar(f"{conference.title} · {_site_name()}", _host(request))
    calendar.add_all_day(
        conference,
        conference.start_date,
        max(conference.end_date or conference.start_date, conference.start_date),
        request,
        location=conference.location,
        description=f"{conference.title}: notes from the talks on {_site_name()}.",
    )
    for talk in talks:
        calendar.add_talk(talk, request)
    return _response(calendar, conference.slug)
