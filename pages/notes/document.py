"""What a notes file describes, before anything is saved: the conference, its days and talks,
and their body blocks with the line each one came from (no database access)."""

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.text import slugify


@dataclass
class ImageSpec:
    src: str
    alt: str
    decorative: bool
    caption: str
    line: int


@dataclass
class BlockSpec:
    """One body block: its StreamField type and raw value (images as :class:`ImageSpec`)."""

    type: str
    value: Any
    line: int
    #: lines of checklist items or table rows, for error messages
    item_lines: list[int] = field(default_factory=list)
    #: a quote attribution to match against the talk's speakers
    attribution_name: str = ""


@dataclass
class TalkSpec:
    title: str
    slug: str
    line: int
    speakers: list[str] = field(default_factory=list)
    speakers_line: int | None = None
    body: list[BlockSpec] = field(default_factory=list)
    #: talk details from the attribute line and the Summary: paragraph (only those given)
    details: dict = field(default_factory=dict)


@dataclass
class DaySpec:
    title: str
    slug: str
    line: int
    number: int
    body: list[BlockSpec] = field(default_factory=list)
    talks: list[TalkSpec] = field(default_factory=list)


@dataclass
class SpeakerSpec:
    """A speaker described in the front matter's ``speakers:`` mapping (the keys given)."""

    name: str
    line: int
    fields: dict = field(default_factory=dict)
    photo: ImageSpec | None = None
    #: Speaker field -> its line in the file
    lines: dict = field(default_factory=dict)


@dataclass
class NotesDocument:
    title: str = ""
    title_line: int = 1
    #: front matter values that were given, converted to Python types
    meta: dict = field(default_factory=dict)
    #: front matter key -> line in the file
    meta_lines: dict = field(default_factory=dict)
    body: list[BlockSpec] = field(default_factory=list)
    days: list[DaySpec] = field(default_factory=list)
    #: speaker name -> details from the front matter
    speakers: dict[str, SpeakerSpec] = field(default_factory=dict)

    @property
    def has_days(self) -> bool:
        """False for a recap by topic (``days: false``): ## to #### are the conference's headings."""
        return self.meta.get("days") is not False

    @property
    def slug(self) -> str:
        return self.meta.get("slug") or make_slug(self.title, "conference")

    def all_bodies(self):
        yield self.body
        for day in self.days:
            yield day.body
            for talk in day.talks:
                yield talk.body


def make_slug(title: str, fallback: str) -> str:
    allow_unicode = getattr(settings, "WAGTAIL_ALLOW_UNICODE_SLUGS", True)
    return slugify(title, allow_unicode=allow_unicode)[:80].strip("-") or fallback
