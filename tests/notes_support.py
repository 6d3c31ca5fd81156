"""Helpers for the notes import/export tests: fixture files, running commands, snapshots."""

import shutil
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from wagtail.images import get_image_model

from pages.models import ConferenceIndex, DayPage, TalkPage
from snippets.models import Speaker

FIXTURES = Path(__file__).parent / "fixtures" / "notes"


def copy_fixtures(target: Path) -> Path:
    """A private copy of tests/fixtures/notes (tests may edit it)."""
    destination = target / "notes"
    shutil.copytree(FIXTURES, destination)
    return destination


def run(command: str, *args, capsys=None) -> tuple[int, str, str]:
    """(exit status, stdout, stderr) of a management command."""
    status = 0
    try:
        call_command(command, *[str(arg) for arg in args])
    except CommandError as error:
        status = getattr(error, "returncode", 1)
        if capsys is None:
            raise
    if capsys is None:
        return status, "", ""
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def strip_ids(value):
    if isinstance(value, list):
        return [strip_ids(item) for item in value]
    if isinstance(value, dict):
        return {key: strip_ids(item) for key, item in value.items() if key != "id"}
    return value


def body_of(page, portable: bool = False) -> list:
    """The page's stored blocks without ids; ``portable``: images as their file's hash and
    linked speakers as their name (ids change when an export is imported into another site)."""
    blocks = strip_ids(page.body.get_prep_value())
    if portable:
        for block in blocks:
            value = block["value"]
            if block["type"] == "image":
                value["image"]["image"] = image_hash(value["image"]["image"])
            elif block["type"] == "quote" and value.get("speaker"):
                value["speaker"] = Speaker.objects.get(pk=value["speaker"]).name
    return blocks


def image_hash(pk) -> str:
    return get_image_model().objects.get(pk=pk).get_file_hash() if pk else ""


def speaker_details(speaker: Speaker) -> dict:
    """Everything the notes format carries for a speaker (the photo as its file's hash)."""
    return {
        "name": speaker.name,
        "slug": speaker.slug,
        "bio": speaker.bio,
        "website": speaker.website,
        "mastodon": speaker.mastodon,
        "github": speaker.github,
        "photo": image_hash(speaker.photo_id),
        "photo_alt_text": speaker.photo_alt_text,
    }


def block_types(page) -> list[str]:
    return [block.block_type for block in page.body]


def snapshot(conference: ConferenceIndex, latest: bool = False, portable: bool = False) -> dict:
    """Everything the notes format carries for a conference, its days and talks (``portable``:
    see :func:`body_of`; speakers then with all their details)."""

    def version(page):
        return page.get_latest_revision_as_object() if latest else page

    conference = version(conference)
    data = {
        "title": conference.title,
        "slug": conference.slug,
        "start_date": conference.start_date,
        "end_date": conference.end_date,
        "location": conference.location,
        "website": conference.website,
        "summary": conference.search_description,
        "tags": sorted(tag.name for tag in conference.tags.all()),
        "body": body_of(conference, portable),
        "days": [],
    }
    for day in DayPage.objects.child_of(conference).order_by("path"):
        day = version(day)
        day_data = {
            "title": day.title,
            "slug": day.slug,
            "date": day.date,
            "day_number": day.day_number,
            "body": body_of(day, portable),
            "talks": [],
        }
        for talk in TalkPage.objects.child_of(day).order_by("path"):
            talk = version(talk)
            links = sorted(talk.talk_speakers.all(), key=lambda link: link.sort_order)
            day_data["talks"].append(
                {
                    "title": talk.title,
                    "slug": talk.slug,
                    "speakers": [
                        speaker_details(link.speaker) if portable else link.speaker.name
                        for link in links
                    ],
                    "start_time": talk.start_time,
                    "room": talk.room,
                    "slides_url": talk.slides_url,
                    "video_url": talk.video_url,
                    "summary": talk.summary,
                    "tags": sorted(tag.name for tag in talk.tags.all()),
                    "body": body_of(talk, portable),
                }
            )
        data["days"].append(day_data)
    return data


def media_files() -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}
