"""A day that runs past midnight: a talk at 00:30 belongs to the night after its day.

Schedules (frab, pretalx) put late-night sessions on the day they follow; the schedule import
keeps them there. Everywhere the programme is ordered or dated, such a talk comes after the
evening's talks and happens on the next calendar date (``pages.tree.NIGHT_ENDS``).
"""

import datetime

import icalendar
import pytest

from pages.programme import programme_grid
from pages.tree import talk_datetime
from tests.factories import ConferenceFactory, DayFactory, TalkFactory

pytestmark = pytest.mark.django_db

DATE = datetime.date(2026, 6, 12)


@pytest.fixture
def night():
    conference = ConferenceFactory(
        title="Nightconf 2026", slug="nightconf-2026", start_date=DATE, end_date=DATE
    )
    day = DayFactory(parent=conference, title="Day 1", slug="day-1", date=DATE, day_number=1)
    talks = [
        TalkFactory(parent=day, title=title, slug=slug, start_time=time, room=room)
        for title, slug, time, room in [
            ("Owls after midnight", "owls", datetime.time(0, 30), "Room B"),
            ("Morning keynote", "keynote", datetime.time(9, 30), "Hall A"),
            ("Evening panel", "panel", datetime.time(21, 0), "Hall A"),
            ("Untimed hallway track", "hallway", None, "Room B"),
        ]
    ]
    return day, {talk.slug: talk for talk in talks}


def positions(html: str, titles: list[str]) -> list[int]:
    return [html.index(title) for title in titles]


def test_talk_datetime_moves_night_talks_to_the_next_date():
    assert talk_datetime(DATE, datetime.time(0, 30)) == datetime.datetime(2026, 6, 13, 0, 30)
    assert talk_datetime(DATE, datetime.time(4, 59)) == datetime.datetime(2026, 6, 13, 4, 59)
    assert talk_datetime(DATE, datetime.time(5, 0)) == datetime.datetime(2026, 6, 12, 5, 0)
    assert talk_datetime(DATE, datetime.time(23, 0)) == datetime.datetime(2026, 6, 12, 23, 0)


def test_the_day_page_lists_night_talks_after_the_evening(client, night):
    day, talks = night
    html = client.get(day.url).content.decode()
    order = ["Morning keynote", "Evening panel", "Owls after midnight", "Untimed hallway track"]
    cards = html[html.rindex("</table>") :]  # the talk cards, after the grid
    assert positions(cards, order) == sorted(positions(cards, order))


def test_the_grid_rows_put_the_night_after_the_evening(night):
    day, talks = night
    grid = programme_grid(talks.values())
    assert [row.time for row in grid.rows] == [
        datetime.time(9, 30),
        datetime.time(21, 0),
        datetime.time(0, 30),
        None,
    ]


def test_the_pager_goes_from_the_evening_to_the_night(night):
    day, talks = night
    previous, following = talks["panel"].previous_next
    assert previous.pk == talks["keynote"].pk
    assert following.pk == talks["owls"].pk


def test_calendars_and_structured_data_date_night_talks_on_the_next_day(client, night):
    day, talks = night
    owls = talks["owls"]
    calendar = icalendar.Calendar.from_ical(client.get(f"/calendars/talks/{owls.pk}.ics").content)
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("DTSTART") == datetime.datetime(2026, 6, 13, 0, 30)
    conference_calendar = icalendar.Calendar.from_ical(
        client.get("/calendars/conferences/nightconf-2026.ics").content
    )
    starts = [
        (str(event["SUMMARY"]), event.decoded("DTSTART"))
        for event in conference_calendar.walk("VEVENT")
        if str(event["SUMMARY"]) in {"Evening panel", "Owls after midnight"}
    ]
    assert sorted(starts, key=lambda item: item[1]) == [
        ("Evening panel", datetime.datetime(2026, 6, 12, 21, 0)),
        ("Owls after midnight", datetime.datetime(2026, 6, 13, 0, 30)),
    ]
    assert '"startDate": "2026-06-13T00:30"' in client.get(owls.url).content.decode()
