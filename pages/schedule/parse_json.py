"""pretalx / C3VOC ``schedule.json``: ``{"schedule": {"conference": {..., "days": [{"index",
"date", "day_start", "rooms": {"Room": [event, ...]}}]}}}``."""

import json

from .fields import Invalid, make_event, parse_date, parse_zone, text
from .model import Day, Diagnostics, Schedule


def parse_json(data: str, diagnostics: Diagnostics) -> Schedule | None:
    try:
        document = json.loads(data)
    except json.JSONDecodeError as error:
        diagnostics.error(
            f"Not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})."
        )
        return None
    conference = document.get("schedule", {}) if isinstance(document, dict) else None
    conference = conference.get("conference") if isinstance(conference, dict) else None
    if not isinstance(conference, dict):
        diagnostics.error("Not a schedule: the JSON has no “schedule” → “conference” object.")
        return None
    try:
        schedule = Schedule(
            title=text(conference.get("title"), "title", 255),
            acronym=text(conference.get("acronym"), "acronym"),
            start=parse_date(conference["start"], "start") if conference.get("start") else None,
            end=parse_date(conference["end"], "end") if conference.get("end") else None,
            time_zone=text(conference.get("time_zone_name"), "time_zone_name") or "UTC",
            venue=text(conference.get("venue"), "venue"),
            city=text(conference.get("city"), "city"),
            url=text(conference.get("url"), "url"),
            format="json",
        )
    except Invalid as error:
        diagnostics.error(f"The conference's {error}.", "conference")
        return None
    rooms = conference.get("rooms") or []
    if isinstance(rooms, list):
        schedule.rooms = [text(r.get("name") if isinstance(r, dict) else r, "room") for r in rooms]
    zone = parse_zone(schedule.time_zone, diagnostics)
    days = conference.get("days")
    if zone is None:
        return None
    if not isinstance(days, list):
        diagnostics.error("The conference has no list of “days”.", "conference")
        return None
    for position, raw_day in enumerate(days, start=1):
        if not isinstance(raw_day, dict):
            diagnostics.error("A day should be an object.", f"day {position}")
            continue
        try:
            day = Day(
                index=int(raw_day.get("index") or position),
                date=parse_date(raw_day.get("date"), "date"),
            )
            day_start = _moment(raw_day.get("day_start"), zone)
        except (Invalid, TypeError, ValueError) as error:
            diagnostics.error(f"The day's {error}.", f"day {position}")
            continue
        rooms_of_day = raw_day.get("rooms") or {}
        if not isinstance(rooms_of_day, dict):
            diagnostics.error(
                "“rooms” should map room names to lists of events.", f"day {day.index}"
            )
            continue
        for room_name, events in rooms_of_day.items():
            if not isinstance(events, list):
                diagnostics.error(
                    f"The events of room “{room_name}” should be a list.", f"day {day.index}"
                )
                continue
            for raw in events:
                if not isinstance(raw, dict):
                    diagnostics.error(
                        "An event should be an object.", f"day {day.index}, room {room_name}"
                    )
                    continue
                raw = {**raw, "room": raw.get("room") or room_name, "_room_of_list": room_name}
                if isinstance(raw.get("persons"), list):
                    raw["persons"] = [_person(p) for p in raw["persons"]]
                if isinstance(raw.get("links"), list):
                    raw["links"] = [_link(link) for link in raw["links"]]
                event = make_event(raw, day.index, day.date, day_start, zone, diagnostics)
                if event is not None:
                    day.events.append(event)
        schedule.days.append(day)
    return schedule


def _person(value):
    if isinstance(value, dict):
        return value.get("public_name") or value.get("name") or value.get("full_public_name") or ""
    return value


def _link(value):
    if isinstance(value, dict):
        return (value.get("title") or "", value.get("url") or value.get("href") or "")
    return ("", value if isinstance(value, str) else "")


def _moment(value, zone):
    if not value:
        return None
    from datetime import datetime

    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return (moment if moment.tzinfo else moment.replace(tzinfo=zone)).astimezone(zone)
