"""Reading the values both formats share: dates, times with their zone, durations, HTML text,
and turning one raw event (a dict of strings, from either format) into an :class:`Event`."""

import html
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils.html import strip_tags

from .model import Diagnostics, Event


class Invalid(ValueError):
    """A value that cannot be read; its message names the field."""


def parse_date(value, name: str) -> date:
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except (TypeError, ValueError):
        raise Invalid(f"{name} “{str(value)[:40]}” is not a date (YYYY-MM-DD)") from None


def parse_zone(name: str, diagnostics: Diagnostics) -> ZoneInfo | None:
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        diagnostics.error(f"Unknown time zone “{name[:60]}”.", "conference")
        return None


_DURATION_RE = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2})(?::(\d{2}))?$")


def parse_duration(value) -> timedelta:
    """frab/pretalx durations: ``HH:MM``, ``HH:MM:SS`` or ``D:HH:MM:SS``."""
    text = str(value or "").strip()
    match = _DURATION_RE.match(text)
    if match is None:
        raise Invalid(f"duration “{text[:20]}” is not HH:MM")
    days, hours, minutes, seconds = match.groups()
    if seconds is not None and days is not None:  # D:HH:MM:SS
        return timedelta(
            days=int(days), hours=int(hours), minutes=int(minutes), seconds=int(seconds)
        )
    if days is not None:  # HH:MM:SS
        return timedelta(hours=int(days), minutes=int(hours), seconds=int(minutes))
    return timedelta(hours=int(hours), minutes=int(minutes))


def parse_start(raw: dict, day_date: date, day_start: datetime | None, zone: ZoneInfo) -> datetime:
    """The event's start in the conference's zone: its ISO ``date`` (with an offset or in the
    conference's zone), else the day's date and its ``start`` (a time before the day's first
    hour belongs to the night after it)."""
    value = str(raw.get("date") or "").strip()
    if value:
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise Invalid(f"date “{value[:40]}” is not an ISO 8601 date and time") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=zone)
        return moment.astimezone(zone)
    start = str(raw.get("start") or "").strip()
    try:
        hours, minutes = (int(part) for part in start.split(":")[:2])
        moment = datetime(day_date.year, day_date.month, day_date.day, hours, minutes, tzinfo=zone)
    except ValueError:
        raise Invalid(f"start “{start[:20]}” is not HH:MM") from None
    if day_start is not None and moment < day_start:
        moment += timedelta(days=1)
    return moment


_BLOCK_END_RE = re.compile(r"(?i)<br\s*/?>|</(p|div|li|h[1-6]|blockquote)>")


def plain_text(value) -> str:
    """HTML (or Markdown-ish text) as plain text: tags dropped, entities read, paragraphs kept
    as line breaks, runs of spaces folded."""
    text = str(value or "")
    if "<" in text:
        text = _BLOCK_END_RE.sub("\n", text)
        text = strip_tags(text)
    text = html.unescape(text).replace("\r\n", "\n").replace("\r", "\n")
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def text(value, name: str, limit: int = 0) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        raise Invalid(
            f"{name} should be text, not a {'list' if isinstance(value, list) else 'mapping'}"
        )
    result = str(value).strip()
    return result[:limit] if limit else result


def make_event(
    raw: dict, day_index: int, day_date: date, day_start, zone, diagnostics
) -> Event | None:
    """An :class:`Event` from the raw fields of either format; None after reporting an error."""
    ident = text(raw.get("id"), "id")
    guid = text(raw.get("guid"), "guid") or ident
    title = plain_text(raw.get("title")) if not isinstance(raw.get("title"), (dict, list)) else ""
    where = f"event {ident or guid or '?'} “{title[:80]}”"
    if not guid:
        diagnostics.error("The event has neither a guid nor an id.", where)
        return None
    if not title:
        diagnostics.error("The event has no title.", where)
        return None
    try:
        persons = raw.get("persons") or []
        if not isinstance(persons, list):
            raise Invalid("persons should be a list")
        event = Event(
            guid=guid[:64],
            id=ident,
            title=title[:255],
            start=parse_start(raw, day_date, day_start, zone),
            duration=parse_duration(raw.get("duration")),
            room=text(raw.get("room"), "room", 100),
            day_index=day_index,
            day_date=day_date,
            subtitle=plain_text(text(raw.get("subtitle"), "subtitle")),
            track=text(raw.get("track"), "track", 100),
            type=text(raw.get("type"), "type", 100),
            abstract=plain_text(text(raw.get("abstract"), "abstract")),
            description=plain_text(text(raw.get("description"), "description")),
            slug=text(raw.get("slug"), "slug"),
            persons=[name for name in (text(p, "a person") for p in persons) if name],
            links=[
                (text(t, "link title"), text(u, "link URL")) for t, u in _links(raw.get("links"))
            ],
        )
    except Invalid as error:
        diagnostics.error(f"{str(error)[:1].upper()}{str(error)[1:]}.", where)
        return None
    return event


def _links(value) -> list:
    if value is None or value == "":
        return []
    if not isinstance(value, list):
        raise Invalid("links should be a list")
    return value
