"""frab ``schedule.xml``: ``<schedule><conference>…</conference><day index date start end><room
name><event guid id>…</event></room></day></schedule>``, parsed with defusedxml (no DTDs, no
entity expansion, no external references)."""

from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from .fields import Invalid, make_event, parse_date, parse_zone
from .model import Day, Diagnostics, Schedule
from .parse_json import _moment


def parse_xml(data: str, diagnostics: Diagnostics) -> Schedule | None:
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as error:
        diagnostics.error(f"Refused: the XML declares a DTD or entities ({type(error).__name__}).")
        return None
    except ParseError as error:
        line, column = error.position
        diagnostics.error(
            f"Not well-formed XML: {error.msg if hasattr(error, 'msg') else error} (line {line}, column {column})."
        )
        return None
    if root.tag != "schedule" or root.find("conference") is None:
        diagnostics.error(
            "Not a frab schedule: the root element is not <schedule> with a <conference>."
        )
        return None
    conference = root.find("conference")

    def value(name: str) -> str:
        return (conference.findtext(name) or "").strip()

    try:
        schedule = Schedule(
            title=value("title")[:255],
            acronym=value("acronym"),
            start=parse_date(value("start"), "start") if value("start") else None,
            end=parse_date(value("end"), "end") if value("end") else None,
            time_zone=value("time_zone_name") or "UTC",
            venue=value("venue"),
            city=value("city"),
            url=value("url"),
            format="xml",
        )
    except Invalid as error:
        diagnostics.error(f"The conference's {error}.", "conference")
        return None
    listed_rooms = conference.find("rooms")
    if listed_rooms is not None:
        schedule.rooms = [room.get("name", "").strip() for room in listed_rooms.findall("room")]
    zone = parse_zone(schedule.time_zone, diagnostics)
    if zone is None:
        return None
    for position, day_element in enumerate(root.findall("day"), start=1):
        try:
            day = Day(
                index=int(day_element.get("index") or position),
                date=parse_date(day_element.get("date"), "date"),
            )
            day_start = _moment(day_element.get("start"), zone)
        except (Invalid, TypeError, ValueError) as error:
            diagnostics.error(f"The day's {error}.", f"day {position}")
            continue
        for room in day_element.findall("room"):
            room_name = (room.get("name") or "").strip()
            for element in room.findall("event"):
                raw = {child.tag: (child.text or "") for child in element if len(child) == 0}
                raw["guid"] = element.get("guid", "")
                raw["id"] = element.get("id", "")
                raw["room"] = raw.get("room", "").strip() or room_name
                raw["_room_of_list"] = room_name
                persons = element.find("persons")
                raw["persons"] = [
                    (p.text or "").strip()
                    for p in (persons.findall("person") if persons is not None else [])
                ]
                links = element.find("links")
                raw["links"] = [
                    ((link.text or "").strip(), (link.get("href") or "").strip())
                    for link in (links.findall("link") if links is not None else [])
                ]
                event = make_event(raw, day.index, day.date, day_start, zone, diagnostics)
                if event is not None:
                    day.events.append(event)
        schedule.days.append(day)
    return schedule
