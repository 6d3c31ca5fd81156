"""iCalendar files (RFC 5545) for talks, days and conferences, parsed with icalendar."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from wagtail.models import PageViewRestriction

import icalendar
import pytest

from pages.visitors.calendars import TALK_LENGTH, escape_text, fold
from tests.factories import ConferenceFactory, DayFactory, SpeakerFactory, TalkFactory

pytestmark = pytest.mark.django_db

DATE = datetime.date(2026, 5, 4)


@pytest.fixture
def conference():
    conference = ConferenceFactory(
        title="Calconf 2026",
        slug="calconf-2026",
        location="Lisbon, FIL",
        start_date=DATE,
        end_date=DATE + datetime.timedelta(days=1),
    )
    day1 = DayFactory(parent=conference, title="Day 1", date=DATE, day_number=1)
    day2 = DayFactory(
        parent=conference, title="Day 2", date=DATE + datetime.timedelta(days=1), day_number=2
    )
    ada = SpeakerFactory(name="Ada Example")
    talks = {
        "late": TalkFactory(parent=day1, title="Afternoon talk", start_time=datetime.time(14, 0)),
        "early": TalkFactory(
            parent=day1,
            title="Morning talk",
            start_time=datetime.time(9, 15),
            room="Room A",
            speakers=[ada],
        ),
        "untimed": TalkFactory(parent=day1, title="Untimed talk", start_time=None),
        "draft": TalkFactory(parent=day1, title="Draft talk", live=False),
        "private": TalkFactory(parent=day1, title="Private talk"),
        "second": TalkFactory(
            parent=day2, title="Second day talk", start_time=datetime.time(10, 0)
        ),
    }
    PageViewRestriction.objects.create(
        page=talks["private"], restriction_type=PageViewRestriction.PASSWORD, password="x"
    )
    talks["early"].tags.add("orm", "a, b; c")
    talks["early"].save()
    return {"conference": conference, "day1": day1, "day2": day2, **talks}


def fetch(client, url) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    return response.content


def check_rfc5545(raw: bytes) -> icalendar.Calendar:
    """Line endings, folding and required properties; then parse with icalendar."""
    assert raw.endswith(b"\r\n")
    lines = raw.split(b"\r\n")[:-1]
    assert b"\n" not in b"".join(lines) and b"\r" not in b"".join(lines), "bare CR or LF"
    for line in lines:
        assert len(line) <= 75, line
        line.decode("utf-8")  # folding never splits a UTF-8 sequence
    assert lines[0] == b"BEGIN:VCALENDAR" and lines[-1] == b"END:VCALENDAR"
    calendar = icalendar.Calendar.from_ical(raw)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    events = calendar.walk("VEVENT")
    assert events, "a calendar needs at least one component"
    for event in events:
        for required in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "URL"):
            assert required in event, required
        stamp = event.decoded("DTSTAMP")
        assert stamp.tzinfo is not None and stamp.utcoffset() == datetime.timedelta(0)
    uids = [str(event["UID"]) for event in events]
    assert len(uids) == len(set(uids))
    return calendar


def summaries(calendar) -> list[str]:
    return [str(event["SUMMARY"]) for event in calendar.walk("VEVENT")]


def test_talk_calendar(client, conference):
    talk = conference["early"]
    calendar = check_rfc5545(fetch(client, f"/calendars/talks/{talk.pk}.ics"))
    (event,) = calendar.walk("VEVENT")
    start = event.decoded("DTSTART")
    assert start == datetime.datetime(2026, 5, 4, 9, 15) and start.tzinfo is None  # floating
    assert event.decoded("DTEND") == start + TALK_LENGTH
    assert str(event["SUMMARY"]) == "Morning talk"
    assert str(event["URL"]) == "http://localhost" + talk.url
    assert str(event["UID"]) == f"talk-{talk.pk}@localhost"
    assert str(event["LOCATION"]) == "Room A, Lisbon, FIL"
    description = str(event["DESCRIPTION"])
    assert "What the talk was about, in one paragraph." in description
    assert "Speakers: Ada Example" in description
    assert description.endswith("Notes: http://localhost" + talk.url)
    assert sorted(str(c) for c in event["CATEGORIES"].cats) == ["a, b; c", "orm"]


def test_talks_without_a_time_or_not_public_have_no_calendar(client, conference):
    for name in ("untimed", "draft", "private"):
        assert client.get(f"/calendars/talks/{conference[name].pk}.ics").status_code == 404, name
    assert client.get("/calendars/talks/999999.ics").status_code == 404


def test_day_calendar_lists_timed_public_talks_in_order(client, conference):
    calendar = check_rfc5545(fetch(client, f"/calendars/days/{conference['day1'].pk}.ics"))
    assert summaries(calendar) == ["Morning talk", "Afternoon talk"]
    assert "Day 1" in str(calendar["X-WR-CALNAME"])


def test_day_without_timed_talks_is_an_all_day_event(client, conference):
    empty = DayFactory(
        parent=conference["conference"], title="Day 3", date=DATE + datetime.timedelta(days=2)
    )
    TalkFactory(parent=empty, start_time=None)
    calendar = check_rfc5545(fetch(client, f"/calendars/days/{empty.pk}.ics"))
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("DTSTART") == DATE + datetime.timedelta(days=2)
    assert event.decoded("DTEND") == DATE + datetime.timedelta(days=3)
    assert str(event["URL"]) == "http://localhost" + empty.url


def test_conference_calendar(client, conference):
    calendar = check_rfc5545(fetch(client, "/calendars/conferences/calconf-2026.ics"))
    assert summaries(calendar) == [
        "Calconf 2026",
        "Morning talk",
        "Afternoon talk",
        "Second day talk",
    ]
    whole = calendar.walk("VEVENT")[0]
    assert whole.decoded("DTSTART") == DATE
    assert whole.decoded("DTEND") == DATE + datetime.timedelta(days=2)  # exclusive end
    assert str(whole["LOCATION"]) == "Lisbon, FIL"


def test_hidden_days_and_conferences_have_no_calendar(client, conference):
    conference["day2"].unpublish()
    assert client.get(f"/calendars/days/{conference['day2'].pk}.ics").status_code == 404
    assert client.get("/calendars/conferences/no-such-conference.ics").status_code == 404


def test_text_is_escaped_and_long_lines_fold_on_character_boundaries(client, conference):
    title = "Déjà vu; commas, backslashes \\ and emoji 🎉 " * 3
    summary = "First line\nSecond line; with, punctuation \\ too"
    talk = TalkFactory(parent=conference["day1"], title=title.strip(), summary=summary)
    raw = fetch(client, f"/calendars/talks/{talk.pk}.ics")
    calendar = check_rfc5545(raw)
    (event,) = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == title.strip()
    assert str(event["DESCRIPTION"]).startswith(summary + "\n")
    assert b"SUMMARY:D\xc3\xa9j\xc3\xa0 vu\\; commas\\, backslashes \\\\ and" in raw


def test_escape_and_fold_helpers():
    assert escape_text("a,b;c\\d\ne\r\nf") == "a\\,b\\;c\\\\d\\ne\\nf"
    folded = fold("X" * 200)
    assert [len(part) for part in folded.split("\r\n")] == [75, 75, 52]
    assert folded.replace("\r\n ", "") == "X" * 200
    emoji = fold("🎉" * 40)  # 4 octets each: never split
    for part in emoji.split("\r\n"):
        assert len(part.encode()) <= 75
        part.encode().decode("utf-8")
    assert emoji.replace("\r\n ", "") == "🎉" * 40


def test_add_to_calendar_links(client, conference):
    html = client.get(conference["early"].url).content.decode()
    assert f'href="/calendars/talks/{conference["early"].pk}.ics"' in html
    assert "Add “Morning talk” to your calendar" in html
    assert "/calendars/talks/" not in client.get(conference["untimed"].url).content.decode()
    day_html = client.get(conference["day1"].url).content.decode()
    assert f'href="/calendars/days/{conference["day1"].pk}.ics"' in day_html
    assert "Add the talks of Day 1 to your calendar" in day_html
    conference_html = client.get(conference["conference"].url).content.decode()
    assert 'href="/calendars/conferences/calconf-2026.ics"' in conference_html


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fetch(client, url)
    return len(ctx.captured_queries)


def test_calendar_query_counts_are_fixed_from_2_to_10_talks(client, conference):
    other = ConferenceFactory(title="Countconf", slug="countconf", start_date=DATE, end_date=DATE)
    days = [
        DayFactory(parent=other, date=DATE, day_number=1),
        DayFactory(parent=other, date=DATE, day_number=2),
    ]

    def add(n):
        talk = TalkFactory(
            parent=days[n % 2],
            title=f"Counted {n}",
            start_time=datetime.time(9 + n, 0),
            speakers=[SpeakerFactory()],
        )
        talk.tags.add(f"tag-{n}")
        talk.save()

    urls = [f"/calendars/days/{days[0].pk}.ics", "/calendars/conferences/countconf.ics"]
    for n in range(2):
        add(n)
    few = [count_queries(client, url) for url in urls]
    for n in range(2, 10):
        add(n)
    many = [count_queries(client, url) for url in urls]
    calendar = check_rfc5545(fetch(client, "/calendars/conferences/countconf.ics"))
    assert len(calendar.walk("VEVENT")) == 11  # the conference and its ten talks
    assert few == many, (few, many)


def test_previews_of_unsaved_pages_render_without_calendar_links(conference):
    """An editor previewing a new talk or day: no id yet, so no calendar link (and no error)."""
    from wagtail.models import Page

    from pages.models import DayPage, TalkPage

    day = conference["day1"]
    talk = TalkPage(title="Brand new", slug="brand-new", start_time=datetime.time(9, 0))
    new_day = DayPage(title="New day", slug="new-day", date=DATE)
    for page, parent in ((talk, day), (new_day, conference["conference"])):
        page.depth = parent.depth + 1
        page.path = Page._get_children_path_interval(parent.path)[1]
        page.set_url_path(parent)
        response = page.make_preview_request()
        assert response.status_code == 200
        assert "/calendars/" not in response.content.decode()
