"""``manage.py import_schedule``: a conference from a pretalx/C3VOC schedule.json or a frab
schedule.xml (pages/schedule), on SQLite and PostgreSQL.

The fixtures in tests/fixtures/schedule/ describe the same invented conference in both formats
(Europe/Berlin; the JSON gives UTC times, the XML local ones with their offset): six talks, one
with three speakers, one with none, one after midnight that belongs to the first day, and a
coffee break and a lunch that are skipped."""

import json
from datetime import date, time
from io import StringIO
from pathlib import Path

from django.core.management import CommandError, call_command

from wagtail.models import Page, Revision

import pytest

from pages.models import ConferenceIndex, DayPage, TalkPage
from snippets.models import Speaker

FIXTURES = Path(__file__).parent / "fixtures" / "schedule"
JSON = FIXTURES / "harbour.json"
XML = FIXTURES / "harbour.xml"
GUID = "6f1e2d3c-0{}-4a00-9000-000000000{}"


def guid(event_id: int) -> str:
    return GUID.format(event_id, event_id)


def run(*args) -> str:
    out = StringIO()
    call_command("import_schedule", *map(str, args), stdout=out, stderr=StringIO())
    return out.getvalue()


def tree() -> list[tuple]:
    """Everything the import sets, in a form both formats can be compared by."""
    rows = []
    for conference in ConferenceIndex.objects.order_by("path"):
        rows.append(("conference", conference.title, conference.slug, conference.start_date,
                     conference.end_date, conference.location, conference.website))  # fmt: skip
        for day in DayPage.objects.child_of(conference).order_by("date"):
            rows.append(("day", day.title, day.date, day.day_number))
            for talk in TalkPage.objects.child_of(day).order_by("start_time", "path"):
                rows.append((
                    "talk", talk.title, talk.slug, talk.schedule_guid, talk.start_time, talk.room,
                    talk.summary, talk.slides_url, talk.video_url,
                    sorted(t.name for t in talk.tags.all()),
                    [link.speaker.name for link in talk.talk_speakers.order_by("sort_order")],
                ))  # fmt: skip
    return rows


def talk(event_id: int) -> TalkPage:
    return TalkPage.objects.get(schedule_guid=guid(event_id))


@pytest.mark.parametrize("fixture", [JSON, XML], ids=["pretalx-json", "frab-xml"])
def test_the_whole_skeleton_from_either_format(home, fixture):
    output = run(fixture)
    conference = ConferenceIndex.objects.get()
    assert conference.get_parent().pk == home.pk
    assert (conference.title, conference.slug) == ("Harbour Code Days 2026", "hcd26")
    assert (conference.start_date, conference.end_date) == (date(2026, 6, 12), date(2026, 6, 13))
    assert conference.location == "Old Customs House, Hamburg"
    assert conference.website == "https://harbour.example.org/2026/"
    days = list(DayPage.objects.child_of(conference).order_by("date"))
    assert [(d.title, d.date, d.day_number) for d in days] == [
        ("Day 1", date(2026, 6, 12), 1),
        ("Day 2", date(2026, 6, 13), 2),
    ]
    assert TalkPage.objects.count() == 6
    # three speakers, in the schedule's order; links recognised as slides and video
    workshop = talk(102)
    assert [s.speaker.name for s in workshop.talk_speakers.order_by("sort_order")] == [
        "Jun Tanaka", "Lena Brandt", "Omar Haddad"]  # fmt: skip
    assert workshop.slides_url == "https://harbour.example.org/2026/slides/three-hands.pdf"
    assert workshop.video_url == "https://media.example.org/v/hcd26-102"
    assert sorted(t.name for t in workshop.tags.all()) == ["Tooling", "Workshop"]
    assert (workshop.start_time, workshop.room) == (time(10, 15), "Hall A")
    # no speakers, but an abstract: a talk
    assert talk(104).talk_speakers.count() == 0
    assert talk(104).get_parent().pk == days[0].pk
    # after midnight: 00:30 local time, still on the first day of the programme
    late = talk(105)
    assert (late.get_parent().pk, late.start_time) == (days[0].pk, time(0, 30))
    # the abstract's HTML as plain text, one paragraph; the description when there is no abstract
    assert talk(101).summary == (
        "Why a small conference about code by the water keeps going, and what changed this "
        "year. Bring questions & coffee."
    )
    assert talk(201).summary.startswith("Measuring the water level every minute")
    assert talk(201).get_parent().pk == days[1].pk
    # the generic type "Talk" is no tag; the track is
    assert [t.name for t in talk(203).tags.all()] == ["Community"]
    # bodies are left for the note-takers; drafts by default
    assert all(len(t.body) == 0 and not t.live for t in TalkPage.objects.all())
    # speakers reused by name: Mira Okafor and Lena Brandt speak twice, exist once
    assert Speaker.objects.count() == 5
    # breaks are skipped with a line each
    assert "skipped: event 103 “Coffee break”" in output
    assert "skipped: event 202 “Lunch”" in output


