"""The schedule import and bad input: malformed files, wrong types, duplicate ids, entity
expansion, huge files, unreachable URLs: clear messages naming the event, nothing written.
URLs are served from a real HTTP server on 127.0.0.1."""

import http.server
import json
import socket
import threading
from functools import partial
from pathlib import Path

from wagtail.models import Page

import pytest

from pages.models import TalkPage
from pages.schedule.importer import ScheduleImporter
from pages.schedule.source import SourceError, fetch
from snippets.models import Speaker

FIXTURES = Path(__file__).parent / "fixtures" / "schedule"
JSON = json.loads((FIXTURES / "harbour.json").read_text())


def imported(data: bytes | str):
    pages, speakers = Page.objects.count(), Speaker.objects.count()
    data = data.encode() if isinstance(data, str) else data
    report = ScheduleImporter().import_bytes(data)
    if not report.ok:  # nothing written on error
        assert (Page.objects.count(), Speaker.objects.count()) == (pages, speakers)
    return report


def messages(report) -> list[str]:
    return [str(m) for m in report.diagnostics.messages]


def variant(change) -> str:
    data = json.loads(json.dumps(JSON))
    change(data["schedule"]["conference"])
    return json.dumps(data)


def first_event(conference) -> dict:
    return conference["days"][0]["rooms"]["Hall A"][0]


@pytest.mark.parametrize(
    "content, expected",
    [
        ('{"schedule": {"conference": ', "Not valid JSON: Expecting value (line 1, column 29)"),
        ("<schedule><conference></schedule>", "Not well-formed XML: mismatched tag"),
        ("title,date\nA,B", "Neither a pretalx/C3VOC schedule.json nor a frab schedule.xml"),
        ('{"version": 1}', "the JSON has no “schedule” → “conference” object"),
        ("<html><body/></html>", "Not a frab schedule"),
        (b"<schedule>\xff</schedule>", "Not valid UTF-8 (byte 0xff at offset 10)"),
    ],
)
def test_malformed_files(home, content, expected):
    report = imported(content)
    assert not report.ok
    assert any(expected in m for m in messages(report)), messages(report)


@pytest.mark.parametrize(
    "change, expected",
    [
        (lambda c: first_event(c).update(duration="half an hour"),
         "error: event 101 “Opening the harbour”: Duration “half an hour” is not HH:MM."),
        (lambda c: first_event(c).update(persons="Mira Okafor"),
         "error: event 101 “Opening the harbour”: Persons should be a list."),
        (lambda c: first_event(c).update(date="yesterday"),
         "error: event 101 “Opening the harbour”: Date “yesterday” is not an ISO 8601 date"),
        (lambda c: first_event(c).update(title=["a", "list"]), "The event has no title."),
        (lambda c: c.update(time_zone_name="Europe/Atlantis"), "Unknown time zone “Europe/Atlantis”"),
        (lambda c: c["days"][0].update(date="12 June"), "error: day 1: The day's date “12 June” is not a date"),
        (lambda c: first_event(c).update(id=203, guid="6f1e2d3c-0203-4a00-9000-000000000203"),
         "error: event 203 “Closing notes”: Its guid/id 6f1e2d3c-0203-4a00-9000-000000000203 is "
         "also the one of event 203 “Opening the harbour”"),
    ],
)  # fmt: skip
def test_wrong_values_name_the_event_and_write_nothing(home, change, expected):
    report = imported(variant(change))
    assert not report.ok
    assert any(expected in m for m in messages(report)), messages(report)
    assert not TalkPage.objects.exists()


def test_unknown_rooms_and_overlaps_are_warnings(home):
    def change(conference):
        first_event(conference)["room"] = "Boiler Room"
        conference["days"][0]["rooms"]["Room B"][0]["date"] = "2026-06-12T09:10:00Z"
        conference["days"][0]["rooms"]["Room B"].append(
            {**conference["days"][0]["rooms"]["Room B"][0], "guid": "x-1", "id": 900,
             "title": "A second talk at once"})  # fmt: skip

    report = imported(variant(change))
    assert report.ok and report.committed
    text = messages(report)
    assert (
        "warning: event 101 “Opening the harbour”: The room “Boiler Room” is not among the "
        "conference's rooms."
    ) in text
    assert any(
        m.startswith("warning: event 900 “A second talk at once”: It overlaps event 104")
        for m in text
    ), text


def test_entity_expansion_and_dtds_are_refused(home):
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE schedule [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        "<schedule><conference><title>&c;</title></conference></schedule>"
    )
    report = imported(bomb)
    assert not report.ok
    assert "Refused: the XML declares a DTD or entities" in messages(report)[0]
    external = '<?xml version="1.0"?><!DOCTYPE s SYSTEM "file:///etc/passwd"><schedule/>'
    assert "Refused" in messages(imported(external))[0]


def test_a_schedule_of_breaks_only_imports_nothing(home):
    def change(conference):
        for day in conference["days"]:
            for events in day["rooms"].values():
                for event in events:
                    event["type"] = "Break"

    report = imported(variant(change))
    assert messages(report) == ["error: The schedule has no talks to import."]


# --- URLs -----------------------------------------------------------------------------------------


@pytest.fixture
def server():
    """A real HTTP server on 127.0.0.1 serving tests/fixtures/schedule/ (and a redirect)."""

    class Handler(http.server.SimpleHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/to-file":
                self.send_response(302)
                self.send_header("Location", "file:///etc/passwd")
                self.end_headers()
                return
            super().do_GET()

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=FIXTURES))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_import_from_a_url(home, server):
    report = ScheduleImporter().import_source(f"{server}/harbour.xml")
    assert report.ok and report.committed, messages(report)
    assert TalkPage.objects.count() == 6


def test_url_errors_are_clear(home, server, settings):
    def error(url, **options):
        report = ScheduleImporter().import_source(url, **options)
        assert not report.ok and not Page.objects.filter(depth__gt=2).exists()
        return messages(report)[0]

    assert (
        error(f"{server}/missing.json")
        == f"error: {server}/missing.json answered 404 File not found."
    )
    assert "Redirection to url 'file:///etc/passwd' is not allowed" in error(f"{server}/to-file")
    assert "Only http(s) URLs are fetched" in error("file:///etc/passwd")
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    assert f"http://127.0.0.1:{closed}/s.json cannot be reached" in error(
        f"http://127.0.0.1:{closed}/s.json"
    )
    settings.SCHEDULE_IMPORT_MAX_BYTES = 1000
    assert "the limit is 1000 bytes" in error(f"{server}/harbour.json")


def test_a_server_that_does_not_answer_times_out():
    with socket.socket() as listener:  # accepts connections (backlog) but never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/schedule.json"
        with pytest.raises(
            SourceError, match="did not answer within 0.5 seconds|cannot be reached"
        ):
            fetch(url, timeout=0.5, limit=1000)


def test_huge_local_files_are_refused(home, tmp_path, settings):
    settings.SCHEDULE_IMPORT_MAX_BYTES = 100
    report = ScheduleImporter().import_source(str(FIXTURES / "harbour.json"))
    assert "the limit is 100 bytes" in messages(report)[0]
