"""One entry point for both formats: the format is told from the content (``{`` is JSON, ``<``
is XML), whatever the file is called; then the checks that do not depend on the format."""

from collections import defaultdict

from django.utils.text import slugify

from .model import Diagnostics, Schedule
from .parse_json import parse_json
from .parse_xml import parse_xml


def parse_schedule(data: bytes, diagnostics: Diagnostics) -> Schedule | None:
    """The schedule in ``data``, checked; None when it has errors (they are in ``diagnostics``)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        diagnostics.error(
            f"Not valid UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start})."
        )
        return None
    head = text.lstrip()[:1]
    if head == "{":
        schedule = parse_json(text, diagnostics)
    elif head == "<":
        schedule = parse_xml(text, diagnostics)
    else:
        diagnostics.error(
            "Neither a pretalx/C3VOC schedule.json nor a frab schedule.xml (the content starts "
            f"with “{text.lstrip()[:20]}”)."
        )
        return None
    if schedule is None or diagnostics.has_errors:
        return None
    check(schedule, diagnostics)
    return None if diagnostics.has_errors else schedule


def check(schedule: Schedule, diagnostics: Diagnostics) -> None:
    if not schedule.title:
        diagnostics.error("The conference has no title.", "conference")
    if not slugify(schedule.acronym or schedule.title):
        diagnostics.error(
            "The conference's title and acronym give no address (slug).", "conference"
        )
    seen: dict[str, object] = {}
    for event in schedule.events():
        other = seen.get(event.guid)
        if other is not None:
            diagnostics.error(
                f"Its guid/id {event.guid} is also the one of {other.label}: each event needs its own.",
                event.label,
            )
        seen[event.guid] = event
    known_rooms = {room.casefold() for room in schedule.rooms if room}
    by_room = defaultdict(list)
    for event in schedule.events():
        if not event.is_talk():
            continue
        if known_rooms and event.room and event.room.casefold() not in known_rooms:
            diagnostics.warn(
                f"The room “{event.room}” is not among the conference's rooms.", event.label
            )
        if event.duration.total_seconds() <= 0:
            diagnostics.warn("The event has no duration.", event.label)
        if event.room:
            by_room[event.room.casefold()].append(event)
    for events in by_room.values():
        events.sort(key=lambda e: e.start)
        for before, after in zip(events, events[1:], strict=False):
            if after.start < before.end:
                diagnostics.warn(
                    f"It overlaps {before.label} in {after.room} "
                    f"({before.start:%H:%M}–{before.end:%H:%M}).",
                    after.label,
                )
    if schedule.start and schedule.end and schedule.end < schedule.start:
        diagnostics.error("The conference ends before it starts.", "conference")