def test_both_formats_give_the_same_result(home):
    run(JSON)
    from_json = tree()
    revisions = Revision.objects.count()
    output = run(XML)  # the same conference, read from the other format: nothing to change
    assert tree() == from_json
    assert Revision.objects.count() == revisions
    assert "0 created, 0 updated, 0 moved, 9 unchanged" in output


def test_a_second_run_creates_no_revision(home):
    run(JSON, "--publish")
    assert all(page.live for page in TalkPage.objects.all())
    revisions = Revision.objects.count()
    pages = Page.objects.count()
    output = run(JSON, "--publish")
    assert Revision.objects.count() == revisions
    assert Page.objects.count() == pages
    assert "0 created, 0 updated, 0 moved, 9 unchanged" in output


def _changed(tmp_path) -> Path:
    data = json.loads(JSON.read_text())
    days = data["schedule"]["conference"]["days"]
    hall_day1, hall_day2 = days[0]["rooms"]["Hall A"], days[1]["rooms"]["Hall A"]
    # 201 moves to the first day, 203 is renamed, 104 is dropped
    tides = hall_day2.pop(0)
    tides.update(date="2026-06-12T13:00:00Z", start="15:00")
    hall_day1.append(tides)
    hall_day2[-1]["title"] = "Closing notes and thanks"
    days[0]["rooms"]["Room B"] = [e for e in days[0]["rooms"]["Room B"] if e["id"] != 104]
    path = tmp_path / "changed.json"
    path.write_text(json.dumps(data))
    return path


def test_the_programme_changes_moves_renames_and_lists_removed_talks(home, tmp_path):
    run(JSON, "--publish")
    # a note-taker has written notes on the talk that will move, and a draft on the renamed one
    tides = talk(201)
    tides.body = [{"type": "paragraph", "value": "<p>The tide gauge story.</p>"}]
    tides.save_revision().publish()
    closing = talk(203).get_latest_revision_as_object()
    closing.body = [{"type": "paragraph", "value": "<p>Draft notes in progress.</p>"}]
    closing.save_revision()
    slug = talk(203).slug

    output = run(_changed(tmp_path), "--publish")

    day1 = DayPage.objects.get(date=date(2026, 6, 12))
    tides = talk(201)
    assert tides.get_parent().pk == day1.pk and tides.start_time == time(15, 0)
    assert tides.live and tides.body.raw_data[0]["value"] == "<p>The tide gauge story.</p>"
    closing = talk(203)
    # renamed in a new draft revision on top of the draft: the live page keeps its notes
    # (none) and its address, the draft keeps the note-taker's text
    assert closing.slug == slug
    latest = closing.get_latest_revision_as_object()
    assert latest.title == "Closing notes and thanks"
    assert latest.body.raw_data[0]["value"] == "<p>Draft notes in progress.</p>"
    assert closing.title == "Closing notes"  # not published over the draft in progress
    # the dropped talk is listed, never deleted
    assert TalkPage.objects.filter(schedule_guid=guid(104)).exists()
    assert "no longer in the schedule (kept): Open questions from the floor" in output
    assert "[move]" in output
    # and a third run with the changed file changes nothing
    revisions = Revision.objects.count()
    run(_changed(tmp_path), "--publish")
    assert Revision.objects.count() == revisions


def test_dry_run_writes_nothing(home):
    output = run(JSON, "--dry-run")
    assert "dry run, nothing written" in output
    assert "[create]" in output
    assert not ConferenceIndex.objects.exists() and not Speaker.objects.exists()


def test_parent_may_name_the_conference_to_update(home):
    run(JSON)
    conference = ConferenceIndex.objects.get()
    conference_revision = conference.latest_revision_id
    output = run(JSON, "--parent", conference.pk)
    assert ConferenceIndex.objects.count() == 1
    assert ConferenceIndex.objects.get().latest_revision_id == conference_revision
    assert "9 unchanged" in output


def test_the_command_fails_with_the_reason(home, tmp_path):
    broken = tmp_path / "schedule.xml"
    broken.write_text("<schedule><conference><title>Broken</title></conference>")
    with pytest.raises(CommandError, match="not imported, 1 error"):
        run(broken)
    assert not ConferenceIndex.objects.exists()
